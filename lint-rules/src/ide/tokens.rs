//! Semantic tokens of the Pebble expressions inside string values: delimiters, tag keywords,
//! variables, attributes, functions, filters, literals, operators and comments. Each token lies
//! on one line (editors draw tokens line by line).

use kflow_syntax::pebble::{walk_template_exprs, ExprKind, Node, StrPart, Tag};
use kflow_syntax::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Delimiter,
    Keyword,
    Variable,
    Property,
    Function,
    Method,
    String,
    Number,
    Operator,
    Comment,
}

/// LSP's standard token type names, indexed by `TokenKind as usize`.
pub const TOKEN_KINDS: &[&str] = &[
    "macro", "keyword", "variable", "property", "function", "method", "string", "number",
    "operator", "comment",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Within one line of the file.
    pub span: Span,
    pub kind: TokenKind,
}

/// Every token of every expression, sorted, without overlaps.
pub fn semantic_tokens(doc: &Document) -> Vec<Token> {
    let mut raw: Vec<(Span, TokenKind)> = Vec::new();
    for e in &doc.expressions {
        let source = e.source(&doc.tree);
        let mut add = |span: Span, kind: TokenKind| raw.push((e.file_span(span), kind));
        nodes(source, &e.template.nodes, &mut add);
        walk_template_exprs(&e.template, &mut |expr| {
            let (span, kind) = match &expr.kind {
                ExprKind::Var(_) => (expr.span, TokenKind::Variable),
                ExprKind::Attr { name, .. } => (name.span, TokenKind::Property),
                ExprKind::MethodCall { name, .. } => (name.span, TokenKind::Method),
                ExprKind::Call { name, .. } => (name.span, TokenKind::Function),
                ExprKind::Filter { filter, .. } => (filter.name.span, TokenKind::Function),
                ExprKind::Test { test, .. } => (test.name.span, TokenKind::Function),
                ExprKind::Str(_) => (expr.span, TokenKind::String),
                ExprKind::Interpolated(parts) => {
                    for part in parts {
                        if let StrPart::Lit { span, .. } = part {
                            add(*span, TokenKind::String);
                        }
                    }
                    return;
                }
                ExprKind::Int(_) | ExprKind::Float(_) => (expr.span, TokenKind::Number),
                ExprKind::Bool(_) | ExprKind::Null => (expr.span, TokenKind::Keyword),
                ExprKind::Unary { op_span, .. } | ExprKind::Binary { op_span, .. } => {
                    (*op_span, TokenKind::Operator)
                }
                _ => return,
            };
            add(span, kind);
        });
    }
    let mut out = Vec::new();
    for (span, kind) in raw {
        split_lines(doc, span, kind, &mut out);
    }
    out.sort_by_key(|t| (t.span.start, t.span.end));
    let mut last_end = 0u32;
    out.retain(|t| {
        let keep = t.span.start >= last_end && !t.span.is_empty();
        if keep {
            last_end = t.span.end;
        }
        keep
    });
    out
}

fn split_lines(doc: &Document, span: Span, kind: TokenKind, out: &mut Vec<Token>) {
    let text = &doc.text;
    // Mapped ends can fall inside a multi-byte character: widen to whole characters.
    let mut end = (span.end as usize).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut start = (span.start as usize).min(end);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while start < end {
        let line = doc.line_index.line_of(start);
        let line_end = doc.line_index.line_end(&doc.text, line).min(end);
        if line_end > start {
            out.push(Token {
                span: Span::new(start, line_end),
                kind,
            });
        }
        let next = doc.line_index.line_start(line + 1);
        if next <= start {
            break;
        }
        start = next;
    }
}

/// Delimiters, keywords and comments of the template's tags.
fn nodes(source: &str, nodes: &[Node], add: &mut dyn FnMut(Span, TokenKind)) {
    for node in nodes {
        match node {
            Node::Text(_) => {}
            Node::Comment(c) => add(c.span, TokenKind::Comment),
            Node::Print(p) => {
                let text = source.get(p.span.range()).unwrap_or("");
                let open = if text.starts_with("{{-") { 3 } else { 2 };
                add(
                    Span::new(
                        p.span.start as usize,
                        p.span.start as usize + open.min(text.len()),
                    ),
                    TokenKind::Delimiter,
                );
                if text.ends_with("}}") && text.len() >= open + 2 {
                    let close = if text.ends_with("-}}") { 3 } else { 2 };
                    add(
                        Span::new(p.span.end as usize - close, p.span.end as usize),
                        TokenKind::Delimiter,
                    );
                }
            }
            Node::If(n) => {
                for b in &n.branches {
                    tag(source, &b.tag, add);
                    self::nodes(source, &b.body, add);
                }
                if let Some(e) = &n.else_branch {
                    tag(source, &e.tag, add);
                    self::nodes(source, &e.body, add);
                }
                end_tag(source, n.end.as_ref(), add);
            }
            Node::For(n) => {
                tag(source, &n.tag, add);
                self::nodes(source, &n.body, add);
                if let Some(e) = &n.else_branch {
                    tag(source, &e.tag, add);
                    self::nodes(source, &e.body, add);
                }
                end_tag(source, n.end.as_ref(), add);
            }
            Node::Set(n) => tag(source, &n.tag, add),
            Node::Filter(n) => {
                tag(source, &n.tag, add);
                self::nodes(source, &n.body, add);
                end_tag(source, n.end.as_ref(), add);
            }
            Node::Macro(n) => {
                tag(source, &n.tag, add);
                self::nodes(source, &n.body, add);
                end_tag(source, n.end.as_ref(), add);
            }
            Node::Block(n) => {
                tag(source, &n.tag, add);
                self::nodes(source, &n.body, add);
                end_tag(source, n.end.as_ref(), add);
            }
            Node::Verbatim(n) => {
                tag(source, &n.open, add);
                end_tag(source, n.close.as_ref(), add);
            }
            Node::Raw(n) => {
                tag(source, &n.open, add);
                end_tag(source, n.close.as_ref(), add);
            }
        }
    }
}

fn end_tag(source: &str, t: Option<&Tag>, add: &mut dyn FnMut(Span, TokenKind)) {
    if let Some(t) = t {
        tag(source, t, add);
    }
}

fn tag(source: &str, t: &Tag, add: &mut dyn FnMut(Span, TokenKind)) {
    let text = source.get(t.span.range()).unwrap_or("");
    let (start, end) = (t.span.start as usize, t.span.end as usize);
    let open = if t.trim.left { 3 } else { 2 };
    if text.len() >= open {
        add(Span::new(start, start + open), TokenKind::Delimiter);
    }
    add(t.keyword, TokenKind::Keyword);
    if text.ends_with("%}") && text.len() >= open + 2 {
        let close = if text.ends_with("-%}") { 3 } else { 2 };
        add(Span::new(end - close, end), TokenKind::Delimiter);
    }
}
