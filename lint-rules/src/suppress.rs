//! Inline suppressions: `# kflow: ignore[rule-a, rule-b]` on the offending line or the line
//! above, `# kflow: ignore-file[rule]` anywhere. Without brackets, every rule is ignored.

use kflow_syntax::Document;

use crate::finding::Finding;

enum Scope {
    Line(usize),
    File,
}

struct Suppression {
    scope: Scope,
    /// Empty: every rule.
    rules: Vec<String>,
}

fn parse(doc: &Document) -> Vec<Suppression> {
    let mut out = Vec::new();
    for comment in &doc.tree.comments {
        let text = &doc.text[comment.span.range()];
        let Some(rest) = text
            .trim_start_matches('#')
            .trim_start()
            .strip_prefix("kflow:")
        else {
            continue;
        };
        let rest = rest.trim_start();
        let (scope, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
            (Scope::File, r)
        } else if let Some(r) = rest.strip_prefix("ignore") {
            (
                Scope::Line(doc.line_index.line_of(comment.span.start as usize)),
                r,
            )
        } else {
            continue;
        };
        let rules = rest
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(list, _)| list.split(',').map(|r| r.trim().to_string()).collect())
            .unwrap_or_default();
        out.push(Suppression { scope, rules });
    }
    out
}

/// Drops the findings an inline comment suppresses.
pub fn apply(doc: &Document, findings: &mut Vec<Finding>) {
    let suppressions = parse(doc);
    if suppressions.is_empty() {
        return;
    }
    findings.retain(|f| {
        let first = doc.line_index.line_of(f.span.start as usize);
        let last = doc
            .line_index
            .line_of(f.span.end.max(f.span.start + 1) as usize - 1);
        !suppressions.iter().any(|s| {
            let applies = s.rules.is_empty() || s.rules.iter().any(|r| r == f.rule);
            applies
                && match s.scope {
                    Scope::File => true,
                    Scope::Line(line) => (first..=last).contains(&line) || line + 1 == first,
                }
        })
    });
}
