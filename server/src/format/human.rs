//! The default, rustc-style report (codespan-reporting), with a summary line.

use std::io::{self, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{Ansi, NoColor};
use codespan_reporting::term::{self, Config};
use kflow_lint_rules::{Applicability, Severity};

use crate::lint::Linted;

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

/// One file's diagnostics, rustc-style.
pub fn file(l: &Linted, color: bool) -> Vec<u8> {
    let config = Config::default();
    let source = SimpleFile::new(l.display.as_str(), l.doc.text.as_str());
    let mut out = Vec::new();
    for f in &l.findings {
        let mut labels = vec![Label::primary((), f.span.range())];
        for r in &f.related {
            labels.push(Label::secondary((), r.span.range()).with_message(r.message.clone()));
        }
        let mut notes: Vec<String> = f
            .fixes
            .iter()
            .map(|fix| match fix.applicability {
                Applicability::Safe => format!("help: {}", fix.title),
                Applicability::Unsafe => format!("help: {} (unsafe fix)", fix.title),
                Applicability::DisplayOnly => format!("help: {} (by hand)", fix.title),
            })
            .collect();
        notes.push(format!("see `kflow explain {}`", f.rule));
        let d = Diagnostic::new(severity(f.severity))
            .with_code(f.rule)
            .with_message(&f.message)
            .with_labels(labels)
            .with_notes(notes);
        let rendered = if color {
            term::emit_to_write_style(&mut Ansi::new(&mut out), &config, &source, &d)
        } else {
            term::emit_to_write_style(&mut NoColor::new(&mut out), &config, &source, &d)
        };
        if let Err(e) = rendered {
            out.extend_from_slice(
                format!("{}: {}: {} ({e})\n", l.display, f.rule, f.message).as_bytes(),
            );
        }
    }
    out
}

/// The findings, then a summary line.
pub fn finish(
    out: &mut impl Write,
    chunks: &[Vec<u8>],
    files: usize,
    counts: [usize; 3],
) -> io::Result<()> {
    for chunk in chunks {
        out.write_all(chunk)?;
    }
    let [info, warnings, errors] = counts;
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
