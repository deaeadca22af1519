//! The executor: walks a flow (as JSON, aliases resolved through a caller-given function) on
//! tokio, task by task, with Kestra's ordering, failure handling, retries and states
//! (`engine-semantics.md` §2–§7). Progress is reported as [`Event`]s on a channel; the result
//! is the [`record::Execution`](crate::record::Execution).

mod context;
mod defaults;
mod flowable;
mod retry;
mod runnable;
mod support;
mod walk;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::record::{Execution, LogEntry, State};
use crate::storage::Storage;
use crate::task::Level;

pub use context::{env_vars, parse_secrets_file, secrets_from_env};
pub use support::{supports, unsupported_tasks};

/// Canonical name of a task type (aliases resolved); identity when unknown.
pub type TypeResolver = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// What the executor reports while it runs.
#[derive(Clone, Debug)]
pub enum Event {
    TaskRunCreated {
        task_run_id: String,
        task_id: String,
        depth: usize,
        value: Option<String>,
    },
    StateChanged {
        task_run_id: String,
        task_id: String,
        depth: usize,
        value: Option<String>,
        state: State,
        /// Time since the task run was created, for terminal states.
        duration: Option<Duration>,
        /// Why it failed, when it did.
        message: Option<String>,
    },
    Log {
        task_id: Option<String>,
        depth: usize,
        level: Level,
        message: String,
    },
    ExecutionEnded {
        state: State,
    },
}

/// How to run: storage, secrets, environment, where events go.
#[derive(Clone)]
pub struct RunOptions {
    pub storage: Storage,
    /// The flow file (its folder is searched for subflows).
    pub flow_path: Option<PathBuf>,
    /// Secret name → value (`secret('X')`); values are masked in logs and in the record.
    pub secrets: BTreeMap<String, String>,
    /// `envs.*` (the `ENV_` prefix stripped, lower-cased).
    pub envs: Map<String, Value>,
    pub resolve_type: TypeResolver,
    pub events: Option<tokio::sync::mpsc::UnboundedSender<Event>>,
    /// Set to true to kill the execution (Ctrl-C).
    pub cancel: Option<tokio::sync::watch::Receiver<bool>>,
    /// Python interpreter for script tasks, and the dependency cache.
    pub python: String,
    pub cache_dir: PathBuf,
    /// Nesting of subflow executions (guards against a flow calling itself forever).
    pub subflow_depth: usize,
}

impl RunOptions {
    pub fn new(storage: Storage) -> RunOptions {
        let cache_dir = storage.root().join(".kflow-cache");
        RunOptions {
            storage,
            flow_path: None,
            secrets: BTreeMap::new(),
            envs: Map::new(),
            resolve_type: Arc::new(|t: &str| t.to_string()),
            events: None,
            cancel: None,
            python: "python3".into(),
            cache_dir,
            subflow_depth: 0,
        }
    }
}

/// Mutable state of a running execution.
struct Shared {
    record: Execution,
    /// `outputs.<task>…`: every finished run's outputs, held here alone until the end.
    outputs: Map<String, Value>,
    labels: Map<String, Value>,
    variables: Map<String, Value>,
}

pub(crate) struct Exec {
    opts: RunOptions,
    flow: Value,
    namespace: String,
    flow_id: String,
    execution_id: String,
    start_date: String,
    inputs: Map<String, Value>,
    secret_values: Vec<String>,
    shared: Mutex<Shared>,
    exit: Mutex<Option<State>>,
    killed: Arc<AtomicBool>,
    said_container: AtomicBool,
}

