//! Small text helpers shared by the analyses: partially known strings, globs, URLs, names.

/// A string built from literal text and pieces only known at run time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct StrValue {
    /// Literal pieces as written, unknown pieces as `{expr}` / `$VAR`.
    pub text: String,
    /// Byte length of the leading constant part of `text`.
    pub prefix: usize,
    /// No unknown piece at all.
    pub literal: bool,
}

impl StrValue {
    pub fn literal(text: impl Into<String>) -> StrValue {
        let text = text.into();
        StrValue {
            prefix: text.len(),
            text,
            literal: true,
        }
    }

    pub fn unknown(shown: &str) -> StrValue {
        StrValue {
            text: shown.to_string(),
            prefix: 0,
            literal: false,
        }
    }

    pub fn push_literal(&mut self, s: &str) {
        if self.literal {
            self.prefix += s.len();
        }
        self.text.push_str(s);
    }

    pub fn push_unknown(&mut self, shown: &str) {
        self.literal = false;
        self.text.push_str(shown);
    }

    pub fn append(&mut self, other: &StrValue) {
        if self.literal {
            self.prefix += other.prefix;
        }
        self.literal &= other.literal;
        self.text.push_str(&other.text);
    }

    /// The constant prefix (the whole text when literal).
    pub fn known(&self) -> &str {
        &self.text[..self.prefix]
    }
}

/// Glob match where `*` matches any run of characters (including none); no other wildcards.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// `https://host/path?q` → `host/path?q`; text without a scheme is returned unchanged.
pub(super) fn strip_scheme(url: &str) -> &str {
    match url.find("://") {
        Some(i)
            if url[..i]
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'+') =>
        {
            &url[i + 3..]
        }
        _ => url,
    }
}

/// The host of a URL (without user info or port; an IPv6 literal without its brackets), when
/// the URL has a scheme.
pub(crate) fn url_host(url: &str) -> Option<&str> {
    let rest = strip_scheme(url);
    if rest.len() == url.len() {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    Some(match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.split(':').next().unwrap_or(host),
    })
}

/// The last path segment of a URL, without query or fragment: what `curl -O` / `wget` name the file.
pub(super) fn url_file_name(url: &str) -> Option<&str> {
    let rest = strip_scheme(url);
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let slash = rest.find('/')?;
    let name = rest[slash..].rsplit('/').next()?;
    (!name.is_empty()).then_some(name)
}

/// Query-string keys of a URL (`?page=2&limit=5` → `page`, `limit`).
pub(super) fn url_query_keys(url: &str) -> impl Iterator<Item = &str> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let query = query.split('#').next().unwrap_or("");
    query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
}

/// Lower-case a key and drop `-`/`_` so `page_token`, `pageToken` and `Page-Token` compare equal.
pub(crate) fn squash_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Request parameters that mean the caller walks through pages.
pub(super) fn is_pagination_key(key: &str) -> bool {
    const KEYS: &[&str] = &[
        "page",
        "pagetoken",
        "pagenumber",
        "pageno",
        "offset",
        "skip",
        "cursor",
        "after",
        "startingafter",
        "next",
        "nexttoken",
        "nextpagetoken",
        "continuation",
        "continuationtoken",
        "marker",
        "startcursor",
        "scrollid",
    ];
    KEYS.contains(&squash_key(key).as_str())
}

/// Request parameters / headers that carry credentials.
pub(super) fn is_auth_key(key: &str) -> bool {
    const KEYS: &[&str] = &[
        "auth",
        "authorization",
        "apikey",
        "xapikey",
        "token",
        "accesstoken",
        "bearer",
        "xauthtoken",
        "privatetoken",
        "apitoken",
        "apisecret",
        "clientsecret",
        "password",
        "cookie",
    ];
    KEYS.contains(&squash_key(key).as_str())
}

/// PEP 503 normalisation of a distribution name: lower case, runs of `-_.` → `-`.
pub(super) fn normalize_dist(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether `text` looks like a file name (has an extension and no spaces or scheme).
pub(super) fn looks_like_file_name(text: &str) -> bool {
    let base = text.rsplit('/').next().unwrap_or(text);
    !text.contains("://")
        && !text.contains(char::is_whitespace)
        && base.rfind('.').is_some_and(|i| i > 0 && i + 1 < base.len())
}

/// Byte offset of the first char boundary at or before `i`.
pub(super) fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_stars() {
        assert!(glob(
            "boto3.*(s3)*.download_file*",
            "boto3.client(s3).download_file"
        ));
        assert!(glob("hooks.slack.com/*", "hooks.slack.com/services/T/B/X"));
        assert!(!glob("hooks.slack.com/*", "example.com/hooks.slack.com"));
        assert!(glob("*", ""));
        assert!(!glob("a*b", "acd"));
    }

    #[test]
    fn url_parts() {
        assert_eq!(
            url_host("https://u:p@Example.com:8443/a?b"),
            Some("Example.com")
        );
        assert_eq!(url_host("http://[::1]:80/x"), Some("::1"));
        assert_eq!(url_host("no scheme/x"), None);
        assert_eq!(url_file_name("https://x.org/data/a.csv?x=1"), Some("a.csv"));
        assert_eq!(url_file_name("https://x.org/"), None);
        assert_eq!(url_file_name("https://x.org"), None);
        assert_eq!(
            url_query_keys("https://a/b?page=2&limit=5").collect::<Vec<_>>(),
            ["page", "limit"]
        );
    }

    #[test]
    fn names() {
        assert_eq!(normalize_dist("Scikit_Learn"), "scikit-learn");
        assert_eq!(normalize_dist("ruamel.yaml"), "ruamel-yaml");
        assert!(is_pagination_key("page_token"));
        assert!(!is_pagination_key("limit"));
        assert!(is_auth_key("X-API-Key"));
        assert!(looks_like_file_name("out/orders.csv"));
        assert!(!looks_like_file_name("my-bucket"));
    }

    #[test]
    fn str_value_prefix() {
        let mut v = StrValue::literal("https://api.x/");
        v.push_unknown("{path}");
        v.push_literal("/a.csv");
        assert_eq!(v.known(), "https://api.x/");
        assert!(!v.literal);
    }
}
