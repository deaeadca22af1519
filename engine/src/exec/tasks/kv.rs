//! Key-value store tasks: `kv.Set` (and `Put`), `Get`, `Delete`, `GetKeys` (the store is
//! `crate::kv`).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::runnable::{not_in_family, outcome, to_map, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome};
use crate::props::Props;
use crate::task::TaskError;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.core.kv.Set",
        "io.kestra.plugin.core.kv.Put",
        "io.kestra.plugin.core.kv.Get",
        "io.kestra.plugin.core.kv.Delete",
        "io.kestra.plugin.core.kv.GetKeys",
    ],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { outcome(work(exec, call).await) })
}

async fn work(exec: Arc<Exec>, call: &Call<'_>) -> Result<Map<String, Value>, TaskError> {
    let Prepared { map, .. } = Prepared::rendered(&exec, call)?;
    let storage = exec.opts.storage.clone();
    let p = Props::new(&map);
    let ns = exec.namespace.clone();
    let kv = || crate::kv::KvStore::new(storage.clone());
    Ok(match call.name() {
        "Set" | "Put" => {
            let k = p.required_string("key")?;
            let namespace = p.string("namespace")?.unwrap_or(ns);
            let value = map.get("value").cloned().unwrap_or(Value::Null);
            let kv_type = match p.string("kvType")? {
                Some(t) => Some(crate::kv::KvType::parse(&t)?),
                None => None,
            };
            let ttl = match p.string("ttl")? {
                Some(t) => {
                    Some(crate::time::JavaDuration::parse(&t).map_err(|e| p.error("ttl", e))?)
                }
                None => None,
            };
            kv().set(
                &namespace,
                &k,
                &value,
                kv_type,
                ttl,
                p.boolean("overwrite", true)?,
            )
            .await?;
            Map::new()
        }
        "Get" => {
            let k = p.required_string("key")?;
            let namespace = p.string("namespace")?.unwrap_or(ns);
            match kv()
                .get(&namespace, &k)
                .await
                .map_err(|e| TaskError::new(e.to_string()))?
            {
                Some(v) => to_map(&json!({ "value": v.value })),
                None if p.boolean("errorOnMissing", false)? => {
                    return Err(TaskError::new(format!(
                        "The key '{k}' does not exist in the namespace '{namespace}'"
                    )))
                }
                None => Map::new(),
            }
        }
        "Delete" => {
            let k = p.required_string("key")?;
            let namespace = p.string("namespace")?.unwrap_or(ns);
            let deleted = kv()
                .delete(&namespace, &k)
                .await
                .map_err(|e| TaskError::new(e.to_string()))?;
            if !deleted && p.boolean("errorOnMissing", false)? {
                return Err(TaskError::new(format!(
                    "The key '{k}' does not exist in the namespace '{namespace}'"
                )));
            }
            to_map(&json!({ "deleted": deleted }))
        }
        "GetKeys" => {
            let namespace = p.string("namespace")?.unwrap_or(ns);
            let prefix = p.string("prefix")?;
            let keys = kv()
                .keys(&namespace, prefix.as_deref())
                .await
                .map_err(|e| TaskError::new(e.to_string()))?;
            to_map(&json!({ "keys": keys }))
        }
        _ => return Err(not_in_family(call)),
    })
}
