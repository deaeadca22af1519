//! `kflow lint`: find flow files, check them in parallel, print the findings in order.

pub(crate) mod config;
pub(crate) mod files;

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use kflow_lint_rules::fixes::{self, Mode};
use kflow_lint_rules::{Finding, Severity};
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
    /// Apply safe fixes in place (whole fixes, checked again until none applies) and report
    /// what is left.
    #[arg(long)]
    fix: bool,
    /// With --fix, also apply unsafe fixes: they change what the flow does (a guessed name,
    /// another task type), so review the diff.
    #[arg(long, requires = "fix")]
    unsafe_fixes: bool,
    /// Colour.
    #[arg(long, value_enum, default_value = "auto")]
    color: Color,
    /// Also ask this Kestra server to validate each flow (`server-validation` findings).
    #[command(flatten)]
    server: crate::remote::ServerArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// One linted file.
pub struct Linted {
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    pub doc: Document,
    pub findings: Vec<Finding>,
}

/// What is kept of a file once its report part is rendered.
struct Reported {
    chunk: Vec<u8>,
    counts: [usize; 3],
}

pub fn run(args: LintArgs) -> u8 {
    // Files are checked on rayon's threads: give them the analysis stack. (Only fails if a
    // pool exists already, which then is the one to use.)
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(crate::ANALYSIS_STACK)
        .build_global();
    let files::Inputs {
        paths,
        found: files::Discovered {
            files: found,
            excluded,
        },
        configs,
    } = match files::inputs(&args.paths) {
        Ok(inputs) => inputs,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let remote = match &args.server.server {
        None => None,
        Some(_) => match crate::remote::validate::Remote::connect(&args.server, &paths[0]) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::IsTerminal::is_terminal(&std::io::stdout()) && !crate::no_color(),
    };
    // Each file is read, checked, fixed and rendered on a worker thread; only its rendered part
    // is kept, so memory does not grow with the number of files.
    let results: Vec<Result<Option<Reported>, String>> = found
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(&f.path).map_err(|e| format!("{}: {e}", f.display))?;
            if !f.explicit && !files::looks_like_flow(&bytes) {
                return Ok(None);
            }
            let doc = kflow_syntax::parse_bytes(&bytes);
            let config = configs.for_file(&f.path);
            let mut findings = kflow_lint_rules::check(&doc, config);
            if let Some(remote) = &remote {
                let found = remote
                    .validate(&doc)
                    .map_err(|e| format!("{}: server validation: {e}", f.display))?;
                findings.extend(found);
                kflow_lint_rules::sort(&mut findings);
            }
            let mut linted = Linted {
                path: f.path.clone(),
                display: f.display.clone(),
                doc,
                findings,
            };
            if args.fix {
                let mode = if args.unsafe_fixes {
                    Mode::WithUnsafe
                } else {
                    Mode::SafeOnly
                };
                fix_file(&mut linted, config, mode)?;
            }
            let mut counts = [0usize; 3];
            for finding in &linted.findings {
                counts[finding.severity as usize] += 1;
            }
            let chunk = format::render_file(args.format, &linted, color);
            Ok(Some(Reported { chunk, counts }))
        })
        .collect();
    let mut chunks = Vec::with_capacity(results.len());
    let mut counts = [0usize; 3];
    let mut io_error = false;
    for r in results {
        match r {
            Ok(None) => {}
            Ok(Some(rep)) => {
                for (total, n) in counts.iter_mut().zip(rep.counts) {
                    *total += n;
                }
                chunks.push(rep.chunk);
            }
            Err(e) => {
                eprintln!("error: {e}");
                io_error = true;
            }
        }
    }
    let deny = match args.deny {
        DenyLevel::Error => Severity::Error,
        DenyLevel::Warning => Severity::Warning,
        DenyLevel::Info => Severity::Info,
    };
    let denied = counts[deny as usize..].iter().any(|&n| n > 0);
    if chunks.is_empty() && excluded == 0 && !io_error {
        // A CI job pointed at the wrong folder must not go green.
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "error: no flows found in {} (flow files are .yml/.yaml files with a top-level `id:` and `namespace:`)",
            shown.join(", ")
        );
        return 2;
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    let printed =
        format::write_report(args.format, &mut out, &chunks, chunks.len(), counts, denied);
    let _ = out.flush();
    match printed {
        Err(e) if !crate::reader_left(&e) => {
            eprintln!("error: cannot write the report: {e}");
            return 2;
        }
        _ => {}
    }
    if io_error {
        return 2;
    }
    u8::from(denied)
}

/// Applies fixes (whole ones, checked again until none applies; see `kflow_lint_rules::fixes`),
/// rewrites the file and keeps the findings of the fixed text for the report.
fn fix_file(l: &mut Linted, config: &kflow_lint_rules::Config, mode: Mode) -> Result<(), String> {
    let check = |text: &str| kflow_lint_rules::check(&kflow_syntax::parse(text), config);
    let fixed = fixes::fix_all(&l.doc.text, &l.findings, mode, check);
    if fixed.applied == 0 {
        return Ok(());
    }
    std::fs::write(&l.path, &fixed.text).map_err(|e| format!("cannot write {}: {e}", l.display))?;
    eprintln!("fixed {}: {} fix(es)", l.display, fixed.applied);
    l.doc = kflow_syntax::parse(&fixed.text);
    l.findings = kflow_lint_rules::check(&l.doc, config);
    Ok(())
}
