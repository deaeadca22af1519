//! Kestra versions, as far as kflow compares them (major.minor).

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    /// The default target: the 1.3 LTS line.
    pub const DEFAULT: Version = Version { major: 1, minor: 3 };

    /// Kestra 2.0, the line flows are migrated to (its migration rules are active from it on).
    pub const V2_0: Version = Version { major: 2, minor: 0 };

    /// The Kestra lines kflow describes (its catalog is generated for these).
    pub const LINES: [Version; 2] = [Version::DEFAULT, Version::V2_0];

    /// Reads `1.3`, `1.3.19`, `v2.0`; text that does not start with a version (such as
    /// "after 1.0") gives `None`.
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let mut parts = s.split(|c: char| !c.is_ascii_digit());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Some(Version { major, minor })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(
            Version::parse("1.3.19"),
            Some(Version { major: 1, minor: 3 })
        );
        assert_eq!(Version::parse("2.0"), Some(Version { major: 2, minor: 0 }));
        assert_eq!(
            Version::parse("v0.21"),
            Some(Version {
                major: 0,
                minor: 21
            })
        );
        assert_eq!(Version::parse("after 1.0"), None);
        assert!(Version::parse("0.17").unwrap() < Version::DEFAULT);
    }
}
