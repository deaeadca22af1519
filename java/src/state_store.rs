//! Kestra 1.3's state store keys (`StateStore.statePrefix`, `Slugify.of`, Guava's murmur3): where
//! the state tasks kept their data in the namespace's KV store, for the engine that runs them and
//! the migration that tells which KV key holds a state once 2.0 removed them.

/// `StateStore.statePrefix("_", flowScoped, flowId, "tasks-states_" + name, value)`.
pub fn key(flow_id: &str, flow_scoped: bool, name: &str, value: Option<&str>) -> String {
    let mut key = String::new();
    if flow_scoped {
        key.push_str(&slugify(flow_id));
        key.push('_');
    }
    key.push_str("states_tasks-states_");
    key.push_str(name);
    if let Some(v) = value {
        key.push('_');
        key.push_str(&murmur3_128_hex(v.as_bytes()));
    }
    key
}

/// Kestra's `Slugify.of` for the ASCII ids flows have: runs of whitespace become `-`,
/// characters other than word characters and `-` are dropped, `_` becomes `-`, dashes are
/// collapsed and trimmed, and the result is lower-cased.
pub fn slugify(input: &str) -> String {
    let mut out = String::new();
    for c in input.chars() {
        let c = if c.is_whitespace() { '-' } else { c };
        if c == '_' || c == '-' {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out.trim_matches('-').to_string()
}

/// Guava's `Hashing.murmur3_128()` (MurmurHash3 x64 128-bit, seed 0) as `HashCode.toString`
/// prints it: the two 64-bit halves little-endian, in hexadecimal.
pub fn murmur3_128_hex(data: &[u8]) -> String {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    let fmix = |mut k: u64| {
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^ (k >> 33)
    };
    let (mut h1, mut h2) = (0u64, 0u64);
    let mut blocks = data.chunks_exact(16);
    for block in &mut blocks {
        let k1 = u64::from_le_bytes(block[..8].try_into().unwrap_or_default());
        let k2 = u64::from_le_bytes(block[8..].try_into().unwrap_or_default());
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let tail = blocks.remainder();
    let (mut k1, mut k2) = (0u64, 0u64);
    for (i, b) in tail.iter().enumerate() {
        if i < 8 {
            k1 |= u64::from(*b) << (8 * i);
        } else {
            k2 |= u64::from(*b) << (8 * (i - 8));
        }
    }
    if tail.len() > 8 {
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
    }
    if !tail.is_empty() {
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    let mut out = String::with_capacity(32);
    for b in h1.to_le_bytes().iter().chain(h2.to_le_bytes().iter()) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur3_is_guavas() {
        // Guava `Hashing.murmur3_128().hashString(s, UTF_8).toString()`.
        assert_eq!(
            murmur3_128_hex(b"hello"),
            "029bbd41b3a7d8cb191dae486a901e5b"
        );
        assert_eq!(murmur3_128_hex(b"b"), "eed1d3b157a9987ae9944e541e132efa");
        assert_eq!(
            murmur3_128_hex(b"a longer value with more than sixteen bytes"),
            "b0e60156616f6185e501cb1e0ee9f0e5"
        );
    }

    #[test]
    fn keys_are_kestras() {
        assert_eq!(
            key("my_Flow", true, "default", None),
            "my-flow_states_tasks-states_default"
        );
        assert_eq!(
            key("f", false, "s", Some("hello")),
            "states_tasks-states_s_029bbd41b3a7d8cb191dae486a901e5b"
        );
    }
}
