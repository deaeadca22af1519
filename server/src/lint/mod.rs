//! `kflow lint`: find flow files, check them in parallel, print the findings in order.

mod config;
mod files;

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use kflow_lint_rules::{Catalog, Finding, Severity};
use kflow_syntax::Document;
use rayon::prelude::*;

use crate::{format, DenyLevel, Format};

#[derive(Args)]
pub struct LintArgs {
    /// Files or directories (directories are searched for flow files, honouring .gitignore).
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "error")]
    deny: DenyLevel,
    /// Apply safe fixes in place and report what changed.
    #[arg(long)]
    fix: bool,
    /// Colour: auto, always or never.
    #[arg(long, default_value = "auto")]
    color: String,
}

/// One linted file.
pub struct Linted {
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    pub doc: Document,
    pub findings: Vec<Finding>,
}

pub fn run(args: LintArgs) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut configs = config::Configs::default();
    let found = match files::discover(&paths, &mut configs) {
        Ok(found) => found,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Some(e) = configs.first_error() {
        eprintln!("error: {e}");
        return 2;
    }
    let catalog = Catalog::builtin();
    let results: Vec<Result<Linted, String>> = found
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(&f.path).map_err(|e| format!("{}: {e}", f.display))?;
            let doc = kflow_syntax::parse_bytes(&bytes);
            let findings = kflow_lint_rules::check(&doc, catalog, configs.for_file(&f.path));
            Ok(Linted {
                path: f.path.clone(),
                display: f.display.clone(),
                doc,
                findings,
            })
        })
        .collect();
    let mut linted = Vec::with_capacity(results.len());
    let mut io_error = false;
    for r in results {
        match r {
            Ok(l) => linted.push(l),
            Err(e) => {
                eprintln!("error: {e}");
                io_error = true;
            }
        }
    }
    if args.fix {
        crate::lint::apply_fixes(&mut linted, &configs);
    }
    let deny = match args.deny {
        DenyLevel::Error => Severity::Error,
        DenyLevel::Warning => Severity::Warning,
        DenyLevel::Info => Severity::Info,
    };
    let out = std::io::stdout();
    let mut out = out.lock();
    let color = match args.color.as_str() {
        "always" => true,
        "never" => false,
        _ => {
            std::io::IsTerminal::is_terminal(&std::io::stdout())
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let printed = match args.format {
        Format::Human => format::human::print(&mut out, &linted, color),
        Format::Json => format::json::print(&mut out, &linted),
        Format::Sarif => format::sarif::print(&mut out, &linted),
        Format::Github => format::github::print(&mut out, &linted),
    };
    let _ = out.flush();
    if let Err(e) = printed {
        eprintln!("error: cannot write the report: {e}");
        return 2;
    }
    if io_error {
        return 2;
    }
    let denied = linted
        .iter()
        .flat_map(|l| &l.findings)
        .any(|f| f.severity >= deny);
    u8::from(denied)
}

/// Applies every safe fix (non-overlapping, first come first served), rewrites the files and
/// lints them again so that the report shows what is left.
fn apply_fixes(linted: &mut [Linted], configs: &config::Configs) {
    let catalog = Catalog::builtin();
    for l in linted.iter_mut() {
        let mut edits: Vec<_> = l
            .findings
            .iter()
            .flat_map(|f| f.fixes.iter().filter(|x| x.safe).take(1))
            .flat_map(|fix| fix.edits.iter().cloned())
            .collect();
        if edits.is_empty() {
            continue;
        }
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        let mut text = String::with_capacity(l.doc.text.len());
        let mut at = 0usize;
        let mut applied = 0;
        for e in &edits {
            if (e.span.start as usize) < at {
                continue;
            }
            text.push_str(&l.doc.text[at..e.span.start as usize]);
            text.push_str(&e.new_text);
            at = e.span.end as usize;
            applied += 1;
        }
        text.push_str(&l.doc.text[at..]);
        if let Err(e) = std::fs::write(&l.path, &text) {
            eprintln!("error: cannot write {}: {e}", l.display);
            continue;
        }
        eprintln!("fixed {}: {applied} edit(s)", l.display);
        l.doc = kflow_syntax::parse(&text);
        l.findings = kflow_lint_rules::check(&l.doc, catalog, configs.for_file(&l.path));
    }
}
