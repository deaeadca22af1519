//! The plugin catalog and kflow's rules: `check` turns a parsed document into findings.

pub mod catalog;
pub mod config;
mod context;
mod edits;
pub mod finding;
pub mod fixes;
mod http_tasks;
pub mod ide;
pub mod migrate;
mod props;
mod refs;
pub mod rules;
mod scope;
pub mod script;
mod script_tasks;
mod source;

/// Byte spans, shared with the syntax crate (the script analysis uses them).
pub(crate) use kflow_syntax::span;
pub mod suggest;
mod suppress;
pub mod version;

pub use catalog::Catalog;
pub use config::{Config, Level};
pub use context::Context;
pub use finding::{Applicability, Edit, Finding, Fix, Related, Severity};
pub use version::Version;

use kflow_syntax::Document;

/// Most findings one rule reports on one file: past that, one more says how many were left out,
/// so that a generated or hostile file cannot flood memory and the report.
pub const MAX_FINDINGS_PER_RULE: usize = 1000;

fn cap(findings: &mut Vec<Finding>, start: usize, rule: &'static str) {
    let new = findings.len() - start;
    if new > MAX_FINDINGS_PER_RULE {
        findings.truncate(start + MAX_FINDINGS_PER_RULE);
        let last = findings[findings.len() - 1].span;
        findings.push(Finding::new(
            rule,
            last,
            format!(
                "{} more `{rule}` findings in this file are not shown",
                new - MAX_FINDINGS_PER_RULE
            ),
        ));
    }
}

/// Rules whose findings depend only on the text they point at (and the catalog), not on the
/// rest of the flow: still right above a YAML syntax error.
const LOCAL_RULES: &[&str] = &[
    "expression-syntax",
    "invalid-cron",
    "invalid-duration",
    "invalid-id",
    "unknown-property",
    "deprecated-property",
    "deprecated-type",
    "unknown-task-type",
    "unchecked-plugin",
    "invalid-property-type",
    "unknown-function",
    "reserved-label",
    "long-inline-script",
];

/// Whether `id` names a rule (for reading a configuration's rule levels).
pub fn is_rule(id: &str) -> bool {
    rules::get(id).is_some()
}

/// Runs every enabled rule on `doc` against `config`'s catalog: severities from `config`,
/// inline suppressions applied, findings sorted by position (syntax errors first).
pub fn check(doc: &Document, config: &Config) -> Vec<Finding> {
    let cx = Context::new(doc, config.catalog(), config);
    let mut findings = Vec::new();
    for rule in rules::ALL {
        let Level::At(severity) = config.level(rule.id, rule.severity) else {
            continue;
        };
        let start = findings.len();
        (rule.check)(&cx, &mut findings);
        cap(&mut findings, start, rule.id);
        for f in &mut findings[start..] {
            f.severity = severity;
        }
    }
    suppress::apply(doc, &mut findings);
    // Text YAML cannot read leaves the rest uncertain (a task cut short "lacks" properties):
    // then only local findings before the first error are kept, after the syntax errors.
    if let Some(first) = doc.errors.iter().map(|e| e.span.start).min() {
        findings.retain(|f| {
            f.rule == rules::syntax::ID || (LOCAL_RULES.contains(&f.rule) && f.span.end <= first)
        });
    }
    sort(&mut findings);
    findings
}

/// Puts findings in report order (syntax errors first, then by position and rule) and drops
/// repeats; for findings added to [`check`]'s (a server's validation).
pub fn sort(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.rule != rules::syntax::ID,
                f.span.start,
                f.span.end,
                f.rule,
            )
        };
        key(a).cmp(&key(b))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
}

#[cfg(test)]
mod local_rules_tests {
    #[test]
    fn local_rules_exist() {
        for id in super::LOCAL_RULES {
            assert!(super::rules::get(id).is_some(), "{id}");
        }
    }
}
