//! The task-run envelope shared by every task (disabled, runIf, states, allowFailure) and the
//! sequential group with `errors` / `finally`.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value};

use super::options::Event;
use super::registry::{self, Call, Kind};
use super::state::{lock, BoxFut, Exec, Outcome, RunInfo, Scope};
use crate::record::{State, TaskRun};
use crate::task::Level;

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
    "when",
    "disabled",
    "allowFailure",
    "allowWarning",
    "logLevel",
    "logToFile",
    "workerGroup",
    "version",
];

impl Exec {
    pub(crate) fn run_list(
        self: Arc<Self>,
        tasks: Vec<Value>,
        scope: Scope,
    ) -> BoxFut<'static, State> {
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
    ) -> BoxFut<'static, State> {
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
    pub(crate) fn run_task(
        self: Arc<Self>,
        def: Value,
        scope: Scope,
    ) -> BoxFut<'static, Option<State>> {
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
            run.loop_execution_id = scope.loop_iteration.as_ref().map(|i| i.id.clone());
            let info = RunInfo {
                id: run.id.clone(),
                task_id: task_id.clone(),
                type_: type_.clone(),
                start_date: run.start_date,
                attempts: 0,
            };
            run.state = State::Created;
            lock(&self.shared).record.task_runs.push(Box::new(run));
            self.emit(Event::TaskRunCreated {
                task_run_id: info.id.clone(),
                task_id: task_id.clone(),
                depth: scope.depth,
                value: scope.shown_value(),
            });
            let started = Instant::now();
            // runIf, which Kestra 2.0 spells `when` (keeping `runIf` as an alias: the 2.0
            // migration guide).
            let when = (self.opts.kestra_line >= (2, 0))
                .then(|| def.get("when"))
                .flatten();
            if let Some(cond) = when.or_else(|| def.get("runIf")) {
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
            let family = registry::installed().and_then(|r| r.family(&type_));
            let flowable = family.is_some_and(|f| f.kind == Kind::Flowable);
            let outcome = match family {
                None => Outcome::failed(format!(
                    "task type '{type_}' is not supported by kflow's local runner"
                )),
                Some(f) if flowable => {
                    let call = Call {
                        def: &def,
                        type_: &type_,
                        info: &info,
                        scope: &scope,
                        timeout: None,
                    };
                    (f.run)(self.clone(), &call).await
                }
                Some(f) => {
                    self.clone()
                        .run_with_retry(f, &def, &type_, &info, &scope)
                        .await
                }
            };
            let state = if flowable || !matches!(outcome.state, State::Killed) {
                apply_allow(&def, outcome.state)
            } else {
                outcome.state
            };
            self.finish(
                &info,
                &scope,
                state,
                outcome.outputs,
                started,
                outcome.message,
            );
            Some(state)
        })
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
            self.keep_outputs(info, scope, outputs);
        }
        self.set_state(info, scope, state, Some(started.elapsed()), message);
    }
}
