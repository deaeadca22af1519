//! What the server offers, and what it reads of the client's capabilities.

use tower_lsp_server::ls_types::*;

use kflow_lint_rules::ide::TOKEN_KINDS;

/// The kind of the "fix all" action (a `source.fixAll` sub-kind, so editors run it on save
/// when asked to).
pub const FIX_ALL: &str = "source.fixAll.kflow";
/// The "Migrate this file to Kestra 2.0" source action.
pub const MIGRATE: &str = "source.migrate.kflow";

/// The commands of `workspace/executeCommand`.
pub const RUN_FLOW: &str = "kflow.runFlow";
pub const CANCEL_RUN: &str = "kflow.cancelRun";
pub const SHOW_GRAPH: &str = "kflow.showGraph";

pub fn server(pull_diagnostics: bool) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "|".into()]),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: TOKEN_KINDS
                        .iter()
                        .map(|k| SemanticTokenType::new(k))
                        .collect(),
                    token_modifiers: Vec::new(),
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL),
                CodeActionKind::new(MIGRATE),
            ]),
            ..CodeActionOptions::default()
        })),
        diagnostic_provider: pull_diagnostics.then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("kflow".into()),
                inter_file_dependencies: false,
                workspace_diagnostics: false,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })
        }),
        // Running a flow from the editor: a "▶ Run flow" code lens and the commands.
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![RUN_FLOW.into(), CANCEL_RUN.into(), SHOW_GRAPH.into()],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        ..ServerCapabilities::default()
    }
}

/// The client pulls diagnostics (LSP 3.17 `textDocument/diagnostic`).
pub fn pulls_diagnostics(caps: &ClientCapabilities) -> bool {
    caps.text_document
        .as_ref()
        .is_some_and(|t| t.diagnostic.is_some())
}

/// The client shows progress the server starts (`window/workDoneProgress/create`).
pub fn shows_progress(caps: &ClientCapabilities) -> bool {
    caps.window
        .as_ref()
        .and_then(|w| w.work_done_progress)
        .unwrap_or(false)
}

pub fn refreshes_diagnostics(caps: &ClientCapabilities) -> bool {
    caps.workspace
        .as_ref()
        .and_then(|w| w.diagnostics.as_ref())
        .and_then(|d| d.refresh_support)
        .unwrap_or(false)
}

pub fn registers_file_watchers(caps: &ClientCapabilities) -> bool {
    caps.workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

/// Asks the client to report changes of `kflow.toml` and flow files.
pub fn file_watchers() -> Registration {
    let watch = |glob: &str| FileSystemWatcher {
        glob_pattern: GlobPattern::String(glob.to_string()),
        kind: None,
    };
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![watch("**/kflow.toml"), watch("**/*.{yml,yaml}")],
    };
    Registration {
        id: "kflow-watch".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    }
}
