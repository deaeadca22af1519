//! The outline, folding ranges and semantic tokens of a document.

use kflow_lint_rules::ide::{self, FoldKind, SymbolKind as Kind};
use kflow_syntax::Document;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use super::convert;
use super::state::State;

pub fn document_symbols(
    state: &State,
    p: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let doc = state.doc(&p.text_document.uri)?;
    let symbols = ide::symbols(&doc)
        .into_iter()
        .map(|s| symbol(&doc, s))
        .collect();
    Ok(Some(DocumentSymbolResponse::Nested(symbols)))
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, as `None`.
fn symbol(doc: &Document, s: ide::Symbol) -> DocumentSymbol {
    let kind = match s.kind {
        Kind::Section => SymbolKind::NAMESPACE,
        Kind::Input => SymbolKind::VARIABLE,
        Kind::Variable => SymbolKind::CONSTANT,
        Kind::Task => SymbolKind::FUNCTION,
        Kind::Trigger => SymbolKind::EVENT,
    };
    DocumentSymbol {
        name: if s.name.is_empty() {
            "(empty)".into()
        } else {
            s.name
        },
        detail: (!s.detail.is_empty()).then_some(s.detail),
        kind,
        tags: None,
        deprecated: None,
        range: convert::range(doc, s.span),
        selection_range: convert::range(doc, s.selection),
        children: Some(s.children.into_iter().map(|c| symbol(doc, c)).collect()),
    }
}

pub fn folding_ranges(state: &State, p: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
    let doc = state.doc(&p.text_document.uri)?;
    let lines = &doc.line_index;
    Ok(Some(
        ide::folding_ranges(&doc)
            .into_iter()
            .map(|f| FoldingRange {
                start_line: lines.line_of(f.start) as u32,
                end_line: lines.line_of(f.end) as u32,
                kind: Some(match f.kind {
                    FoldKind::Region => FoldingRangeKind::Region,
                    FoldKind::Comment => FoldingRangeKind::Comment,
                }),
                ..FoldingRange::default()
            })
            .collect(),
    ))
}

pub fn semantic_tokens(
    state: &State,
    p: SemanticTokensParams,
) -> Result<Option<SemanticTokensResult>> {
    let doc = state.doc(&p.text_document.uri)?;
    let mut data = Vec::new();
    let (mut line, mut start) = (0u32, 0u32);
    for t in ide::semantic_tokens(&doc) {
        let pos = convert::position(&doc, t.span.start as usize);
        let length = doc.text[t.span.range()].encode_utf16().count() as u32;
        let delta_line = pos.line - line;
        let delta_start = if delta_line == 0 {
            pos.character - start
        } else {
            pos.character
        };
        data.push(SemanticToken {
            delta_line,
            delta_start,
            length,
            token_type: t.kind as u32,
            token_modifiers_bitset: 0,
        });
        (line, start) = (pos.line, pos.character);
    }
    Ok(Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    })))
}
