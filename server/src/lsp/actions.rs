//! Code actions: quick fixes at a range, "fix all" for the file, and "migrate this file to
//! Kestra 2.0".

use kflow_lint_rules::ide;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::capabilities::{FIX_ALL, MIGRATE};
use super::convert;
use super::state::State;

pub fn code_actions(state: &State, p: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let uri = &p.text_document.uri;
    let checked = state.checked(uri)?;
    let doc = &checked.doc;
    let wants = |kind: &CodeActionKind| {
        p.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let mut out = Vec::new();
    let quickfix = CodeActionKind::QUICKFIX;
    if wants(&quickfix) {
        for a in ide::quick_fixes(doc, &checked.findings, convert::span(doc, p.range)) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(quickfix.clone()),
                diagnostics: a
                    .finding
                    .map(|i| vec![convert::diagnostic(doc, uri, &checked.findings[i])]),
                edit: Some(convert::workspace_edit(doc, uri, &a.edits)),
                is_preferred: a.preferred.then_some(true),
                ..CodeAction::default()
            }));
        }
    }
    let fix_all = CodeActionKind::new(FIX_ALL);
    if wants(&fix_all) {
        let check = |text: &str| {
            let doc = kflow_syntax::parse(text);
            kflow_lint_rules::check(&doc, &checked.config)
        };
        if let Some(a) = ide::fix_all(doc, &checked.findings, check) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(fix_all),
                edit: Some(convert::workspace_edit(doc, uri, &a.edits)),
                ..CodeAction::default()
            }));
        }
    }
    // Only when asked for: it re-checks the file as a 2.0 flow until no fix applies.
    let migrate = CodeActionKind::new(MIGRATE);
    let asked = p.context.only.as_ref().is_some_and(|only| {
        only.iter()
            .any(|o| migrate.as_str().starts_with(o.as_str()))
    });
    if asked {
        if let Some(a) = ide::migrate(doc, &checked.config) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(migrate),
                edit: Some(convert::workspace_edit(doc, uri, &a.edits)),
                ..CodeAction::default()
            }));
        }
    }
    Ok(Some(out))
}
