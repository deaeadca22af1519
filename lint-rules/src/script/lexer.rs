//! Tokens shared by the Python and JavaScript tokenizers, and bracket matching.

use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TokKind {
    Name,
    Num,
    /// A string, f-string or template literal; `str_id` indexes [`Code::strs`].
    Str,
    Op,
    /// `{{ … }}` / `{% … %}` outside strings: Pebble, rendered by Kestra before the script runs.
    Pebble,
    /// A JS regex literal.
    Regex,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub kind: TokKind,
    pub start: u32,
    pub end: u32,
    pub str_id: u32,
    /// A line break (outside brackets or not) comes between this token and the previous one.
    pub nl_before: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum StrPart {
    Lit(String),
    /// An interpolated expression (`{expr}` of an f-string, `${expr}` of a template), as written.
    Expr(String),
}

#[derive(Clone, Debug)]
pub(super) struct StrLit {
    pub parts: Vec<StrPart>,
    /// Byte range of the text between the quotes.
    pub content: (u32, u32),
    /// The decoded text equals the raw text between the quotes (no escapes, no interpolation),
    /// so offsets inside the value map 1:1 to the script.
    pub exact: bool,
}

impl StrLit {
    /// The text when it has no interpolation.
    pub fn literal_text(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                StrPart::Lit(s) => out.push_str(s),
                StrPart::Expr(_) => return None,
            }
        }
        Some(out)
    }
}

pub(super) const NONE: u32 = u32::MAX;

/// A tokenized Python or JS script.
pub(super) struct Code<'a> {
    pub src: &'a str,
    pub toks: Vec<Tok>,
    pub strs: Vec<StrLit>,
    /// For each bracket token, the index of its partner (`NONE` when unbalanced or not a bracket).
    pub pair: Vec<u32>,
}

impl<'a> Code<'a> {
    pub fn new(src: &'a str, toks: Vec<Tok>, strs: Vec<StrLit>) -> Code<'a> {
        let pair = match_brackets(src, &toks);
        Code {
            src,
            toks,
            strs,
            pair,
        }
    }

    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn text(&self, i: usize) -> &'a str {
        let t = &self.toks[i];
        &self.src[t.start as usize..t.end as usize]
    }

    pub fn kind(&self, i: usize) -> Option<TokKind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub fn is_op(&self, i: usize, op: &str) -> bool {
        i < self.toks.len() && self.toks[i].kind == TokKind::Op && self.text(i) == op
    }

    pub fn is_name(&self, i: usize) -> bool {
        self.kind(i) == Some(TokKind::Name)
    }

    pub fn is_word(&self, i: usize, word: &str) -> bool {
        self.is_name(i) && self.text(i) == word
    }

    /// Span from the start of token `a` to the end of token `b` (inclusive).
    pub fn span_of(&self, a: usize, b: usize) -> Span {
        Span {
            start: self.toks[a].start,
            end: self.toks[b.max(a)].end,
        }
    }

    pub fn str_lit(&self, i: usize) -> Option<&StrLit> {
        (self.kind(i) == Some(TokKind::Str)).then(|| &self.strs[self.toks[i].str_id as usize])
    }

    /// The partner of the bracket at `i`, if balanced.
    pub fn partner(&self, i: usize) -> Option<usize> {
        let p = *self.pair.get(i)?;
        (p != NONE).then_some(p as usize)
    }

    /// Index of the token after the bracket group opened at `i` (or after `i` when unbalanced).
    pub fn skip_group(&self, i: usize) -> usize {
        self.partner(i).filter(|&p| p > i).map_or(i + 1, |p| p + 1)
    }
}

fn match_brackets(src: &str, toks: &[Tok]) -> Vec<u32> {
    let mut pair = vec![NONE; toks.len()];
    let mut stack: Vec<(u8, usize)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if t.kind != TokKind::Op || t.end != t.start + 1 {
            continue;
        }
        let c = src.as_bytes()[t.start as usize];
        match c {
            b'(' | b'[' | b'{' => stack.push((c, i)),
            b')' | b']' | b'}' => {
                let open = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                // Pop unclosed openers until the partner; a stray closer with no partner is ignored.
                if let Some(pos) = stack.iter().rposition(|&(o, _)| o == open) {
                    let (_, j) = stack[pos];
                    stack.truncate(pos);
                    pair[i] = j as u32;
                    pair[j] = i as u32;
                }
            }
            _ => {}
        }
    }
    pair
}

