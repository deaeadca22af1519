//! The Subflow task: runs a sibling flow (same folder, by `namespace` and `flowId`) as a child
//! execution, as Kestra's `Subflow.createSubflowExecutionResult` reports it: one attempt per
//! launch (a failed launch is tried again under the task's or its ancestors' `retry`), outputs
//! `executionId`, `state` and `outputs` — the child flow's own outputs, else the task's
//! deprecated `outputs` map rendered against the child execution once it has ended.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::flowable::{value_text, Done};
use crate::exec::outputs_map::nested_insert;
use crate::exec::registry::{self, Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome, RunInfo, Scope};
use crate::record::{Execution, State};

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Flowable,
    types: &["io.kestra.plugin.core.flow.Subflow"],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { exec.run_subflow(call.def, call.info, call.scope).await })
}

/// Flowable types whose children each see one value (their task runs start a new level of
/// `outputs`).
const LOOPS: &[&str] = &[
    "io.kestra.plugin.core.flow.ForEach",
    "io.kestra.plugin.core.flow.EachSequential",
    "io.kestra.plugin.core.flow.EachParallel",
];

impl Exec {
    async fn run_subflow(self: Arc<Self>, def: &Value, info: &RunInfo, scope: &Scope) -> Outcome {
        let (me, task, at) = (self.clone(), Arc::new(def.clone()), Arc::new(scope.clone()));
        self.with_retries(def, info, scope, move |info| {
            let (me, task, at) = (me.clone(), task.clone(), at.clone());
            Box::pin(async move {
                let vars = me.task_vars(&info, &at, &task);
                Outcome::from(me.launch_subflow(&task, &vars).await)
            })
        })
        .await
    }

    async fn launch_subflow(self: Arc<Self>, def: &Value, vars: &Map<String, Value>) -> Done {
        // The `outputs` map reads the child execution: it is rendered once that has ended.
        let mut launch = def.clone();
        let outputs_spec = launch
            .as_object_mut()
            .and_then(|m| m.remove("outputs"))
            .filter(|o| !o.is_null());
        let rendered = match self.render_json(&launch, vars) {
            Ok(v) => v,
            Err(e) => return (State::Failed, None, Some(e)),
        };
        let ns = rendered
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let id = rendered
            .get("flowId")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if self.opts.subflow_depth >= 16 {
            return (
                State::Failed,
                None,
                Some("subflows nested more than 16 deep".into()),
            );
        }
        let Some(dir) = self
            .opts
            .flow_path
            .as_ref()
            // `flow.yaml` (a bare file name) has the empty path as parent: the current folder.
            .and_then(|p| p.parent())
            .map(|d| {
                if d.as_os_str().is_empty() {
                    std::path::PathBuf::from(".")
                } else {
                    d.to_path_buf()
                }
            })
        else {
            return (
                State::Failed,
                None,
                Some("no flow folder to look for subflows in".into()),
            );
        };
        let Some(child_flow) = find_flow(&dir, &ns, &id) else {
            return (
                State::Failed,
                None,
                Some(format!(
                    "Subflow '{ns}.{id}' not found in {}",
                    dir.display()
                )),
            );
        };
        let provided: Vec<(String, String)> = rendered
            .get("inputs")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), value_text(v))).collect())
            .unwrap_or_default();
        let doc = kflow_syntax::parse(&child_flow.1);
        let input_error = |e: Vec<crate::inputs::InputError>| {
            let text = e.iter().map(|e| e.to_string()).collect::<Vec<_>>();
            (
                State::Failed,
                None,
                Some(format!("subflow inputs: {}", text.join("; "))),
            )
        };
        let decls = match crate::inputs::declarations(&doc) {
            Ok(d) => d,
            Err(e) => return input_error(e),
        };
        let mut execution = Execution::new(&ns, &id);
        let key = crate::storage::ExecutionKey {
            namespace: ns.clone(),
            flow_id: id.clone(),
            execution_id: execution.id.clone(),
        };
        match crate::inputs::resolve(&decls, &provided, &self.opts.storage, &key).await {
            Ok(r) => execution.inputs = r.values,
            Err(e) => return input_error(e),
        }
        let mut opts = self.opts.clone();
        opts.subflow_depth += 1;
        opts.flow_path = Some(child_flow.0);
        opts.events = None;
        let child_id = execution.id.clone();
        let child_json = child_flow.2;
        let Some(start) = registry::installed().map(|r| r.start) else {
            return (
                State::Failed,
                None,
                Some("no executor to start the subflow".into()),
            );
        };
        let record = start(child_json.clone(), execution, opts).await;
        let _ = record.save(&self.opts.storage).await;
        let wait = rendered.get("wait").and_then(Value::as_bool) != Some(false);
        let transmit = rendered.get("transmitFailed").and_then(Value::as_bool) != Some(false);
        let mut outputs = json!({ "executionId": child_id, "state": record.state });
        if wait {
            let declares_outputs = child_json
                .get("outputs")
                .and_then(Value::as_array)
                .is_some_and(|o| !o.is_empty());
            let returned = if declares_outputs {
                Ok(Some(Value::Object(record.outputs.clone())))
            } else if let Some(spec) = &outputs_spec {
                let vars = self.child_vars(&record, &child_json);
                self.render_json(spec, &vars).map(Some)
            } else {
                Ok(None)
            };
            match returned {
                Ok(Some(o)) => outputs["outputs"] = o,
                Ok(None) => {}
                Err(e) => {
                    return (
                        State::Failed,
                        outputs.as_object().cloned(),
                        Some(format!("Failed to render the subflow outputs: {e}")),
                    )
                }
            }
        }
        let state = if !wait || !transmit {
            State::Success
        } else {
            match record.state {
                State::Failed | State::Killed | State::Warning | State::Paused => record.state,
                _ => State::Success,
            }
        };
        let msg = state
            .is_failed()
            .then(|| format!("subflow execution {child_id} ended {:?}", record.state));
        (state, outputs.as_object().cloned(), msg)
    }

    /// The variables of an ended child execution: its `flow`, `execution`, `inputs` and
    /// `outputs` (nested by loop values, as its tasks saw them).
    fn child_vars(&self, record: &Execution, flow: &Value) -> Map<String, Value> {
        let mut vars = Map::new();
        vars.insert(
            "flow".into(),
            json!({"id": record.flow_id, "namespace": record.namespace}),
        );
        vars.insert(
            "execution".into(),
            json!({"id": record.id, "startDate": record.start_date.to_iso(), "state": record.state}),
        );
        if !record.inputs.is_empty() {
            vars.insert("inputs".into(), Value::Object(record.inputs.clone()));
        }
        let resolve = &*self.opts.resolve_type;
        vars.insert(
            "outputs".into(),
            Value::Object(outputs_tree(record, flow, resolve)),
        );
        vars
    }
}

