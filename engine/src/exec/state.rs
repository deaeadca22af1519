//! The state of a running execution, which every part of the executor reads and updates: the
//! record being built, the outputs expressions read, labels and variables, whether it was
//! killed or exited; where a task runs ([`Scope`]) and what its run is ([`RunInfo`]); what a
//! task ends with ([`Outcome`]). A leaf: it knows no task family and no walk.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value};

use super::options::{Event, RunOptions};
use super::outputs_map::{into_map, nested_insert, nested_take};
use crate::record::{Execution, LogEntry, State};
use crate::scripts::WorkingDir;
use crate::task::{Level, TaskLog};

pub(crate) type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Mutable state of a running execution.
pub(crate) struct Shared {
    pub record: Execution,
    /// `outputs.<task>…`: every finished run's outputs, held here alone until the end.
    pub outputs: Map<String, Value>,
    pub labels: Map<String, Value>,
    pub variables: Map<String, Value>,
}

pub(crate) struct Exec {
    pub opts: RunOptions,
    pub flow: Value,
    pub namespace: String,
    pub flow_id: String,
    pub execution_id: String,
    pub start_date: String,
    pub inputs: Map<String, Value>,
    pub secret_values: Vec<String>,
    pub shared: Mutex<Shared>,
    pub exit: Mutex<Option<State>>,
    pub killed: Arc<AtomicBool>,
    pub said_container: AtomicBool,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where a task runs: its parent task run, the loop values around it, inherited settings.
#[derive(Clone, Default)]
pub(crate) struct Scope {
    pub parent_run: Option<String>,
    /// Loop values, outer → inner (outputs are nested by them).
    pub values: Vec<String>,
    pub iteration: Option<usize>,
    /// `parents`: the enclosing task runs that have a value or outputs, closest first, as
    /// `{taskrun: {value}, outputs}` (Kestra's `Execution.parents`).
    pub parents: Vec<Value>,
    /// The value Kestra gives a task run created here: the iteration's value for the direct
    /// children of a loop, none deeper (`FlowableUtils.resolveTasks` passes no value on).
    pub run_value: Option<String>,
    /// `workerTaskrun`: the enclosing WorkingDirectory's task run, whose value its tasks see as
    /// theirs (`RunContextInitializer.forWorkingDirectory`).
    pub worker_taskrun: Option<Value>,
    pub depth: usize,
    /// Nearest `retry` of the task's ancestors (else the flow's).
    pub retry: Option<Value>,
    /// The shared directory of an enclosing WorkingDirectory.
    pub workdir: Option<Arc<WorkingDir>>,
}

impl Scope {
    pub fn root(retry: Option<Value>) -> Scope {
        Scope {
            retry,
            ..Scope::default()
        }
    }
}

/// The task run being executed, as templates see it.
#[derive(Clone)]
pub(crate) struct RunInfo {
    pub id: String,
    pub task_id: String,
    pub type_: String,
    pub start_date: crate::time::Instant,
    pub attempts: usize,
}

pub(crate) struct Outcome {
    pub state: State,
    pub outputs: Option<Map<String, Value>>,
    pub message: Option<String>,
}

impl Outcome {
    pub fn failed(message: impl Into<String>) -> Outcome {
        Outcome {
            state: State::Failed,
            outputs: None,
            message: Some(message.into()),
        }
    }
    pub fn ok(outputs: Map<String, Value>) -> Outcome {
        Outcome {
            state: State::Success,
            outputs: Some(outputs),
            message: None,
        }
    }
}

/// A task's log sink: lines go to the record and the event stream.
pub(crate) struct RunLog {
    pub exec: Arc<Exec>,
    pub task_id: String,
    pub run_id: String,
    pub depth: usize,
}

impl TaskLog for RunLog {
    fn log(&self, level: Level, message: &str) {
        self.exec.log(
            Some(&self.task_id),
            self.depth,
            Some(&self.run_id),
            level,
            message,
        );
    }
}

impl Exec {
    pub(crate) fn emit(&self, event: Event) {
        if let Some(tx) = &self.opts.events {
            let _ = tx.send(event);
        }
    }

    pub(crate) fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Whether no further task may start (killed, or an Exit task ran).
    pub(crate) fn stopping(&self) -> bool {
        self.is_killed() || lock(&self.exit).is_some()
    }

    pub(crate) fn log(
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

    /// Resolves once the execution is killed.
    pub(crate) async fn wait_killed(&self) {
        while !self.is_killed() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Updates the record (state, attempts, outputs) and tells the listeners.
    pub(crate) fn set_state(
        &self,
        info: &RunInfo,
        scope: &Scope,
        state: State,
        duration: Option<std::time::Duration>,
        message: Option<String>,
    ) {
        {
            let mut shared = lock(&self.shared);
            if let Some(run) = shared.record.task_run_mut(&info.id) {
                run.state = state;
                if state.is_terminal() {
                    run.end_date = Some(crate::record::now());
                }
            }
        }
        self.emit(Event::StateChanged {
            task_run_id: info.id.clone(),
            task_id: info.task_id.clone(),
            depth: scope.depth,
            value: scope.values.last().cloned(),
            state,
            duration,
            message,
        });
    }

    /// Keeps a finished run's outputs once, where expressions read them; the record's task run
    /// gets them when the execution ends (a loop of 200,000 iterations holds one copy, not
    /// two). A run whose place is taken over (a repeated loop value) gets its outputs now.
    pub(crate) fn keep_outputs(&self, info: &RunInfo, scope: &Scope, outputs: Map<String, Value>) {
        let mut shared = lock(&self.shared);
        let shared = &mut *shared;
        let path = &scope.values;
        if let Some(previous) = nested_take(&mut shared.outputs, &info.task_id, path) {
            if let Some(owner) = shared.record.task_runs.iter_mut().rev().find(|r| {
                r.outputs_pending
                    && r.id != info.id
                    && r.task_id == info.task_id
                    && r.values_path() == *path
            }) {
                owner.outputs = into_map(previous);
                owner.outputs_pending = false;
            }
        }
        if let Some(run) = shared.record.task_run_mut(&info.id) {
            run.outputs_pending = true;
        }
        nested_insert(
            &mut shared.outputs,
            &info.task_id,
            path,
            Value::Object(outputs),
        );
    }

    pub(crate) fn add_attempt(&self, info: &RunInfo, state: State, start: crate::time::Instant) {
        let mut shared = lock(&self.shared);
        if let Some(run) = shared.record.task_run_mut(&info.id) {
            // Most runs have one attempt: room for exactly that, not the four a first push makes.
            run.attempts.reserve_exact(1);
            run.attempts.push(crate::record::Attempt {
                state,
                start_date: start,
                end_date: Some(crate::record::now()),
            });
        }
    }
}
