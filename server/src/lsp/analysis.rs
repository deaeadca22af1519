//! Checking documents off the message loop: a change schedules a check after a quiet time
//! (the debounce), a newer change aborts the one scheduled before, and results are published
//! only while they are those of the latest text.

use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::{MessageType, Uri};

use super::convert;
use super::documents::Checked;
use super::state::{lock, State};

/// Schedules a check of `uri` after `delay`, replacing any check scheduled before.
pub fn schedule(state: &Arc<State>, uri: Uri, delay: Duration) {
    let pull = state.settings().pull_diagnostics;
    let mut docs = lock(&state.docs);
    let Some(doc) = docs.open.get_mut(&uri) else {
        return;
    };
    if let Some(previous) = doc.pending.take() {
        previous.abort();
    }
    if pull {
        // The client asks when it wants them (textDocument/diagnostic).
        return;
    }
    let generation = doc.generation;
    let st = state.clone();
    let task = tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let (st2, uri2) = (st.clone(), uri.clone());
        let Ok(Some((checked, error))) =
            tokio::task::spawn_blocking(move || st2.check(&uri2, Some(generation))).await
        else {
            return;
        };
        if let Some(e) = error {
            st.client.show_message(MessageType::ERROR, e).await;
        }
        publish(&st, &uri, generation, &checked).await;
    });
    doc.pending = Some(task.abort_handle());
}

/// Re-checks every open document now (after a `kflow.toml` change).
pub fn recheck_all(state: &Arc<State>) {
    let uris: Vec<Uri> = lock(&state.docs).open.keys().cloned().collect();
    for uri in uris {
        schedule(state, uri, Duration::ZERO);
    }
}

async fn publish(state: &State, uri: &Uri, generation: u64, checked: &Checked) {
    let _one_at_a_time = state.publish.lock().await;
    let current = lock(&state.docs)
        .open
        .get(uri)
        .is_some_and(|d| d.generation == generation);
    if !current {
        return;
    }
    let diagnostics = checked
        .findings
        .iter()
        .map(|f| convert::diagnostic(&checked.doc, uri, f))
        .collect();
    state
        .client
        .publish_diagnostics(uri.clone(), diagnostics, Some(checked.version))
        .await;
}

/// Clears the diagnostics of a closed document.
pub async fn clear(state: &State, uri: Uri) {
    let _one_at_a_time = state.publish.lock().await;
    state
        .client
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}

/// Watches the `kflow.toml` files that govern open documents (in case the client does not
/// report file changes): a document whose config changed since its last check is re-checked.
pub async fn watch_configs(state: Arc<State>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let docs: Vec<_> = lock(&state.docs)
            .open
            .iter()
            .filter_map(|(uri, d)| {
                Some((
                    uri.clone(),
                    d.path.clone(),
                    d.checked.as_ref()?.stamp.clone(),
                ))
            })
            .collect();
        let st = state.clone();
        let due = tokio::task::spawn_blocking(move || {
            docs.into_iter()
                .filter(|(_, path, stamp)| super::config::stamp(path.as_deref()) != *stamp)
                .map(|(uri, _, _)| uri)
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        if due.is_empty() {
            continue;
        }
        if st.settings().pull_diagnostics {
            if st.settings().diagnostic_refresh {
                let _ = st.client.workspace_diagnostic_refresh().await;
            }
            continue;
        }
        for uri in due {
            schedule(&st, uri, Duration::ZERO);
        }
    }
}