/// `outputs.<task>[<loop value>…]` of an execution record, as Kestra nests them: a task run's
/// value opens a level when its parent run is a loop.
fn outputs_tree(
    record: &Execution,
    flow: &Value,
    resolve: &dyn Fn(&str) -> String,
) -> Map<String, Value> {
    let mut types = std::collections::HashMap::new();
    task_types(flow, resolve, &mut types, 0);
    let by_id: std::collections::HashMap<&str, &crate::record::TaskRun> = record
        .task_runs
        .iter()
        .map(|r| (r.id.as_str(), &**r))
        .collect();
    let mut tree = Map::new();
    for run in record.task_runs.iter().filter(|r| !r.outputs.is_empty()) {
        let run: &crate::record::TaskRun = run;
        let mut values = Vec::new();
        let mut cur = run;
        while let Some(parent) = cur.parent_task_run_id.as_deref().and_then(|p| by_id.get(p)) {
            let parent_is_loop = types
                .get(parent.task_id.as_str())
                .is_some_and(|t: &String| LOOPS.contains(&t.as_str()));
            if let (true, Some(v)) = (parent_is_loop, &cur.value) {
                values.push(v.clone());
            }
            cur = parent;
        }
        values.reverse();
        nested_insert(
            &mut tree,
            &run.task_id,
            &values,
            Value::Object(run.outputs.clone()),
        );
    }
    tree
}

/// Task id → full type name, for every task of a flow document.
fn task_types(
    v: &Value,
    resolve: &dyn Fn(&str) -> String,
    out: &mut std::collections::HashMap<String, String>,
    depth: usize,
) {
    if depth > 256 {
        return;
    }
    match v {
        Value::Array(items) => items
            .iter()
            .for_each(|i| task_types(i, resolve, out, depth + 1)),
        Value::Object(map) => {
            if let (Some(Value::String(id)), Some(Value::String(t))) =
                (map.get("id"), map.get("type"))
            {
                out.entry(id.clone()).or_insert_with(|| resolve(t));
            }
            map.values()
                .for_each(|c| task_types(c, resolve, out, depth + 1));
        }
        _ => {}
    }
}

/// A flow file of `dir` with that namespace and id: (path, text, JSON).
fn find_flow(
    dir: &std::path::Path,
    ns: &str,
    id: &str,
) -> Option<(std::path::PathBuf, String, Value)> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "yml" && ext != "yaml" {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let doc = kflow_syntax::parse(&text);
        let Some(root) = doc.tree.root else { continue };
        let Ok(json) = crate::inputs::node_to_json(&doc.tree, root) else {
            continue;
        };
        if json.get("namespace").and_then(Value::as_str) == Some(ns)
            && json.get("id").and_then(Value::as_str) == Some(id)
        {
            return Some((path, text, json));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::TaskRun;

    #[test]
    fn outputs_nest_by_the_values_of_loops_only() {
        let flow = json!({"tasks": [
            {"id": "each", "type": "io.kestra.plugin.core.flow.ForEach", "tasks": [
                {"id": "seq", "type": "io.kestra.plugin.core.flow.Sequential", "tasks": [
                    {"id": "r", "type": "io.kestra.plugin.core.debug.Return"}]}]},
            {"id": "top", "type": "io.kestra.plugin.core.debug.Return"}]});
        let mut record = Execution::new("n", "f");
        let each = TaskRun::new("each", None, None);
        let seq = TaskRun::new("seq", Some(&each.id), Some("a".into()));
        // kflow gives the inner task the iteration's value too; it is one level, not two.
        let mut r = TaskRun::new("r", Some(&seq.id), Some("a".into()));
        r.outputs.insert("value".into(), json!("ra"));
        let mut top = TaskRun::new("top", None, None);
        top.outputs.insert("value".into(), json!("t"));
        record.task_runs = [each, seq, r, top].into_iter().map(Box::new).collect();
        let tree = outputs_tree(&record, &flow, &|t: &str| t.to_string());
        assert_eq!(
            Value::Object(tree),
            json!({"r": {"a": {"value": "ra"}}, "top": {"value": "t"}})
        );
    }
}
