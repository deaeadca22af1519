//! Lexer. Follows Pebble 4.1.1's `LexerImpl`: text up to the next `{{`, `{%` or `{#`; inside
//! delimiters operators are tried before names, `}}` only closes when no `{` is open, and
//! double-quoted strings containing `#` switch to interpolation mode. Kestra's `{% raw %}`
//! blocks and Pebble's `{% verbatim %}` blocks are recognised textually, like the originals.
//!
//! Recovery (where Pebble would just stop): a `{{`, `{%` or `{#` inside an expression ends it
//! (the parser then reports the missing closing delimiter), `%}` always closes a tag, `}}`
//! closes a print even with an unclosed `(`/`[`, and an unterminated string stops at the
//! closing delimiter of its tag.

use super::ast::{Raw, Tag, Trim, Verbatim};
use super::raw::{self, Dashes, RawFinder};
use super::token::{match_operator, Tok, Token};
use crate::span::Span;

pub(super) fn tokenize(src: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        toks: Vec::new(),
        modes: Vec::new(),
        raw: RawFinder::default(),
    };
    while lexer.pos < lexer.b.len() {
        match lexer.modes.last() {
            None => lexer.data(),
            Some(Mode::Str) => lexer.string_part(),
            Some(Mode::Expr { .. }) => lexer.expr_token(),
        }
    }
    let end = lexer.b.len();
    lexer.push(Tok::Eof, end, end);
    lexer.toks
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Print,
    Tag,
    Interp,
}

enum Mode {
    /// Between delimiters; `brackets` holds the open `(`, `[`, `{` of this context.
    Expr { ctx: Ctx, brackets: Vec<u8> },
    /// Inside a double-quoted string with interpolation.
    Str,
}

struct Lexer<'s> {
    src: &'s str,
    b: &'s [u8],
    pos: usize,
    toks: Vec<Token>,
    /// Empty in text (Pebble's DATA state).
    modes: Vec<Mode>,
    raw: RawFinder,
}

/// Java's `Character.isWhitespace`, which Pebble uses between tokens (no-break spaces excluded).
fn is_java_ws(c: char) -> bool {
    matches!(c, '\u{1C}'..='\u{1F}')
        || (c.is_whitespace() && !matches!(c, '\u{85}' | '\u{A0}' | '\u{2007}' | '\u{202F}'))
}

