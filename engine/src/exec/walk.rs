//! The task-run envelope shared by every task (disabled, runIf, states, allowFailure) and the
//! sequential group with `errors` / `finally`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value};

use super::{lock, Event, Exec};
use crate::record::{State, TaskRun};
use crate::render::RenderContext;
use crate::scripts::WorkingDir;
use crate::task::Level;

pub(crate) type BoxFut<T> = Pin<Box<dyn Future<Output = T> + Send>>;

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
    pub start_date: String,
    pub attempts: usize,
}

pub(crate) fn list(def: &Value, key: &str) -> Vec<Value> {
    match def.get(key) {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

/// Kestra's group state over the main tasks (§2).
pub(crate) fn merge(states: &[State]) -> State {
    if states.contains(&State::Killed) {
        State::Killed
    } else if states.iter().any(|s| s.is_failed()) {
        State::Failed
    } else if states.contains(&State::Warning) {
        State::Warning
    } else if states.contains(&State::Paused) {
        State::Paused
    } else {
        State::Success
    }
}

/// allowFailure / allowWarning of a task.
pub(crate) fn apply_allow(def: &Value, state: State) -> State {
    let allow_failure = def.get("allowFailure").and_then(Value::as_bool) == Some(true);
    let allow_warning = def.get("allowWarning").and_then(Value::as_bool) == Some(true);
    match state {
        State::Failed if allow_failure && allow_warning => State::Success,
        State::Failed if allow_failure => State::Warning,
        State::Warning if allow_warning => State::Success,
        s => s,
    }
}

/// Keys that are never task properties.
pub(crate) const META_KEYS: &[&str] = &[
    "id",
    "type",
    "description",
    "retry",
    "timeout",
    "runIf",
    "disabled",
    "allowFailure",
    "allowWarning",
    "logLevel",
    "logToFile",
    "workerGroup",
    "version",
];

impl Exec {
    pub(crate) fn run_list(self: Arc<Self>, tasks: Vec<Value>, scope: Scope) -> BoxFut<State> {
        self.run_group(tasks, Vec::new(), Vec::new(), scope)
    }

    /// `tasks` in order; on the first failure `errors`; then `finally`. The state is over
    /// `tasks` only.
    pub(crate) fn run_group(
        self: Arc<Self>,
        tasks: Vec<Value>,
        errors: Vec<Value>,
        finally: Vec<Value>,
        scope: Scope,
    ) -> BoxFut<State> {
        Box::pin(async move {
            let mut states = Vec::new();
            for task in &tasks {
                if self.stopping() {
                    break;
                }
                if let Some(state) = self.clone().run_task(task.clone(), scope.clone()).await {
                    states.push(state);
                    if state.is_failed() {
                        break;
                    }
                }
            }
            let state = merge(&states);
            if state.is_failed() && !errors.is_empty() && !self.is_killed() {
                self.clone().run_list(errors, scope.clone()).await;
            }
            if !finally.is_empty() && !self.is_killed() {
                self.clone().run_list(finally, scope).await;
            }
            state
        })
    }

    /// One task: `None` when disabled (no task run).
    pub(crate) fn run_task(self: Arc<Self>, def: Value, scope: Scope) -> BoxFut<Option<State>> {
        Box::pin(async move {
            if def.get("disabled").and_then(Value::as_bool) == Some(true) {
                return None;
            }
            let task_id = def
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("<no id>")
                .to_string();
            let raw_type = def.get("type").and_then(Value::as_str).unwrap_or("");
            let type_ = (self.opts.resolve_type)(raw_type);
            let mut run = TaskRun::new(
                &task_id,
                scope.parent_run.as_deref(),
                scope.values.last().cloned(),
            );
            if let Some((_, outer)) = scope.values.split_last() {
                run.outer_values = outer.to_vec();
            }
            let info = RunInfo {
                id: run.id.clone(),
                task_id: task_id.clone(),
                type_: type_.clone(),
                start_date: run.start_date.clone(),
                attempts: 0,
            };
            run.state = State::Created;
            lock(&self.shared).record.task_runs.push(Box::new(run));
            self.emit(Event::TaskRunCreated {
                task_run_id: info.id.clone(),
                task_id: task_id.clone(),
                depth: scope.depth,
                value: scope.values.last().cloned(),
            });
            let started = Instant::now();
            // runIf
            if let Some(cond) = def.get("runIf") {
                let vars = self.task_vars(&info, &scope, &def);
                match self.render_string(cond, &vars) {
                    Ok(text) if !crate::render::is_truthy(&text) => {
                        self.finish(&info, &scope, State::Skipped, None, started, None);
                        return Some(State::Skipped);
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let msg = format!("runIf: {e}");
                        self.finish(&info, &scope, State::Failed, None, started, Some(msg));
                        return Some(apply_allow(&def, State::Failed));
                    }
                }
            }
            self.set_state(&info, &scope, State::Running, None, None);
            let (state, outputs, message) = if super::flowable::is_flowable(&type_) {
                self.clone().run_flowable(&def, &type_, &info, &scope).await
            } else {
                self.clone()
                    .run_with_retry(&def, &type_, &info, &scope)
                    .await
            };
            let state = if super::flowable::is_flowable(&type_) || !matches!(state, State::Killed) {
                apply_allow(&def, state)
            } else {
                state
            };
            self.finish(&info, &scope, state, outputs, started, message);
            Some(state)
        })
    }

    pub(crate) fn render_string(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
    ) -> Result<String, String> {
        let host = self.host_for(value);
        let cx = RenderContext { vars, host: &host };
        match value {
            Value::String(s) => crate::render::render(s, &cx).map_err(|e| e.message),
            other => Ok(match other {
                Value::Null => String::new(),
                v => v.to_string(),
            }),
        }
    }

    pub(crate) fn render_json(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
    ) -> Result<Value, String> {
        self.render_tree(value, vars, crate::render::render_json)
    }

    /// Like [`Self::render_json`], but every string renders to text.
    pub(crate) fn render_json_text(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
    ) -> Result<Value, String> {
        self.render_tree(value, vars, crate::render::render_json_text)
    }

    /// `render` applied to `value` with `vars` and the host `value` needs.
    fn render_tree(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
        render: fn(&Value, &RenderContext) -> Result<Value, crate::render::RenderError>,
    ) -> Result<Value, String> {
        let host = self.host_for(value);
        let cx = RenderContext { vars, host: &host };
        render(value, &cx).map_err(|e| e.message)
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
                    run.end_date = Some(crate::record::now_iso());
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

    fn finish(
        &self,
        info: &RunInfo,
        scope: &Scope,
        state: State,
        outputs: Option<Map<String, Value>>,
        started: Instant,
        message: Option<String>,
    ) {
        if let Some(m) = &message {
            self.log(
                Some(&info.task_id),
                scope.depth,
                Some(&info.id),
                Level::Error,
                m,
            );
        }
        if let Some(outputs) = outputs {
            let mut shared = lock(&self.shared);
            let shared = &mut *shared;
            // Kept once, where expressions read them; the record's task run gets them when the
            // execution ends (a loop of 200,000 iterations holds one copy, not two). A run
            // whose place is taken over (a repeated loop value) gets its outputs now.
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
        self.set_state(info, scope, state, Some(started.elapsed()), message);
    }

    pub(crate) fn add_attempt(&self, info: &RunInfo, state: State, start: String) {
        let mut shared = lock(&self.shared);
        if let Some(run) = shared.record.task_run_mut(&info.id) {
            // Most runs have one attempt: room for exactly that, not the four a first push makes.
            run.attempts.reserve_exact(1);
            run.attempts.push(crate::record::Attempt {
                state,
                start_date: start,
                end_date: Some(crate::record::now_iso()),
            });
        }
    }
}

/// Removes and returns `outputs.<id>[v1][v2]`.
pub(crate) fn nested_take(
    map: &mut Map<String, Value>,
    id: &str,
    values: &[String],
) -> Option<Value> {
    let Some((last, outer)) = values.split_last() else {
        return map.remove(id);
    };
    let mut cur = map.get_mut(id)?;
    for v in outer {
        cur = cur.as_object_mut()?.get_mut(v)?;
    }
    cur.as_object_mut()?.remove(last)
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Gives every finished task run its outputs back from the execution's `outputs`, where they
/// were kept while it ran (see `finish`): latest runs first, as they hold the places.
pub(crate) fn restore_task_outputs(outputs: &mut Map<String, Value>, runs: &mut [Box<TaskRun>]) {
    for run in runs.iter_mut().rev().filter(|r| r.outputs_pending) {
        run.outputs_pending = false;
        if let Some(value) = nested_take(outputs, &run.task_id, &run.values_path()) {
            run.outputs = into_map(value);
        }
    }
}

/// `tasks.<id>[v1][v2].state` of every finished task run, as Kestra's `tasks` variable:
/// built when an expression reads it rather than kept up to date for every run.
pub(crate) fn task_states(runs: &[Box<TaskRun>]) -> Map<String, Value> {
    let mut tasks = Map::new();
    for run in runs.iter().filter(|r| r.state.is_terminal()) {
        let state = serde_json::json!({ "state": run.state });
        nested_insert(&mut tasks, &run.task_id, &run.values_path(), state);
    }
    tasks
}

/// `outputs.<id>[v1][v2] = value`.
pub(crate) fn nested_insert(
    map: &mut Map<String, Value>,
    id: &str,
    values: &[String],
    value: Value,
) {
    if values.is_empty() {
        map.insert(id.to_string(), value);
        return;
    }
    let mut cur = map
        .entry(id.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    for v in values {
        if !cur.is_object() {
            *cur = Value::Object(Map::new());
        }
        let Value::Object(m) = cur else { return };
        cur = m
            .entry(v.clone())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    *cur = value;
}
