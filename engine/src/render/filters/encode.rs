//! Encoding and hashing filters.

use kflow_syntax::Span;

use super::super::error::{fail, EResult};
use super::super::value::Val;
use super::cast_str;
use crate::hash;

pub fn apply<'c>(name: &str, v: &Val<'c>, span: Span) -> EResult<Val<'c>> {
    if v.is_null() {
        return Ok(Val::Null);
    }
    let out = match name {
        "base64encode" => base64_encode(v.to_java_string().as_bytes()),
        "base64decode" => {
            let Val::Str(s) = v else {
                return fail("This filter applies to String", span);
            };
            match base64_decode(s) {
                Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                None => return fail(
                    "Please provide a correctly Base64 encoded string containing an UTF-8 string",
                    span,
                ),
            }
        }
        "urlencode" => url_encode(cast_str(v, span)?),
        "urldecode" => match url_decode(cast_str(v, span)?) {
            Ok(s) => s,
            Err(e) => return fail(e, span),
        },
        _ => {
            let Val::Str(s) = v else {
                return fail("Need a string to hash", span);
            };
            let bytes = s.as_bytes();
            let digest = match name {
                "sha256" => hash::sha256(bytes).to_vec(),
                "sha1" => hash::sha1(bytes).to_vec(),
                "sha512" => hash::sha512(bytes).to_vec(),
                _ => hash::md5(bytes).to_vec(),
            };
            hash::hex(&digest)
        }
    };
    Ok(Val::str(out))
}

pub use crate::codec::{base64_decode, base64_encode};

/// Java `URLEncoder.encode(s, UTF-8)` (the same encoder Download uses for file names).
pub fn url_encode(s: &str) -> String {
    crate::storage::uri::java_url_encode(s)
}

/// Java `URLDecoder.decode(s, UTF-8)`.
pub fn url_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let hexpair = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let Some(v) = hexpair.and_then(|h| u8::from_str_radix(h, 16).ok()) else {
                    return Err(format!(
                        "URLDecoder: Illegal hex characters in escape (%) pattern - {}",
                        String::from_utf8_lossy(&bytes[i..bytes.len().min(i + 3)])
                    ));
                };
                out.push(v);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
