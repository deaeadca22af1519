//! Reports credentials written into the flow instead of read with `secret()`.
//!
//! ## What it does
//! Flags a literal value (no `{{ … }}`) of a property meant for a credential (`password`,
//! `token`, `apiKey`, `secretKey`, `accessKeyId`, `clientSecret`, `privateKey`…), an
//! `Authorization` header with a literal `Bearer`/`Basic` value, a connection URL with a
//! password in it (`postgresql://user:pw@host`, `…?password=pw`), and text anywhere in the flow —
//! scripts included — that has the shape of a well-known credential: AWS access keys, GitHub and
//! Slack tokens, private-key blocks. The message never repeats the value.
//!
//! ## Why
//! A flow is source code: it is versioned, reviewed, exported and shown in the UI. A credential
//! written in it is readable by everyone who can read the flow, and stays in its history after
//! it is changed. `secret()` values are stored apart and masked in logs.
//!
//! ## Example
//! ```yaml
//! - id: orders
//!   type: io.kestra.plugin.jdbc.postgresql.Query
//!   url: jdbc:postgresql://db:5432/shop
//!   username: shop
//!   password: s3cr3t-Passw0rd
//! ```
//!
//! ## Fix
//! Store the value as a secret and read it: `password: "{{ secret('SHOP_PASSWORD') }}"` (then
//! rotate the credential: it has been exposed). Kept as a warning for now: many test flows hold
//! throw-away local passwords.

use kflow_syntax::yaml::{NodeId, ScalarMap, Tree, Value};
use kflow_syntax::Span;

use crate::context::{first_visit, Context};
use crate::finding::{Applicability, Finding, Severity};
use crate::script::squash_key;

pub const ID: &str = "hardcoded-secret";
pub const SEVERITY: Severity = Severity::Warning;

/// Property names that hold a credential (compared case-insensitively, `_`/`-` ignored).
const CREDENTIAL_KEYS: &[&str] = &[
    "password",
    "passwd",
    "token",
    "apitoken",
    "authtoken",
    "accesstoken",
    "apikey",
    "secretkey",
    "secretkeyid",
    "accesskeyid",
    "secretaccesskey",
    "clientsecret",
    "privatekey",
    "keypassword",
    "sessiontoken",
];

/// Values that are placeholders, not credentials.
fn placeholder(v: &str) -> bool {
    let t = v.trim();
    t.is_empty()
        || t.len() < 4
        || t.contains("{{")
        || t.starts_with('$')
        || t.starts_with('<')
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "null" | "none" | "changeme" | "change_me" | "xxx" | "xxxx" | "****" | "redacted"
        )
}

/// Well-known credential shapes: (name, matcher) over a piece of text; returns the match's range.
fn token_shape(text: &str) -> Option<(usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let word = |start: usize, allowed: &dyn Fn(u8) -> bool| {
        let mut end = start;
        while end < bytes.len() && allowed(bytes[end]) {
            end += 1;
        }
        end
    };
    let alnum = |b: u8| b.is_ascii_alphanumeric();
    let token_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    for (prefix, min_rest, what, allowed) in [
        ("AKIA", 16, "an AWS access key id", &alnum as &dyn Fn(u8) -> bool),
        ("ASIA", 16, "an AWS access key id", &alnum),
        ("ghp_", 30, "a GitHub token", &alnum),
        ("gho_", 30, "a GitHub token", &alnum),
        ("ghs_", 30, "a GitHub token", &alnum),
        ("github_pat_", 30, "a GitHub token", &token_char),
        ("xoxb-", 20, "a Slack token", &token_char),
        ("xoxp-", 20, "a Slack token", &token_char),
        ("xoxa-", 20, "a Slack token", &token_char),
    ] {
        let mut from = 0;
        while let Some(i) = text[from..].find(prefix) {
            let start = from + i;
            let boundary = start == 0 || !token_char(bytes[start - 1]);
            let end = word(start + prefix.len(), allowed);
            if boundary && end - start - prefix.len() >= min_rest {
                return Some((start, end, what));
            }
            from = start + prefix.len();
        }
    }
    let begin = text.find("-----BEGIN ")?;
    let line_end = text[begin..].find('\n').map_or(text.len(), |i| begin + i);
    text[begin..line_end]
        .contains("PRIVATE KEY-----")
        .then_some((begin, line_end, "a private key"))
}

