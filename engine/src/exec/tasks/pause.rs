//! The Pause task, as Kestra's executor ends it when nobody resumes the execution (a local run
//! has no one to): after `pauseDuration` (or its old name `delay`) in the state its `behavior`
//! names (RESUME, the default, then runs the children: `onPause` and the deprecated `tasks`);
//! without a duration, after the task's `timeout`, FAILED (`ExecutorService.handlePausedDelay`,
//! `ExecutionService.markAs`, `Pause.resolveState`). A Pause with neither waits for a manual
//! resume: the family refuses it before the run.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::flowable::{Done, Frame};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::retry::duration_of;
use crate::exec::state::{BoxFut, Exec, Outcome};
use crate::exec::walk::list;
use crate::record::State;
use crate::task::Level;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Flowable,
    types: &["io.kestra.plugin.core.flow.Pause"],
    lines: &[],
    run,
    refuse: Some(refuse),
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move {
        let frame = Frame::new(&exec, call);
        Outcome::from(exec.run_pause(call, frame).await)
    })
}

/// A Pause with neither `pauseDuration` (nor its old name `delay`) nor `timeout` waits until
/// someone resumes the execution through Kestra's API or UI: a local run never would.
fn refuse(_: &str, task: &Map<String, Value>) -> Option<String> {
    ["pauseDuration", "delay", "timeout"]
        .iter()
        .all(|k| task.get(*k).is_none_or(Value::is_null))
        .then(|| "a Pause without `pauseDuration` nor `timeout` waits for a manual resume, which a local run cannot give, so the run is refused".into())
}

/// The state a paused task reaches when its duration ends (`Pause.Behavior.mapToState`, with
/// RESUME's RUNNING meaning that the children run and the task succeeds).
fn state_of_behavior(behavior: &str) -> Option<State> {
    match behavior.trim().to_ascii_uppercase().as_str() {
        "RESUME" => Some(State::Success),
        "WARN" => Some(State::Warning),
        "CANCEL" => Some(State::Cancelled),
        "FAIL" => Some(State::Failed),
        _ => None,
    }
}

impl Exec {
    async fn run_pause(self: Arc<Self>, call: &Call<'_>, frame: Frame) -> Done {
        let (def, info, scope) = (call.def, call.info, call.scope);
        let Frame {
            child,
            errors,
            finally,
            vars,
        } = frame;
        let vars = &vars;
        let render = |key: &str| {
            def.get(key)
                .filter(|v| !v.is_null())
                .map(|v| self.render_string(v, vars))
                .transpose()
        };
        let (duration, timeout, behavior) = match (
            render("pauseDuration").and_then(|d| Ok(d.or(render("delay")?))),
            render("timeout"),
            render("behavior"),
        ) {
            (Ok(d), Ok(t), Ok(b)) => (d, t, b),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                return (State::Failed, None, Some(e))
            }
        };
        // A duration ends the pause in the state of `behavior`; a timeout alone fails it.
        let (text, terminal, failure) = match (duration, timeout) {
            (Some(d), _) => {
                let b = behavior.unwrap_or_else(|| "RESUME".into());
                match state_of_behavior(&b) {
                    Some(s) => {
                        let failure = format!("the pause ended after {d} with behavior {b}");
                        (d, s, failure)
                    }
                    None => {
                        return (
                            State::Failed,
                            None,
                            Some(format!("invalid pause behavior '{b}'")),
                        )
                    }
                }
            }
            (None, Some(t)) => {
                let failure = format!("the pause timed out after {t}: nobody resumed it");
                (t, State::Failed, failure)
            }
            (None, None) => {
                return (
                    State::Failed,
                    None,
                    Some(
                        "a Pause without pauseDuration nor timeout waits for a manual resume"
                            .into(),
                    ),
                )
            }
        };
        let Some(wait) = duration_of(Some(&Value::String(text.clone()))) else {
            return (
                State::Failed,
                None,
                Some(format!("invalid pause duration '{text}'")),
            );
        };
        self.set_state(info, scope, State::Paused, None, None);
        self.log(
            Some(&info.task_id),
            scope.depth,
            Some(&info.id),
            Level::Info,
            &format!("paused for {text}"),
        );
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = self.wait_killed() => return (State::Killed, None, None),
        }
        // Pause.childTasks: `onPause` first, then the deprecated `tasks`.
        let mut tasks = list(def, "tasks");
        if let Some(on_pause) = def.get("onPause").filter(|p| p.is_object()) {
            tasks.insert(0, on_pause.clone());
        }
        if tasks.is_empty() && errors.is_empty() && finally.is_empty() {
            return (terminal, None, terminal.is_failed().then_some(failure));
        }
        self.set_state(info, scope, State::Running, None, None);
        if terminal == State::Failed {
            // A failing end sends the flowable to its `errors`; its children never run.
            if !errors.is_empty() && !self.is_killed() {
                self.clone().run_list(errors, child.clone()).await;
            }
            if !finally.is_empty() && !self.is_killed() {
                self.clone().run_list(finally, child).await;
            }
            return (State::Failed, None, Some(failure));
        }
        let s = self.run_group(tasks, errors, finally, child).await;
        // Execution.guessFinalState: the worst child state, else the pause's own end.
        (if s == State::Success { terminal } else { s }, None, None)
    }
}
