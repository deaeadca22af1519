//! Which Kestra plugin task does what a script does, from the rules in `data/kestra-plugins.txt`.

use std::sync::OnceLock;

use super::facts::ScriptFacts;
use super::text::{glob, strip_scheme};
use crate::span::Span;

const RULES: &str = include_str!("../../data/kestra-plugins.txt");

/// A dedicated plugin task for what the script does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginHint {
    /// `io.kestra.plugin.aws.s3.Download`.
    pub plugin_type: String,
    /// Why, in words: `downloads an S3 object with boto3`.
    pub reason: String,
    /// What matched: a call signature, a module or a URL.
    pub evidence: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Call,
    Import,
    Host,
}

struct Rule {
    plugin_type: &'static str,
    kind: Kind,
    pattern: &'static str,
    reason: &'static str,
}

fn rules() -> &'static [Rule] {
    static RULES_PARSED: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES_PARSED.get_or_init(|| {
        RULES
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut fields = l.split('|').map(str::trim);
                let plugin_type = fields.next()?;
                let kind = match fields.next()? {
                    "call" => Kind::Call,
                    "import" => Kind::Import,
                    "host" => Kind::Host,
                    _ => return None,
                };
                let pattern = fields.next()?;
                let reason = fields.next().unwrap_or("");
                Some(Rule {
                    plugin_type,
                    kind,
                    pattern,
                    reason,
                })
            })
            .collect()
    })
}

/// Every plugin task type the rules name.
pub fn named_plugin_types() -> impl Iterator<Item = &'static str> {
    rules().iter().map(|r| r.plugin_type)
}

/// The first matching plugin rule: the most specific evidence of a system Kestra has a plugin for.
pub fn dedicated_plugin(facts: &ScriptFacts) -> Option<PluginHint> {
    dedicated_plugins(facts).into_iter().next()
}

/// Every plugin task type the script's calls, imports or URLs point to, in rule order, one hint per
/// type. Each call, import or URL counts for the first rule it matches only.
pub fn dedicated_plugins(facts: &ScriptFacts) -> Vec<PluginHint> {
    let signatures: Vec<String> = facts.other_calls.iter().map(|c| c.signature()).collect();
    let mut used_calls = vec![false; signatures.len()];
    let mut used_imports = vec![false; facts.imports.len()];
    let mut used_urls = vec![false; facts.http_calls.len()];
    let mut hints: Vec<PluginHint> = Vec::new();
    for rule in rules() {
        let found = match rule.kind {
            Kind::Call => claim(&mut used_calls, |i| glob(rule.pattern, &signatures[i]))
                .map(|i| (signatures[i].clone(), facts.other_calls[i].span)),
            Kind::Import => {
                let mut evidence = None;
                let hit = claim(&mut used_imports, |i| {
                    let import = &facts.imports[i];
                    let mut candidates = std::iter::once(import.module.clone()).chain(
                        import
                            .names
                            .iter()
                            .map(|n| format!("{}.{n}", import.module)),
                    );
                    evidence = candidates.find(|m| module_matches(rule.pattern, m));
                    evidence.is_some()
                });
                hit.zip(evidence).map(|(i, m)| (m, facts.imports[i].span))
            }
            Kind::Host => claim(&mut used_urls, |i| {
                facts.http_calls[i]
                    .url
                    .as_ref()
                    .is_some_and(|u| host_matches(rule.pattern, &u.value))
            })
            .map(|i| {
                (
                    facts.http_calls[i]
                        .url
                        .as_ref()
                        .map(|u| u.value.clone())
                        .unwrap_or_default(),
                    facts.http_calls[i].span,
                )
            }),
        };
        let Some((evidence, span)) = found else {
            continue;
        };
        if !hints.iter().any(|h| h.plugin_type == rule.plugin_type) {
            hints.push(PluginHint {
                plugin_type: rule.plugin_type.into(),
                reason: rule.reason.into(),
                evidence,
                span,
            });
        }
    }
    hints
}

/// The plugin task for an HTTP URL (a Request task's `uri`), from the `host` rules.
pub fn plugin_for_url(url: &str) -> Option<(&'static str, &'static str)> {
    rules()
        .iter()
        .find(|r| r.kind == Kind::Host && host_matches(r.pattern, url))
        .map(|r| (r.plugin_type, r.reason))
}

/// The first unused item satisfying `pred`, now marked used.
fn claim(used: &mut [bool], mut pred: impl FnMut(usize) -> bool) -> Option<usize> {
    let i = (0..used.len()).find(|&i| !used[i] && pred(i))?;
    used[i] = true;
    Some(i)
}

/// A URL (or its known prefix) with a scheme, matched without the scheme.
fn host_matches(pattern: &str, url: &str) -> bool {
    let rest = strip_scheme(url);
    rest.len() < url.len() && glob(pattern, rest)
}

/// `pattern` is the module or a dotted (Python) / slashed (JS) prefix of it.
fn module_matches(pattern: &str, module: &str) -> bool {
    module == pattern
        || module
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_name_plugin_types() {
        let rules = rules();
        assert!(rules.len() > 100);
        assert!(rules
            .iter()
            .all(|r| r.plugin_type.starts_with("io.kestra.plugin.") && !r.pattern.is_empty()));
    }

    #[test]
    fn module_prefixes() {
        assert!(module_matches(
            "google.cloud.storage",
            "google.cloud.storage.blob"
        ));
        assert!(module_matches("@aws-sdk/client-s3", "@aws-sdk/client-s3"));
        assert!(!module_matches("pg", "pgvector"));
    }
}