impl Lexer<'_> {
    fn push(&mut self, kind: Tok, start: usize, end: usize) {
        self.toks.push(Token {
            kind,
            span: Span::new(start, end),
        });
    }

    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// `-` followed by regex whitespace: Pebble's leading trim marker after an open delimiter.
    fn trim_marker(&self, i: usize) -> bool {
        self.at(i) == b'-' && raw::is_regex_ws(self.at(i + 1))
    }

    fn data(&mut self) {
        let start = self.pos;
        let mut i = start;
        let open = loop {
            match raw::find(self.b, i, b"{") {
                Some(at) if matches!(self.at(at + 1), b'{' | b'%' | b'#') => break Some(at),
                Some(at) => i = at + 1,
                None => break None,
            }
        };
        let Some(at) = open else {
            self.push(Tok::Text, start, self.b.len());
            self.pos = self.b.len();
            return;
        };
        if at > start {
            self.push(Tok::Text, start, at);
        }
        match self.at(at + 1) {
            b'#' => self.comment(at),
            b'{' => {
                let trim = self.trim_marker(at + 2);
                let end = at + 2 + usize::from(trim);
                self.push(Tok::PrintOpen { trim }, at, end);
                self.pos = end;
                self.modes.push(Mode::Expr {
                    ctx: Ctx::Print,
                    brackets: Vec::new(),
                });
            }
            _ => self.tag_open(at),
        }
    }

    fn comment(&mut self, at: usize) {
        let mut content = at + 2;
        let left = self.trim_marker(content);
        if left {
            content += 1 + raw::regex_ws_len(self.b, content + 1);
        }
        match raw::find(self.b, content, b"#}") {
            Some(close) => {
                // Pebble: the comment ends with whitespace then `-`.
                let right = close > content + 1
                    && self.b[close - 1] == b'-'
                    && raw::is_regex_ws(self.b[close - 2]);
                let trim = Trim { left, right };
                let content = Span::new(content, close - usize::from(right));
                self.push(
                    Tok::Comment {
                        trim,
                        closed: true,
                        content,
                    },
                    at,
                    close + 2,
                );
                self.pos = close + 2;
            }
            None => {
                let end = self.b.len();
                let trim = Trim { left, right: false };
                let content = Span::new(content.min(end), end);
                self.push(
                    Tok::Comment {
                        trim,
                        closed: false,
                        content,
                    },
                    at,
                    end,
                );
                self.pos = end;
            }
        }
    }

    fn tag_open(&mut self, at: usize) {
        if let Some((open, close, multiline)) = self.raw.raw_block(self.b, at) {
            let content_start = open.span.end as usize;
            let (content_end, end) = match close {
                Some(c) => (c.span.start as usize, c.span.end as usize),
                None => (content_start, content_start),
            };
            let raw = Raw {
                span: Span::new(at, end),
                open,
                content: Span::new(content_start, content_end),
                close,
                multiline,
            };
            self.push(Tok::Raw(Box::new(raw)), at, end);
            self.pos = end;
            return;
        }
        let trim = self.trim_marker(at + 2);
        let after = at + 2 + usize::from(trim);
        if let Some((keyword, right, open_end)) =
            raw::match_tag_rest(self.b, after, "verbatim", Dashes::One)
        {
            self.verbatim(
                at,
                Tag {
                    span: Span::new(at, open_end),
                    keyword,
                    trim: Trim { left: trim, right },
                },
            );
            return;
        }
        self.push(Tok::TagOpen { trim }, at, after);
        self.pos = after;
        self.modes.push(Mode::Expr {
            ctx: Ctx::Tag,
            brackets: Vec::new(),
        });
    }

    fn verbatim(&mut self, at: usize, open: Tag) {
        let content_start = open.span.end as usize;
        let close = raw::find_tag(self.b, content_start, "endverbatim", Dashes::One);
        let (content_end, end) = match close {
            Some(c) => (c.span.start as usize, c.span.end as usize),
            None => (self.b.len(), self.b.len()),
        };
        let verbatim = Verbatim {
            span: Span::new(at, end),
            open,
            content: Span::new(content_start, content_end),
            close,
        };
        self.push(Tok::Verbatim(Box::new(verbatim)), at, end);
        self.pos = end;
    }

    fn expr_token(&mut self) {
        let (ctx, top) = match self.modes.last() {
            Some(Mode::Expr { ctx, brackets }) => (*ctx, brackets.last().copied()),
            _ => return,
        };
        if self.close_delimiter(ctx, top) {
            return;
        }
        self.skip_java_ws();
        if self.pos >= self.b.len() {
            return;
        }
        let start = self.pos;
        let rest = &self.b[start..];
        if rest.len() >= 2 && rest[0] == b'{' && matches!(rest[1], b'{' | b'%' | b'#') {
            // An opening delimiter cannot continue an expression: the current tag is unclosed.
            self.modes.clear();
            return;
        }
        if let Some((op, len)) = match_operator(rest) {
            return self.emit(Tok::Op(op), start + len);
        }
        if let Some(len) = self.name_len(start) {
            return self.emit(Tok::Name, start + len);
        }
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            return self.number(start, digits);
        }
        match rest[0] {
            c @ (b'(' | b'[' | b'{') => {
                if let Some(brackets) = self.brackets() {
                    brackets.push(c);
                }
                self.emit(Tok::Punct(c), start + 1)
            }
            c @ (b')' | b']' | b'}') => {
                let opener = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if let Some(brackets) = self.brackets() {
                    if brackets.last() == Some(&opener) {
                        brackets.pop();
                    }
                }
                self.emit(Tok::Punct(c), start + 1)
            }
            c @ (b'?' | b':' | b'.' | b',' | b'=') => self.emit(Tok::Punct(c), start + 1),
            b'\'' => self.single_quoted(start),
            b'"' => self.double_quoted(start),
            _ => {
                let len = self.src[start..].chars().next().map_or(1, char::len_utf8);
                self.emit(Tok::Invalid, start + len)
            }
        }
    }

    /// Emits the closing delimiter of the current context if it is next.
    fn close_delimiter(&mut self, ctx: Ctx, top: Option<u8>) -> bool {
        let q = self.pos + raw::regex_ws_len(self.b, self.pos);
        let (kind, end) = match ctx {
            Ctx::Interp => {
                if top.is_some() || self.at(q) != b'}' {
                    return false;
                }
                (Tok::InterpClose, q + 1)
            }
            Ctx::Print | Ctx::Tag => {
                // `}}` may close a map literal; `%}` can never continue an expression.
                if ctx == Ctx::Print && top == Some(b'{') {
                    return false;
                }
                let closer: &[u8] = if ctx == Ctx::Print { b"}}" } else { b"%}" };
                let trim = self.at(q) == b'-' && self.b[q + 1..].starts_with(closer);
                if !trim && !self.b[q..].starts_with(closer) {
                    return false;
                }
                let end = q + closer.len() + usize::from(trim);
                let kind = if ctx == Ctx::Print {
                    Tok::PrintClose { trim }
                } else {
                    Tok::TagClose { trim }
                };
                (kind, end)
            }
        };
        self.push(kind, q, end);
        self.pos = end;
        self.modes.pop();
        true
    }

    fn emit(&mut self, kind: Tok, end: usize) {
        self.push(kind, self.pos, end);
        self.pos = end;
    }

    fn brackets(&mut self) -> Option<&mut Vec<u8>> {
        match self.modes.last_mut() {
            Some(Mode::Expr { brackets, .. }) => Some(brackets),
            _ => None,
        }
    }

    fn skip_java_ws(&mut self) {
        let rest = &self.src[self.pos..];
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_java_ws(c))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
    }

    /// Pebble identifier: `[\p{L}_][\p{L}\p{Nd}_]*` (approximated with Rust's char classes).
    fn name_len(&self, start: usize) -> Option<usize> {
        let mut chars = self.src[start..].char_indices();
        let (_, first) = chars.next()?;
        if first != '_' && !first.is_alphabetic() {
            return None;
        }
        let len = chars
            .find(|&(_, c)| c != '_' && !c.is_alphanumeric())
            .map_or(self.src.len() - start, |(i, _)| i);
        Some(len)
    }

    fn number(&mut self, start: usize, digits: usize) {
        let after = start + digits;
        if self.at(after) == b'L' {
            return self.emit(Tok::Long, after + 1);
        }
        let fraction = if self.at(after) == b'.' {
            self.b[after + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        } else {
            0
        };
        let end = if fraction > 0 {
            after + 1 + fraction
        } else {
            after
        };
        self.emit(Tok::Number, end)
    }

    /// Closing quote at or after `from` (backslash escapes any byte), and whether an unescaped
    /// `#` came first.
    fn scan_quoted(&self, quote: u8, from: usize) -> Option<(usize, bool)> {
        let mut i = from;
        let mut hash = false;
        while i < self.b.len() {
            match self.b[i] {
                c if c == quote => return Some((i + 1, hash)),
                b'\\' => i += 2,
                b'#' => {
                    hash = true;
                    i += 1
                }
                _ => i += 1,
            }
        }
        None
    }

    fn single_quoted(&mut self, start: usize) {
        match self.scan_quoted(b'\'', start + 1) {
            Some((end, _)) => self.emit(Tok::Str { closed: true }, end),
            None => self.unterminated(start),
        }
    }

    fn double_quoted(&mut self, start: usize) {
        match self.scan_quoted(b'"', start + 1) {
            Some((end, false)) => self.emit(Tok::Str { closed: true }, end),
            Some((_, true)) => {
                self.emit(Tok::StrOpen, start + 1);
                self.modes.push(Mode::Str);
            }
            None => self.unterminated(start),
        }
    }

    /// A string without closing quote ends where its tag's closing delimiter is.
    fn unterminated(&mut self, start: usize) {
        let closer: &[u8] = match self.modes.first() {
            Some(Mode::Expr { ctx: Ctx::Tag, .. }) => b"%}",
            _ => b"}}",
        };
        let end = raw::find(self.b, start + 1, closer).unwrap_or(self.b.len());
        self.emit(Tok::Str { closed: false }, end);
    }

    fn string_part(&mut self) {
        let start = self.pos;
        if self.b[start] == b'"' {
            self.emit(Tok::StrClose, start + 1);
            self.modes.pop();
            return;
        }
        if self.b[start..].starts_with(b"#{") {
            self.emit(Tok::InterpOpen, start + 2);
            self.modes.push(Mode::Expr {
                ctx: Ctx::Interp,
                brackets: Vec::new(),
            });
            return;
        }
        let mut i = start;
        while i < self.b.len() {
            match self.b[i] {
                b'"' => break,
                b'#' if self.at(i + 1) == b'{' => break,
                b'\\' => {
                    // Skip the escaped character whole so `i` stays on a char boundary.
                    let next = self.src[i + 1..].chars().next().map_or(0, char::len_utf8);
                    i += 1 + next;
                }
                _ => i += 1,
            }
        }
        self.emit(Tok::StrPart, i.min(self.b.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::super::token::Op;
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| {
                let text = &src[t.span.range()];
                (t.kind, text)
            })
            .collect()
    }

    #[test]
    fn text_and_print() {
        let toks = kinds("a {{ x.y }} b");
        let expected = vec![
            (Tok::Text, "a "),
            (Tok::PrintOpen { trim: false }, "{{"),
            (Tok::Name, "x"),
            (Tok::Punct(b'.'), "."),
            (Tok::Name, "y"),
            (Tok::PrintClose { trim: false }, "}}"),
            (Tok::Text, " b"),
            (Tok::Eof, ""),
        ];
        assert_eq!(toks, expected);
    }

    #[test]
    fn operators_before_names() {
        let toks = kinds("{{ a is not b or orange isIn isInside ??? c }}");
        let ops: Vec<_> = toks.iter().map(|(k, t)| (k.clone(), *t)).collect();
        assert_eq!(ops[2], (Tok::Op(Op::IsNot), "is not"));
        assert_eq!(ops[4], (Tok::Op(Op::Or), "or"));
        assert_eq!(ops[5], (Tok::Name, "orange"));
        assert_eq!(ops[6], (Tok::Op(Op::IsIn), "isIn"));
        assert_eq!(ops[7], (Tok::Name, "isInside"));
        assert_eq!(ops[8], (Tok::Op(Op::Coalesce3), "???"));
        // Two spaces: `is` then `not`, as in Pebble.
        let toks = kinds("{{ a is  not b }}");
        assert_eq!(toks[2].0, Tok::Op(Op::Is));
        assert_eq!(toks[3].0, Tok::Op(Op::Not));
    }

    #[test]
    fn numbers_and_ranges() {
        let toks = kinds("{{ 1..5 }}{{ 12L }}{{ 1.5 }}{{ 3.x }}");
        assert_eq!(toks[1], (Tok::Number, "1"));
        assert_eq!(toks[2], (Tok::Op(Op::Range), ".."));
        assert_eq!(toks[3], (Tok::Number, "5"));
        assert_eq!(toks[6], (Tok::Long, "12L"));
        assert_eq!(toks[9], (Tok::Number, "1.5"));
        assert_eq!(toks[12], (Tok::Number, "3"));
        assert_eq!(toks[13], (Tok::Punct(b'.'), "."));
    }

    #[test]
    fn trim_markers() {
        let toks = kinds("{{- x -}}{%- if y -%}{{-x}}{{ a-}}");
        assert_eq!(toks[0], (Tok::PrintOpen { trim: true }, "{{-"));
        assert_eq!(toks[2], (Tok::PrintClose { trim: true }, "-}}"));
        assert_eq!(toks[3], (Tok::TagOpen { trim: true }, "{%-"));
        assert_eq!(toks[6], (Tok::TagClose { trim: true }, "-%}"));
        // `{{-x` is not a trim marker (Pebble requires whitespace after `-`): unary minus.
        assert_eq!(toks[7], (Tok::PrintOpen { trim: false }, "{{"));
        assert_eq!(toks[8], (Tok::Op(Op::Minus), "-"));
        assert_eq!(toks[13], (Tok::PrintClose { trim: true }, "-}}"));
    }

    #[test]
    fn map_literal_braces_do_not_close_print() {
        let toks = kinds("{{ {'a': {'b': 1}} }}");
        let closes: Vec<_> = toks
            .iter()
            .filter(|(k, _)| *k == Tok::Punct(b'}'))
            .collect();
        assert_eq!(closes.len(), 2);
        assert_eq!(toks[toks.len() - 2].0, Tok::PrintClose { trim: false });
    }

    #[test]
    fn strings() {
        let toks = kinds(r##"{{ 'it\'s' ~ "a \"b\"" ~ "x #{ y } z" ~ "#,##0" }}"##);
        assert_eq!(toks[1], (Tok::Str { closed: true }, r"'it\'s'"));
        assert_eq!(toks[3], (Tok::Str { closed: true }, r#""a \"b\"""#));
        assert_eq!(toks[5], (Tok::StrOpen, "\""));
        assert_eq!(toks[6], (Tok::StrPart, "x "));
        assert_eq!(toks[7], (Tok::InterpOpen, "#{"));
        assert_eq!(toks[8], (Tok::Name, "y"));
        assert_eq!(toks[9], (Tok::InterpClose, "}"));
        assert_eq!(toks[10], (Tok::StrPart, " z"));
        assert_eq!(toks[11], (Tok::StrClose, "\""));
        assert_eq!(toks[13], (Tok::StrOpen, "\""));
        assert_eq!(toks[14], (Tok::StrPart, "#,##0"));
    }

    #[test]
    fn unterminated_string_stops_at_closer() {
        let toks = kinds("{{ 'abc }} x");
        assert_eq!(toks[1], (Tok::Str { closed: false }, "'abc "));
        assert_eq!(toks[2].0, Tok::PrintClose { trim: false });
        assert_eq!(toks[3], (Tok::Text, " x"));
    }

    #[test]
    fn open_delimiter_ends_unclosed_expression() {
        let toks = kinds("{{ a {% if b %}");
        assert_eq!(toks[2].0, Tok::TagOpen { trim: false });
    }

    #[test]
    fn comments_raw_verbatim() {
        let toks =
            kinds("{# c -#}{% raw %}{{ x }}{% endraw %}{% verbatim %}{% if %}{% endverbatim %}");
        assert!(matches!(
            toks[0].0,
            Tok::Comment {
                trim: Trim {
                    left: false,
                    right: true
                },
                closed: true,
                ..
            }
        ));
        let Tok::Raw(raw) = &toks[1].0 else {
            panic!("{toks:?}")
        };
        assert_eq!(raw.content, Span::new(17, 24));
        assert!(raw.close.is_some() && !raw.multiline);
        let Tok::Verbatim(v) = &toks[2].0 else {
            panic!("{toks:?}")
        };
        assert_eq!(v.content, Span::new(50, 58));
        assert_eq!(toks.len(), 4);
    }

    #[test]
    fn java_whitespace() {
        assert!(is_java_ws(' ') && is_java_ws('\u{2003}') && is_java_ws('\u{1F}'));
        assert!(!is_java_ws('\u{A0}') && !is_java_ws('\u{85}'));
        let toks = kinds("{{ a\u{A0}}}");
        assert_eq!(toks[2].0, Tok::Invalid);
    }
}
