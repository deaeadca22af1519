//! The deprecated state tasks (`io.kestra.plugin.core.state.Set`, `Get`, `Delete`), as Kestra
//! 1.3 keeps them: a JSON map in the namespace's KV store, under
//! `<flow slug>_states_tasks-states_<name>[_<murmur3 of the task run value>]`
//! (`AbstractState`, `StateStore` with hashed task-run values), `Set` deep-merging into it.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::runnable::{outcome, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome, Scope};
use crate::task::TaskError;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.core.state.Set",
        "io.kestra.plugin.core.state.Get",
        "io.kestra.plugin.core.state.Delete",
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
        let key = state_key(&self.flow_id, !flag("namespace", false)?, &name, value);
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

/// `StateStore.statePrefix("_", flowScoped, flowId, "tasks-states_" + name, value)`.
fn state_key(flow_id: &str, flow_scoped: bool, name: &str, value: Option<&str>) -> String {
    let mut key = String::new();
    if flow_scoped {
        key.push_str(&slugify(flow_id));
        key.push('_');
    }
    key.push_str("states_tasks-states_");
    key.push_str(name);
    if let Some(v) = value {
        key.push('_');
        key.push_str(&murmur3_128_hex(v.as_bytes()));
    }
    key
}

/// Kestra's `Slugify.of` for the ASCII ids flows have: runs of whitespace become `-`,
/// characters other than word characters and `-` are dropped, `_` becomes `-`, dashes are
/// collapsed and trimmed, and the result is lower-cased.
fn slugify(input: &str) -> String {
    let mut out = String::new();
    for c in input.chars() {
        let c = if c.is_whitespace() { '-' } else { c };
        if c == '_' || c == '-' {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out.trim_matches('-').to_string()
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

/// Guava's `Hashing.murmur3_128()` (MurmurHash3 x64 128-bit, seed 0) as `HashCode.toString`
/// prints it: the two 64-bit halves little-endian, in hexadecimal.
fn murmur3_128_hex(data: &[u8]) -> String {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    let fmix = |mut k: u64| {
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^ (k >> 33)
    };
    let (mut h1, mut h2) = (0u64, 0u64);
    let mut blocks = data.chunks_exact(16);
    for block in &mut blocks {
        let k1 = u64::from_le_bytes(block[..8].try_into().unwrap_or_default());
        let k2 = u64::from_le_bytes(block[8..].try_into().unwrap_or_default());
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    let tail = blocks.remainder();
    let (mut k1, mut k2) = (0u64, 0u64);
    for (i, b) in tail.iter().enumerate() {
        if i < 8 {
            k1 |= u64::from(*b) << (8 * i);
        } else {
            k2 |= u64::from(*b) << (8 * (i - 8));
        }
    }
    if tail.len() > 8 {
        h2 ^= k2.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
    }
    if !tail.is_empty() {
        h1 ^= k1.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    let mut out = String::with_capacity(32);
    for b in h1.to_le_bytes().iter().chain(h2.to_le_bytes().iter()) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur3_is_guavas() {
        // Guava `Hashing.murmur3_128().hashString(s, UTF_8).toString()`.
        assert_eq!(
            murmur3_128_hex(b"hello"),
            "029bbd41b3a7d8cb191dae486a901e5b"
        );
        assert_eq!(murmur3_128_hex(b"b"), "eed1d3b157a9987ae9944e541e132efa");
        assert_eq!(
            murmur3_128_hex(b"a longer value with more than sixteen bytes"),
            "b0e60156616f6185e501cb1e0ee9f0e5"
        );
    }

    #[test]
    fn keys_and_merges_are_kestras() {
        assert_eq!(
            state_key("my_Flow", true, "default", None),
            "my-flow_states_tasks-states_default"
        );
        assert_eq!(
            state_key("f", false, "s", Some("hello")),
            "states_tasks-states_s_029bbd41b3a7d8cb191dae486a901e5b"
        );
        let a = json!({"a": 1, "m": {"x": 1}, "l": [1]});
        let b = json!({"b": 2, "m": {"y": 2}, "l": [2], "a": 3});
        assert_eq!(
            Value::Object(deep_merge(to_object(a), to_object(b))),
            json!({"a": 3, "b": 2, "m": {"x": 1, "y": 2}, "l": [1, 2]})
        );
    }
}
