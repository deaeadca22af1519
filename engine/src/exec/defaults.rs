//! `pluginDefaults` (and their old name `taskDefaults`): property values applied to every task of
//! a type, an alias of it, or a package prefix. A default fills a property the task does not set;
//! a `forced` one replaces it.

use serde_json::{Map, Value};

struct Default {
    type_: String,
    values: Map<String, Value>,
    forced: bool,
}

fn defaults_of(flow: &Value) -> Vec<Default> {
    ["pluginDefaults", "taskDefaults"]
        .iter()
        .filter_map(|k| flow.get(*k)?.as_array())
        .flatten()
        .filter_map(|d| {
            Some(Default {
                type_: d.get("type")?.as_str()?.to_string(),
                values: d.get("values")?.as_object()?.clone(),
                forced: d.get("forced").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect()
}

fn applies(d: &Default, type_: &str, canonical: &str, resolve: &dyn Fn(&str) -> String) -> bool {
    let prefix = format!("{}.", d.type_);
    d.type_ == type_
        || resolve(&d.type_) == canonical
        || type_.starts_with(&prefix)
        || canonical.starts_with(&prefix)
}

/// Applies the flow's plugin defaults to every object with a `type` under `tasks`, `errors`,
/// `finally` and `afterExecution` (task runners and nested tasks included).
pub fn apply(flow: &mut Value, resolve: &dyn Fn(&str) -> String) {
    let defaults = defaults_of(flow);
    if defaults.is_empty() {
        return;
    }
    let Some(root) = flow.as_object_mut() else {
        return;
    };
    let mut stack: Vec<&mut Value> = root
        .iter_mut()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "tasks" | "errors" | "finally" | "afterExecution"
            )
        })
        .map(|(_, v)| v)
        .collect();
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(obj) => {
                if let Some(type_) = obj.get("type").and_then(Value::as_str).map(str::to_string) {
                    let canonical = resolve(&type_);
                    for d in defaults
                        .iter()
                        .filter(|d| applies(d, &type_, &canonical, resolve))
                    {
                        for (k, v) in &d.values {
                            if d.forced || !obj.contains_key(k) {
                                obj.insert(k.clone(), v.clone());
                            }
                        }
                    }
                }
                stack.extend(obj.values_mut());
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn fills_missing_properties_and_forces_the_forced_ones() {
        let mut flow = json!({
            "pluginDefaults": [
                {"type": "io.kestra.plugin.core.log.Log", "values": {"level": "WARN", "message": "d"}},
                {"type": "io.kestra.plugin.core.debug", "forced": true, "values": {"format": "forced"}}
            ],
            "tasks": [
                {"id": "a", "type": "io.kestra.core.tasks.log.Log", "message": "mine"},
                {"id": "s", "type": "io.kestra.plugin.core.flow.Sequential", "tasks": [
                    {"id": "b", "type": "io.kestra.plugin.core.debug.Return", "format": "own"}
                ]}
            ]
        });
        let resolve = |t: &str| {
            t.replace(
                "io.kestra.core.tasks.log.Log",
                "io.kestra.plugin.core.log.Log",
            )
        };
        super::apply(&mut flow, &resolve);
        assert_eq!(flow["tasks"][0]["message"], "mine");
        assert_eq!(flow["tasks"][0]["level"], "WARN");
        assert_eq!(flow["tasks"][1]["tasks"][0]["format"], "forced");
        assert!(flow["tasks"][1].get("level").is_none());
    }
}