/// Runs `flow` (the flow document as JSON) for the execution `execution` (its id, namespace,
/// flow id and typed inputs already set). Never panics on bad flows: problems fail task runs.
pub async fn run(mut flow: Value, mut execution: Execution, opts: RunOptions) -> Execution {
    defaults::apply(&mut flow, &*opts.resolve_type);
    let mut secret_values: Vec<String> = opts.secrets.values().cloned().collect();
    secret_values.retain(|s| !s.is_empty());
    execution.state = State::Running;
    // Log lines go to a file beside the record as they come; memory stays flat however much a
    // task prints (kept in memory when the file cannot be created).
    let spill = Execution::logs_spill_path(
        &opts.storage,
        &execution.namespace,
        &execution.flow_id,
        &execution.id,
    );
    let _ = execution.logs.spill_to(&spill);
    let variables = flow
        .get("variables")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let labels = match flow.get("labels") {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| {
                Some((
                    i.get("key")?.as_str()?.to_string(),
                    i.get("value").cloned().unwrap_or(Value::Null),
                ))
            })
            .collect(),
        _ => Map::new(),
    };
    // Kestra gives every execution a correlation label: its own id, unless a parent's is given.
    let mut labels = labels;
    labels
        .entry(CORRELATION_ID)
        .or_insert_with(|| Value::String(execution.id.clone()));
    let exec = Arc::new(Exec {
        namespace: execution.namespace.clone(),
        flow_id: execution.flow_id.clone(),
        execution_id: execution.id.clone(),
        start_date: execution.start_date.clone(),
        inputs: execution.inputs.clone(),
        secret_values,
        shared: Mutex::new(Shared {
            record: execution,
            outputs: Map::new(),
            labels,
            variables,
        }),
        exit: Mutex::new(None),
        killed: Arc::new(AtomicBool::new(false)),
        said_container: AtomicBool::new(false),
        flow,
        opts,
    });
    if let Some(mut cancel) = exec.opts.cancel.clone() {
        let watcher = exec.killed.clone();
        tokio::spawn(async move {
            loop {
                if *cancel.borrow() {
                    watcher.store(true, Ordering::SeqCst);
                    break;
                }
                if cancel.changed().await.is_err() {
                    break;
                }
            }
        });
    }
    let root = walk::Scope::root(exec.flow.get("retry").cloned());
    let tasks = walk::list(&exec.flow, "tasks");
    let errors = walk::list(&exec.flow, "errors");
    let finally = walk::list(&exec.flow, "finally");
    let mut state = exec
        .clone()
        .run_group(tasks, errors, finally, root.clone())
        .await;
    if let Some(forced) = *lock(&exec.exit) {
        state = forced;
    }
    if exec.is_killed() {
        state = State::Killed;
    }
    // Flow outputs.
    if let Err(message) = exec.render_flow_outputs() {
        exec.log(None, 0, None, Level::Error, &message);
        if !state.is_failed() {
            state = State::Failed;
        }
    }
    let after = walk::list(&exec.flow, "afterExecution");
    if !after.is_empty() {
        // afterExecution runs even when killed.
        exec.killed.store(false, Ordering::SeqCst);
        *lock(&exec.exit) = None;
        exec.clone().run_list(after, root).await;
    }
    let mut record = {
        let mut shared = lock(&exec.shared);
        let shared = &mut *shared;
        walk::restore_task_outputs(&mut shared.outputs, &mut shared.record.task_runs);
        shared.record.state = state;
        shared.record.end_date = Some(crate::record::now_iso());
        // Label values are strings in Kestra (`Label(String, String)`): 42, true and 3.14 are
        // recorded as their text.
        shared.record.labels = shared
            .labels
            .iter()
            .map(|(key, value)| crate::record::Label {
                key: key.clone(),
                value: match value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
            })
            .collect();
        // Taken, not cloned: nothing reads it once the run is over, and it may be large.
        let placeholder = Execution::new(&exec.namespace, &exec.flow_id);
        std::mem::replace(&mut shared.record, placeholder)
    };
    record.mask_secrets(&exec.secret_values);
    exec.emit(Event::ExecutionEnded { state });
    record
}

/// `Label.CORRELATION_ID` in Kestra.
const CORRELATION_ID: &str = "system.correlationId";

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Exec {
    fn emit(&self, event: Event) {
        if let Some(tx) = &self.opts.events {
            let _ = tx.send(event);
        }
    }

    fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Whether no further task may start (killed, or an Exit task ran).
    fn stopping(&self) -> bool {
        self.is_killed() || lock(&self.exit).is_some()
    }

    fn log(
        &self,
        task_id: Option<&str>,
        depth: usize,
        task_run_id: Option<&str>,
        level: Level,
        message: &str,
    ) {
        let message = crate::record::mask(message, &self.secret_values);
        lock(&self.shared).record.logs.push(LogEntry {
            task_id: task_id.map(str::to_string),
            task_run_id: task_run_id.map(str::to_string),
            level,
            message: message.clone(),
            timestamp: crate::record::now_iso(),
        });
        self.emit(Event::Log {
            task_id: task_id.map(str::to_string),
            depth,
            level,
            message,
        });
    }

    fn render_flow_outputs(&self) -> Result<(), String> {
        let Some(Value::Array(outputs)) = self.flow.get("outputs") else {
            return Ok(());
        };
        let vars = self.base_vars();
        let host = self.host();
        let cx = crate::render::RenderContext {
            vars: &vars,
            host: &host,
        };
        let mut rendered = Map::new();
        for out in outputs {
            let Some(id) = out.get("id").and_then(Value::as_str) else {
                continue;
            };
            let value = out.get("value").cloned().unwrap_or(Value::Null);
            // A STRING output is rendered as text, as Kestra renders it before typing it: a map
            // read whole (`{{ outputs.t }}`) becomes its JSON text, not a map.
            let as_text = out.get("type").and_then(Value::as_str) == Some("STRING");
            let rendered_value = if as_text {
                crate::render::render_json_text(&value, &cx)
            } else {
                crate::render::render_json(&value, &cx)
            };
            let v = rendered_value
                .map_err(|e| format!("Unable to render the flow output '{id}': {e}"))?;
            rendered.insert(id.to_string(), v);
        }
        lock(&self.shared).record.outputs = rendered;
        Ok(())
    }
}
