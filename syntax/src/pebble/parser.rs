//! Parser state shared by the expression parser (`expr.rs`) and the template parser
//! (`template.rs`, `blocks.rs`, `tag_heads.rs`):
//! the token cursor, error construction and recovery at closing delimiters.

use super::ast::{Expr, ExprKind, Node, ParseError, Tag, Trim};
use super::blocks::OpenBlock;
use super::token::{Tok, Token};
use crate::span::Span;

/// Maximum nesting of parentheses, brackets, unary operators, arguments and interpolations.
pub(super) const MAX_EXPR_NESTING: u32 = 256;
/// Maximum height of an expression tree (long operator chains also count), so that dropping
/// and walking the tree never exhausts the stack.
pub(super) const MAX_EXPR_HEIGHT: u32 = 512;
/// Maximum nesting of block tags (`if`, `for`, `filter`, `macro`, `block`).
pub(super) const MAX_TAG_NESTING: usize = 256;

pub(super) type PResult<T> = Result<T, ParseError>;

pub(super) fn error(span: Span, message: impl Into<String>) -> ParseError {
    ParseError {
        span,
        message: message.into(),
    }
}

/// Open block whose body is being parsed, with the tag names that end that body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Open {
    If,
    IfElse,
    For,
    ForElse,
    Filter,
    Macro,
    Block,
}

impl Open {
    /// The opening and end tag names.
    pub(super) fn names(self) -> (&'static str, &'static str) {
        match self {
            Open::If | Open::IfElse => ("if", "endif"),
            Open::For | Open::ForElse => ("for", "endfor"),
            Open::Filter => ("filter", "endfilter"),
            Open::Macro => ("macro", "endmacro"),
            Open::Block => ("block", "endblock"),
        }
    }

    pub(super) fn stops(self) -> &'static [&'static str] {
        match self {
            Open::If => &["elseif", "else", "endif"],
            Open::IfElse => &["endif"],
            Open::For => &["else", "endfor"],
            Open::ForElse => &["endfor"],
            Open::Filter => &["endfilter"],
            Open::Macro => &["endmacro"],
            Open::Block => &["endblock"],
        }
    }
}

/// An opened `{{` or `{%` whose closing delimiter has not been consumed yet.
pub(super) struct Delim {
    pub open: Span,
    pub trim_left: bool,
    pub print: bool,
    pub keyword: Span,
    /// Closing delimiter span and its trim marker, once consumed.
    pub close: Option<(Span, bool)>,
    /// An error was reported and the rest of the tag skipped.
    pub failed: bool,
    /// The last thing read is an expression (so an operator could follow).
    pub after_expr: bool,
}

pub(super) struct Parser<'s> {
    pub src: &'s str,
    toks: Vec<Token>,
    pos: usize,
    prev: Span,
    pub errors: Vec<ParseError>,
    /// Current expression recursion depth (reset for each top-level expression).
    pub nesting: u32,
    /// Open blocks, innermost last, and the bodies being collected (the template's first).
    pub blocks: Vec<OpenBlock>,
    pub bodies: Vec<Vec<Node>>,
}

impl<'s> Parser<'s> {
    pub fn new(src: &'s str, toks: Vec<Token>) -> Self {
        Parser {
            src,
            toks,
            pos: 0,
            prev: Span::empty(0),
            errors: Vec::new(),
            nesting: 0,
            blocks: Vec::new(),
            bodies: Vec::new(),
        }
    }

    pub fn cur(&self) -> &Token {
        // The lexer always ends the stream with `Eof`, and `bump` never moves past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    pub fn kind(&self) -> &Tok {
        &self.cur().kind
    }

    pub fn peek_kind(&self, n: usize) -> &Tok {
        let last = self.toks.len() - 1;
        &self.toks[(self.pos + n).min(last)].kind
    }

    pub fn peek_span(&self, n: usize) -> Span {
        let last = self.toks.len() - 1;
        self.toks[(self.pos + n).min(last)].span
    }

