//! `kflow.showGraph`: the graph of an open flow (`[{"uri": …}]`) as `{"svg", "mermaid"}`, the
//! same pictures as `kflow graph`, for editors to show or save.

use serde::Deserialize;
use serde_json::{json, Value};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::Uri;

use super::runs::failed;
use super::state::State;
use crate::graph::{render, GraphFormat};

#[derive(Deserialize)]
struct Target {
    uri: Uri,
}

pub fn show(state: &State, arguments: &[Value]) -> Result<Option<Value>> {
    let first = arguments.first().cloned().unwrap_or(Value::Null);
    let target: Target = serde_json::from_value(first)
        .map_err(|e| Error::invalid_params(format!("expected arguments [{{\"uri\": …}}]: {e}")))?;
    let doc = state.doc(&target.uri)?;
    // A document that is not a drawable flow (YAML errors, no tasks) fails with where and why,
    // as the command line says it.
    let svg = render(&doc, GraphFormat::Svg).map_err(failed)?;
    let mermaid = render(&doc, GraphFormat::Mermaid).map_err(failed)?;
    Ok(Some(json!({"svg": svg, "mermaid": mermaid})))
}
