//! Random identifiers (`uuid()`, `id()`, `ksuid()`, `nanoId()`, `randomInt()`). Randomness
//! comes from the OS (`/dev/urandom`) when available, else from a time-seeded generator; none
//! of these values is meant to be a secret.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let mut buf = [0u8; 8];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok()
    {
        return u64::from_le_bytes(buf) | 1;
    }
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish() | 1
}

/// splitmix64.
pub fn next_u64() -> u64 {
    STATE.with(|s| {
        let z = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(z);
        let mut z = z;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    for chunk in out.chunks_mut(8) {
        let r = next_u64().to_le_bytes();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
    out
}

/// A random version 4 UUID.
pub fn uuid_v4() -> String {
    let mut b = bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// Kestra's short ids (`IdUtils.create()`): a random UUID in base 62.
pub fn short_id() -> String {
    let mut b = bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    crate::ids::base62(u128::from_be_bytes(b), 0)
}

/// A KSUID: 4 bytes of seconds since 2014-05-13T16:53:20Z and 16 random bytes, base 62 on 27
/// characters.
pub fn ksuid(now_unix: i64) -> String {
    let ts = (now_unix - 1_400_000_000).clamp(0, u32::MAX as i64) as u32;
    let payload = bytes::<16>();
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
        .map(|_| alphabet[(next_u64() as u8 as usize) & mask])
        .collect()
}

/// Uniform in `[lower, upper)` (`lower` when equal).
pub fn int_between(lower: i64, upper: i64) -> i64 {
    let span = (upper as i128 - lower as i128) as u128;
    if span == 0 {
        return lower;
    }
    let r = (next_u64() as u128) % span;
    (lower as i128 + r as i128) as i64
}
