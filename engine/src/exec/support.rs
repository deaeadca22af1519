//! Which tasks the local runner runs, by full type name (aliases resolved first). A flow with any
//! other task is refused before it starts, naming them: a runner that stops half-way, or runs
//! something else than Kestra would, is worse than one that says no.

use serde_json::Value;

/// Runnable tasks, under `io.kestra.plugin.core.` or `io.kestra.plugin.serdes.` (the names the
/// dispatch in `runnable.rs` matches).
pub(crate) const RUNNABLES: &[&str] = &[
    "log.Log",
    "debug.Echo",
    "debug.Return",
    "output.OutputValues",
    "http.Request",
    "http.Download",
    "storage.Write",
    "storage.Delete",
    "storage.Size",
    "storage.Concat",
    "kv.Set",
    "kv.Put",
    "state.Set",
    "kv.Get",
    "state.Get",
    "kv.Delete",
    "state.Delete",
    "kv.GetKeys",
    "csv.CsvToIon",
    "csv.IonToCsv",
    "json.JsonToIon",
    "json.IonToJson",
    "flow.Sleep",
    "execution.Fail",
    "execution.Assert",
    "execution.Labels",
    "execution.SetVariables",
    "execution.UnsetVariables",
    "execution.Exit",
];

/// Script tasks, run as local processes.
const SCRIPTS: &[&str] = &[
    "python.Script",
    "python.Commands",
    "shell.Script",
    "shell.Commands",
    "node.Script",
    "node.Commands",
];

/// The runnable name of a full type: without Kestra's core or serdes package prefix.
pub(crate) fn runnable_name(type_: &str) -> Option<&str> {
    type_
        .strip_prefix("io.kestra.plugin.core.")
        .or_else(|| type_.strip_prefix("io.kestra.plugin.serdes."))
        .filter(|n| RUNNABLES.contains(n))
}

pub fn supports(type_: &str) -> bool {
    runnable_name(type_).is_some()
        || super::flowable::is_flowable(type_)
        || type_
            .strip_prefix("io.kestra.plugin.scripts.")
            .is_some_and(|n| SCRIPTS.contains(&n))
}

/// Keys under which a task holds other tasks.
const TASK_LISTS: &[&str] = &[
    "tasks",
    "errors",
    "finally",
    "afterExecution",
    "then",
    "else",
    "cases",
    "defaults",
    "onPause",
];

/// Why the runner refuses the flow, one message per task it cannot run, flow property it would
/// ignore while Kestra acts on it (`sla`, `checks`) and retry behaviour it does not have, in
/// document order.
pub fn unsupported_tasks(flow: &Value, resolve: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    // Kestra enforces these; running without them could end where Kestra would not.
    for (key, what) in [
        ("sla", "flow `sla`: kflow does not enforce SLAs"),
        (
            "checks",
            "flow `checks`: kflow does not evaluate them before a run",
        ),
    ] {
        if flow
            .get(key)
            .is_some_and(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
        {
            out.push(format!(
                "{what}, so the run is refused rather than run differently from Kestra"
            ));
        }
    }
    for key in ["tasks", "errors", "finally", "afterExecution"] {
        if let Some(v) = flow.get(key) {
            walk(v, resolve, &mut out, 0);
        }
    }
    out
}

fn walk(v: &Value, resolve: &dyn Fn(&str) -> String, out: &mut Vec<String>, depth: usize) {
    if depth > 256 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| walk(i, resolve, out, depth + 1)),
        Value::Object(map) => {
            if let (Some(id), Some(Value::String(t))) = (map.get("id"), map.get("type")) {
                let full = resolve(t);
                let id = id.as_str().unwrap_or("?");
                if !supports(&full) {
                    out.push(format!(
                        "task `{id}` ({t}) cannot run locally: kflow's runner does not support this task type"
                    ));
                }
                let new_execution = map
                    .get("retry")
                    .and_then(|r| r.get("behavior"))
                    .and_then(Value::as_str)
                    .is_some_and(|b| b.eq_ignore_ascii_case("CREATE_NEW_EXECUTION"));
                if new_execution {
                    out.push(format!(
                        "task `{id}`: retry `behavior: CREATE_NEW_EXECUTION` is not supported (kflow retries task runs), so the run is refused"
                    ));
                }
                for key in TASK_LISTS {
                    if let Some(child) = map.get(*key) {
                        walk(child, resolve, out, depth + 1);
                    }
                }
            } else {
                // A `cases` map: its values are task lists.
                map.values().for_each(|c| walk(c, resolve, out, depth + 1));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_runnable_has_a_dispatch_arm() {
        let dispatch = include_str!("runnable.rs");
        for name in RUNNABLES {
            assert!(dispatch.contains(&format!("\"{name}\"")), "{name}");
        }
    }

    #[test]
    fn full_names_only() {
        assert!(supports("io.kestra.plugin.core.log.Log"));
        assert!(supports("io.kestra.plugin.scripts.python.Script"));
        assert!(supports("io.kestra.plugin.core.flow.Parallel"));
        assert!(!supports("com.acme.log.Log"));
        assert!(!supports("io.kestra.plugin.scripts.jython.Eval"));
        let flow = serde_json::json!({"tasks": [
            {"id": "a", "type": "io.kestra.plugin.core.log.Log"},
            {"id": "s", "type": "io.kestra.plugin.core.flow.Switch", "value": "x",
             "cases": {"x": [{"id": "b", "type": "com.acme.log.Log"}]},
             "defaults": [{"id": "c", "type": "io.kestra.plugin.core.log.Log"}]},
            {"id": "p", "type": "io.kestra.plugin.core.flow.Parallel",
             "tasks": [{"id": "d", "type": "io.kestra.plugin.jdbc.postgresql.Query"}]}
        ], "errors": [{"id": "e", "type": "io.kestra.core.tasks.log.Log"}]});
        let resolve = |t: &str| t.replace("io.kestra.core.tasks.log", "io.kestra.plugin.core.log");
        assert_eq!(
            unsupported_tasks(&flow, &resolve),
            [
                "task `b` (com.acme.log.Log) cannot run locally: kflow's runner does not support this task type",
                "task `d` (io.kestra.plugin.jdbc.postgresql.Query) cannot run locally: kflow's runner does not support this task type"
            ]
        );
        let flow = serde_json::json!({
            "sla": [{"id": "max", "type": "MAX_DURATION", "duration": "PT1H"}],
            "tasks": [{"id": "a", "type": "io.kestra.plugin.core.log.Log",
                       "retry": {"type": "constant", "behavior": "CREATE_NEW_EXECUTION"}}]});
        let found = unsupported_tasks(&flow, &resolve);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("sla") && found[1].contains("CREATE_NEW_EXECUTION"));
    }
}
