//! Flow-control tasks, evaluated by the executor itself: Sequential, Parallel, If, Switch,
//! ForEach (and the deprecated Each*), WorkingDirectory, AllowFailure, Dag.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::flowable::{value_text, Done, Frame};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome, Scope};
use crate::exec::walk::{list, merge};
use crate::record::State;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Flowable,
    types: &[
        "io.kestra.plugin.core.flow.Sequential",
        "io.kestra.plugin.core.flow.Parallel",
        "io.kestra.plugin.core.flow.If",
        "io.kestra.plugin.core.flow.Switch",
        "io.kestra.plugin.core.flow.ForEach",
        "io.kestra.plugin.core.flow.EachSequential",
        "io.kestra.plugin.core.flow.EachParallel",
        "io.kestra.plugin.core.flow.WorkingDirectory",
        "io.kestra.plugin.core.flow.AllowFailure",
        "io.kestra.plugin.core.flow.Dag",
    ],
    run,
    refuse: Some(refuse),
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { Outcome::from(exec.run_flow(call).await) })
}

/// What a WorkingDirectory asks for that the runner does not do: a `cache` (kept between
/// executions in Kestra's storage), `namespaceFiles` copied in.
fn refuse(full_type: &str, task: &Map<String, Value>) -> Option<String> {
    if full_type != "io.kestra.plugin.core.flow.WorkingDirectory" {
        return None;
    }
    let set = |k: &str| task.get(k).is_some_and(|v| !v.is_null());
    let ns_files_on = task
        .get("namespaceFiles")
        .filter(|v| !v.is_null())
        .is_some_and(|n| n.get("enabled") != Some(&Value::Bool(false)));
    let what = if set("cache") {
        "`cache`"
    } else if ns_files_on {
        "`namespaceFiles`"
    } else {
        return None;
    };
    Some(format!(
        "WorkingDirectory {what} is not supported, so the run is refused"
    ))
}

fn concurrency(v: Option<&Value>, default: u64) -> usize {
    let n = v
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .unwrap_or(default);
    if n == 0 {
        usize::MAX
    } else {
        n as usize
    }
}

/// Java's class name of a JSON value as Jackson reads YAML (for Kestra's error messages).
fn java_class(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "class java.lang.String",
        Value::Bool(_) => "class java.lang.Boolean",
        Value::Number(n) if n.is_f64() => "class java.lang.Double",
        Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => {
            "class java.lang.Integer"
        }
        Value::Number(_) => "class java.lang.Long",
        Value::Array(_) => "class java.util.ArrayList",
        Value::Object(_) => "class java.util.LinkedHashMap",
        Value::Null => "null",
    }
}

/// Java's `toString` of an Each value, for the "null values" message.
fn java_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(java_text).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}={}", java_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

