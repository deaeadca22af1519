//! What flowable tasks share: the scope their children run in with their own `errors` and
//! `finally`, their outputs on their task run, and how they end.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::exec::registry::Call;
use crate::exec::state::{lock, Exec, Outcome, RunInfo, Scope};
use crate::exec::walk::list;
use crate::record::State;

/// How a flowable ends: its state, outputs and why it failed.
pub(crate) type Done = (State, Option<Map<String, Value>>, Option<String>);

impl From<Done> for Outcome {
    fn from((state, outputs, message): Done) -> Outcome {
        Outcome {
            state,
            outputs,
            message,
        }
    }
}

/// A flowable's children's scope, its `errors` and `finally`, and the variables it renders
/// its own properties with.
pub(crate) struct Frame {
    pub child: Scope,
    pub errors: Vec<Value>,
    pub finally: Vec<Value>,
    pub vars: Map<String, Value>,
}

impl Frame {
    pub fn new(exec: &Exec, call: &Call<'_>) -> Frame {
        let (def, info, scope) = (call.def, call.info, call.scope);
        let mut child = scope.clone();
        child.parent_run = Some(info.id.clone());
        child.depth = scope.depth + 1;
        child.run_value = None;
        // This task run is its children's closest parent when it has a value (its outputs,
        // for If and Switch, are added once known).
        child.parents.insert(0, json!({}));
        if let Some(v) = &scope.run_value {
            child.parents[0]["taskrun"] = json!({ "value": v });
        }
        if let Some(r) = def.get("retry") {
            child.retry = Some(r.clone());
        }
        Frame {
            child,
            errors: list(def, "errors"),
            finally: list(def, "finally"),
            vars: exec.task_vars(info, scope, def),
        }
    }
}

/// A loop value as text (the key of its iteration's outputs).
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Exec {
    pub(crate) fn store_flowable_outputs(&self, info: &RunInfo, outputs: &Value) {
        let mut shared = lock(&self.shared);
        if let Some(run) = shared.record.task_run_mut(&info.id) {
            run.outputs = outputs.as_object().cloned().unwrap_or_default();
        }
    }

    /// The flowable's own errors/finally after its children.
    pub(crate) async fn recover(
        self: Arc<Self>,
        state: State,
        errors: Vec<Value>,
        finally: Vec<Value>,
        scope: Scope,
    ) {
        if state.is_failed() && !errors.is_empty() && !self.is_killed() {
            self.clone().run_list(errors, scope.clone()).await;
        }
        if !finally.is_empty() && !self.is_killed() {
            self.run_list(finally, scope).await;
        }
    }
}
