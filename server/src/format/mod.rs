//! Report formats of `kflow lint`.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use kflow_syntax::{Document, Span};

/// 1-based start and end (line, column), columns in Unicode scalar values.
#[derive(Clone, Copy, Debug)]
pub struct Range {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

pub fn range(doc: &Document, span: Span) -> Range {
    let start = doc.line_index.line_col(&doc.text, span.start as usize);
    let end = doc.line_index.line_col(&doc.text, span.end as usize);
    Range {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}
