//! Byte offsets ↔ LSP positions (UTF-16), and kflow's findings and edits as LSP values: the one
//! place where positions change representation.

use std::collections::HashMap;

use kflow_lint_rules::{Edit, Finding, Severity};
use kflow_syntax::{Document, Span, Utf16Pos};
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::rule_docs;

pub fn position(doc: &Document, offset: usize) -> Position {
    let p = doc.line_index.utf16(&doc.text, offset);
    Position::new(p.line, p.character)
}

pub fn range(doc: &Document, span: Span) -> Range {
    Range::new(
        position(doc, span.start as usize),
        position(doc, span.end as usize),
    )
}

/// A client position as a byte offset; positions past a line's end or past the text clamp.
pub fn offset(doc: &Document, pos: Position) -> usize {
    doc.line_index.offset_of_utf16(
        &doc.text,
        Utf16Pos {
            line: pos.line,
            character: pos.character,
        },
    )
}

/// A client range as a span (a reversed range is put in order).
pub fn span(doc: &Document, r: Range) -> Span {
    let (a, b) = (offset(doc, r.start), offset(doc, r.end));
    Span::new(a.min(b), a.max(b))
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

pub fn diagnostic(doc: &Document, uri: &Uri, f: &Finding) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = f
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(doc, r.span)),
            message: r.message.clone(),
        })
        .collect();
    Diagnostic {
        range: range(doc, f.span),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.to_string())),
        code_description: rule_docs::link(f.rule).map(|href| CodeDescription { href }),
        source: Some("kflow".to_string()),
        message: f.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

pub fn text_edits(doc: &Document, edits: &[Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit::new(range(doc, e.span), e.new_text.clone()))
        .collect()
}

pub fn workspace_edit(doc: &Document, uri: &Uri, edits: &[Edit]) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), text_edits(doc, edits))])),
        ..WorkspaceEdit::default()
    }
}
