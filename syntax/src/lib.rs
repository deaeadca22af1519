//! kflow's front end: text → spanned YAML tree → flow model, with every Pebble expression found
//! and parsed. Knows nothing of rules or the engine.

pub mod expr;
pub mod jq;
pub mod line_index;
pub mod model;
pub mod pebble;
pub mod span;
pub mod yaml;

pub use line_index::{LineCol, LineIndex, Utf16Pos};
pub use span::Span;

use model::Flow;
use yaml::Tree;

/// A problem that makes the text unreadable as YAML, or as one flow document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    /// Another place worth showing (the first definition of a duplicate key…).
    pub related: Option<(Span, String)>,
}

impl SyntaxError {
    pub fn new(span: Span, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            span,
            message: message.into(),
            related: None,
        }
    }

    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> SyntaxError {
        self.related = Some((span, message.into()));
        self
    }
}

/// Everything kflow knows about one file's text.
#[derive(Clone, Debug)]
pub struct Document {
    pub text: String,
    pub line_index: LineIndex,
    pub tree: Tree,
    /// `None` when the document is not a mapping (empty, a list, unreadable…).
    pub flow: Option<Flow>,
    /// Every Pebble template found in string values.
    pub expressions: Vec<expr::Expression>,
    pub errors: Vec<SyntaxError>,
}

/// Parses file contents, which may be invalid UTF-8.
/// `span` moved inside `text`, on character boundaries.
fn within(text: &str, span: Span) -> Span {
    let floor = |i: usize| {
        let mut i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start as usize);
    Span::new(start, floor(span.end as usize).max(start))
}

pub fn parse_bytes(bytes: &[u8]) -> Document {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(err) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let at = err.valid_up_to();
            // The invalid byte is now U+FFFD (three bytes) in the lossy text.
            let error = SyntaxError::new(
                within(&text, Span::new(at, at + 3)),
                format!("the file is not valid UTF-8 (invalid byte at offset {at})"),
            );
            Document {
                line_index: LineIndex::new(&text),
                text,
                tree: Tree::default(),
                flow: None,
                expressions: Vec::new(),
                errors: vec![error],
            }
        }
    }
}

pub fn parse(text: &str) -> Document {
    let mut errors = Vec::new();
    if text.as_bytes().contains(&0) {
        let at = text.as_bytes().iter().position(|&b| b == 0).unwrap_or(0);
        errors.push(SyntaxError::new(
            Span::new(at, at + 1),
            "the file contains a NUL byte: it looks binary, not YAML",
        ));
        return Document {
            text: text.to_string(),
            line_index: LineIndex::new(text),
            tree: Tree::default(),
            flow: None,
            expressions: Vec::new(),
            errors,
        };
    }
    let tree = yaml::parse(text, &mut errors);
    let flow = model::build(&tree);
    let expressions = expr::collect(text, &tree);
    // The parser points past the end for "unexpected end of file": keep spans in the text.
    for e in &mut errors {
        e.span = within(text, e.span);
        if let Some((span, _)) = &mut e.related {
            *span = within(text, *span);
        }
    }
    Document {
        text: text.to_string(),
        line_index: LineIndex::new(text),
        tree,
        flow,
        expressions,
        errors,
    }
}

#[cfg(test)]
mod parse_tests;
