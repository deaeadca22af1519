//! The execution's `outputs` (and `tasks`) maps, nested by loop values:
//! `outputs.<task>[v1][v2]…`, as Kestra's `Execution.outputs` nests the outputs of task runs
//! inside loops.

use serde_json::{Map, Value};

use crate::record::TaskRun;

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

pub(crate) fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Gives every finished task run its outputs back from the execution's `outputs`, where they
/// were kept while it ran (see `Exec::keep_outputs`): latest runs first, as they hold the places.
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
