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

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Java's basic decoder: the standard alphabet, optional padding, nothing else.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let body = s.trim_end_matches('=');
    if s.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in body.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A lone trailing 6-bit group cannot encode a byte.
    if body.len() % 4 == 1 {
        return None;
    }
    Some(out)
}

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
