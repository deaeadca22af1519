//! `kflow run`: lint the flow, type its inputs, run it with the bundled engine, print progress
//! and save the execution record. `kflow executions`: list and show saved records.

pub(crate) mod display;
mod executions;
pub(crate) mod human;
mod live;
pub(crate) mod signals;
mod terminal;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use kflow_engine::exec::{self, Event, RunOptions};
use kflow_engine::record::{Execution, State};
use kflow_engine::storage::{ExecutionKey, Storage};
use kflow_lint_rules::{Catalog, Finding, Severity};
use kflow_syntax::Document;

pub use executions::{elapsed, executions, find as find_execution, ExecutionsArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    Human,
    Json,
}

/// How progress shows with `--format human`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Progress {
    /// The live view when standard output is a terminal (and `TERM` is not `dumb`), plain
    /// lines otherwise.
    Auto,
    /// The live view, even into a pipe or a file.
    Live,
    /// One line per state change and per log line.
    Plain,
}

#[derive(Args)]
pub struct RunArgs {
    /// The flow file.
    flow: PathBuf,
    /// An input value, `key=value` (repeatable).
    #[arg(long = "input", short = 'i')]
    inputs: Vec<String>,
    /// Storage folder (`kestra://` files, KV store, execution records); default `.kflow/`
    /// beside the flow.
    #[arg(long, conflicts_with = "server")]
    storage: Option<PathBuf>,
    /// Secrets file: `KEY=value` lines (plain values, `#` comments); adds to the base64
    /// `SECRET_*` environment variables.
    #[arg(long, conflicts_with = "server")]
    secrets: Option<PathBuf>,
    /// Output: progress lines (human) or the execution record (json).
    #[arg(long, value_enum, default_value = "human")]
    format: RunFormat,
    /// How progress shows with the human format: the live view (a tree of task runs redrawn
    /// in place, then a table) or plain lines. `NO_COLOR` turns colours off.
    #[arg(long, value_enum, default_value = "auto")]
    progress: Progress,
    /// Run on this Kestra server instead (see `kflow deploy`): the flow is deployed, then run
    /// there, its logs streamed back.
    #[command(flatten)]
    server: crate::remote::ServerArgs,
    /// With --server: download the execution's output files into this folder.
    #[arg(long, value_name = "DIR", requires = "server")]
    outputs: Option<PathBuf>,
}

/// Default storage folder of a flow file.
pub fn default_storage(flow: &Path) -> PathBuf {
    flow.parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."))
        .join(".kflow")
}

pub fn run(args: RunArgs) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::ANALYSIS_STACK)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(run_async(args))
}

fn resolve_type(name: &str) -> String {
    match Catalog::builtin().get(name) {
        Some(def) => def.name.clone(),
        None => name.to_string(),
    }
}

/// What a run needs besides the flow: where it is, what it is given.
pub struct RunRequest<'a> {
    /// The flow file (its folder holds subflows and, by default, the storage).
    pub flow_path: &'a Path,
    /// Storage folder; `None` for `.kflow/` beside the flow.
    pub storage: Option<PathBuf>,
    /// Secrets file (`KEY=value` lines), added to the `SECRET_*` environment variables.
    pub secrets_file: Option<&'a Path>,
    /// Input values as given (`key`, text).
    pub inputs: Vec<(String, String)>,
    /// The project's Kestra line (`kestra-version` in `kflow.toml`), whose semantics the run
    /// follows.
    pub kestra_version: kflow_lint_rules::Version,
}

/// A run ready to start: `exec::run(prepared.flow, prepared.execution, prepared.opts)` once
/// `events` and `cancel` are set on `opts`.
pub struct Prepared {
    pub flow: serde_json::Value,
    pub execution: Execution,
    pub storage: Storage,
    pub opts: RunOptions,
    /// Things to tell the user (ignored `SECRET_*` variables…).
    pub warnings: Vec<String>,
}

