//! `kflow`: lint, run and serve Kestra flows.

/// Stack of the threads that check flows. Parsers and checks recurse with the input's nesting
/// (capped, but deep YAML, Pebble and jq still go a few thousand frames down): a known, ample
/// stack rather than the platform's 2 MiB default. Only the pages used are committed.
const ANALYSIS_STACK: usize = 64 << 20;

mod explain;
mod format;
mod graph;
mod lint;
mod lsp;
mod migrate;
mod remote;
mod run;
mod user_dirs;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "kflow",
    version,
    about = "Linter, language server and local runner for Kestra flows"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DenyLevel {
    Error,
    Warning,
    Info,
}

#[derive(Subcommand)]
enum Command {
    /// Check flows (files or directories; default: the current directory).
    Lint(lint::LintArgs),
    /// List every rule with its default severity.
    Rules {
        /// Print the Markdown rules reference (as in the README) instead of a table.
        #[arg(long)]
        markdown: bool,
        /// Only the rules of a group.
        #[arg(long, value_enum)]
        group: Option<explain::Group>,
    },
    /// Print a rule's documentation.
    Explain {
        /// A rule id, as printed by `kflow rules`.
        rule: String,
    },
    /// Start the language server (LSP over stdin/stdout) for any editor.
    Lsp(lsp::LspArgs),
    /// Run a flow locally with the bundled engine.
    Run(run::RunArgs),
    /// Create or update flows on a Kestra server (lint first; `--dry-run` shows the diff).
    Deploy(remote::deploy::DeployArgs),
    /// List past runs (or `show ID` to print one record).
    Executions(run::ExecutionsArgs),
    /// Move flows to Kestra 2.0: print the diff (each hunk names its rules), or `--write` it.
    Migrate(migrate::MigrateArgs),
    /// Draw a flow's tasks, branches and triggers (SVG, Mermaid, DOT or JSON).
    Graph(graph::GraphArgs),
    /// Print a shell completion script (e.g. `source <(kflow completions bash)`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Whether `NO_COLOR` asks for no colours: any non-empty value does (no-color.org); `lint` and
/// `run` both follow it.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Whether writing failed because the reader closed the pipe (`kflow lint | head`): its choice,
/// not an error to report.
pub fn reader_left(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Rules { markdown, group } => explain::rules(markdown, group),
        Command::Explain { rule } => explain::explain(&rule),
        Command::Lsp(args) => lsp::run(args),
        Command::Run(args) => run::run(args),
        Command::Executions(args) => run::executions(args),
        Command::Deploy(args) => remote::deploy::run(args),
        Command::Graph(args) => graph::run(args),
        Command::Migrate(args) => migrate::run(args),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "kflow", &mut std::io::stdout());
            0
        }
    };
    ExitCode::from(code)
}
