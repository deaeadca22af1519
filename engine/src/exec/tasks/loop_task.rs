//! Loop (Kestra 2.0, `io.kestra.plugin.core.flow.Loop`), as Kestra 2.0's `Loop`, its executor
//! (`ExecutorService`'s Loop case, `LoopExecutionEventMessageHandler`) and
//! `FlowableUtils.resolveValues` run it.
//!
//! `values` (a list, a map, or a string rendered then read as a JSON array or object) become
//! strings: a list's strings are rendered, its numbers made text, its maps rendered and written
//! as JSON, duplicates dropped; a map gives `(key, value)` pairs. Each value is an iteration
//! that Kestra runs as an execution of its own (kind LOOP), `concurrencyLimit` at a time (0: all,
//! default 1), in index order. An iteration runs the Loop's `tasks`, then its `errors` when they
//! failed and its `finally` — per iteration, as Kestra resolves them in the sub-execution. Its
//! tasks see `item` (`index`, `key`, `value`, and in nested loops `parent` / `parents`,
//! outermost first), the outputs the enclosing execution had when the iteration started and
//! their own; never another iteration's. When the iteration ends, the Loop's declared `outputs`
//! are rendered in its context (a failure fails the iteration).
//!
//! The Loop's outputs: `iterationCount`, `runningIterations`, `terminatedIterations`, and
//! `outputs`, one `{item: {value, iteration, key}, outputs}` per iteration that rendered some,
//! in the order iterations ended. With `transmitFailed` (default) the first FAILED or KILLED
//! iteration ends the Loop FAILED at once, its outputs as they were before that iteration ended
//! (iterations already running still finish, as Kestra's sub-executions do, but change
//! nothing); without it, iterations run to the end and the Loop ends SUCCESS.
//!
//! The record differs from Kestra's where one record must hold what Kestra spreads over
//! executions: an iteration is an entry of `Execution::loop_executions` (id, index, key, value,
//! state) and its task runs sit in the one list of task runs, parented to the Loop's task run as
//! Kestra parents them, naming their iteration by `loopExecutionId`. Values read from a
//! `kestra://` file (ION lines) and `fetchType: STORE` are not run: the first fails the task
//! with a message, the second is refused before the run.

use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};
use tokio::task::JoinSet;

use super::flow::{concurrency, java_class};
use super::flowable::{Done, Frame};
use crate::exec::registry::{Call, Family, Kind, Lines};
use crate::exec::state::{lock, BoxFut, Exec, LoopIteration, Outcome, Scope};
use crate::exec::walk::list;
use crate::record::{LoopExecution, State};
use crate::task::Level;

const LOOP: &str = "io.kestra.plugin.core.flow.Loop";

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Flowable,
    types: &[LOOP],
    lines: &[(LOOP, Lines::Since((2, 0)))],
    run,
    refuse: Some(refuse),
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { Outcome::from(exec.run_loop(call).await) })
}

/// Iteration outputs kept in Kestra's internal storage as ION files: not done locally.
fn refuse(_: &str, task: &Map<String, Value>) -> Option<String> {
    let store = task
        .get("fetchType")
        .and_then(Value::as_str)
        .is_some_and(|f| f.eq_ignore_ascii_case("STORE"));
    store.then(|| {
        "Loop `fetchType: STORE` (iteration outputs stored as ION files) is not supported, so the run is refused".into()
    })
}

/// One iteration's value: its key when the values are a map.
struct Item {
    key: Option<String>,
    value: String,
}

/// Jackson's compact JSON text of a value (`MAPPER.writeValueAsString`).
fn json_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

impl Exec {
    /// `FlowableUtils.valueAsString`: one element of a list or one value of a map.
    fn loop_value_text(
        &self,
        element: &Value,
        all: &Value,
        vars: &Map<String, Value>,
    ) -> Result<String, String> {
        match element {
            Value::String(_) => self.render_string(element, vars),
            Value::Number(n) => self.render_string(&Value::String(n.to_string()), vars),
            Value::Object(_) => self.render_json(element, vars).map(|v| json_text(&v)),
            Value::Null => Err(format!(
                "Found a null value inside the iteration values={}",
                json_text(all)
            )),
            other => Err(format!("Unknown value element type: {}", java_class(other))),
        }
    }

