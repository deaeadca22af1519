//! Random identifiers (`uuid()`, `id()`, `ksuid()`, `nanoId()`, `randomInt()`), from the
//! engine's one source of randomness ([`crate::ids::random_bytes`]); none of these values is
//! meant to be a secret.

use crate::ids::{random_bytes, random_u64};

/// A random version 4 UUID, hyphenated.
pub fn uuid_v4() -> String {
    let h = format!("{:032x}", crate::ids::uuid_v4());
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Kestra's short ids (`IdUtils.create()`): a random UUID in base 62, unpadded as Kestra's.
pub fn short_id() -> String {
    crate::ids::base62(crate::ids::uuid_v4(), 0)
}

/// A KSUID: 4 bytes of seconds since 2014-05-13T16:53:20Z and 16 random bytes, base 62 on 27
/// characters.
pub fn ksuid(now_unix: i64) -> String {
    let ts = (now_unix - 1_400_000_000).clamp(0, u32::MAX as i64) as u32;
    let payload = random_bytes::<16>();
    let mut value = [0u8; 20];
    value[..4].copy_from_slice(&ts.to_be_bytes());
    value[4..].copy_from_slice(&payload);
    // 160-bit base-62 conversion by repeated division.
    let mut num: Vec<u32> = value
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut out = Vec::new();
    while num.iter().any(|&d| d != 0) {
        let mut rem = 0u64;
        for d in num.iter_mut() {
            let cur = (rem << 32) | *d as u64;
            *d = (cur / 62) as u32;
            rem = cur % 62;
        }
        out.push(crate::ids::ALPHABET[rem as usize]);
    }
    while out.len() < 27 {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Kestra's `nanoId`: each byte masked with `alphabet.len() - 1`.
pub fn nano_id(length: usize, alphabet: &[char]) -> String {
    let mask = alphabet.len().saturating_sub(1);
    (0..length)
        .map(|_| alphabet[(random_u64() as u8 as usize) & mask])
        .collect()
}

/// Uniform in `[lower, upper)` (`lower` when equal).
pub fn int_between(lower: i64, upper: i64) -> i64 {
    let span = (upper as i128 - lower as i128) as u128;
    if span == 0 {
        return lower;
    }
    let r = (random_u64() as u128) % span;
    (lower as i128 + r as i128) as i64
}