/// Operators tried longest first.
pub(super) fn op_len(rest: &[u8], ops3: &[&str], ops2: &[&str]) -> usize {
    for op in ops3 {
        if rest.starts_with(op.as_bytes()) {
            return 3;
        }
    }
    for op in ops2 {
        if rest.starts_with(op.as_bytes()) {
            return 2;
        }
    }
    1
}

/// Finds the end of Pebble tags (`{{ … }}`, `{% … %}`, `{# … #}`) for a tokenizer that only moves
/// forward: the next closer of each kind is remembered, so repeated openers without closers cost
/// linear time overall.
#[derive(Default)]
pub(super) struct PebbleFinder {
    /// Position of the next `}}`, `%}`, `#}` found so far (`usize::MAX` before the first search).
    next: [usize; 3],
    searched: [bool; 3],
}

/// Pebble tags are short; a closer further away than this is not ours.
const PEBBLE_WINDOW: usize = 1000;

impl PebbleFinder {
    /// End (just past the closer) of a Pebble tag opened at `i`, if any.
    pub fn end(&mut self, src: &[u8], i: usize) -> Option<usize> {
        if src.get(i) != Some(&b'{') {
            return None;
        }
        let (k, close): (usize, &[u8; 2]) = match src.get(i + 1) {
            Some(b'{') => (0, b"}}"),
            Some(b'%') => (1, b"%}"),
            Some(b'#') => (2, b"#}"),
            _ => return None,
        };
        if self.searched[k] && self.next[k] == usize::MAX {
            return None; // no closer anywhere ahead
        }
        if !self.searched[k] || self.next[k] < i + 2 {
            let from = if self.searched[k] {
                (self.next[k] + 1).max(i + 2)
            } else {
                i + 2
            };
            self.searched[k] = true;
            self.next[k] = src
                .get(from..)
                .and_then(|rest| rest.windows(2).position(|w| w == close))
                .map_or(usize::MAX, |p| from + p);
        }
        let at = self.next[k];
        (at != usize::MAX && at + 2 - i <= PEBBLE_WINDOW).then(|| at + 2)
    }
}

/// Decodes a backslash escape at `bytes[i] == b'\\'`; returns the decoded text and the bytes consumed.
pub(super) fn decode_escape(src: &str, i: usize) -> (String, usize) {
    let b = src.as_bytes();
    let Some(&c) = b.get(i + 1) else {
        return ("\\".into(), 1);
    };
    let simple = match c {
        b'n' => Some('\n'),
        b't' => Some('\t'),
        b'r' => Some('\r'),
        b'0' => Some('\0'),
        b'\\' => Some('\\'),
        b'\'' => Some('\''),
        b'"' => Some('"'),
        b'`' => Some('`'),
        b'$' => Some('$'),
        b'/' => Some('/'),
        _ => None,
    };
    if let Some(ch) = simple {
        return (ch.to_string(), 2);
    }
    let hex = |len: usize| -> Option<char> {
        let digits = src.get(i + 2..i + 2 + len)?;
        u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
    };
    match c {
        b'x' => hex(2).map_or(("\\x".into(), 2), |ch| (ch.to_string(), 4)),
        b'u' => hex(4).map_or(("\\u".into(), 2), |ch| (ch.to_string(), 6)),
        b'\n' => (String::new(), 2),
        _ => {
            // Keep unknown escapes as written; step over a whole (possibly multi-byte) char.
            let len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
            (src[i..i + 1 + len].to_string(), 1 + len)
        }
    }
}

pub(super) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

pub(super) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// End of a numeric literal starting at `i` (digits, letters, `_`, `.`, exponent signs).
pub(super) fn number_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        let c = b[i];
        let exponent_sign = (c == b'+' || c == b'-') && matches!(b[i - 1], b'e' | b'E');
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}
