//! Kestra-style identifiers and slugs.
//!
//! Execution and task-run ids are "friendly ids": a random (v4) UUID written in base 62
//! (`0-9A-Za-z`), as Kestra's `IdUtils.create()` does. Kestra does not pad, so about one id in
//! eight is shorter than 22 characters there; we left-pad with `0` (the base-62 zero digit) so
//! every id has 22 characters and still decodes to the same UUID.

/// Kestra's base-62 digits (`IdUtils`, KSUIDs).
pub(crate) const ALPHABET: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub const ID_LEN: usize = 22;

/// Random bytes from the OS; should it fail (it should not), time, a counter and the process
/// id hashed, still unique. The one source of randomness of the engine: ids, `uuid()`,
/// `randomInt()`, retry jitter. None of these values is a secret.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    if getrandom::getrandom(&mut out).is_err() {
        for chunk in out.chunks_mut(16) {
            let mut wide = [0u8; 16];
            fallback_bytes(&mut wide);
            chunk.copy_from_slice(&wide[..chunk.len()]);
        }
    }
    out
}

pub fn random_u64() -> u64 {
    u64::from_le_bytes(random_bytes())
}

/// A random version 4 UUID as `java.util.UUID.randomUUID()` makes it (variant 10xx).
pub fn uuid_v4() -> u128 {
    let mut bytes = random_bytes::<16>();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    u128::from_be_bytes(bytes)
}

/// A new random id (execution, task run…).
pub fn new_id() -> String {
    friendly(uuid_v4())
}

/// Kestra's `IdUtils.from(text)`: a deterministic id, `UUID.nameUUIDFromBytes(md5(text))`.
pub fn id_from(text: &str) -> String {
    let mut bytes = crate::hash::md5(&crate::hash::md5(text.as_bytes()));
    bytes[6] = (bytes[6] & 0x0f) | 0x30;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    friendly(u128::from_be_bytes(bytes))
}

/// Base-62 text of a 128-bit value, left-padded to [`ID_LEN`].
pub fn friendly(value: u128) -> String {
    base62(value, ID_LEN)
}