impl Exec {
    /// The values an Each task iterates over, as Kestra's `FlowableUtils.resolveEachTasks`
    /// reads them: a string is rendered and must be a JSON array; a list's strings are
    /// rendered, its integers made strings, its maps rendered; anything else is an error.
    /// Duplicates are dropped (first one kept); a null value fails the task.
    fn each_values(&self, raw: &Value, vars: &Map<String, Value>) -> Result<Vec<Value>, String> {
        let values: Vec<Value> = match raw {
            Value::String(_) => {
                let text = self.render_string(raw, vars)?;
                match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Array(items)) => items,
                    Ok(other) => {
                        return Err(format!(
                            "'{text}' is not a JSON array (found {})",
                            java_class(&other)
                        ))
                    }
                    Err(e) => return Err(format!("'{text}' is not a JSON array: {e}")),
                }
            }
            Value::Array(items) => items
                .iter()
                .map(|item| match item {
                    Value::String(_) => self.render_string(item, vars).map(Value::String),
                    Value::Number(n) if java_class(item) == "class java.lang.Integer" => self
                        .render_string(&Value::String(n.to_string()), vars)
                        .map(Value::String),
                    Value::Object(_) => self.render_json(item, vars),
                    other => Err(format!("Unknown value element type: {}", java_class(other))),
                })
                .collect::<Result<_, _>>()?,
            Value::Null => return Err("is required".into()),
            other => return Err(format!("Unknown value type: {}", java_class(other))),
        };
        let mut seen = std::collections::HashSet::new();
        let distinct: Vec<Value> = values
            .iter()
            .filter(|v| seen.insert(v.to_string()))
            .cloned()
            .collect();
        let nulls = distinct.iter().filter(|v| v.is_null()).count();
        if nulls > 0 {
            return Err(format!(
                "Found '{nulls}' null values on Each, with values=[{}]",
                values.iter().map(java_text).collect::<Vec<_>>().join(", ")
            ));
        }
        Ok(distinct)
    }

    async fn run_flow(self: Arc<Self>, call: &Call<'_>) -> Done {
        let Frame {
            mut child,
            errors,
            finally,
            vars,
        } = Frame::new(&self, call);
        let (def, info, scope, name) = (call.def, call.info, call.scope, call.name());
        match name {
            "Sequential" | "AllowFailure" => {
                let s = self
                    .run_group(list(def, "tasks"), errors, finally, child)
                    .await;
                let s = if name == "AllowFailure" && s == State::Failed {
                    State::Warning
                } else {
                    s
                };
                (s, None, None)
            }
            "WorkingDirectory" => {
                let root = self.opts.storage.root().join(".kflow-work");
                let dir = match crate::scripts::WorkingDir::create(&root) {
                    Ok(dir) => Arc::new(dir),
                    Err(e) => return (State::Failed, None, Some(e.message)),
                };
                let input_files = def.get("inputFiles").cloned().unwrap_or(Value::Null);
                if let Err(e) = self.write_files(&input_files, &vars, &dir).await {
                    return (State::Failed, None, Some(e.message));
                }
                child.workdir = Some(dir.clone());
                child.worker_taskrun = vars.get("taskrun").cloned();
                let s = self
                    .clone()
                    .run_group(list(def, "tasks"), errors, finally, child)
                    .await;
                if self.is_killed() {
                    return (s, None, None);
                }
                match self
                    .working_dir_outputs(def, &vars, &dir, info, scope.depth)
                    .await
                {
                    Ok(outputs) => (s, outputs, None),
                    Err(e) => (State::Failed, None, Some(e.message)),
                }
            }
            "Parallel" => {
                let limit =
                    match self.render_json(def.get("concurrent").unwrap_or(&json!(0)), &vars) {
                        Ok(v) => concurrency(Some(&v), 0),
                        Err(e) => return (State::Failed, None, Some(e)),
                    };
                let groups: Vec<(Vec<Value>, Scope)> = list(def, "tasks")
                    .into_iter()
                    .map(|t| (vec![t], child.clone()))
                    .collect();
                let s = self.clone().run_concurrently(groups, limit).await;
                self.clone().recover(s, errors, finally, child).await;
                (s, None, None)
            }
            "If" => {
                let cond = def.get("condition").cloned().unwrap_or(Value::Null);
                let text = match self.render_string(&cond, &vars) {
                    Ok(t) => t,
                    Err(e) => return (State::Failed, None, Some(format!("condition: {e}"))),
                };
                let result = crate::render::is_truthy(&text);
                let branch = list(def, if result { "then" } else { "else" });
                let outputs = json!({ "evaluationResult": result });
                self.store_flowable_outputs(info, &outputs);
                child.parents[0]["outputs"] = outputs.clone();
                let s = self.run_group(branch, errors, finally, child).await;
                (s, outputs.as_object().cloned(), None)
            }
            "Switch" => {
                let value =
                    match self.render_string(def.get("value").unwrap_or(&Value::Null), &vars) {
                        Ok(t) => t,
                        Err(e) => return (State::Failed, None, Some(format!("value: {e}"))),
                    };
                let case = def
                    .get("cases")
                    .and_then(Value::as_object)
                    .and_then(|c| c.get(&value))
                    .and_then(Value::as_array)
                    .cloned();
                let (branch, defaults) = match case {
                    Some(tasks) => (tasks, false),
                    None => (list(def, "defaults"), true),
                };
                let outputs = json!({ "value": value, "defaults": defaults });
                self.store_flowable_outputs(info, &outputs);
                child.parents[0]["outputs"] = outputs.clone();
                // No case and no `defaults` (absent or an explicit null): Kestra's
                // FlowableUtils.resolveState finds no task, warns and fails the Switch.
                if defaults && def.get("defaults").is_none_or(Value::is_null) {
                    let key = self.execution_key();
                    return (
                        State::Failed,
                        outputs.as_object().cloned(),
                        Some(format!(
                            "No task found on flow '{}.{}', task '{}', execution '{}' (value '{value}' matches no case and there are no defaults)",
                            key.namespace, key.flow_id, info.task_id, key.execution_id
                        )),
                    );
                }
                let s = self.run_group(branch, errors, finally, child).await;
                (s, outputs.as_object().cloned(), None)
            }
            "ForEach" | "EachSequential" | "EachParallel" => {
                // ForEach names the list `values`, the older Each tasks `value`.
                let key = if name == "ForEach" { "values" } else { "value" };
                let values = match self.each_values(def.get(key).unwrap_or(&Value::Null), &vars) {
                    Ok(v) => v,
                    Err(e) => return (State::Failed, None, Some(format!("{key}: {e}"))),
                };
                let limit = match name {
                    "ForEach" => concurrency(def.get("concurrencyLimit"), 1),
                    "EachParallel" => concurrency(def.get("concurrent"), 0),
                    _ => 1,
                };
                // Made as the iterations start, not all up front: a copy of the tasks and a
                // scope per value would hold 200,000 iterations' worth before the first ran.
                let tasks = list(def, "tasks");
                let groups = values.into_iter().enumerate().map(|(i, v)| {
                    let text = value_text(&v);
                    let mut s = child.clone();
                    s.iteration = Some(i);
                    s.values.push(text.clone());
                    s.run_value = Some(text);
                    (tasks.clone(), s)
                });
                let s = self.clone().run_concurrently(groups, limit).await;
                self.clone().recover(s, errors, finally, child).await;
                (s, None, None)
            }
            "Dag" => {
                let limit = concurrency(def.get("concurrent"), 0);
                let s = self
                    .clone()
                    .run_dag(list(def, "tasks"), limit, child.clone())
                    .await;
                self.clone().recover(s, errors, finally, child).await;
                (s, None, None)
            }
            _ => (
                State::Failed,
                None,
                Some(format!("unsupported flowable '{}'", call.type_)),
            ),
        }
    }

    /// Sequential groups, at most `limit` at once; no new group starts after a failure.
    async fn run_concurrently<G>(self: Arc<Self>, groups: G, limit: usize) -> State
    where
        G: IntoIterator<Item = (Vec<Value>, Scope)>,
        G::IntoIter: Send,
    {
        let sem = Arc::new(Semaphore::new(limit.min(Semaphore::MAX_PERMITS)));
        let failed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut set = JoinSet::new();
        let mut states = Vec::new();
        for (tasks, scope) in groups {
            let permit = match sem.clone().acquire_owned().await {
                Ok(p) => p,
                Err(_) => break,
            };
            if failed.load(std::sync::atomic::Ordering::SeqCst) || self.stopping() {
                break;
            }
            let me = self.clone();
            let failed = failed.clone();
            set.spawn(async move {
                let s = me.run_list(tasks, scope).await;
                if s.is_failed() {
                    failed.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                drop(permit);
                s
            });
            while let Some(r) = set.try_join_next() {
                states.push(r.unwrap_or(State::Failed));
            }
        }
        while let Some(r) = set.join_next().await {
            states.push(r.unwrap_or(State::Failed));
        }
        merge(&states)
    }

    async fn run_dag(self: Arc<Self>, entries: Vec<Value>, limit: usize, scope: Scope) -> State {
        let nodes: Vec<(String, Value, Vec<String>)> = entries
            .iter()
            .filter_map(|e| {
                let task = e.get("task")?.clone();
                let id = task.get("id")?.as_str()?.to_string();
                let deps = e
                    .get("dependsOn")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|d| d.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                Some((id, task, deps))
            })
            .collect();
        let mut done: HashMap<String, State> = HashMap::new();
        let mut started: BTreeSet<String> = BTreeSet::new();
        let mut set = JoinSet::new();
        let mut running = 0usize;
        let mut failed = false;
        loop {
            if !failed && !self.stopping() {
                for (id, task, deps) in &nodes {
                    if running >= limit || started.contains(id) {
                        continue;
                    }
                    if deps
                        .iter()
                        .all(|d| done.contains_key(d) || !nodes.iter().any(|n| &n.0 == d))
                    {
                        started.insert(id.clone());
                        running += 1;
                        let me = self.clone();
                        let (id, task, scope) = (id.clone(), task.clone(), scope.clone());
                        set.spawn(async move { (id, me.run_task(task, scope).await) });
                    }
                }
            }
            match set.join_next().await {
                Some(Ok((id, state))) => {
                    running -= 1;
                    let s = state.unwrap_or(State::Success);
                    failed |= s.is_failed();
                    done.insert(id, s);
                }
                Some(Err(_)) => {
                    running = running.saturating_sub(1);
                    failed = true;
                }
                None => break,
            }
        }
        let mut states: Vec<State> = done.values().copied().collect();
        if !failed && started.len() < nodes.len() && !self.stopping() {
            // A cycle or an unknown dependency left tasks unstarted.
            states.push(State::Failed);
        }
        merge(&states)
    }
}
