//! Tasks that log, return or publish values: `log.Log`, `debug.Echo` (1.3's deprecated
//! Log), `debug.Return`, `output.OutputValues`.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::runnable::{not_in_family, outcome, to_map, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome};
use crate::props::Props;
use crate::task::{Level, TaskError, TaskLog};

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.core.log.Log",
        "io.kestra.plugin.core.debug.Echo",
        "io.kestra.plugin.core.debug.Return",
        "io.kestra.plugin.core.output.OutputValues",
    ],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { outcome(work(exec, call).await) })
}

async fn work(exec: Arc<Exec>, call: &Call<'_>) -> Result<Map<String, Value>, TaskError> {
    let Prepared {
        mut map,
        raw,
        vars,
        log,
        ..
    } = Prepared::rendered(&exec, call)?;
    let p = Props::new(&map);
    let (def, _info, _scope) = (call.def, call.info, call.scope);
    Ok(match call.name() {
        "Log" | "Echo" => {
            let level = p
                .string("level")?
                .and_then(|l| Level::parse(&l))
                .unwrap_or(Level::Info);
            let messages = match map.get("message").or(map.get("format")) {
                Some(Value::Array(items)) => items.clone(),
                Some(v) => vec![v.clone()],
                None => Vec::new(),
            };
            for m in messages {
                let text = match m {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                log.log(level, &text);
            }
            Map::new()
        }
        "Return" => {
            // Kestra renders `format` as a string: an expression that renders null gives
            // "" (only a missing `format` gives no value).
            let written = def.get("format").is_some_and(|f| !f.is_null());
            let v = match map.remove("format").unwrap_or(Value::Null) {
                Value::String(s) => Value::String(s),
                Value::Null if written => Value::String(String::new()),
                Value::Null => Value::Null,
                other => Value::String(other.to_string()),
            };
            // Built directly: `to_map` would copy the value once more.
            let mut out = Map::new();
            if !v.is_null() {
                out.insert("value".into(), v);
            }
            out
        }
        "OutputValues" => {
            // Written as a map, every value renders to text (Kestra's Property.asMap renders
            // the map entry by entry); one expression renders to a map as the other
            // properties do.
            let values = match raw.get("values") {
                Some(written @ Value::Object(_)) => exec
                    .render_json_text(written, &vars)
                    .map_err(TaskError::new)?,
                _ => map.get("values").cloned().unwrap_or(json!({})),
            };
            to_map(&json!({ "values": values }))
        }
        _ => return Err(not_in_family(call)),
    })
}
