//! The deprecated state tasks (`io.kestra.plugin.core.state.Set`, `Get`, `Delete`), as Kestra
//! 1.3 keeps them: a JSON map in the namespace's KV store, under the key
//! [`kflow_java::state_store::key`] gives (`AbstractState`), `Set` deep-merging into it.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::runnable::{outcome, Prepared};
use crate::exec::registry::{Call, Family, Kind, Lines};
use crate::exec::state::{BoxFut, Exec, Outcome, Scope};
use crate::task::TaskError;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.core.state.Set",
        "io.kestra.plugin.core.state.Get",
        "io.kestra.plugin.core.state.Delete",
    ],
    lines: &[
        (
            "io.kestra.plugin.core.state.Set",
            Lines::RemovedIn((2, 0), "the KV store tasks"),
        ),
        (
            "io.kestra.plugin.core.state.Get",
            Lines::RemovedIn((2, 0), "the KV store tasks"),
        ),
        (
            "io.kestra.plugin.core.state.Delete",
            Lines::RemovedIn((2, 0), "the KV store tasks"),
        ),
    ],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { outcome(work(exec, call).await) })
}

async fn work(exec: Arc<Exec>, call: &Call<'_>) -> Result<Map<String, Value>, TaskError> {
    let Prepared {
        mut map, raw, vars, ..
    } = Prepared::rendered(&exec, call)?;
    // `data` is a map property: its values render to text (Property.asMap).
    if let Some(written @ Value::Object(_)) = raw.get("data") {
        let data = exec
            .render_json_text(written, &vars)
            .map_err(TaskError::new)?;
        map.insert("data".into(), data);
    }
    exec.state_task(call.name(), &map, call.scope).await
}

impl Exec {
    async fn state_task(
        &self,
        kind: &str,
        props: &Map<String, Value>,
        scope: &Scope,
    ) -> Result<Map<String, Value>, TaskError> {
        let flag = |key: &str, default: bool| match props.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => Err(TaskError::new(format!(
                "property '{key}': expected a boolean, found {other}"
            ))),
        };
        let name = match props.get("name") {
            None | Some(Value::Null) => "default".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let value = if flag("taskrunValue", true)? {
            scope.run_value.as_deref()
        } else {
            None
        };
        let key =
            kflow_java::state_store::key(&self.flow_id, !flag("namespace", false)?, &name, value);
        let kv = crate::kv::KvStore::new(self.opts.storage.clone());
        let ns = self.namespace.clone();
        let current = || async {
            match kv.get(&ns, &key).await {
                Ok(Some(v)) => {
                    let text = match v.value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    serde_json::from_str::<Map<String, Value>>(&text)
                        .map(Some)
                        .map_err(|e| TaskError::new(format!("State {key} is not a JSON map: {e}")))
                }
                Ok(None) => Ok(None),
                Err(e) => Err(TaskError::new(e.to_string())),
            }
        };
        Ok(match kind {
            "Get" => {
                let data = match current().await? {
                    Some(d) => d,
                    None if flag("errorOnMissing", false)? => {
                        return Err(TaskError::new(format!("State {key} not found")))
                    }
                    None => Map::new(),
                };
                to_object(json!({ "count": data.len(), "data": data }))
            }
            "Set" => {
                let data = match props.get("data") {
                    Some(Value::Object(m)) => m.clone(),
                    None | Some(Value::Null) => Map::new(),
                    Some(other) => {
                        return Err(TaskError::new(format!(
                            "property 'data': expected a map, found {other}"
                        )))
                    }
                };
                let merged = deep_merge(current().await?.unwrap_or_default(), data);
                let text = Value::String(Value::Object(merged.clone()).to_string());
                kv.set(&ns, &key, &text, None, None, true).await?;
                to_object(json!({ "count": merged.len(), "key": key }))
            }
            _ => {
                let deleted = kv
                    .delete(&ns, &key)
                    .await
                    .map_err(|e| TaskError::new(e.to_string()))?;
                if !deleted && flag("errorOnMissing", false)? {
                    return Err(TaskError::new(format!(
                        "Unable to find the state file '{name}'"
                    )));
                }
                to_object(json!({ "deleted": deleted }))
            }
        })
    }
}

fn to_object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `MapUtils.deepMerge`: maps merge key by key, lists concatenate, other values of `b` win.
fn deep_merge(mut a: Map<String, Value>, b: Map<String, Value>) -> Map<String, Value> {
    for (k, vb) in b {
        let merged = match (a.remove(&k), vb) {
            (Some(va), Value::Null) => va,
            (Some(Value::Object(ma)), Value::Object(mb)) => Value::Object(deep_merge(ma, mb)),
            (Some(Value::Array(mut la)), Value::Array(lb)) => {
                la.extend(lb);
                Value::Array(la)
            }
            (_, vb) => vb,
        };
        a.insert(k, merged);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_are_kestras() {
        let a = json!({"a": 1, "m": {"x": 1}, "l": [1]});
        let b = json!({"b": 2, "m": {"y": 2}, "l": [2], "a": 3});
        assert_eq!(
            Value::Object(deep_merge(to_object(a), to_object(b))),
            json!({"a": 3, "b": 2, "m": {"x": 1, "y": 2}, "l": [1, 2]})
        );
    }
}
