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
                Some(Rule { plugin_type, kind, pattern, reason })
            })
            .collect()
    })
}

/// The first matching plugin rule: the most specific evidence of a system Kestra has a plugin for.
pub fn dedicated_plugin(facts: &ScriptFacts) -> Option<PluginHint> {
    dedicated_plugins(facts).into_iter().next()
}

/// Every plugin task type the script's calls, imports or URLs point to, in rule order, one hint per
/// type (with its first evidence).
pub fn dedicated_plugins(facts: &ScriptFacts) -> Vec<PluginHint> {
    let signatures: Vec<(String, Span)> = facts.other_calls.iter().map(|c| (c.signature(), c.span)).collect();
    let mut hints: Vec<PluginHint> = Vec::new();
    for rule in rules() {
        if hints.iter().any(|h| h.plugin_type == rule.plugin_type) {
            continue;
        }
        let found = match rule.kind {
            Kind::Call => signatures.iter().find(|(sig, _)| glob(rule.pattern, sig)).cloned(),
            Kind::Import => facts.imports.iter().find_map(|i| {
                let candidates = std::iter::once(i.module.clone()).chain(i.names.iter().map(|n| format!("{}.{n}", i.module)));
                candidates.into_iter().find(|m| module_matches(rule.pattern, m)).map(|m| (m, i.span))
            }),
            Kind::Host => facts.http_calls.iter().find_map(|h| {
                let url = h.url.as_ref()?;
                let rest = strip_scheme(&url.value);
                (rest.len() < url.value.len() && glob(rule.pattern, rest)).then(|| (url.value.clone(), h.span))
            }),
        };
        if let Some((evidence, span)) = found {
            hints.push(PluginHint { plugin_type: rule.plugin_type.into(), reason: rule.reason.into(), evidence, span });
        }
    }
    hints
}

/// `pattern` is the module or a dotted (Python) / slashed (JS) prefix of it.
fn module_matches(pattern: &str, module: &str) -> bool {
    module == pattern
        || module.strip_prefix(pattern).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_name_plugin_types() {
        let rules = rules();
        assert!(rules.len() > 100);
        assert!(rules.iter().all(|r| r.plugin_type.starts_with("io.kestra.plugin.") && !r.pattern.is_empty()));
    }

    #[test]
    fn module_prefixes() {
        assert!(module_matches("google.cloud.storage", "google.cloud.storage.blob"));
        assert!(module_matches("@aws-sdk/client-s3", "@aws-sdk/client-s3"));
        assert!(!module_matches("pg", "pgvector"));
    }
}
