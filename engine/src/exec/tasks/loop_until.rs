//! LoopUntil (formerly WaitFor): runs its tasks again and again until `condition` renders
//! truthy, as Kestra 1.3's `LoopUntil` and executor do it. The task's `iterationCount` output
//! starts at 1 and is visible to the children; after each round (all children done), unless a
//! maximum of `checkFrequency` is passed (`iterationCount > maxIterations`, or `maxDuration`
//! since the task started), the condition is rendered: truthy ends the loop, else the next round
//! starts after `interval` (default one minute) with the previous round's task runs removed
//! (`ExecutionService.retryWaitFor`). A passed maximum ends the loop without looking at the
//! condition: FAILED with `failOnMaxReached`, else SUCCESS. A failed child fails the loop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::flowable::{Done, Frame};
use crate::exec::outputs_map::nested_insert;
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::retry::duration_of;
use crate::exec::state::{lock, BoxFut, Exec, Outcome, RunInfo, Scope};
use crate::exec::walk::list;
use crate::record::State;
use crate::task::Level;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Flowable,
    types: &[
        "io.kestra.plugin.core.flow.LoopUntil",
        "io.kestra.plugin.core.flow.WaitFor",
    ],
    lines: &[],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move {
        let frame = Frame::new(&exec, call);
        Outcome::from(exec.run_loop_until(call, frame).await)
    })
}

/// Kestra's default `checkFrequency.interval`.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

struct Limits {
    max_iterations: Option<u64>,
    max_duration: Option<Duration>,
    interval: Duration,
}

impl Exec {
    fn loop_limits(&self, def: &Value, vars: &Map<String, Value>) -> Result<Limits, String> {
        let freq = def.get("checkFrequency").cloned().unwrap_or(Value::Null);
        let freq = self.render_json(&freq, vars)?;
        let duration = |key: &str| -> Result<Option<Duration>, String> {
            match freq.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => duration_of(Some(v))
                    .map(Some)
                    .ok_or_else(|| format!("checkFrequency.{key}: invalid duration {v}")),
            }
        };
        let max_iterations = match freq.get("maxIterations") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .or_else(|| v.as_str()?.trim().parse().ok())
                    .ok_or_else(|| format!("checkFrequency.maxIterations: not a number: {v}"))?,
            ),
        };
        Ok(Limits {
            max_iterations,
            max_duration: duration("maxDuration")?,
            interval: duration("interval")?.unwrap_or(DEFAULT_INTERVAL),
        })
    }

    /// The loop's `iterationCount`, on its task run and in `outputs` for its children.
    fn publish_iteration(&self, info: &RunInfo, scope: &Scope, count: u64) -> Map<String, Value> {
        let outputs = json!({ "iterationCount": count });
        self.store_flowable_outputs(info, &outputs);
        // In a Loop iteration, its children read the iteration's outputs.
        let value = outputs.clone();
        match &scope.loop_iteration {
            Some(it) => nested_insert(&mut lock(&it.outputs), &info.task_id, &scope.values, value),
            None => nested_insert(
                &mut lock(&self.shared).outputs,
                &info.task_id,
                &scope.values,
                value,
            ),
        }
        outputs.as_object().cloned().unwrap_or_default()
    }

    async fn run_loop_until(self: Arc<Self>, call: &Call<'_>, frame: Frame) -> Done {
        let (def, info, scope) = (call.def, call.info, call.scope);
        let Frame {
            mut child,
            errors,
            finally,
            vars,
        } = frame;
        let vars = &vars;
        let limits = match self.loop_limits(def, vars) {
            Ok(l) => l,
            Err(e) => return (State::Failed, None, Some(e)),
        };
        let fail_on_max = match def.get("failOnMaxReached") {
            None => false,
            Some(v) => match self.render_string(v, vars) {
                Ok(t) => crate::render::is_truthy(&t),
                Err(e) => return (State::Failed, None, Some(e)),
            },
        };
        let started = Instant::now();
        let mut count = 1;
        let mut outputs = self.publish_iteration(info, scope, count);
        let (state, message) = loop {
            // The loop is its children's closest parent, with its outputs.
            if let Some(entry) = child.parents.first_mut() {
                entry["outputs"] = Value::Object(outputs.clone());
            }
            let s = self
                .clone()
                .run_list(list(def, "tasks"), child.clone())
                .await;
            if s != State::Success && s != State::Warning {
                break (s, None);
            }
            let reached = if limits.max_iterations.is_some_and(|m| count > m) {
                Some("Max iterations reached")
            } else if limits.max_duration.is_some_and(|d| started.elapsed() > d) {
                Some("Max duration reached")
            } else {
                None
            };
            if let Some(why) = reached {
                self.log(
                    Some(&info.task_id),
                    scope.depth,
                    Some(&info.id),
                    Level::Warn,
                    why,
                );
                break if fail_on_max {
                    (State::Failed, Some(why.to_string()))
                } else {
                    (s, None)
                };
            }
            let now = self.task_vars(info, scope, def);
            let cond = def.get("condition").cloned().unwrap_or(Value::Null);
            match self.render_string(&cond, &now) {
                Ok(t) if crate::render::is_truthy(&t) => break (s, None),
                Ok(_) => {}
                Err(e) => break (State::Failed, Some(format!("condition: {e}"))),
            }
            tokio::select! {
                _ = tokio::time::sleep(limits.interval) => {}
                _ = self.wait_killed() => break (State::Killed, None),
            }
            if self.stopping() {
                break (State::Killed, None);
            }
            // The next round replaces the task runs of this one.
            lock(&self.shared)
                .record
                .task_runs
                .retain(|r| r.parent_task_run_id.as_deref() != Some(info.id.as_str()));
            count += 1;
            outputs = self.publish_iteration(info, scope, count);
        };
        self.clone().recover(state, errors, finally, child).await;
        (state, Some(outputs), message)
    }
}