/// The lint errors of a flow.
pub fn lint_errors(doc: &Document, config: &kflow_lint_rules::Config) -> Vec<Finding> {
    kflow_lint_rules::check(doc, config)
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

/// Prepares a run of the flow `doc` (already linted: see [`lint_errors`]): its JSON, storage,
/// secrets, environment and typed inputs. Errors: why it cannot run, one message each.
pub async fn prepare(doc: &Document, req: RunRequest<'_>) -> Result<Prepared, Vec<String>> {
    let problem = |m: String| vec![m];
    let display = req.flow_path.display();
    let Some(root) = doc.tree.root else {
        return Err(problem(format!("{display}: empty flow")));
    };
    let flow = kflow_engine::inputs::node_to_json(&doc.tree, root)
        .map_err(|e| problem(format!("{display}: {e}")))?;
    let (Some(ns), Some(id)) = (
        flow.get("namespace").and_then(|v| v.as_str()),
        flow.get("id").and_then(|v| v.as_str()),
    ) else {
        return Err(problem("the flow needs an `id` and a `namespace`".into()));
    };
    let storage_dir = req
        .storage
        .clone()
        .unwrap_or_else(|| default_storage(req.flow_path));
    let storage = Storage::open(&storage_dir)
        .map_err(|e| problem(format!("storage {}: {e}", storage_dir.display())))?;
    // Secrets: SECRET_* (base64) then the file (plain).
    let (mut secrets, warnings) = exec::secrets_from_env();
    if let Some(path) = req.secrets_file {
        let file = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| exec::parse_secrets_file(&t))
            .map_err(|e| problem(format!("secrets file {}: {e}", path.display())))?;
        secrets.extend(file);
    }
    // Refused whole, before anything runs: every task must be one the runner runs as Kestra does.
    let line = (req.kestra_version.major, req.kestra_version.minor);
    let unsupported = exec::unsupported_tasks(&flow, &resolve_type, line);
    if !unsupported.is_empty() {
        return Err(unsupported);
    }
    let decls = kflow_engine::inputs::declarations(doc)
        .map_err(|errors| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
    let mut execution = Execution::new(ns, id);
    let key = ExecutionKey {
        namespace: ns.to_string(),
        flow_id: id.to_string(),
        execution_id: execution.id.clone(),
    };
    let resolved = kflow_engine::inputs::resolve(&decls, &req.inputs, &storage, &key)
        .await
        .map_err(|errors| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
    execution.inputs = resolved.values;
    for (n, s) in resolved.secrets.into_iter().enumerate() {
        secrets.insert(format!("__input_{n}"), s);
    }
    let mut opts = RunOptions::new(storage.clone());
    // One cache of script environments for every storage folder of this user.
    if let Some(cache) = crate::user_dirs::cache_dir() {
        opts.cache_dir = cache;
    }
    opts.flow_path = Some(req.flow_path.to_path_buf());
    opts.secrets = secrets;
    opts.envs = exec::env_vars();
    opts.resolve_type = Arc::new(resolve_type);
    opts.kestra_line = line;
    if let Ok(p) = std::env::var("KFLOW_PYTHON") {
        opts.python = p;
    }
    Ok(Prepared {
        flow,
        execution,
        storage,
        opts,
        warnings,
    })
}

async fn run_async(args: RunArgs) -> u8 {
    let bytes = match std::fs::read(&args.flow) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {}: {e}", args.flow.display());
            return 2;
        }
    };
    let doc = kflow_syntax::parse_bytes(&bytes);
    // The same `kflow.toml` as `kflow lint` would use for this file.
    let mut configs = crate::lint::config::Configs::default();
    configs.load_for(&args.flow);
    if let Some(e) = configs.first_error() {
        eprintln!("error: {e}");
        return 2;
    }
    let errors = lint_errors(&doc, configs.for_file(&args.flow));
    if !errors.is_empty() {
        let display = args.flow.display().to_string();
        let linted = crate::lint::Linted {
            path: args.flow.clone(),
            display,
            doc,
            findings: errors,
        };
        let chunk = crate::format::render_file(crate::Format::Human, &linted, false);
        let _ = std::io::stderr().write_all(&chunk);
        eprintln!("error: the flow has errors; fix them before running it");
        return 2;
    }
    let mut inputs = Vec::new();
    for text in &args.inputs {
        match kflow_engine::inputs::parse_assignment(text) {
            Ok(pair) => inputs.push(pair),
            Err(e) => {
                eprintln!("error: --input {text}: {e}");
                return 2;
            }
        }
    }
    if args.server.server.is_some() {
        let escapes = std::io::stdout().is_terminal() && terminal::understands_escapes();
        return crate::remote::follow::run(crate::remote::follow::RemoteRun {
            flow_path: &args.flow,
            doc,
            inputs,
            server: &args.server,
            outputs: args.outputs.clone(),
            format: args.format,
            color: escapes && !crate::no_color(),
        })
        .await;
    }
    let request = RunRequest {
        flow_path: &args.flow,
        storage: args.storage.clone(),
        secrets_file: args.secrets.as_deref(),
        inputs,
        kestra_version: configs.for_file(&args.flow).kestra_version,
    };
    let prepared = match prepare(&doc, request).await {
        Ok(p) => p,
        Err(problems) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            return 2;
        }
    };
    for w in &prepared.warnings {
        eprintln!("warning: {w}");
    }
    let Prepared {
        flow,
        execution,
        storage,
        mut opts,
        ..
    } = prepared;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
    opts.events = Some(tx);
    opts.cancel = Some(cancel_rx);
    let human = args.format == RunFormat::Human;
    let escapes = std::io::stdout().is_terminal() && terminal::understands_escapes();
    // Colours only where someone reads them, and never against NO_COLOR.
    let color = escapes && !crate::no_color();
    let live_view = human
        && match args.progress {
            Progress::Live => true,
            Progress::Plain => false,
            Progress::Auto => escapes,
        };
    let screen = live_view.then(terminal::Screen::default);
    let title = format!("{}.{}", execution.namespace, execution.flow_id);
    let parents = if live_view {
        task_parents(&doc)
    } else {
        Default::default()
    };
    let printer = {
        let screen = screen.clone();
        tokio::spawn(async move {
            if let Some(screen) = screen {
                let mut view = live::Live::new(title, color, parents);
                live::follow(&mut rx, &screen, &mut view).await;
                return Some(view);
            }
            let mut p = human::Printer { color };
            while let Some(e) = rx.recv().await {
                if human {
                    p.event(&e);
                }
                if display::is_end(&e) {
                    break;
                }
            }
            None
        })
    };
    // Signals stay watched until the record is saved: a signal during the save must not cut it.
    // Their messages go between two frames of the live view, never over one.
    let signals = signals::watch(cancel_tx, screen);
    let record = exec::run(flow, execution, opts).await;
    let view = printer.await.ok().flatten();
    let saved = save_record(&record, &storage).await;
    signals.abort();
    // Nothing the run started outlives it (an installer on a blocking thread, say).
    kflow_engine::scripts::abort_all();
    // Written ignoring errors: a closed terminal or pipe must not turn a saved run into a panic.
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    if human {
        if let Some(view) = &view {
            live::table(&mut out, &record, view);
        }
        human::summary(&mut out, &record, color);
        let _ = match &saved {
            Ok(path) => writeln!(out, "record: {}", path.display()),
            Err(e) => writeln!(err, "error: cannot save the execution record: {e}"),
        };
    } else {
        // Streamed: the record's logs may be far larger than memory should hold.
        let mut buffered = std::io::BufWriter::new(&mut out);
        let printed = serde_json::to_writer_pretty(&mut buffered, &record)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(buffered).and_then(|()| buffered.flush()));
        if let Err(e) = printed {
            // A closed pipe is the reader's choice; anything else is worth saying.
            if !crate::reader_left(&e) {
                let _ = writeln!(err, "error: {e}");
            }
        }
        if let Err(e) = &saved {
            let _ = writeln!(err, "error: cannot save the execution record: {e}");
        }
    }
    exit_code(record.state)
}

/// Task id → the id of the task it sits in, for the tasks of the flow that sit in one.
fn task_parents(doc: &Document) -> std::collections::HashMap<String, String> {
    let Some(flow) = &doc.flow else {
        return Default::default();
    };
    let id = |t: &kflow_syntax::model::Task| t.id.as_ref().map(|n| n.name.clone());
    flow.tasks
        .iter()
        .filter_map(|task| {
            let parent = &flow.tasks[task.parent?.0 as usize];
            Some((id(task)?, id(parent)?))
        })
        .collect()
}

/// Saves the execution record and lists its storage folder in the per-user index, so
/// `kflow executions` finds it from anywhere (the index is a convenience: failing to update it
/// does not fail the save).
pub async fn save_record(record: &Execution, storage: &Storage) -> std::io::Result<PathBuf> {
    let path = record.save(storage).await?;
    let _ = crate::user_dirs::remember_storage(storage.root());
    Ok(path)
}

pub(crate) fn exit_code(state: State) -> u8 {
    match state {
        State::Success | State::Warning => 0,
        _ => 1,
    }
}
