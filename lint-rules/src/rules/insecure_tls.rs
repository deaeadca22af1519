//! Reports TLS certificate checks switched off, in task options or in script code.
//!
//! ## What it does
//! Flags plugin options that turn certificate verification off (`insecureTrustAllCertificates`,
//! `insecure`, `insecureTls`, `trustAllCertificates`, `insecureSkipVerify`, `skipTlsVerify` set
//! to `true`; `sslVerify`, `verifySsl`, `tlsVerify`, `verifyServerIdentity` set to `false`),
//! environment variables that do it for a script (`NODE_TLS_REJECT_UNAUTHORIZED: "0"`,
//! `PYTHONHTTPSVERIFY: "0"`, `GIT_SSL_NO_VERIFY`), and script code that does it: Python
//! `verify=False` and `ssl._create_unverified_context()`, `curl -k` / `--insecure`,
//! `wget --no-check-certificate`, Node `rejectUnauthorized: false`, `git -c http.sslVerify=false`.
//! Comment lines of scripts are skipped.
//!
//! ## Why
//! Without certificate checks, anyone on the network path can read and change the traffic,
//! credentials and tokens included, and the task cannot tell. It is often left over from a test
//! against a self-signed certificate.
//!
//! ## Example
//! ```yaml
//! - id: api
//!   type: io.kestra.plugin.core.http.Request
//!   uri: https://internal.example.com/api
//!   options:
//!     ssl:
//!       insecureTrustAllCertificates: true
//! ```
//!
//! ## Fix
//! Keep verification on and trust the server's certificate authority instead (the plugin's
//! CA option, or the CA bundle in the container image: `REQUESTS_CA_BUNDLE`, `curl --cacert`,
//! `NODE_EXTRA_CA_CERTS`).

use kflow_syntax::yaml::{NodeId, Tree, Value};
use kflow_syntax::Span;

use crate::context::{first_visit, Context};
use crate::finding::{Finding, Severity};
use crate::script::Lang;

pub const ID: &str = "insecure-tls";
pub const SEVERITY: Severity = Severity::Warning;

/// Options that switch verification off when `true`.
const OFF_WHEN_TRUE: &[&str] = &[
    "insecureTrustAllCertificates",
    "trustAllCertificates",
    "insecure",
    "insecureTls",
    "insecureSkipVerify",
    "skipTlsVerify",
];
/// Options that switch verification off when `false`.
const OFF_WHEN_FALSE: &[&str] = &["sslVerify", "verifySsl", "tlsVerify", "verifyServerIdentity"];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    // Each node once: plugins nest, and YAML aliases can make paths exponential.
    let mut seen = vec![false; cx.tree.nodes.len()];
    for plugin in &flow.plugins {
        options(cx.tree, plugin.node, &mut seen, out);
    }
    for st in cx.script_tasks() {
        for (span, what) in in_code(st.lang, &st.text) {
            out.push(Finding::new(
                ID,
                st.file_span(span),
                format!("{what} switches TLS certificate checks off: traffic can be read and changed on the way"),
            ));
        }
    }
}

fn scalar(tree: &Tree, node: NodeId) -> Option<&str> {
    tree.scalar(node).map(|s| s.value.as_str())
}

fn options(tree: &Tree, node: NodeId, seen: &mut [bool], out: &mut Vec<Finding>) {
    if !first_visit(seen, node) {
        return;
    }
    match tree.value(node) {
        Value::Map(entries) => {
            for e in entries {
                let key = tree.str(e.key).unwrap_or_default();
                let value = scalar(tree, e.value).unwrap_or_default();
                let off = (OFF_WHEN_TRUE.contains(&key) && value.eq_ignore_ascii_case("true"))
                    || (OFF_WHEN_FALSE.contains(&key) && value.eq_ignore_ascii_case("false"));
                if off {
                    out.push(Finding::new(
                        ID,
                        Span::new(
                            tree.span(e.key).start as usize,
                            tree.span(e.value).end as usize,
                        ),
                        format!("`{key}: {value}` switches TLS certificate checks off: traffic can be read and changed on the way"),
                    ));
                }
                if key == "env" {
                    env_vars(tree, e.value, out);
                }
                options(tree, e.value, seen, out);
            }
        }
        Value::Seq(items) => {
            for &i in items {
                options(tree, i, seen, out);
            }
        }
        _ => {}
    }
}

