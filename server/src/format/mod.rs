//! Report formats of `kflow lint`.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::io::{self, Write};

use kflow_syntax::{Document, Span};

use crate::lint::Linted;
use crate::Format;

/// One file's part of the report, rendered while its document is still in memory.
pub fn render_file(format: Format, l: &Linted, color: bool) -> Vec<u8> {
    match format {
        Format::Human => human::file(l, color),
        Format::Json => json::file(l),
        Format::Sarif => sarif::file(l),
        Format::Github => github::file(l),
    }
}

/// The whole report from the files' parts, in order.
pub fn write_report(
    format: Format,
    out: &mut impl Write,
    chunks: &[Vec<u8>],
    files: usize,
    counts: [usize; 3],
    denied: bool,
) -> io::Result<()> {
    match format {
        Format::Human => human::finish(out, chunks, files, counts, denied),
        Format::Json => json::finish(out, chunks, files),
        Format::Sarif => sarif::finish(out, chunks),
        Format::Github => chunks.iter().try_for_each(|c| out.write_all(c)),
    }
}

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
