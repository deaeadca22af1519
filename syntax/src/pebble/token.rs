//! Tokens: one flat stream for the whole template, like Pebble's `TokenStream`.

use super::ast::{Raw, Trim, Verbatim};
use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Not,
    And,
    Or,
    Is,
    IsNot,
    Contains,
    Equals,
    IsIn,
    Eq,
    Ne,
    Le,
    Ge,
    Lt,
    Gt,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Pipe,
    Tilde,
    Range,
    Coalesce,
    Coalesce3,
}

/// Operators in the order Pebble's lexer tries them (longest first). Operators ending with a
/// letter must not be followed by `[A-Za-z0-9_]`. Operators are tried before names, so
/// `a.or` does not lex an attribute named `or`.
pub(super) const OPERATORS: [(&str, Op); 24] = [
    ("contains", Op::Contains),
    ("is not", Op::IsNot),
    ("equals", Op::Equals),
    ("isIn", Op::IsIn),
    ("???", Op::Coalesce3),
    ("not", Op::Not),
    ("and", Op::And),
    ("??", Op::Coalesce),
    ("..", Op::Range),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("or", Op::Or),
    ("is", Op::Is),
    ("<", Op::Lt),
    (">", Op::Gt),
    ("+", Op::Plus),
    ("-", Op::Minus),
    ("*", Op::Star),
    ("/", Op::Slash),
    ("%", Op::Percent),
    ("|", Op::Pipe),
    ("~", Op::Tilde),
];

/// The operator at the start of `rest`, with its length.
pub(super) fn match_operator(rest: &[u8]) -> Option<(Op, usize)> {
    OPERATORS.iter().find_map(|&(sym, op)| {
        let sym = sym.as_bytes();
        if !rest.starts_with(sym) {
            return None;
        }
        let wordy = sym[sym.len() - 1].is_ascii_alphabetic();
        let next = rest.get(sym.len()).copied().unwrap_or(b' ');
        if wordy && (next.is_ascii_alphanumeric() || next == b'_') {
            return None;
        }
        Some((op, sym.len()))
    })
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Text,
    Comment {
        trim: Trim,
        closed: bool,
        content: Span,
    },
    Raw(Box<Raw>),
    Verbatim(Box<Verbatim>),
    PrintOpen {
        trim: bool,
    },
    PrintClose {
        trim: bool,
    },
    TagOpen {
        trim: bool,
    },
    TagClose {
        trim: bool,
    },
    Name,
    /// `123L`
    Long,
    /// `123` or `1.5`
    Number,
    Op(Op),
    /// One of `()[]{}?:.,=`
    Punct(u8),
    /// A complete string without interpolation (`closed` is false when the quote is unmatched).
    Str {
        closed: bool,
    },
    /// `"` opening a string with `#{ }` interpolation, then `StrPart`/`InterpOpen`… `StrClose`.
    StrOpen,
    StrPart,
    InterpOpen,
    InterpClose,
    StrClose,
    /// A character that cannot start any token.
    Invalid,
    Eof,
}

impl Tok {
    /// Tokens that only occur between an opening delimiter and its closing delimiter.
    pub(super) fn is_expr_token(&self) -> bool {
        matches!(
            self,
            Tok::Name
                | Tok::Long
                | Tok::Number
                | Tok::Op(_)
                | Tok::Punct(_)
                | Tok::Str { .. }
                | Tok::StrOpen
                | Tok::StrPart
                | Tok::InterpOpen
                | Tok::InterpClose
                | Tok::StrClose
                | Tok::Invalid
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Token {
    pub kind: Tok,
    pub span: Span,
}
