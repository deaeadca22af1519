//! Base64 as Kestra's Java code uses it (`java.util.Base64`'s basic encoder and decoder): the
//! standard alphabet; encoding pads with `=`; decoding accepts the padding or its absence and
//! nothing else (no line breaks, no URL-safe characters). One home for the `base64encode` /
//! `base64decode` filters, `SECRET_*` values and Ion blobs; the `base64` crate does the work.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const JAVA_BASIC: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

pub fn base64_encode(bytes: &[u8]) -> String {
    JAVA_BASIC.encode(bytes)
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    JAVA_BASIC.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_basic_semantics() {
        assert_eq!(base64_encode(b"hi"), "aGk=");
        assert_eq!(base64_decode("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64_decode("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(base64_decode("a-k_"), None);
        assert_eq!(base64_decode("aG\nk="), None);
        assert_eq!(base64_decode("a"), None);
    }
}
