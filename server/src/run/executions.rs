//! `kflow executions [--storage DIR] [show ID]`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use kflow_engine::record::Execution;

#[derive(Args)]
pub struct ExecutionsArgs {
    /// Storage folder (default `.kflow` in the current directory).
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

fn records(root: &Path) -> Vec<(PathBuf, Execution)> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(".kflow-executions")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                if let Ok(exec) = std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| {
                        serde_json::from_slice::<Execution>(&b).map_err(|e| e.to_string())
                    })
                {
                    out.push((path, exec));
                }
            }
        }
    }
    out.sort_by(|a, b| a.1.start_date.cmp(&b.1.start_date));
    out
}

fn duration(e: &Execution) -> String {
    let (Ok(start), Some(Ok(end))) = (
        kflow_engine::time::Instant::parse(&e.start_date),
        e.end_date
            .as_deref()
            .map(kflow_engine::time::Instant::parse),
    ) else {
        return "-".into();
    };
    let secs =
        (end.secs - start.secs) as f64 + (f64::from(end.nanos) - f64::from(start.nanos)) / 1e9;
    format!("{secs:.2}s")
}

pub fn executions(args: ExecutionsArgs) -> u8 {
    let root = args.storage.unwrap_or_else(|| PathBuf::from(".kflow"));
    let all = records(&root);
    match args.command {
        None => {
            if all.is_empty() {
                println!("no executions in {}", root.display());
                return 0;
            }
            println!(
                "{:<22}  {:<40}  {:<9}  {:<24}  DURATION",
                "ID", "FLOW", "STATE", "START"
            );
            for (_, e) in &all {
                println!(
                    "{:<22}  {:<40}  {:<9}  {:<24}  {}",
                    e.id,
                    format!("{}.{}", e.namespace, e.flow_id),
                    super::human::state_name(e.state),
                    e.start_date,
                    duration(e)
                );
            }
            0
        }
        Some(ExecCommand::Show { id }) => match all.iter().find(|(_, e)| e.id == id) {
            Some((_, e)) => match serde_json::to_string_pretty(e) {
                Ok(t) => {
                    println!("{t}");
                    0
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    1
                }
            },
            None => {
                eprintln!("error: no execution '{id}' in {}", root.display());
                1
            }
        },
    }
}
