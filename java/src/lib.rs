//! What kflow reproduces of Java and Kestra's Java libraries, in one place for the linter (which
//! must accept exactly what Kestra accepts) and the engine (which must behave as Kestra does).
//! Each module names the Java class it follows.

pub mod duration;
pub mod glob;
pub mod state_store;

/// Plain ASCII digits, as Java's `java.time` parsers read a field (no sign, no spaces).
pub fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
