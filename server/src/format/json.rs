//! `--format json`: the stable contract of DESIGN.md.

use std::io::{self, Write};

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
                    let edits: Vec<Value> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            let er = range(&l.doc, e.span);
                            json!({"line": er.line, "column": er.column, "end_line": er.end_line,
                                   "end_column": er.end_column, "new_text": e.new_text})
                        })
                        .collect();
                    json!({"title": fix.title, "safe": fix.safe, "edits": edits})
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

pub fn print(out: &mut impl Write, linted: &[Linted]) -> io::Result<()> {
    let all: Vec<Value> = linted.iter().flat_map(diagnostics).collect();
    let doc = json!({"files": linted.len(), "diagnostics": all});
    serde_json::to_writer(&mut *out, &doc)?;
    writeln!(out)
}
