//! `kflow migrate --to 2.0 [PATH…]`: each flow moved to the target Kestra line by the migration
//! rules' fixes (`kflow_lint_rules::migrate`), printed as a unified diff whose hunks name their
//! rules, or written with `--write`; what cannot be migrated is listed with its reason.
//!
//! Exit codes as `kflow lint`: 0 when every flow is ready for the target line, 1 when a change
//! is pending (without `--write`) or something needs a hand, 2 on an error.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use kflow_lint_rules::fixes::Change;
use kflow_lint_rules::migrate::{self, Migrated};
use kflow_lint_rules::Version;
use rayon::prelude::*;

use crate::lint::files;

#[derive(Args)]
pub struct MigrateArgs {
    /// Files or directories (directories are searched for flow files, honouring .gitignore).
    paths: Vec<PathBuf>,
    /// The Kestra line to migrate to.
    #[arg(long, value_name = "VERSION")]
    to: String,
    /// Write the migrated flows instead of printing the diff.
    #[arg(long)]
    write: bool,
}

/// One file's outcome, rendered on its worker thread.
struct Outcome {
    diff: String,
    notes: String,
    changed: bool,
    left: usize,
}

pub fn run(args: MigrateArgs) -> u8 {
    if Version::parse(&args.to) != Some(migrate::TO) {
        eprintln!(
            "error: kflow migrates to Kestra {} only (--to {})",
            migrate::TO,
            args.to
        );
        return 2;
    }
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(crate::ANALYSIS_STACK)
        .build_global();
    let files::Inputs {
        paths,
        found,
        configs,
    } = match files::inputs(&args.paths) {
        Ok(inputs) => inputs,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let found = found.files;
    let results: Vec<Result<Option<Outcome>, String>> = found
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(&f.path).map_err(|e| format!("{}: {e}", f.display))?;
            if !f.explicit && !files::looks_like_flow(&bytes) {
                return Ok(None);
            }
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("{}: not UTF-8 text; left as it is", f.display))?;
            let config = migrate::config_for(configs.for_file(&f.path), migrate::TO);
            let m = migrate::migrate(&text, &config);
            let changed = m.text != text;
            if changed && args.write {
                std::fs::write(&f.path, &m.text)
                    .map_err(|e| format!("cannot write {}: {e}", f.display))?;
            }
            let diff = if changed && !args.write {
                unified_diff(&f.display, &text, &m.text, &m.changes)
            } else {
                String::new()
            };
            Ok(Some(Outcome {
                diff,
                notes: notes(&f.display, &m),
                changed,
                left: m.left.len(),
            }))
        })
        .collect();
    let (mut changed, mut left, mut seen, mut failed) = (0, 0, 0, false);
    let out = std::io::stdout();
    let mut out = out.lock();
    for r in results {
        match r {
            Ok(None) => {}
            Ok(Some(o)) => {
                seen += 1;
                changed += usize::from(o.changed);
                left += o.left;
                if let Err(e) = out.write_all(o.diff.as_bytes()) {
                    if !crate::reader_left(&e) {
                        eprintln!("error: {e}");
                        return 2;
                    }
                }
                eprint!("{}", o.notes);
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    let _ = out.flush();
    if seen == 0 && !failed {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!("error: no flows found in {}", shown.join(", "));
        return 2;
    }
    let verb = if args.write { "migrated" } else { "to migrate" };
    eprintln!(
        "{seen} flow(s): {changed} {verb}, {left} change(s) to make by hand for Kestra {}",
        migrate::TO
    );
    if failed {
        2
    } else {
        u8::from(left > 0 || (changed > 0 && !args.write))
    }
}

/// What could not be migrated in one file: `path:line:col: rule: reason` lines.
fn notes(display: &str, m: &Migrated) -> String {
    m.left
        .iter()
        .map(|f| {
            let at = m
                .doc
                .line_index
                .line_col(&m.doc.text, f.span.start as usize);
            format!(
                "{display}:{}:{}: {}: {} (not migrated)\n",
                at.line, at.column, f.rule, f.message
            )
        })
        .collect()
}

/// A unified diff of `old` → `new`, each hunk's header followed by the rules whose changes it
/// shows.
fn unified_diff(display: &str, old: &str, new: &str, changes: &[Change]) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let line_of = |offset: usize| old[..offset.min(old.len())].matches('\n').count();
    let mut text = format!("--- a/{display}\n+++ b/{display}\n");
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let ops = hunk.ops();
        let (Some(first), Some(last)) = (ops.first(), ops.last()) else {
            continue;
        };
        let (start, end) = (
            first.old_range().start,
            last.old_range().end.max(first.old_range().start + 1),
        );
        let mut rules: Vec<&str> = changes
            .iter()
            .filter(|c| {
                let (a, b) = (line_of(c.start), line_of(c.end.max(c.start + 1) - 1));
                a < end && b >= start
            })
            .map(|c| c.rule)
            .collect();
        rules.sort_unstable();
        rules.dedup();
        text.push_str(&format!("{} {}\n", hunk.header(), rules.join(", ")));
        for change in hunk.iter_changes() {
            text.push_str(&format!("{}{}", change.tag(), change.value()));
            if change.missing_newline() {
                text.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    text
}
