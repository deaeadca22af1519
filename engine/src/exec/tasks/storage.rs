//! Internal-storage tasks: `storage.Write`, `Delete`, `Size`, `Concat`, `LocalFiles`.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::runnable::{not_in_family, outcome, to_map, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome};
use crate::props::Props;
use crate::storage::uri::file_uri;
use crate::task::TaskError;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.core.storage.Write",
        "io.kestra.plugin.core.storage.Delete",
        "io.kestra.plugin.core.storage.Size",
        "io.kestra.plugin.core.storage.Concat",
        "io.kestra.plugin.core.storage.LocalFiles",
    ],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { outcome(work(exec, call).await) })
}

async fn work(exec: Arc<Exec>, call: &Call<'_>) -> Result<Map<String, Value>, TaskError> {
    let Prepared {
        map, raw, key, log, ..
    } = Prepared::rendered(&exec, call)?;
    let storage = exec.opts.storage.clone();
    let p = Props::new(&map);
    let (def, info, scope) = (call.def, call.info, call.scope);
    Ok(match call.name() {
        "Write" => {
            let content = p.required_string("content")?;
            let ext = p.string("extension")?.unwrap_or_else(|| ".ion".into());
            let name = format!("{}{}", crate::ids::random_digits(), ext);
            let uri = file_uri(&key.prefix(), &name);
            storage.put_bytes(&uri, content.as_bytes()).await?;
            to_map(&json!({ "uri": uri }))
        }
        "Delete" => {
            let uri = p.required_string("uri")?;
            let deleted = storage.delete(&uri).await?;
            if !deleted && p.boolean("errorOnMissing", false)? {
                return Err(TaskError::new(format!("Unable to find the file '{uri}'")));
            }
            to_map(&json!({ "uri": uri, "deleted": deleted }))
        }
        "Size" => {
            let uri = p.required_string("uri")?;
            to_map(&json!({ "size": storage.size(&uri).await? }))
        }
        "Concat" => {
            let files = match map.get("files") {
                Some(Value::String(s)) => {
                    serde_json::from_str::<Vec<String>>(s).map_err(|e| p.error("files", e))?
                }
                _ => p.string_list("files")?,
            };
            let sep = p.string("separator")?;
            let ext = p.string("extension")?.unwrap_or_else(|| ".tmp".into());
            let mut content = Vec::new();
            for (i, f) in files.iter().enumerate() {
                content.extend(storage.read(f).await?);
                if let (Some(sep), true) = (&sep, i + 1 < files.len()) {
                    content.extend(sep.as_bytes());
                }
            }
            let uri = file_uri(
                &key.prefix(),
                &format!("{}{}", crate::ids::random_digits(), ext),
            );
            storage.put_bytes(&uri, &content).await?;
            to_map(&json!({ "uri": uri }))
        }
        "LocalFiles" => {
            // In the enclosing WorkingDirectory, else in a folder of its own (as Kestra's
            // worker gives any task one).
            let own;
            let dir = match &scope.workdir {
                Some(w) => w.as_ref(),
                None => {
                    own = crate::scripts::WorkingDir::create(
                        &exec.opts.storage.root().join(".kflow-work"),
                    )?;
                    &own
                }
            };
            let files_vars = exec.task_vars(info, scope, def);
            let written = raw.get("inputs").cloned().unwrap_or(Value::Null);
            exec.write_files(&written, &files_vars, dir).await?;
            let globs = raw.get("outputs").cloned().unwrap_or(Value::Null);
            let uris = exec
                .upload_files(&globs, &files_vars, dir, &key, &log)
                .await?;
            let mut out = Map::new();
            out.insert("uris".into(), json!(uris));
            out
        }
        _ => return Err(not_in_family(call)),
    })
}
