//! The default, rustc-style report (codespan-reporting), with a summary line.

use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{Ansi, NoColor};
use codespan_reporting::term::{self, Config};
use kflow_lint_rules::Severity;

use crate::lint::Linted;

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

pub fn print(out: &mut impl Write, linted: &[Linted], color: bool) -> io::Result<()> {
    let config = Config::default();
    let mut counts = [0usize; 3];
    for l in linted {
        let file = SimpleFile::new(l.display.as_str(), l.doc.text.as_str());
        for f in &l.findings {
            counts[f.severity as usize] += 1;
            let mut labels = vec![Label::primary((), f.span.range())];
            for r in &f.related {
                labels.push(Label::secondary((), r.span.range()).with_message(r.message.clone()));
            }
            let mut notes = Vec::new();
            for fix in &f.fixes {
                notes.push(format!("help: {}", fix.title));
            }
            notes.push(format!("see `kflow explain {}`", f.rule));
            let d = Diagnostic::new(severity(f.severity))
                .with_code(f.rule)
                .with_message(&f.message)
                .with_labels(labels)
                .with_notes(notes);
            let mut buf = Vec::new();
            let rendered = if color {
                term::emit_to_write_style(&mut Ansi::new(&mut buf), &config, &file, &d)
            } else {
                term::emit_to_write_style(&mut NoColor::new(&mut buf), &config, &file, &d)
            };
            match rendered {
                Ok(()) => out.write_all(&buf)?,
                Err(e) => writeln!(out, "{}: {}: {} ({e})", l.display, f.rule, f.message)?,
            }
        }
    }
    let [info, warnings, errors] = counts;
    let files = linted.len();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "{}: {}, {}, {info} info in {}",
        if errors > 0 { "failed" } else { "checked" },
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files, "file")
    )
}
