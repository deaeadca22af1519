//! The executor: walks a flow (as JSON, aliases resolved through a caller-given function) on
//! tokio, task by task, with Kestra's ordering, failure handling, retries and states
//! (`engine-semantics.md` §2–§7). Progress is reported as [`Event`]s on a channel; the result
//! is the [`record::Execution`](crate::record::Execution).
//!
//! Layers, each depending only on those above it: `options` and `outputs_map`; `state` (the
//! running execution); `registry` (what a task family is); `context` (what a task sees);
//! `retry` and `walk` (the task-run envelope, sequences); `tasks` (one module per task
//! family, which the walk reaches only through the registry this module installs).

mod context;
mod defaults;
mod options;
mod outputs_map;
mod registry;
mod retry;
mod state;
mod support;
mod tasks;
mod walk;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Map, Value};

use crate::record::{Execution, State};
use crate::task::Level;
use registry::Registry;
use state::{lock, BoxFut, Exec, Shared};

pub use context::{env_vars, parse_secrets_file, secrets_from_env};
pub use options::{Event, RunOptions, TypeResolver};
pub use support::{supports, unsupported_tasks};

/// Runs `flow` (the flow document as JSON) for the execution `execution` (its id, namespace,
/// flow id and typed inputs already set). Never panics on bad flows: problems fail task runs.
pub async fn run(mut flow: Value, mut execution: Execution, opts: RunOptions) -> Execution {
    registry::install(task_registry);
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
        start_date: execution.start_date.to_iso(),
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
    let root = state::Scope::root(exec.flow.get("retry").cloned());
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
    if let Err(message) = render_flow_outputs(&exec) {
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
        outputs_map::restore_task_outputs(&mut shared.outputs, &mut shared.record.task_runs);
        shared.record.state = state;
        shared.record.end_date = Some(crate::record::now());
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

/// The task families, and this entry point for Subflow tasks, as the walk finds them.
fn task_registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> =
        LazyLock::new(|| Registry::new(tasks::FAMILIES, start_child));
    &REGISTRY
}

fn start_child(flow: Value, execution: Execution, opts: RunOptions) -> BoxFut<'static, Execution> {
    Box::pin(run(flow, execution, opts))
}

/// `Label.CORRELATION_ID` in Kestra.
const CORRELATION_ID: &str = "system.correlationId";

fn render_flow_outputs(exec: &Exec) -> Result<(), String> {
    let Some(Value::Array(outputs)) = exec.flow.get("outputs") else {
        return Ok(());
    };
    let vars = exec.base_vars();
    let host = exec.host();
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
        let v =
            rendered_value.map_err(|e| format!("Unable to render the flow output '{id}': {e}"))?;
        rendered.insert(id.to_string(), v);
    }
    lock(&exec.shared).record.outputs = rendered;
    Ok(())
}
