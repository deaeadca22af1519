//! Finding the file of a flow by namespace and id: open documents first (their current text),
//! then the workspace index.

use std::sync::Arc;

use kflow_lint_rules::ide::flow_identity;
use tower_lsp_server::ls_types::{Location, Uri};

use super::convert;
use super::state::{lock, State};
use super::workspace;

pub async fn locate(state: &Arc<State>, namespace: &str, id: &str) -> Option<Location> {
    let open: Vec<Uri> = lock(&state.docs).open.keys().cloned().collect();
    for uri in open {
        let Ok(doc) = state.doc(&uri) else { continue };
        if let Some((ns, flow_id, span)) = flow_identity(&doc) {
            if ns == namespace && flow_id == id {
                return Some(Location::new(uri, convert::range(&doc, span)));
            }
        }
    }
    ensure_index(state).await;
    let path = lock(&state.workspace).find(namespace, id)?;
    let (ns, id) = (namespace.to_string(), id.to_string());
    tokio::task::spawn_blocking(move || {
        let doc = kflow_syntax::parse_bytes(&std::fs::read(&path).ok()?);
        let (found_ns, found_id, span) = flow_identity(&doc)?;
        (found_ns == ns && found_id == id).then(|| {
            Some(Location::new(
                Uri::from_file_path(&path)?,
                convert::range(&doc, span),
            ))
        })?
    })
    .await
    .ok()?
}

/// Builds the workspace index if it is not built yet.
pub async fn ensure_index(state: &Arc<State>) {
    let roots = {
        let ws = lock(&state.workspace);
        if ws.flows.is_some() {
            return;
        }
        ws.roots.clone()
    };
    let Ok(flows) = tokio::task::spawn_blocking(move || workspace::index(&roots)).await else {
        return;
    };
    let mut ws = lock(&state.workspace);
    if ws.flows.is_none() {
        ws.flows = Some(flows);
    }
}
