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
    // codespan-reporting breaks lines at LF only: show a lone CR as the line break it is (one
    // byte for one, so spans stay valid).
    let text = lone_cr_as_lf(&l.doc.text);
    let source = SimpleFile::new(l.display.as_str(), text.as_ref());
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
        let mut one = Vec::new();
        let rendered = if color {
            term::emit_to_write_style(&mut Ansi::new(&mut one), &config, &source, &d)
        } else {
            term::emit_to_write_style(&mut NoColor::new(&mut one), &config, &source, &d)
        };
        out.extend_from_slice(&info_header(one, f.severity, f.rule));
        if let Err(e) = rendered {
            out.extend_from_slice(
                format!("{}: {}: {} ({e})\n", l.display, f.rule, f.message).as_bytes(),
            );
        }
    }
    out
}

fn lone_cr_as_lf(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone) {
        return text.into();
    }
    let fixed: Vec<u8> = (0..bytes.len())
        .map(|i| if lone(i) { b'\n' } else { bytes[i] })
        .collect();
    String::from_utf8(fixed).map_or(text.into(), Into::into)
}

/// codespan-reporting calls its lowest level `note`; kflow's docs, config and `--deny` say
/// `info`: rename it in the diagnostic's header (`note[rule]` → `info[rule]`).
fn info_header(rendered: Vec<u8>, s: Severity, rule: &str) -> Vec<u8> {
    if s != Severity::Info {
        return rendered;
    }
    let Ok(text) = String::from_utf8(rendered) else {
        return Vec::new();
    };
    text.replacen(&format!("note[{rule}]"), &format!("info[{rule}]"), 1)
        .into_bytes()
}

/// The findings, then a summary line: `failed` when the findings fail the run (`--deny`).
pub fn finish(
    out: &mut impl Write,
    chunks: &[Vec<u8>],
    files: usize,
    counts: [usize; 3],
    denied: bool,
) -> io::Result<()> {
    for chunk in chunks {
        out.write_all(chunk)?;
    }
    let [info, warnings, errors] = counts;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    writeln!(
        out,
        "{}: {}, {}, {info} info in {}",
        if denied { "failed" } else { "checked" },
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(files, "file")
    )
}
