//! What the server knows, shared by the message handlers and the tasks they spawn.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use kflow_lint_rules::Config;
use kflow_syntax::Document;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::Client;

use super::config::{self, Configs};
use super::documents::{Checked, Documents};
use super::wire::Outgoing;
use super::workspace::Workspace;

/// What the client said it supports, and the options it passed.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Quiet time after the last change before a document is checked.
    pub debounce: Duration,
    /// The client pulls diagnostics (`textDocument/diagnostic`): do not push them.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub watch_registration: bool,
    /// The client can show server-initiated work-done progress.
    pub work_done_progress: bool,
}

pub struct State {
    pub client: Client,
    pub docs: Mutex<Documents>,
    pub configs: Mutex<Configs>,
    pub settings: RwLock<Settings>,
    pub workspace: Mutex<Workspace>,
    /// Serialises diagnostics publication so that a stale result never follows a newer one.
    pub publish: tokio::sync::Mutex<()>,
    pub shutdown_requested: AtomicBool,
    /// Frames written to the client outside the framework (replies to `kflow.runFlow`).
    pub out: Outgoing,
    /// Runs in progress: document → its cancel switch.
    pub runs: Mutex<HashMap<Uri, tokio::sync::watch::Sender<bool>>>,
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn not_open(uri: &Uri) -> Error {
    Error::invalid_params(format!("kflow has no open document {}", uri.as_str()))
}

impl State {
    pub fn new(client: Client, debounce: Duration, out: Outgoing) -> State {
        State {
            client,
            docs: Mutex::default(),
            configs: Mutex::default(),
            settings: RwLock::new(Settings {
                debounce,
                pull_diagnostics: false,
                diagnostic_refresh: false,
                watch_registration: false,
                work_done_progress: false,
            }),
            workspace: Mutex::default(),
            publish: tokio::sync::Mutex::new(()),
            shutdown_requested: AtomicBool::new(false),
            out,
            runs: Mutex::default(),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A parse of the document's current text.
    pub fn doc(&self, uri: &Uri) -> Result<Arc<Document>> {
        let (text, generation) = {
            let docs = lock(&self.docs);
            let doc = docs.open.get(uri).ok_or_else(|| not_open(uri))?;
            if let Some(parsed) = &doc.parsed {
                return Ok(parsed.clone());
            }
            (doc.text.clone(), doc.generation)
        };
        let parsed = Arc::new(kflow_syntax::parse(&text));
        let mut docs = lock(&self.docs);
        if let Some(doc) = docs.open.get_mut(uri) {
            if doc.generation == generation {
                doc.parsed = Some(parsed.clone());
            }
        }
        Ok(parsed)
    }

    /// The last check of the document, if it was made from its current text.
    pub fn current_check(&self, uri: &Uri) -> Option<Arc<Checked>> {
        lock(&self.docs).open.get(uri)?.current_check()
    }

    /// The `kflow.toml` settings (and so the catalog) that govern the document.
    pub fn config(&self, uri: &Uri) -> Result<Arc<Config>> {
        let path = {
            let docs = lock(&self.docs);
            docs.open
                .get(uri)
                .ok_or_else(|| not_open(uri))?
                .path
                .clone()
        };
        Ok(lock(&self.configs).for_file(path.as_deref()).config)
    }

    /// The findings on the document's current text with the current `kflow.toml`, checking now
    /// if needed.
    pub fn checked(&self, uri: &Uri) -> Result<Arc<Checked>> {
        self.check(uri, None)
            .map(|(c, _)| c)
            .ok_or_else(|| not_open(uri))
    }

    /// Checks the document (unless the last check still holds). With `generation`, gives up
    /// when the document has changed since. Also returns a config error to report.
    pub fn check(
        &self,
        uri: &Uri,
        generation: Option<u64>,
    ) -> Option<(Arc<Checked>, Option<String>)> {
        let (path, current, cached) = {
            let docs = lock(&self.docs);
            let doc = docs.open.get(uri)?;
            if generation.is_some_and(|g| g != doc.generation) {
                return None;
            }
            (doc.path.clone(), doc.generation, doc.current_check())
        };
        if let Some(c) = cached {
            if c.stamp == config::stamp(path.as_deref()) {
                return Some((c, None));
            }
        }
        let parsed = self.doc(uri).ok()?;
        let loaded = lock(&self.configs).for_file(path.as_deref());
        let findings = kflow_lint_rules::check(&parsed, &loaded.config);
        let mut docs = lock(&self.docs);
        let doc = docs.open.get_mut(uri)?;
        static SERIAL: AtomicU64 = AtomicU64::new(1);
        let checked = Arc::new(Checked {
            serial: SERIAL.fetch_add(1, Ordering::Relaxed),
            generation: current,
            version: doc.version,
            doc: parsed,
            findings,
            stamp: loaded.stamp,
            config: loaded.config,
        });
        if doc.generation == current {
            doc.checked = Some(checked.clone());
        } else if generation.is_some() {
            return None;
        }
        Some((checked, loaded.error))
    }
}