/// A password inside a connection URL: `scheme://user:password@host` or `password=…` in the
/// query.
fn url_password(v: &str) -> bool {
    if v.contains("{{") {
        return false;
    }
    if let Some((_, rest)) = v.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@') {
            if let Some((_, pw)) = userinfo.split_once(':') {
                if !placeholder(pw) {
                    return true;
                }
            }
        }
    }
    v.split(['?', '&', ';']).any(|part| {
        part.split_once('=')
            .is_some_and(|(k, val)| squash_key(k) == "password" && !placeholder(val))
    })
}

fn value_span(tree: &Tree, node: NodeId) -> Span {
    tree.span(node)
}

/// Visits every node once: YAML aliases can make the tree a DAG whose paths are exponential.
fn walk(
    cx: &Context,
    tree: &Tree,
    node: NodeId,
    seen: &mut [bool],
    out: &mut Vec<Finding>,
) {
    if !first_visit(seen, node) {
        return;
    }
    match tree.value(node) {
        Value::Map(entries) => {
            for e in entries {
                let key = tree.str(e.key).unwrap_or_default();
                if key == "description" {
                    continue; // documentation: examples of connection strings are common
                }
                let norm = squash_key(key);
                if let Some(s) = tree.scalar(e.value) {
                    let v = s.value.as_str();
                    let finding = if CREDENTIAL_KEYS.contains(&norm.as_str()) && !placeholder(v) {
                        Some(format!("`{key}` is written in the flow"))
                    } else if norm == "authorization"
                        && !v.contains("{{")
                        && ["bearer ", "basic ", "token "]
                            .iter()
                            .any(|p| v.to_ascii_lowercase().starts_with(p) && !placeholder(&v[p.len()..]))
                    {
                        Some("the `Authorization` header is written in the flow".to_string())
                    } else if url_password(v) && v.contains("://") {
                        Some(format!("`{key}` holds a URL with a password in it"))
                    } else {
                        None
                    };
                    if let Some(what) = finding {
                        let span = value_span(tree, e.value);
                        let name = key.to_ascii_uppercase().replace('-', "_");
                        out.push(
                            Finding::new(
                                ID,
                                span,
                                format!("{what}: a credential belongs in a secret, read with `secret()`"),
                            )
                            .replace(
                                format!("Read it from a secret named `{name}`"),
                                span,
                                format!("\"{{{{ secret('{name}') }}}}\""),
                                Applicability::DisplayOnly,
                            ),
                        );
                        continue;
                    }
                    shapes(cx, v, e.value, out);
                }
                walk(cx, tree, e.value, seen, out);
            }
        }
        Value::Seq(items) => {
            for &i in items {
                if let Some(s) = tree.scalar(i) {
                    shapes(cx, &s.value, i, out);
                }
                walk(cx, tree, i, seen, out);
            }
        }
        _ => {}
    }
}

/// Credential-shaped text inside a scalar (scripts included), located in the file when the
/// scalar's text maps back to it.
fn shapes(cx: &Context, v: &str, node: NodeId, out: &mut Vec<Finding>) {
    let Some((start, end, what)) = token_shape(v) else {
        return;
    };
    let span = match cx.tree.scalar(node) {
        Some(s) => ScalarMap::new(&cx.doc.text, cx.tree.span(node), &s.value, s.style)
            .span(Span::new(start, end)),
        None => cx.first_line(cx.tree.span(node)),
    };
    out.push(Finding::new(
        ID,
        span,
        format!("this looks like {what} written in the flow: a credential belongs in a secret, read with `secret()`"),
    ));
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(root) = cx.tree.root else { return };
    let mut seen = vec![false; cx.tree.nodes.len()];
    walk(cx, cx.tree, root, &mut seen, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_shapes() {
        assert_eq!(token_shape("key AKIAIOSFODNN7EXAMPLE end").map(|t| t.2), Some("an AWS access key id"));
        assert_eq!(
            token_shape("ghp_abcdefghijklmnopqrstuvwxyz0123456789").map(|t| t.2),
            Some("a GitHub token")
        );
        assert_eq!(
            token_shape("-----BEGIN OPENSSH PRIVATE KEY-----\nabc").map(|t| t.2),
            Some("a private key")
        );
        assert!(token_shape("AKIA is an prefix, xoxb- too").is_none());
        assert!(url_password("postgresql://shop:s3cret@db:5432/shop"));
        assert!(url_password("jdbc:mysql://db/shop?user=a&password=s3cret"));
        assert!(!url_password("postgresql://shop@db:5432/shop"));
        assert!(!url_password("postgresql://shop:{{ secret('PW') }}@db/shop"));
    }
}
