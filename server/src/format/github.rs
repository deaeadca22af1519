//! `--format github`: GitHub Actions workflow-command annotations.

use std::io::{self, Write};

use kflow_lint_rules::Severity;

use super::range;
use crate::lint::Linted;

/// Workflow commands need `%`, CR and LF escaped in messages, and also `:` and `,` in properties.
fn escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// One file's annotations, a line each.
pub fn file(l: &Linted) -> Vec<u8> {
    let mut out = Vec::new();
    write_file(&mut out, l).expect("writing to memory");
    out
}

fn write_file(out: &mut impl Write, l: &Linted) -> io::Result<()> {
    {
        for f in &l.findings {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let r = range(&l.doc, f.span);
            writeln!(
                out,
                "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape(&l.display, true),
                r.line,
                r.column,
                r.end_line,
                r.end_column,
                escape(&format!("kflow {}", f.rule), true),
                escape(&f.message, false)
            )?;
        }
    }
    Ok(())
}
