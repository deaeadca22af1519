//! MD5, SHA-1, SHA-256 and SHA-512: the `md5`… filters, Kestra's MD5-based ids and the
//! script environment cache key. SHA digests come from `ring` (already linked for TLS), MD5
//! from `md-5`; `hex` prints them as Kestra's filters do.

use md5::{Digest, Md5};
use ring::digest;

/// Lower-case hex, as Kestra's filters print digests.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn md5(msg: &[u8]) -> [u8; 16] {
    Md5::digest(msg).into()
}

fn ring_digest<const N: usize>(algorithm: &'static digest::Algorithm, msg: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(digest::digest(algorithm, msg).as_ref());
    out
}

pub fn sha1(msg: &[u8]) -> [u8; 20] {
    ring_digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, msg)
}

pub fn sha256(msg: &[u8]) -> [u8; 32] {
    ring_digest(&digest::SHA256, msg)
}

pub fn sha512(msg: &[u8]) -> [u8; 64] {
    ring_digest(&digest::SHA512, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_vectors() {
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(&md5(b"hello")), "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&sha256(b"test")),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 200])),
            "c2a908d98f5df987ade41b5fce213067efbcc21ef2240212a41e54b5e7c28ae5"
        );
        assert_eq!(
            hex(&sha512(b"abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }
}