    /// `FlowableUtils.resolveValues`.
    fn loop_items(&self, raw: &Value, vars: &Map<String, Value>) -> Result<Vec<Item>, String> {
        let distinct = |values: Vec<String>| {
            let mut seen = std::collections::HashSet::new();
            values
                .into_iter()
                .filter(|v| seen.insert(v.clone()))
                .map(|value| Item { key: None, value })
                .collect::<Vec<_>>()
        };
        let pairs = |map: &Map<String, Value>, all: &Value| {
            map.iter()
                .map(|(k, v)| {
                    Ok(Item {
                        key: Some(k.clone()),
                        value: self.loop_value_text(v, all, vars)?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()
        };
        match raw {
            Value::String(_) => {
                let text = self.render_string(raw, vars)?;
                if text.trim_start().starts_with("kestra://") {
                    return Err(format!(
                        "values from a file ('{}'): reading Loop values from an ION file is not supported by kflow's runner",
                        text.trim()
                    ));
                }
                match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Array(items)) => {
                        let texts = items
                            .iter()
                            .map(|v| match v {
                                Value::String(s) => Ok(s.clone()),
                                Value::Null => Err(format!(
                                    "Found a null value inside the iteration values={}",
                                    json_text(raw)
                                )),
                                other => Ok(json_text(other)),
                            })
                            .collect::<Result<Vec<_>, String>>()?;
                        Ok(distinct(texts))
                    }
                    Ok(Value::Object(map)) => pairs(&map, raw),
                    Ok(other) => Err(format!("Unknown value type: {}", node_type(&other))),
                    Err(e) => Err(format!("'{text}' is not JSON: {e}")),
                }
            }
            Value::Array(items) => {
                let texts = items
                    .iter()
                    .map(|v| self.loop_value_text(v, raw, vars))
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(distinct(texts))
            }
            Value::Object(map) => pairs(map, raw),
            Value::Null => Err("is required".into()),
            other => Err(format!("Unknown value type: {}", java_class(other))),
        }
    }

    async fn run_loop(self: Arc<Self>, call: &Call<'_>) -> Done {
        let Frame {
            child,
            errors,
            finally,
            vars,
        } = Frame::new(&self, call);
        let (def, info) = (call.def, call.info);
        let items = match self.loop_items(def.get("values").unwrap_or(&Value::Null), &vars) {
            Ok(items) => items,
            Err(e) => return (State::Failed, None, Some(format!("values: {e}"))),
        };
        let transmit_failed = def.get("transmitFailed").and_then(Value::as_bool) != Some(false);
        let declared = list(def, "outputs");
        let count = items.len();
        let limit = concurrency(def.get("concurrencyLimit"), 1).min(count);
        let counts = |running: usize, terminated: usize, outputs: &[Value]| {
            let mut m = Map::new();
            m.insert("iterationCount".into(), json!(count));
            m.insert("runningIterations".into(), json!(running));
            m.insert("terminatedIterations".into(), json!(terminated));
            if !outputs.is_empty() {
                m.insert("outputs".into(), Value::Array(outputs.to_vec()));
            }
            m
        };
        self.store_flowable_outputs(info, &Value::Object(counts(limit, 0, &[])));
        if count == 0 {
            return (State::Success, Some(counts(0, 0, &[])), None);
        }
        // The context iterations start from: the enclosing iteration's, or the execution's.
        let enclosing = call.scope.loop_iteration.clone();
        let tasks = Arc::new((list(def, "tasks"), errors, finally));
        // Iterations in flight: counted here, not by permits a finished iteration hands back
        // before this loop has looked at its result.
        let mut in_flight = 0;
        let mut set = JoinSet::new();
        let mut outputs: Vec<Value> = Vec::new();
        let (mut running, mut terminated) = (limit, 0);
        let mut ended: Option<(State, Map<String, Value>)> = None;
        let mut pending = items.into_iter().enumerate();
        loop {
            // Start what the limit allows, in index order, unless the loop has ended.
            while ended.is_none() && !self.stopping() && in_flight < limit {
                let Some((index, item)) = pending.next() else {
                    break;
                };
                in_flight += 1;
                let iteration = self.start_iteration(call, index, &item, enclosing.as_deref());
                let mut scope = child.clone();
                scope.values = Vec::new();
                scope.iteration = None;
                scope.loop_iteration = Some(iteration.clone());
                let (me, tasks, declared) = (self.clone(), tasks.clone(), declared.clone());
                set.spawn(async move {
                    let done = me.run_iteration(&iteration, &tasks, &declared, scope).await;
                    (index, item, done)
                });
            }
            let Some(joined) = set.join_next().await else {
                break;
            };
            in_flight -= 1;
            let Ok((index, item, (state, iteration_outputs))) = joined else {
                ended.get_or_insert((State::Failed, counts(running, terminated, &outputs)));
                continue;
            };
            if ended.is_some() {
                continue;
            }
            if transmit_failed && matches!(state, State::Failed | State::Killed) {
                ended = Some((state, counts(running, terminated, &outputs)));
                continue;
            }
            running -= 1;
            terminated += 1;
            if let Some(o) = iteration_outputs.filter(|o| !o.is_empty()) {
                let mut it = json!({ "value": item.value, "iteration": index });
                if let Some(k) = &item.key {
                    it["key"] = json!(k);
                }
                outputs.push(json!({ "item": it, "outputs": o }));
            }
            if terminated + running < count && !self.stopping() {
                running += 1;
            }
            self.store_flowable_outputs(
                info,
                &Value::Object(counts(running, terminated, &outputs)),
            );
        }
        if self.is_killed() {
            return (
                State::Killed,
                Some(counts(running, terminated, &outputs)),
                None,
            );
        }
        match ended {
            Some((State::Killed, outs)) => (State::Killed, Some(outs), None),
            Some((_, outs)) => (
                State::Failed,
                Some(outs),
                Some("a loop iteration failed (transmitFailed)".into()),
            ),
            None => (
                State::Success,
                Some(counts(running, terminated, &outputs)),
                None,
            ),
        }
    }

    /// Records a new iteration and builds its context (Kestra's `Execution.loopExecution`).
    fn start_iteration(
        &self,
        call: &Call<'_>,
        index: usize,
        item: &Item,
        enclosing: Option<&LoopIteration>,
    ) -> Arc<LoopIteration> {
        let mut own = json!({ "index": index, "value": item.value });
        if let Some(k) = &item.key {
            own["key"] = json!(k);
        }
        let mut var = own.clone();
        let mut lineage = Vec::new();
        if let Some(outer) = enclosing {
            lineage = outer.lineage.clone();
            var["parent"] = lineage.last().cloned().unwrap_or(Value::Null);
            var["parents"] = Value::Array(lineage.clone());
        }
        lineage.push(own);
        let id = crate::ids::new_id();
        let mut shared = lock(&self.shared);
        let outputs = match enclosing {
            Some(outer) => lock(&outer.outputs).clone(),
            None => shared.outputs.clone(),
        };
        shared.record.loop_executions.push(LoopExecution {
            id: id.clone(),
            task_id: call.info.task_id.clone(),
            task_run_id: call.info.id.clone(),
            index,
            key: item.key.clone(),
            value: item.value.clone(),
            state: State::Running,
        });
        Arc::new(LoopIteration {
            id,
            item: var,
            lineage,
            outputs: Mutex::new(outputs),
        })
    }

    /// One iteration: the Loop's tasks (with its errors and finally), then its declared
    /// outputs; its state goes on its record entry.
    async fn run_iteration(
        self: Arc<Self>,
        iteration: &LoopIteration,
        tasks: &(Vec<Value>, Vec<Value>, Vec<Value>),
        declared: &[Value],
        scope: Scope,
    ) -> (State, Option<Map<String, Value>>) {
        let (main, errors, finally) = tasks.clone();
        let depth = scope.depth;
        let mut state = self.clone().run_group(main, errors, finally, scope).await;
        if self.is_killed() {
            state = State::Killed;
        }
        let mut outputs = None;
        if !declared.is_empty() && !self.is_killed() {
            match self.render_declared_outputs(declared, &self.iteration_vars(iteration)) {
                Ok(o) => outputs = Some(o),
                Err((id, e)) => {
                    let message = format!("Failed to render output values: output '{id}': {e}");
                    self.log(None, depth, None, Level::Error, &message);
                    state = State::Failed;
                }
            }
        }
        let mut shared = lock(&self.shared);
        if let Some(entry) = shared
            .record
            .loop_executions
            .iter_mut()
            .rev()
            .find(|e| e.id == iteration.id)
        {
            entry.state = state;
        }
        (state, outputs)
    }
}

/// Jackson's `JsonNodeType` of a JSON value that is neither an array nor an object.
fn node_type(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "STRING",
        Value::Number(_) => "NUMBER",
        Value::Bool(_) => "BOOLEAN",
        Value::Null => "NULL",
        Value::Array(_) => "ARRAY",
        Value::Object(_) => "OBJECT",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    /// Runs one Loop over `values` under Kestra 2.0: the iterations' `(key, value)` and the
    /// error logged when the values are refused.
    async fn iterations(values: Value) -> (Vec<(Option<String>, String)>, Vec<String>) {
        let dir = crate::testutil::TempDir::new("loop-values");
        let storage = crate::storage::Storage::open(dir.path()).unwrap();
        let flow = json!({"id": "f", "namespace": "n", "tasks": [
            {"id": "loop", "type": super::LOOP, "values": values, "concurrencyLimit": 0,
             "tasks": [{"id": "t", "type": "io.kestra.plugin.core.debug.Return",
                        "format": "{{ item.value }}"}]}]});
        let mut opts = crate::exec::RunOptions::new(storage);
        opts.kestra_line = (2, 0);
        let record = crate::exec::run(flow, crate::record::Execution::new("n", "f"), opts).await;
        let mut found: Vec<_> = record
            .loop_executions
            .iter()
            .map(|i| (i.index, i.key.clone(), i.value.clone()))
            .collect();
        found.sort();
        let errors = record
            .logs
            .matching(usize::MAX, |l| l.level == crate::task::Level::Error)
            .unwrap()
            .into_iter()
            .map(|l| l.message)
            .collect();
        (found.into_iter().map(|(_, k, v)| (k, v)).collect(), errors)
    }

    fn plain(values: &[&str]) -> Vec<(Option<String>, String)> {
        values.iter().map(|v| (None, v.to_string())).collect()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn values_become_texts_as_kestra_resolves_them() {
        // A list: strings rendered, numbers as text, maps rendered and written as JSON,
        // duplicates dropped.
        let (found, errors) =
            iterations(json!(["{{ 'a' }}", 1, "1", {"k": "{{ 'v' }}"}, "a"])).await;
        assert_eq!(found, plain(&["a", "1", r#"{"k":"v"}"#]), "{errors:?}");
        // JSON text: an array's non-strings written as JSON; an object gives keyed values.
        let (found, _) = iterations(json!(r#"[2, "x", [1], 2]"#)).await;
        assert_eq!(found, plain(&["2", "x", "[1]"]));
        let (found, _) = iterations(json!(r#"{"k1": "v1", "k2": 3}"#)).await;
        assert_eq!(
            found,
            [
                (Some("k1".into()), "v1".into()),
                (Some("k2".into()), "3".into())
            ]
        );
        // A map, as written.
        let (found, _) = iterations(json!({"b": "{{ 1 + 1 }}"})).await;
        assert_eq!(found, [(Some("b".into()), "2".into())]);
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn values_kestra_refuses_fail_the_loop_with_its_message() {
        for (values, message) in [
            (
                json!([true]),
                "Unknown value element type: class java.lang.Boolean",
            ),
            (
                json!(["a", null]),
                "Found a null value inside the iteration values",
            ),
            (
                json!("[\"a\", null]"),
                "Found a null value inside the iteration values",
            ),
            (json!("\"text\""), "Unknown value type: STRING"),
            (json!(3), "Unknown value type: class java.lang.Integer"),
        ] {
            let (found, errors) = iterations(values.clone()).await;
            assert!(found.is_empty(), "{values}: {found:?}");
            assert!(
                errors.iter().any(|e| e.contains(message)),
                "{values}: {errors:?}"
            );
        }
    }
}