fn env_vars(tree: &Tree, env: NodeId, out: &mut Vec<Finding>) {
    for e in tree.entries(env).unwrap_or_default() {
        let key = tree.str(e.key).unwrap_or_default();
        let value = scalar(tree, e.value).unwrap_or_default().trim();
        let off = match key {
            "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => value == "0",
            "GIT_SSL_NO_VERIFY" => !matches!(value, "" | "0" | "false"),
            _ => false,
        };
        if off {
            out.push(Finding::new(
                ID,
                Span::new(tree.span(e.key).start as usize, tree.span(e.value).end as usize),
                format!("`{key}={value}` switches TLS certificate checks off for the script: traffic can be read and changed on the way"),
            ));
        }
    }
}

/// (span in the script, what) for each line of code that switches checks off.
fn in_code(lang: Lang, text: &str) -> Vec<(Span, String)> {
    let mut found = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let code = line.trim_start();
        let comment = match lang {
            Lang::JavaScript => code.starts_with("//"),
            _ => code.starts_with('#'),
        };
        if comment {
            continue;
        }
        let mut hit = |needle: &str, what: &str| {
            if let Some(i) = line.find(needle) {
                found.push((Span::new(start + i, start + i + needle.len()), what.to_string()));
                true
            } else {
                false
            }
        };
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if lang == Lang::Python && compact.contains("verify=False") {
            hit("verify", "`verify=False`");
        }
        hit("_create_unverified_context", "`ssl._create_unverified_context()`");
        if compact.contains("rejectUnauthorized:false") {
            hit("rejectUnauthorized", "`rejectUnauthorized: false`");
        }
        if line.contains("NODE_TLS_REJECT_UNAUTHORIZED")
            && (compact.contains("NODE_TLS_REJECT_UNAUTHORIZED=0")
                || compact.contains("NODE_TLS_REJECT_UNAUTHORIZED='0'")
                || compact.contains("NODE_TLS_REJECT_UNAUTHORIZED=\"0\""))
        {
            hit("NODE_TLS_REJECT_UNAUTHORIZED", "`NODE_TLS_REJECT_UNAUTHORIZED=0`");
        }
        if compact.to_ascii_lowercase().contains("http.sslverify=false") {
            let lower = line.to_ascii_lowercase();
            if let Some(i) = lower.find("sslverify") {
                found.push((Span::new(start + i, start + i + 9), "`http.sslVerify=false`".into()));
            }
        }
        if lang == Lang::Shell {
            shell_flags(line, start, &mut found);
        }
    }
    found
}

/// `curl -k` / `--insecure` (also inside combined short flags such as `-sSk`) and
/// `wget --no-check-certificate`.
fn shell_flags(line: &str, start: usize, found: &mut Vec<(Span, String)>) {
    let mut command: Option<&str> = None;
    let mut offset = 0;
    for word in line.split_inclusive(char::is_whitespace) {
        let token = word.trim_end();
        let at = start + offset;
        offset += word.len();
        if token.is_empty() {
            continue;
        }
        let name = token.rsplit('/').next().unwrap_or(token);
        if matches!(name, "curl" | "wget") {
            command = Some(name);
            continue;
        }
        if matches!(token, "|" | "&&" | "||" | ";") {
            command = None;
            continue;
        }
        let insecure = match command {
            Some("curl") => {
                token == "--insecure"
                    || (token.starts_with('-')
                        && !token.starts_with("--")
                        && token[1..].chars().all(|c| c.is_ascii_alphabetic())
                        && token.contains('k'))
            }
            Some("wget") => token == "--no-check-certificate",
            _ => false,
        };
        if insecure {
            let what = format!("`{} {token}`", command.unwrap_or_default());
            found.push((Span::new(at, at + token.len()), what));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(lang: Lang, text: &str) -> Vec<String> {
        in_code(lang, text).into_iter().map(|(_, w)| w).collect()
    }

    #[test]
    fn script_code_that_switches_checks_off() {
        assert_eq!(
            whats(Lang::Python, "r = requests.get(url, verify = False)\n# verify=False\n"),
            ["`verify=False`"]
        );
        assert_eq!(
            whats(Lang::Shell, "curl -sSk https://x | jq .\nwget --no-check-certificate https://y\n"),
            ["`curl -sSk`", "`wget --no-check-certificate`"]
        );
        assert!(whats(Lang::Shell, "curl -sS https://x -o out.json\ncurl --cacert ca.pem https://x\n").is_empty());
        assert_eq!(
            whats(Lang::JavaScript, "const agent = new https.Agent({ rejectUnauthorized: false });\n"),
            ["`rejectUnauthorized: false`"]
        );
        assert_eq!(
            whats(Lang::Shell, "git -c http.sslVerify=false clone https://x\n"),
            ["`http.sslVerify=false`"]
        );
        // verify=True, or a variable named verify_false, are fine.
        assert!(whats(Lang::Python, "requests.get(u, verify=True)\nverify_false = 1\n").is_empty());
    }
}
