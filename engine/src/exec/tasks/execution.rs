//! Tasks that act on the execution itself: `execution.Fail`, `Assert`, `Labels`,
//! `SetVariables`, `UnsetVariables`, `Exit`, and `flow.Sleep`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::runnable::{not_in_family, outcome, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{lock, BoxFut, Exec, Outcome};
use crate::props::Props;
use crate::record::State;
use crate::task::{Level, TaskError, TaskLog};

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.core.flow.Sleep",
        "io.kestra.plugin.core.execution.Fail",
        "io.kestra.plugin.core.execution.Assert",
        "io.kestra.plugin.core.execution.Labels",
        "io.kestra.plugin.core.execution.SetVariables",
        "io.kestra.plugin.core.execution.UnsetVariables",
        "io.kestra.plugin.core.execution.Exit",
    ],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { outcome(work(exec, call).await) })
}

async fn work(exec: Arc<Exec>, call: &Call<'_>) -> Result<Map<String, Value>, TaskError> {
    let Prepared { map, log, .. } = Prepared::rendered(&exec, call)?;
    let p = Props::new(&map);
    Ok(match call.name() {
        "Sleep" => {
            let d = p
                .duration("duration")?
                .ok_or_else(|| p.error("duration", "is required"))?;
            tokio::time::sleep(d).await;
            Map::new()
        }
        "Fail" => {
            if let Some(c) = map.get("condition") {
                let text = match c {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                if !crate::render::is_truthy(&text) {
                    return Ok(Map::new());
                }
            }
            let msg = p
                .string("errorMessage")?
                .unwrap_or_else(|| "Task failure".into());
            return Err(TaskError::new(msg));
        }
        "Assert" => {
            let conditions = p.list("conditions")?;
            let mut failed = 0;
            for c in &conditions {
                let text = match c {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                if !crate::render::is_truthy(&text) {
                    failed += 1;
                    log.log(Level::Error, &format!("Assertion failed: `{text}`"));
                }
            }
            if failed > 0 {
                let msg = p
                    .string("errorMessage")?
                    .unwrap_or_else(|| format!("{failed} assertion(s) failed"));
                return Err(TaskError::new(msg));
            }
            Map::new()
        }
        "Labels" => {
            let new: Map<String, Value> = match map.get("labels") {
                Some(Value::Object(m)) => m.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|i| {
                        Some((
                            i.get("key")?.as_str()?.to_string(),
                            i.get("value").cloned()?,
                        ))
                    })
                    .collect(),
                _ => return Err(p.error("labels", "expected a map or a list of {key, value}")),
            };
            lock(&exec.shared).labels.extend(new);
            Map::new()
        }
        "SetVariables" => {
            let new = match map.get("variables") {
                Some(Value::Object(m)) => m.clone(),
                _ => return Err(p.error("variables", "expected a map")),
            };
            let overwrite = p.boolean("overwrite", true)?;
            let mut shared = lock(&exec.shared);
            for (k, v) in new {
                if !overwrite && shared.variables.contains_key(&k) {
                    return Err(TaskError::new(format!("variable '{k}' already exists")));
                }
                shared.variables.insert(k, v);
            }
            Map::new()
        }
        "UnsetVariables" => {
            let names = p.string_list("variables")?;
            let mut shared = lock(&exec.shared);
            for n in names {
                shared.variables.remove(&n);
            }
            Map::new()
        }
        "Exit" => {
            let state = match p.string("state")?.as_deref().unwrap_or("SUCCESS") {
                "SUCCESS" => State::Success,
                "WARNING" => State::Warning,
                "FAILED" => State::Failed,
                "CANCELLED" => State::Cancelled,
                "KILLED" => State::Killed,
                other => return Err(p.error("state", format!("unknown state '{other}'"))),
            };
            *lock(&exec.exit) = Some(state);
            if state == State::Killed {
                exec.killed.store(true, Ordering::SeqCst);
            }
            Map::new()
        }
        _ => return Err(not_in_family(call)),
    })
}
