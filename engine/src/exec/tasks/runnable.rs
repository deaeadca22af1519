//! What runnable tasks share: their properties as written and rendered, the storage key of
//! their run and its log sink, and the conversion of their result into an [`Outcome`].

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::exec::registry::Call;
use crate::exec::state::{Exec, Outcome, RunLog};
use crate::exec::walk::META_KEYS;
use crate::storage::TaskRunKey;
use crate::task::TaskError;

/// A runnable task run, ready for its family's work.
pub(crate) struct Prepared {
    /// The rendered properties (empty until [`Prepared::rendered`]).
    pub map: Map<String, Value>,
    /// The properties as written (task keywords such as `id` or `retry` removed): map
    /// properties whose values render to text, and files, are rendered from these.
    pub raw: Value,
    pub vars: Map<String, Value>,
    pub key: TaskRunKey,
    pub log: RunLog,
}

impl Prepared {
    /// Everything but the rendering (scripts render once their working folder is known).
    pub fn new(exec: &Arc<Exec>, call: &Call<'_>) -> Prepared {
        let (info, scope) = (call.info, call.scope);
        let mut raw = call.def.as_object().cloned().unwrap_or_default();
        for k in META_KEYS {
            raw.remove(*k);
        }
        Prepared {
            map: Map::new(),
            raw: Value::Object(raw),
            vars: exec.task_vars(info, scope, call.def),
            key: TaskRunKey {
                execution: exec.execution_key(),
                task_id: info.task_id.clone(),
                task_run_id: info.id.clone(),
            },
            log: RunLog {
                exec: exec.clone(),
                task_id: info.task_id.clone(),
                run_id: info.id.clone(),
                depth: scope.depth,
            },
        }
    }

    /// With the properties rendered.
    pub fn rendered(exec: &Arc<Exec>, call: &Call<'_>) -> Result<Prepared, TaskError> {
        let mut prepared = Prepared::new(exec, call);
        // Moved, not cloned: a property may hold a large value (a Return of a whole file).
        if let Value::Object(map) = exec
            .render_json(&prepared.raw, &prepared.vars)
            .map_err(TaskError::new)?
        {
            prepared.map = map;
        }
        Ok(prepared)
    }
}

/// A task's outputs as a map, null fields left out.
pub(crate) fn to_map<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(m)) => m.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        _ => Map::new(),
    }
}

/// A runnable task's result as its task run's end.
pub(crate) fn outcome(result: Result<Map<String, Value>, TaskError>) -> Outcome {
    match result {
        Ok(outputs) => Outcome::ok(outputs),
        Err(e) => Outcome::failed(e.message),
    }
}

/// A type the registry gave a family that does not run it: a registry entry without its code.
pub(crate) fn not_in_family(call: &Call<'_>) -> TaskError {
    TaskError::new(format!(
        "task type '{}' is not supported by kflow's local runner",
        call.type_
    ))
}
