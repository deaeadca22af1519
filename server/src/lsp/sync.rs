//! Document and file notifications. They run one at a time in arrival order (the server's
//! concurrency level is 1), do only quick bookkeeping, and leave checks to spawned tasks.

use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::*;

use super::analysis;
use super::documents::OpenDoc;
use super::state::{lock, State};

pub fn open(state: &Arc<State>, p: DidOpenTextDocumentParams) {
    let doc = p.text_document;
    lock(&state.docs).open.insert(
        doc.uri.clone(),
        OpenDoc::new(&doc.uri, doc.version, doc.text),
    );
    analysis::schedule(state, doc.uri, Duration::ZERO);
}

pub fn change(state: &Arc<State>, p: DidChangeTextDocumentParams) {
    let uri = p.text_document.uri;
    {
        let mut docs = lock(&state.docs);
        let Some(doc) = docs.open.get_mut(&uri) else {
            // A change to a document that was never opened: nothing to apply it to.
            return;
        };
        for change in p.content_changes {
            doc.apply(change);
        }
        doc.version = p.text_document.version;
    }
    let debounce = state.settings().debounce;
    analysis::schedule(state, uri, debounce);
}

pub fn close(state: &Arc<State>, p: DidCloseTextDocumentParams) {
    let removed = lock(&state.docs).open.remove(&p.text_document.uri);
    let Some(doc) = removed else { return };
    if let Some(pending) = doc.pending {
        pending.abort();
    }
    if !state.settings().pull_diagnostics {
        let st = state.clone();
        tokio::spawn(async move { analysis::clear(&st, p.text_document.uri).await });
    }
}

pub fn watched_files(state: &Arc<State>, p: DidChangeWatchedFilesParams) {
    let mut config_changed = false;
    let mut flows = Vec::new();
    for change in p.changes {
        let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) else {
            continue;
        };
        if path.file_name().is_some_and(|n| n == "kflow.toml") {
            config_changed = true;
        } else {
            flows.push(path);
        }
    }
    if config_changed {
        analysis::recheck_all(state);
    }
    if !flows.is_empty() {
        let st = state.clone();
        tokio::task::spawn_blocking(move || {
            let mut ws = lock(&st.workspace);
            for path in flows {
                ws.update(&path);
            }
        });
    }
}
