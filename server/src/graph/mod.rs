//! `kflow graph`: the topology of a flow as a picture (SVG) or as text other tools draw
//! (Mermaid, DOT) or read (JSON). `build` makes the graph (`model`) from the parsed document;
//! `overlay` marks it with a local run's task runs; each writer is its own module; `layout`
//! places the SVG's boxes.

mod build;
mod dot;
mod json;
mod layout;
mod mermaid;
mod model;
mod overlay;
mod svg;

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kflow_lint_rules::Catalog;
use kflow_syntax::Document;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Svg,
    Mermaid,
    Dot,
    Json,
}

#[derive(Args)]
pub struct GraphArgs {
    /// The flow file.
    flow: PathBuf,
    /// What to write: a picture (svg), or text for Mermaid, Graphviz or other tools.
    #[arg(long, value_enum, default_value = "svg")]
    format: GraphFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    /// Draw what this local run (`kflow executions`) did: each task's state, runs, attempts and
    /// time.
    #[arg(long, value_name = "ID")]
    execution: Option<String>,
    /// Where to look for the execution (default: the storage beside the flow, `.kflow` here and
    /// every storage folder runs used).
    #[arg(long, requires = "execution")]
    storage: Option<PathBuf>,
}

/// The graph of `doc` in `format`, or a message locating why there is none
/// (`line:column: message`).
pub fn render(doc: &Document, format: GraphFormat) -> Result<String, String> {
    render_run(doc, format, None)
}

/// Like [`render`], with the task runs of `record` drawn over the graph.
pub fn render_run(
    doc: &Document,
    format: GraphFormat,
    record: Option<&kflow_engine::record::Execution>,
) -> Result<String, String> {
    let mut graph = build::build(doc, Catalog::builtin()).map_err(|e| {
        let at = doc.line_index.line_col(&doc.text, e.offset);
        format!("{}:{}: {}", at.line, at.column, e.message)
    })?;
    if let Some(record) = record {
        overlay::apply(&mut graph, record).map_err(|e| format!(" {e}"))?;
    }
    Ok(match format {
        GraphFormat::Svg => svg::write(&graph),
        GraphFormat::Mermaid => mermaid::write(&graph),
        GraphFormat::Dot => dot::write(&graph),
        GraphFormat::Json => json::write(&graph),
    })
}

pub fn run(args: GraphArgs) -> u8 {
    let bytes = match std::fs::read(&args.flow) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", args.flow.display());
            return 2;
        }
    };
    let record = match &args.execution {
        Some(id) => match crate::run::find_execution(id, args.storage.clone(), &args.flow) {
            Ok(record) => Some(record),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
        None => None,
    };
    // Building and laying out recurse with the flow's nesting: the analysis stack.
    let format = args.format;
    let rendered = std::thread::Builder::new()
        .stack_size(crate::ANALYSIS_STACK)
        .spawn(move || render_run(&kflow_syntax::parse_bytes(&bytes), format, record.as_ref()))
        .ok()
        .and_then(|t| t.join().ok());
    let text = match rendered {
        Some(Ok(text)) => text,
        Some(Err(message)) => {
            eprintln!("error: {}:{message}", args.flow.display());
            return 2;
        }
        None => {
            eprintln!("error: {}: cannot draw the flow", args.flow.display());
            return 2;
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if !crate::reader_left(&e) => Err(format!("standard output: {e}")),
                _ => Ok(()),
            }
        }
    };
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
