//! `kflow executions [--storage DIR] [show ID]`: the records of one storage folder, or by
//! default of `.kflow` here and of every storage folder a run has used (the per-user index).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use kflow_engine::record::{Execution, State};
use kflow_engine::time::Instant;
use serde::Deserialize;

#[derive(Args)]
pub struct ExecutionsArgs {
    /// Only this storage folder (default: `.kflow` here and every storage folder runs used).
    #[arg(long, global = true)]
    storage: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<ExecCommand>,
}

#[derive(Subcommand)]
enum ExecCommand {
    /// Print one execution record (JSON).
    Show { id: String },
}

/// The record files (`.json`) under a storage folder.
fn record_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(".kflow-executions")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out
}

fn read_record(path: &Path) -> Result<Execution, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// What the listing shows of a record: read without its task runs, outputs and logs, which
/// serde skips without building them (a record of 200,000 task runs lists as fast as a small
/// one).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    id: String,
    namespace: String,
    flow_id: String,
    state: State,
    start_date: String,
    #[serde(default)]
    end_date: Option<String>,
}

impl Summary {
    fn start(&self) -> Option<Instant> {
        Instant::parse(&self.start_date).ok()
    }
}

/// Streamed from the file: memory stays flat however large the record.
fn read_summary(path: &Path) -> Option<Summary> {
    let file = std::io::BufReader::new(std::fs::File::open(path).ok()?);
    serde_json::from_reader(file).ok()
}

/// The records under a storage folder that can be read.
fn summaries(root: &Path) -> Vec<(PathBuf, Summary)> {
    record_files(root)
        .into_iter()
        .filter_map(|path| read_summary(&path).map(|s| (path, s)))
        .collect()
}

/// The time between two record dates; `None` while running (no end) or if the end is earlier.
pub fn elapsed(start: Instant, end: Option<Instant>) -> Option<std::time::Duration> {
    let end = end?;
    let nanos = (i128::from(end.secs) - i128::from(start.secs)) * 1_000_000_000
        + i128::from(end.nanos)
        - i128::from(start.nanos);
    u64::try_from(nanos)
        .ok()
        .map(std::time::Duration::from_nanos)
}

fn duration(e: &Summary) -> String {
    let end = e.end_date.as_deref().and_then(|d| Instant::parse(d).ok());
    match e.start().and_then(|start| elapsed(start, end)) {
        Some(d) => format!("{:.2}s", d.as_secs_f64()),
        None => "-".into(),
    }
}

/// The record of execution `id`, searched in `storage` when given, else in the storage beside
/// `flow`, `.kflow` here and every storage folder a run has used.
pub fn find(id: &str, storage: Option<PathBuf>, flow: &Path) -> Result<Execution, String> {
    let mut searched = match storage {
        Some(s) => vec![s],
        None => {
            let mut all = vec![super::default_storage(flow)];
            all.extend(roots(None));
            all
        }
    };
    searched.dedup();
    let file = format!("{id}.json");
    let found = searched
        .iter()
        .flat_map(|root| record_files(root))
        .find(|path| path.file_name().is_some_and(|n| *n == *file));
    if let Some(path) = found {
        return read_record(&path);
    }
    let shown: Vec<String> = searched.iter().map(|p| p.display().to_string()).collect();
    Err(format!("no execution '{id}' in {}", shown.join(", ")))
}

/// The storage folders to read: the one given, or `.kflow` here then the indexed ones.
fn roots(given: Option<PathBuf>) -> Vec<PathBuf> {
    if let Some(root) = given {
        return vec![root];
    }
    let mut roots = vec![PathBuf::from(".kflow")];
    let here = std::fs::canonicalize(".kflow").ok();
    roots.extend(
        crate::user_dirs::known_storages()
            .into_iter()
            .filter(|p| Some(p) != here.as_ref()),
    );
    roots
}

pub fn executions(args: ExecutionsArgs) -> u8 {
    let single = args.storage.is_some();
    let roots = roots(args.storage);
    let mut all: Vec<(PathBuf, Summary)> = roots.iter().flat_map(|r| summaries(r)).collect();
    all.sort_by_key(|e| e.1.start());
    let where_ = if single {
        roots[0].display().to_string()
    } else {
        "`.kflow` here or any storage folder used by a run".to_string()
    };
    // Written ignoring errors: `kflow executions | head` must not panic.
    let mut out = std::io::stdout().lock();
    match args.command {
        None => {
            if all.is_empty() {
                let _ = writeln!(out, "no executions in {where_}");
                return 0;
            }
            let _ = writeln!(
                out,
                "{:<22}  {:<40}  {:<9}  {:<24}  {:<9}  RECORD",
                "ID", "FLOW", "STATE", "START", "DURATION"
            );
            for (path, e) in &all {
                let _ = writeln!(
                    out,
                    "{:<22}  {:<40}  {:<9}  {:<24}  {:<9}  {}",
                    e.id,
                    format!("{}.{}", e.namespace, e.flow_id),
                    super::display::state_name(e.state),
                    e.start_date,
                    duration(e),
                    path.display()
                );
            }
            0
        }
        Some(ExecCommand::Show { id }) => {
            let record = all
                .iter()
                .find(|(_, e)| e.id == id)
                .map(|(path, _)| read_record(path));
            match record {
                Some(Ok(e)) => match serde_json::to_string_pretty(&e) {
                    Ok(t) => {
                        let _ = writeln!(out, "{t}");
                        0
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        1
                    }
                },
                Some(Err(e)) => {
                    eprintln!("error: {e}");
                    1
                }
                None => {
                    eprintln!("error: no execution '{id}' in {where_}");
                    1
                }
            }
        }
    }
}
