//! Java `PathMatcher` globs (`FileSystem.getPathMatcher("glob:…")`) as regexes, and Kestra's
//! `PathMatcherPredicate` on top: `*` stays in one directory, `**` crosses directories,
//! `**/x` needs at least one directory (unlike globset), `{a,b}` alternatives, `[…]` classes.
//! Hand-written because Java's glob dialect differs from globset's; matching goes through the
//! `regex` crate, so it takes linear time whatever the pattern. The engine matches files with
//! it, the linter matches the paths scripts write.

use regex::Regex;

/// Translates one glob to an anchored regex.
pub fn glob_to_regex(glob: &str) -> Result<String, String> {
    let chars: Vec<char> = glob.chars().collect();
    let mut out = String::from("^");
    let mut i = 0;
    let mut in_group = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                out.push_str(".*");
                i += 1;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '\\' => {
                let next = chars
                    .get(i + 1)
                    .ok_or_else(|| format!("glob '{glob}' ends with an escape"))?;
                out.push_str(&regex::escape(&next.to_string()));
                i += 1;
            }
            '[' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&x| x == ']')
                    .ok_or_else(|| format!("glob '{glob}' has an unclosed '['"))?;
                let body: String = chars[i + 1..i + 1 + close].iter().collect();
                if body.contains('/') {
                    return Err(format!("glob '{glob}': '/' is not allowed in a [ ] class"));
                }
                out.push_str("[[^/]&&[");
                let body = match body.strip_prefix('!') {
                    Some(rest) => format!("^{rest}"),
                    None => body,
                };
                out.push_str(&body.replace('\\', "\\\\").replace('[', "\\["));
                out.push_str("]]");
                i += close + 1;
            }
            '{' if !in_group => {
                in_group = true;
                out.push_str("(?:");
            }
            '{' => return Err(format!("glob '{glob}': nested '{{' is not allowed")),
            ',' if in_group => out.push('|'),
            '}' if in_group => {
                in_group = false;
                out.push(')');
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    if in_group {
        return Err(format!("glob '{glob}' has an unclosed '{{'"));
    }
    out.push('$');
    Ok(out)
}

/// Kestra's `PathMatcherPredicate`: any pattern matches. Patterns are `glob:…`, `regex:…`, or
/// plain globs; with a base directory, a plain glob is anchored there (`base + "/" + glob`),
/// without one a glob starting with a word character gets a `**/` prefix.
pub struct PathMatcher {
    regexes: Vec<Regex>,
}

impl PathMatcher {
    pub fn new(base: Option<&str>, patterns: &[String]) -> Result<PathMatcher, String> {
        let mut regexes = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            let source = if let Some(re) = pattern.strip_prefix("regex:") {
                format!("^(?:{re})$")
            } else if let Some(glob) = pattern.strip_prefix("glob:") {
                glob_to_regex(glob)?
            } else {
                let glob = match base {
                    Some(base) if pattern.starts_with('/') => format!("{base}{pattern}"),
                    Some(base) => format!("{base}/{pattern}"),
                    None if pattern
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_') =>
                    {
                        format!("**/{pattern}")
                    }
                    None => pattern.clone(),
                };
                glob_to_regex(&escape_glob_base(&glob, base))?
            };
            regexes.push(
                Regex::new(&source).map_err(|e| format!("invalid pattern '{pattern}': {e}"))?,
            );
        }
        Ok(PathMatcher { regexes })
    }

    pub fn matches(&self, path: &str) -> bool {
        self.regexes.iter().any(|r| r.is_match(path))
    }
}

/// The base directory is literal text, not a glob: escape its special characters.
fn escape_glob_base(glob: &str, base: Option<&str>) -> String {
    match base {
        Some(base) if glob.starts_with(base) => {
            let mut escaped = String::new();
            for c in base.chars() {
                if "*?[]{}\\,".contains(c) {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            escaped.push_str(&glob[base.len()..]);
            escaped
        }
        _ => glob.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(base: Option<&str>, pattern: &str, path: &str) -> bool {
        PathMatcher::new(base, &[pattern.to_string()])
            .unwrap()
            .matches(path)
    }

    #[test]
    fn java_glob_semantics_in_a_working_dir() {
        let wd = Some("/tmp/wd");
        assert!(m(wd, "*.csv", "/tmp/wd/a.csv"));
        assert!(!m(wd, "*.csv", "/tmp/wd/out/a.csv"));
        assert!(m(wd, "**/*.csv", "/tmp/wd/out/a.csv"));
        assert!(
            !m(wd, "**/*.csv", "/tmp/wd/a.csv"),
            "**/ needs one directory"
        );
        assert!(m(wd, "out/**", "/tmp/wd/out/x/y.txt"));
        assert!(m(wd, "**", "/tmp/wd/a.txt"));
        assert!(m(wd, "{a,b}.txt", "/tmp/wd/b.txt"));
        assert!(m(wd, "file?.[ct]sv", "/tmp/wd/file1.tsv"));
        assert!(!m(wd, "file[!0-9].txt", "/tmp/wd/file1.txt"));
        assert!(m(wd, "report 1.txt", "/tmp/wd/report 1.txt"));
        assert!(m(wd, "regex:.*\\.json", "/tmp/wd/a/b.json"));
        assert!(m(wd, "glob:**/*.md", "/tmp/wd/x/README.md"));
    }

    #[test]
    fn namespace_file_filters_without_base() {
        // Namespace file paths start with '/'; a glob starting with a word gets `**/`.
        assert!(m(None, "main.py", "/main.py"));
        assert!(m(None, "scripts/*.py", "/scripts/a.py"));
        assert!(m(None, "**/*.py", "/scripts/a.py"));
        assert!(!m(None, "*.py", "/scripts/a.py"));
        assert!(m(None, "/scripts/**", "/scripts/x/y.sql"));
    }

    #[test]
    fn bad_globs_are_errors() {
        assert!(PathMatcher::new(None, &["[abc".into()]).is_err());
        assert!(PathMatcher::new(None, &["{a,b".into()]).is_err());
        assert!(PathMatcher::new(None, &["regex:(".into()]).is_err());
    }
}