    /// Consumes the current token and returns its span.
    pub fn bump(&mut self) -> Span {
        let span = self.cur().span;
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
            self.prev = span;
        }
        span
    }

    /// End of the last consumed token.
    pub fn prev_end(&self) -> usize {
        self.prev.end as usize
    }

    pub fn text(&self, span: Span) -> &'s str {
        self.src.get(span.range()).unwrap_or("")
    }

    pub fn is_punct(&self, c: u8) -> bool {
        *self.kind() == Tok::Punct(c)
    }

    /// The name of the tag starting at the current token, if it is `{% name`.
    pub fn tag_name_ahead(&self) -> Option<&'s str> {
        match (self.kind(), self.peek_kind(1)) {
            (Tok::TagOpen { .. }, Tok::Name) => Some(self.text(self.peek_span(1))),
            _ => None,
        }
    }

    /// The current token cannot continue an expression (closing delimiter, text, end…).
    pub fn at_expression_end(&self) -> bool {
        let kind = self.kind();
        !kind.is_expr_token() || matches!(kind, Tok::InterpClose | Tok::StrClose)
    }

    pub fn describe(&self, tok: &Token) -> String {
        match &tok.kind {
            Tok::Eof => "end of text".into(),
            Tok::Text => "text".into(),
            Tok::Comment { .. } => "a comment".into(),
            Tok::Raw(_) => "`{% raw %}`".into(),
            Tok::Verbatim(_) => "`{% verbatim %}`".into(),
            Tok::Str { .. } | Tok::StrOpen => "a string".into(),
            Tok::Long | Tok::Number => format!("number `{}`", self.text(tok.span)),
            _ => {
                let text = self.text(tok.span);
                match text.char_indices().nth(40) {
                    Some((cut, _)) => format!("`{}…`", &text[..cut]),
                    None => format!("`{text}`"),
                }
            }
        }
    }

    /// "expected X, found Y". When Y ends the expression, the error is placed on the last
    /// token read (the unfinished construct) rather than on a closing delimiter.
    pub fn expected(&self, what: &str) -> ParseError {
        let cur = self.cur();
        if cur.kind == Tok::Invalid {
            return self.unexpected_char(cur);
        }
        let found = self.describe(cur);
        if self.at_expression_end() && !self.prev.is_empty() {
            let after = self.text(self.prev);
            let message = if what.contains(" after ") {
                format!("expected {what}, found {found}")
            } else {
                format!("expected {what} after `{after}`, found {found}")
            };
            error(self.prev, message)
        } else {
            error(cur.span, format!("expected {what}, found {found}"))
        }
    }

    fn unexpected_char(&self, tok: &Token) -> ParseError {
        let text = self.text(tok.span);
        let c = text.chars().next().unwrap_or('?');
        let message = if c.is_whitespace() || c.is_control() {
            format!("unexpected character U+{:04X} in expression", c as u32)
        } else {
            format!("unexpected `{text}` in expression")
        };
        error(tok.span, message)
    }

    /// Consumes the closing `close` of the bracket opened at `open`.
    pub fn expect_closing(&mut self, close: u8, open: Span, what: &str) -> PResult<Span> {
        if self.is_punct(close) {
            return Ok(self.bump());
        }
        Err(self.closing_error(close, open, what))
    }

    /// The bracket opened at `open` is not followed by `what`: either it is never closed, or
    /// something unexpected stands in the way.
    pub fn closing_error(&self, close: u8, open: Span, what: &str) -> ParseError {
        if self.at_expression_end() {
            let opener = self.text(open);
            return error(
                open,
                format!("unclosed `{opener}`: expected `{}`", close as char),
            );
        }
        self.expected(what)
    }

    /// Consumes an opening `{{` or `{%` (the current token).
    pub fn open_delim(&mut self) -> Delim {
        let (print, trim_left) = match *self.kind() {
            Tok::PrintOpen { trim } => (true, trim),
            Tok::TagOpen { trim } => (false, trim),
            _ => (false, false),
        };
        let open = self.bump();
        Delim {
            open,
            trim_left,
            print,
            keyword: Span::empty(open.end as usize),
            close: None,
            failed: false,
            after_expr: false,
        }
    }

    fn own_close(&self, d: &Delim) -> Option<bool> {
        match *self.kind() {
            Tok::PrintClose { trim } if d.print => Some(trim),
            Tok::TagClose { trim } if !d.print => Some(trim),
            _ => None,
        }
    }

    fn unclosed_delim(&mut self, d: &Delim) {
        let message = if d.print {
            "unclosed `{{`: expected `}}`"
        } else {
            "unclosed `{%`: expected `%}`"
        };
        self.errors.push(error(d.open, message));
    }

    /// Reports `err` and skips to the closing delimiter of `d` (recovery). Only the first
    /// failure of a tag is reported.
    pub fn fail(&mut self, d: &mut Delim, err: ParseError) {
        if d.failed {
            return;
        }
        d.failed = true;
        if !self.kind().is_expr_token() && self.own_close(d).is_none() {
            // The error is just the missing closing delimiter.
            return self.unclosed_delim(d);
        }
        self.errors.push(err);
        while self.kind().is_expr_token() {
            self.bump();
        }
        match self.own_close(d) {
            Some(trim) => d.close = Some((self.bump(), trim)),
            None => self.unclosed_delim(d),
        }
    }

    /// Runs a parse step inside `d`; on error reports it and recovers.
    pub fn within<T>(
        &mut self,
        d: &mut Delim,
        step: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> Option<T> {
        if d.failed {
            return None;
        }
        self.nesting = 0;
        match step(self) {
            Ok(value) => Some(value),
            Err(err) => {
                self.fail(d, err);
                None
            }
        }
    }

    /// An expression inside `d`, or an `Error` placeholder after a reported failure.
    pub fn expr_within(&mut self, d: &mut Delim) -> Expr {
        let start = self.cur().span.start as usize;
        match self.within(d, |p| p.expression()) {
            Some(expr) => {
                d.after_expr = true;
                *expr
            }
            None => {
                // Up to the closing delimiter the recovery consumed, or the last token read.
                let end = d
                    .close
                    .map_or(self.prev_end(), |(close, _)| close.start as usize);
                Expr {
                    kind: ExprKind::Error,
                    span: Span::new(start, end.max(start)),
                }
            }
        }
    }

    /// Consumes the closing delimiter of `d`, reporting what stands in the way.
    pub fn close_delim(&mut self, d: &mut Delim) {
        if d.failed || d.close.is_some() {
            return;
        }
        if let Some(trim) = self.own_close(d) {
            d.close = Some((self.bump(), trim));
            return;
        }
        let what = if d.print { "`}}`" } else { "`%}`" };
        let err = if d.after_expr && self.kind().is_expr_token() {
            self.expected(&format!("an operator or {what}"))
        } else {
            self.expected(what)
        };
        self.fail(d, err);
    }

    /// Span of the whole delimited region (up to the last token read if unclosed).
    pub fn delim_span(&self, d: &Delim) -> Span {
        let end = d
            .close
            .map_or(self.prev_end(), |(span, _)| span.end as usize);
        Span::new(d.open.start as usize, end.max(d.open.end as usize))
    }

    pub fn delim_trim(&self, d: &Delim) -> Trim {
        Trim {
            left: d.trim_left,
            right: d.close.is_some_and(|(_, trim)| trim),
        }
    }

    /// Closes `d` and returns it as a tag.
    pub fn finish_tag(&mut self, mut d: Delim) -> Tag {
        self.close_delim(&mut d);
        Tag {
            span: self.delim_span(&d),
            keyword: d.keyword,
            trim: self.delim_trim(&d),
        }
    }
}
