//! Which tasks the local runner runs, by full type name (aliases resolved first). A flow with any
//! other task is refused before it starts, naming them: a runner that stops half-way, or runs
//! something else than Kestra would, is worse than one that says no.

use serde_json::Value;

use super::registry::Family;
use super::tasks::FAMILIES;

/// Whether the runner runs tasks of this full type (aliases resolved first).
pub fn supports(type_: &str) -> bool {
    family(type_).is_some()
}

fn family(type_: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.types.contains(&type_))
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
    let Some(flow) = flow.as_object() else {
        return out;
    };
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
    // Listeners run their tasks after the execution only when their conditions hold; kflow
    // evaluates no conditions, so it would run them (or not) unlike Kestra.
    if flow
        .get("listeners")
        .and_then(Value::as_array)
        .is_some_and(|l| !l.is_empty())
    {
        out.push(
            "flow `listeners`: kflow does not run listeners (use `afterExecution`), so the run is refused rather than run differently from Kestra".into(),
        );
    }
    if new_execution_retry(flow) {
        out.push(
            "flow `retry`: `behavior: CREATE_NEW_EXECUTION` is not supported (kflow retries task runs), so the run is refused".into(),
        );
    }
    for key in ["tasks", "errors", "finally", "afterExecution"] {
        if let Some(v) = flow.get(key) {
            walk(v, resolve, &mut out, 0);
        }
    }
    out
}

/// A `retry` that starts new executions instead of new attempts.
fn new_execution_retry(holder: &serde_json::Map<String, Value>) -> bool {
    holder
        .get("retry")
        .and_then(|r| r.get("behavior"))
        .and_then(Value::as_str)
        .is_some_and(|b| b.eq_ignore_ascii_case("CREATE_NEW_EXECUTION"))
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
                let refuse = family(&full).and_then(|f| f.refuse);
                if let Some(why) = refuse.and_then(|refuse| refuse(&full, map)) {
                    out.push(format!("task `{id}`: {why}"));
                }
                if new_execution_retry(map) {
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
    fn each_type_belongs_to_one_family() {
        let mut seen = std::collections::BTreeSet::new();
        for family in FAMILIES {
            for t in family.types {
                assert!(seen.insert(*t), "{t} is in two families");
                assert!(t.starts_with("io.kestra.plugin."), "{t} is not a full name");
            }
        }
    }

    /// Every type a runnable family claims reaches code of its own: run without properties,
    /// it succeeds or fails on what it was given, never as a type its family does not run.
    #[tokio::test]
    async fn every_runnable_type_has_its_code() {
        use super::super::registry::Kind;
        let dir = crate::testutil::TempDir::new("families");
        let storage = crate::storage::Storage::open(dir.path()).unwrap();
        let types = FAMILIES
            .iter()
            .filter(|f| f.kind == Kind::Runnable)
            .flat_map(|f| f.types.iter())
            // Scripts start processes; their dispatch is tested end to end.
            .filter(|t| !t.starts_with("io.kestra.plugin.scripts."));
        let mut ran = 0;
        for t in types {
            let flow = serde_json::json!({"id": "f", "namespace": "n",
                "tasks": [{"id": "t", "type": t}]});
            let execution = crate::record::Execution::new("n", "f");
            let opts = super::super::RunOptions::new(storage.clone());
            let record = super::super::run(flow, execution, opts).await;
            assert_eq!(record.task_runs.len(), 1, "{t}");
            for line in record.logs.matching(usize::MAX, |_| true).unwrap() {
                assert!(
                    !line.message.contains("not supported"),
                    "{t}: {}",
                    line.message
                );
            }
            ran += 1;
        }
        assert_eq!(ran, 30, "the runnable types other than scripts");
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

    #[test]
    fn a_flow_level_new_execution_retry_is_refused() {
        let flow = serde_json::json!({
            "retry": {"type": "constant", "behavior": "CREATE_NEW_EXECUTION", "maxAttempt": 3},
            "tasks": [{"id": "a", "type": "io.kestra.plugin.core.execution.Fail"}]});
        let found = unsupported_tasks(&flow, &|t: &str| t.to_string());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("flow `retry`"), "{found:?}");
        let flow = serde_json::json!({
            "retry": {"type": "constant", "behavior": "RETRY_FAILED_TASK", "maxAttempt": 3},
            "tasks": [{"id": "a", "type": "io.kestra.plugin.core.execution.Fail"}]});
        assert!(unsupported_tasks(&flow, &|t: &str| t.to_string()).is_empty());
    }

    #[test]
    fn a_pause_waiting_for_a_manual_resume_is_refused() {
        let pause = |extra: serde_json::Value| {
            let mut task =
                serde_json::json!({"id": "p", "type": "io.kestra.plugin.core.flow.Pause"});
            task.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            unsupported_tasks(&serde_json::json!({ "tasks": [task] }), &|t: &str| {
                t.to_string()
            })
        };
        let found = pause(serde_json::json!({}));
        assert!(
            found.len() == 1 && found[0].contains("manual resume"),
            "{found:?}"
        );
        for ends in [
            serde_json::json!({"pauseDuration": "PT1S"}),
            serde_json::json!({"delay": "PT1S"}),
            serde_json::json!({"timeout": "PT1S"}),
        ] {
            assert!(pause(ends.clone()).is_empty(), "{ends}");
        }
    }

    #[test]
    fn a_working_directory_cache_or_namespace_files_are_refused() {
        let wd = |extra: serde_json::Value| {
            let mut task = serde_json::json!({"id": "wd", "type": "io.kestra.plugin.core.flow.WorkingDirectory", "tasks": []});
            task.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            unsupported_tasks(&serde_json::json!({ "tasks": [task] }), &|t: &str| {
                t.to_string()
            })
        };
        let found = wd(serde_json::json!({"cache": {"patterns": ["x/**"]}}));
        assert!(
            found.len() == 1 && found[0].contains("`cache`"),
            "{found:?}"
        );
        let found = wd(serde_json::json!({"namespaceFiles": {"enabled": true}}));
        assert!(
            found.len() == 1 && found[0].contains("`namespaceFiles`"),
            "{found:?}"
        );
        assert!(wd(serde_json::json!({"namespaceFiles": {"enabled": false}})).is_empty());
        assert!(wd(serde_json::json!({"inputFiles": {"a.txt": "x"}})).is_empty());
    }

    #[test]
    fn listeners_are_refused() {
        let flow = serde_json::json!({
            "listeners": [{"tasks": [{"id": "l", "type": "io.kestra.plugin.core.log.Log", "message": "x"}]}],
            "tasks": [{"id": "a", "type": "io.kestra.plugin.core.log.Log", "message": "x"}]});
        let found = unsupported_tasks(&flow, &|t: &str| t.to_string());
        assert!(
            found.len() == 1 && found[0].contains("listeners"),
            "{found:?}"
        );
        let flow = serde_json::json!({"listeners": [], "tasks": []});
        assert!(unsupported_tasks(&flow, &|t: &str| t.to_string()).is_empty());
    }
}
