//! The `LanguageServer` implementation: each method hands its parameters to a handler.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::state::{lock, not_open, State};
use super::wire::Outgoing;
use super::{
    actions, analysis, capabilities, config, features, rule_docs, runs, structure, subflows, sync,
};

/// How often the `kflow.toml` files of open documents are looked at.
const CONFIG_POLL: Duration = Duration::from_secs(1);

pub struct Backend {
    pub state: Arc<State>,
}

/// `initializationOptions` kflow reads.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Options {
    debounce_ms: Option<u64>,
    rule_docs_url: Option<String>,
    /// Rule levels, `{"rule-id": "warning"}`: defaults under the project's `kflow.toml`.
    rules: Option<Value>,
}

impl Backend {
    pub fn new(client: Client, debounce: Duration, out: Outgoing) -> Backend {
        Backend {
            state: Arc::new(State::new(client, debounce, out)),
        }
    }

    /// `kflow.runFlow` (diverted by the wire guard): starts the run; its task replies.
    pub async fn run_flow(&self, params: runs::RunFlow) {
        runs::start(&self.state, params);
    }

    /// Answers a frame the wire guard could not pass on (see `wire`) with its JSON-RPC error.
    pub async fn invalid_message(&self, params: InvalidMessage) -> Result<()> {
        Err(Error {
            code: ErrorCode::from(params.code),
            message: params.message.into(),
            data: None,
        })
    }

    /// `kflow/documentText`: the text and version the server holds for a document (to check
    /// that an editor and the server agree).
    pub async fn document_text(&self, params: TextDocumentIdentifier) -> Result<Value> {
        let docs = lock(&self.state.docs);
        let doc = docs
            .open
            .get(&params.uri)
            .ok_or_else(|| not_open(&params.uri))?;
        Ok(serde_json::json!({"version": doc.version, "text": doc.text}))
    }
}

#[derive(Deserialize)]
pub struct InvalidMessage {
    code: i64,
    message: String,
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let options: Options = params
            .initialization_options
            .and_then(|o| serde_json::from_value(o).ok())
            .unwrap_or_default();
        rule_docs::configure(options.rule_docs_url);
        if let Some(rules) = &options.rules {
            config::set_editor_rules(rules);
        }
        let caps = &params.capabilities;
        let pull = capabilities::pulls_diagnostics(caps);
        {
            let mut s = self
                .state
                .settings
                .write()
                .unwrap_or_else(|p| p.into_inner());
            if let Some(ms) = options.debounce_ms {
                s.debounce = Duration::from_millis(ms.min(10_000));
            }
            s.pull_diagnostics = pull;
            s.diagnostic_refresh = capabilities::refreshes_diagnostics(caps);
            s.watch_registration = capabilities::registers_file_watchers(caps);
            s.work_done_progress = capabilities::shows_progress(caps);
        }
        #[allow(deprecated)] // `root_uri` is how older clients name the workspace.
        let roots: Vec<PathBuf> = match (&params.workspace_folders, &params.root_uri) {
            (Some(folders), _) => folders
                .iter()
                .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
                .collect(),
            (None, Some(root)) => root
                .to_file_path()
                .map(|p| p.into_owned())
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        lock(&self.state.workspace).roots = roots;
        Ok(InitializeResult {
            capabilities: capabilities::server(pull),
            server_info: Some(ServerInfo {
                name: "kflow".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let state = self.state.clone();
        // Anything that waits for the client runs in its own task: handlers run one at a time.
        tokio::spawn(async move {
            if state.settings().watch_registration {
                let _ = state
                    .client
                    .register_capability(vec![capabilities::file_watchers()])
                    .await;
            }
            subflows::ensure_index(&state).await;
        });
        tokio::spawn(analysis::watch_configs(self.state.clone(), CONFIG_POLL));
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown_requested.store(true, Ordering::SeqCst);
        // LSP: the server stops its work before answering; runs end KILLED with their record.
        runs::cancel_all(&self.state, runs::RUN_GRACE).await;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        sync::open(&self.state, params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        sync::change(&self.state, params);
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {}

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        sync::close(&self.state, params);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        sync::watched_files(&self.state, params);
    }

    /// Accepts `{"kflow": {"rules": …}}` or `{"rules": …}` and checks the open documents again.
    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = params.settings.get("kflow").unwrap_or(&params.settings);
        if let Some(rules) = settings.get("rules") {
            config::set_editor_rules(rules);
            analysis::recheck_all(&self.state);
        }
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        features::completion(&self.state, params)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        features::hover(&self.state, params)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        features::definition(&self.state, params).await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        features::references(&self.state, params)
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        features::prepare_rename(&self.state, params)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        features::rename(&self.state, params)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        structure::document_symbols(&self.state, params)
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        structure::folding_ranges(&self.state, params)
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        structure::semantic_tokens(&self.state, params)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        actions::code_actions(&self.state, params)
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        runs::code_lenses(&self.state, params)
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        runs::execute_command(&self.state, params)
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        features::pull_diagnostics(&self.state, params)
    }
}
