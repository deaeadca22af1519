//! `--format json`: the stable contract of DESIGN.md.

use std::io::{self, Write};

use kflow_lint_rules::fixes;
use serde_json::{json, Value};

use super::range;
use crate::lint::Linted;

pub fn diagnostics(l: &Linted) -> Vec<Value> {
    l.findings
        .iter()
        .map(|f| {
            let r = range(&l.doc, f.span);
            let fixes: Vec<Value> = f
                .fixes
                .iter()
                .map(|fix| {
                    let edits: Vec<Value> = fixes::edits(&l.doc.text, &[fix])
                        .iter()
                        .map(|e| {
                            let er = range(&l.doc, e.span);
                            json!({"line": er.line, "column": er.column, "end_line": er.end_line,
                                   "end_column": er.end_column, "new_text": e.new_text})
                        })
                        .collect();
                    json!({"title": fix.title, "safe": fix.is_safe(),
                           "applicability": fix.applicability.as_str(), "edits": edits})
                })
                .collect();
            let related: Vec<Value> = f
                .related
                .iter()
                .map(|rel| {
                    let rr = range(&l.doc, rel.span);
                    json!({"message": rel.message, "line": rr.line, "column": rr.column,
                           "end_line": rr.end_line, "end_column": rr.end_column})
                })
                .collect();
            json!({
                "path": l.display, "rule": f.rule, "severity": f.severity.as_str(),
                "message": f.message, "line": r.line, "column": r.column,
                "end_line": r.end_line, "end_column": r.end_column,
                "fixes": fixes, "related": related,
            })
        })
        .collect()
}

/// One file's diagnostics as comma-separated JSON objects.
pub fn file(l: &Linted) -> Vec<u8> {
    let parts: Vec<String> = diagnostics(l).iter().map(Value::to_string).collect();
    parts.join(",").into_bytes()
}

pub fn finish(out: &mut impl Write, chunks: &[Vec<u8>], files: usize) -> io::Result<()> {
    write!(out, "{{\"files\":{files},\"diagnostics\":[")?;
    let mut first = true;
    for chunk in chunks.iter().filter(|c| !c.is_empty()) {
        if !first {
            out.write_all(b",")?;
        }
        out.write_all(chunk)?;
        first = false;
    }
    writeln!(out, "]}}")
}
