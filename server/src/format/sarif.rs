//! `--format sarif`: SARIF 2.1.0 with rule metadata and help text.

use std::io::{self, Write};

use kflow_lint_rules::{fixes, rules, Severity};
use serde_json::{json, Value};

use super::range;
use crate::lint::Linted;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_meta() -> Vec<Value> {
    rules::ALL
        .iter()
        .map(|r| {
            let mut meta = json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": {"text": rules::summary(r.id)},
                "fullDescription": {"text": rules::doc(r.id)},
                "help": {"text": rules::doc(r.id), "markdown": rules::doc(r.id)},
                "defaultConfiguration": {"level": level(r.severity)},
            });
            if let Some(s) = rules::security_severity(r.id) {
                meta["properties"] = json!({"security-severity": s, "tags": ["security"]});
            }
            meta
        })
        .collect()
}

/// One file's results as comma-separated SARIF result objects.
pub fn file(l: &Linted) -> Vec<u8> {
    let mut results = Vec::new();
    for f in &l.findings {
        let r = range(&l.doc, f.span);
        let rule_index = rules::ALL.iter().position(|x| x.id == f.rule);
        let fixes: Vec<Value> = f
            .fixes
            .iter()
            .map(|fix| {
                let replacements: Vec<Value> = fixes::edits(&l.doc.text, &[fix])
                    .iter()
                    .map(|e| {
                        let er = range(&l.doc, e.span);
                        json!({"deletedRegion": {"startLine": er.line, "startColumn": er.column,
                                "endLine": er.end_line, "endColumn": er.end_column},
                               "insertedContent": {"text": e.new_text}})
                    })
                    .collect();
                json!({"description": {"text": fix.title},
                       "artifactChanges": [{"artifactLocation": {"uri": l.display}, "replacements": replacements}]})
            })
            .collect();
        let related: Vec<Value> = f
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let rr = range(&l.doc, rel.span);
                json!({"id": i, "message": {"text": rel.message}, "physicalLocation": {
                    "artifactLocation": {"uri": l.display},
                    "region": {"startLine": rr.line, "startColumn": rr.column, "endLine": rr.end_line, "endColumn": rr.end_column}}})
            })
            .collect();
        results.push(
            json!({
                "ruleId": f.rule,
                "ruleIndex": rule_index,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": l.display},
                    "region": {"startLine": r.line, "startColumn": r.column,
                               "endLine": r.end_line, "endColumn": r.end_column}
                }}],
                "relatedLocations": related,
                "fixes": fixes,
            })
            .to_string(),
        );
    }
    results.join(",").into_bytes()
}

pub fn finish(out: &mut impl Write, chunks: &[Vec<u8>]) -> io::Result<()> {
    let tool = json!({"driver": {
        "name": "kflow",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rule_meta(),
    }});
    write!(
        out,
        "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{tool},\"results\":["
    )?;
    let mut first = true;
    for chunk in chunks.iter().filter(|c| !c.is_empty()) {
        if !first {
            out.write_all(b",")?;
        }
        out.write_all(chunk)?;
        first = false;
    }
    writeln!(out, "]}}]}}")
}
