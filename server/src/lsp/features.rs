//! Request handlers (completion, hover, navigation, pulled diagnostics): each converts
//! positions to offsets, asks `kflow_lint_rules::ide`, and converts the answer back.

use std::sync::Arc;

use kflow_lint_rules::ide::{self, CandidateKind};
use kflow_syntax::Document;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use super::convert;
use super::state::State;

pub fn completion(state: &State, p: CompletionParams) -> Result<Option<CompletionResponse>> {
    let at = p.text_document_position;
    let doc = state.doc(&at.text_document.uri)?;
    let offset = convert::offset(&doc, at.position);
    let config = state.config(&at.text_document.uri)?;
    let items = ide::complete(&doc, config.catalog(), offset)
        .into_iter()
        .map(|c| completion_item(&doc, c))
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    })))
}

fn completion_item(doc: &Document, c: ide::Candidate) -> CompletionItem {
    let kind = match c.kind {
        CandidateKind::PluginType => CompletionItemKind::CLASS,
        CandidateKind::Property => CompletionItemKind::PROPERTY,
        CandidateKind::Value => CompletionItemKind::ENUM_MEMBER,
        CandidateKind::Task => CompletionItemKind::MODULE,
        CandidateKind::Output | CandidateKind::Field => CompletionItemKind::FIELD,
        CandidateKind::Input | CandidateKind::Variable | CandidateKind::ContextVariable => {
            CompletionItemKind::VARIABLE
        }
        CandidateKind::Filter | CandidateKind::Function => CompletionItemKind::FUNCTION,
        CandidateKind::Test => CompletionItemKind::KEYWORD,
    };
    CompletionItem {
        label: c.label,
        kind: Some(kind),
        detail: (!c.detail.is_empty()).then_some(c.detail),
        documentation: (!c.doc.is_empty()).then_some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: c.doc,
        })),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
            convert::range(doc, c.replace),
            c.insert,
        ))),
        insert_text_format: Some(if c.snippet {
            InsertTextFormat::SNIPPET
        } else {
            InsertTextFormat::PLAIN_TEXT
        }),
        filter_text: c.filter,
        sort_text: Some(c.sort),
        tags: c.deprecated.then(|| vec![CompletionItemTag::DEPRECATED]),
        ..CompletionItem::default()
    }
}

/// Documents from this size on are not checked for a hover: a check of a large flow takes a
/// while, and a hover must answer at once.
const HOVER_CHECKS_BELOW: usize = 64 * 1024;

/// The hover shows the findings under the cursor too. For a large document it answers from the
/// current parse without waiting for a check in progress, with the findings of the last check
/// when that was of this very text.
pub fn hover(state: &State, p: HoverParams) -> Result<Option<Hover>> {
    let at = p.text_document_position_params;
    let uri = &at.text_document.uri;
    let doc = state.doc(uri)?;
    let config = state.config(uri)?;
    let current = if doc.text.len() < HOVER_CHECKS_BELOW {
        Some(state.checked(uri)?)
    } else {
        state.current_check(uri)
    };
    let findings = current.as_ref().map_or(&[][..], |c| &c.findings[..]);
    let doc = &*doc;
    let offset = convert::offset(doc, at.position);
    Ok(
        ide::hover(doc, config.catalog(), findings, offset).map(|h| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(convert::range(doc, h.span)),
        }),
    )
}

pub fn references(state: &State, p: ReferenceParams) -> Result<Option<Vec<Location>>> {
    let at = p.text_document_position;
    let uri = &at.text_document.uri;
    let doc = state.doc(uri)?;
    let offset = convert::offset(&doc, at.position);
    let found = ide::references(&doc, offset, p.context.include_declaration);
    Ok(Some(
        found
            .into_iter()
            .map(|o| Location::new(uri.clone(), convert::range(&doc, o.span)))
            .collect(),
    ))
}

pub fn prepare_rename(
    state: &State,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>> {
    let doc = state.doc(&p.text_document.uri)?;
    let offset = convert::offset(&doc, p.position);
    Ok(ide::prepare_rename(&doc, offset)
        .map(|span| PrepareRenameResponse::Range(convert::range(&doc, span))))
}

pub fn rename(state: &State, p: RenameParams) -> Result<Option<WorkspaceEdit>> {
    let at = p.text_document_position;
    let uri = &at.text_document.uri;
    let doc = state.doc(uri)?;
    let offset = convert::offset(&doc, at.position);
    let edits = ide::rename(&doc, offset, &p.new_name).map_err(Error::invalid_params)?;
    Ok(Some(convert::workspace_edit(&doc, uri, &edits)))
}

pub fn pull_diagnostics(
    state: &State,
    p: DocumentDiagnosticParams,
) -> Result<DocumentDiagnosticReportResult> {
    let uri = &p.text_document.uri;
    let checked = state.checked(uri)?;
    let result_id = checked.serial.to_string();
    let report = if p.previous_result_id.as_deref() == Some(result_id.as_str()) {
        DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
            related_documents: None,
            unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id },
        })
    } else {
        DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport {
                result_id: Some(result_id),
                items: checked
                    .findings
                    .iter()
                    .map(|f| convert::diagnostic(&checked.doc, uri, f))
                    .collect(),
            },
        })
    };
    Ok(DocumentDiagnosticReportResult::Report(report))
}

/// Task ids, inputs and variables in this file; a Subflow's `namespace`/`flowId` to the flow.
pub async fn definition(
    state: &Arc<State>,
    p: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let at = p.text_document_position_params;
    let uri = &at.text_document.uri;
    let doc = state.doc(uri)?;
    let offset = convert::offset(&doc, at.position);
    if let Some(target) = ide::subflow_target(&doc, offset) {
        let found = super::subflows::locate(state, &target.namespace, &target.flow_id).await;
        return Ok(found.map(GotoDefinitionResponse::Scalar));
    }
    let spans = ide::definition(&doc, offset);
    Ok((!spans.is_empty()).then(|| {
        GotoDefinitionResponse::Array(
            spans
                .into_iter()
                .map(|s| Location::new(uri.clone(), convert::range(&doc, s)))
                .collect(),
        )
    }))
}