/// Base-62 text of a 128-bit value, left-padded with `0` to `min_len` digits.
pub fn base62(mut value: u128, min_len: usize) -> String {
    let mut digits = Vec::with_capacity(min_len.max(22));
    while value > 0 {
        digits.push(ALPHABET[(value % 62) as usize]);
        value /= 62;
    }
    while digits.len() < min_len {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Decodes a friendly id back to its 128-bit value (`None` when not base 62 or too large).
pub fn parse_friendly(id: &str) -> Option<u128> {
    if id.is_empty() {
        return None;
    }
    id.bytes().try_fold(0u128, |acc, b| {
        let digit = ALPHABET.iter().position(|&a| a == b)? as u128;
        acc.checked_mul(62)?.checked_add(digit)
    })
}

fn fallback_bytes(bytes: &mut [u8; 16]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = format!("{nanos}-{count}-{}", std::process::id());
    *bytes = crate::hash::md5(seed.as_bytes());
}

/// A random decimal number like Java's temp file names (`6532118450912774130`).
pub fn random_digits() -> String {
    (random_u64() & (i64::MAX as u64)).to_string()
}

/// Kestra's `Slugify.of`: whitespace → `-`, accents removed (NFD then non-`[A-Za-z0-9_-]` dropped),
/// `_` → `-`, repeated `-` collapsed, `-` trimmed at both ends, lower-cased.
///
/// Without a Unicode normalisation table, letters with diacritics are mapped to their base
/// letter for the Latin-1 and Latin Extended-A ranges (what NFD + dropping the marks gives);
/// any other non-ASCII character is dropped, as Kestra drops it.
pub fn slugify(input: &str) -> String {
    let mut slug = String::with_capacity(input.len());
    for c in input.chars() {
        // Java's `\s` without UNICODE_CHARACTER_CLASS: ASCII whitespace only.
        if matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r') {
            slug.push('-');
        } else if c.is_ascii_alphanumeric() || c == '-' {
            slug.push(c);
        } else if c == '_' {
            slug.push('-');
        } else if let Some(base) = latin_base(c) {
            slug.push_str(base);
        }
    }
    let mut collapsed = String::with_capacity(slug.len());
    for c in slug.chars() {
        if c == '-' && collapsed.ends_with('-') {
            continue;
        }
        collapsed.push(c);
    }
    collapsed.trim_matches('-').to_ascii_lowercase()
}

/// The ASCII letters NFD leaves for a precomposed Latin letter (`é` → `e`, `Å` → `A`); `None`
/// for characters that decompose to nothing ASCII (`ß`, `æ`, `ø` stay single code points in NFD).
fn latin_base(c: char) -> Option<&'static str> {
    const TABLE: &[(&str, &str)] = &[
        ("ÀÁÂÃÄÅĀĂĄ", "A"),
        ("àáâãäåāăą", "a"),
        ("ÇĆĈĊČ", "C"),
        ("çćĉċč", "c"),
        ("ĎĐ", "D"),
        ("ď", "d"),
        ("ÈÉÊËĒĔĖĘĚ", "E"),
        ("èéêëēĕėęě", "e"),
        ("ĜĞĠĢ", "G"),
        ("ĝğġģ", "g"),
        ("Ĥ", "H"),
        ("ĥ", "h"),
        ("ÌÍÎÏĨĪĬĮİ", "I"),
        ("ìíîïĩīĭį", "i"),
        ("Ĵ", "J"),
        ("ĵ", "j"),
        ("Ķ", "K"),
        ("ķ", "k"),
        ("ĹĻĽ", "L"),
        ("ĺļľ", "l"),
        ("ÑŃŅŇ", "N"),
        ("ñńņň", "n"),
        ("ÒÓÔÕÖŌŎŐ", "O"),
        ("òóôõöōŏő", "o"),
        ("ŔŖŘ", "R"),
        ("ŕŗř", "r"),
        ("ŚŜŞŠ", "S"),
        ("śŝşš", "s"),
        ("ŢŤ", "T"),
        ("ţť", "t"),
        ("ÙÚÛÜŨŪŬŮŰŲ", "U"),
        ("ùúûüũūŭůűų", "u"),
        ("Ŵ", "W"),
        ("ŵ", "w"),
        ("ÝŶŸ", "Y"),
        ("ýÿŷ", "y"),
        ("ŹŻŽ", "Z"),
        ("źżž", "z"),
    ];
    TABLE
        .iter()
        .find(|(letters, _)| letters.contains(c))
        .map(|(_, base)| *base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_22_base62_chars_and_unique() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.len(), ID_LEN);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        let value = parse_friendly(&a).unwrap();
        assert_eq!((value >> 76) & 0xf, 4, "UUID version 4");
        assert_eq!(friendly(value), a);
    }

    #[test]
    fn friendly_round_trip_and_padding() {
        assert_eq!(friendly(0), "0".repeat(22));
        assert_eq!(friendly(61), format!("{}z", "0".repeat(21)));
        assert_eq!(friendly(u128::MAX).len(), 22);
        assert_eq!(parse_friendly(&friendly(u128::MAX)), Some(u128::MAX));
        assert_eq!(parse_friendly("abc-"), None);
    }

    #[test]
    fn deterministic_ids() {
        assert_eq!(id_from("/tmp/a.csv"), id_from("/tmp/a.csv"));
        assert_ne!(id_from("/tmp/a.csv"), id_from("/tmp/b.csv"));
        let v = parse_friendly(&id_from("x")).unwrap();
        assert_eq!((v >> 76) & 0xf, 3, "name-based UUID version 3");
    }

    #[test]
    fn slugify_like_kestra() {
        assert_eq!(slugify("my_flow"), "my-flow");
        assert_eq!(slugify("http_download"), "http-download");
        assert_eq!(slugify("Hello World"), "hello-world");
        assert_eq!(slugify("  --a__b--  "), "a-b");
        assert_eq!(slugify("Élan vital"), "elan-vital");
        assert_eq!(slugify("a.b/c"), "abc");
        assert_eq!(slugify("日本"), "");
        assert_eq!(slugify("Task-ID_42"), "task-id-42");
        assert_eq!(slugify("a\tb\nc"), "a-b-c");
    }
}
