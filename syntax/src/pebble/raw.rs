//! Matchers for the tags the lexer recognises textually instead of tokenizing them:
//! Kestra's `{% raw %}` pre-pass (regex `\{%-*\s*raw\s*-*%}(.*?)\{%-*\s*endraw\s*-*%}`, where
//! `.` does not cross line breaks) and Pebble's `{% verbatim %}` / `{% endverbatim %}`.

use super::ast::{Tag, Trim};
use crate::span::Span;

/// Java regex `\s`: `[ \t\n\x0B\f\r]`.
pub(super) fn is_regex_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

pub(super) fn regex_ws_len(b: &[u8], from: usize) -> usize {
    b.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|&&c| is_regex_ws(c)).count()
    })
}

/// `pattern` at or after `from`.
pub(super) fn find(b: &[u8], from: usize, pattern: &[u8]) -> Option<usize> {
    let hay = b.get(from..)?;
    let first = *pattern.first()?;
    let mut i = 0;
    while let Some(off) = hay.get(i..)?.iter().position(|&c| c == first) {
        let at = i + off;
        if hay[at..].starts_with(pattern) {
            return Some(from + at);
        }
        i = at + 1;
    }
    None
}

/// How many `-` markers a tag accepts on each side.
#[derive(Clone, Copy)]
pub(super) enum Dashes {
    /// Kestra's raw regex: `-*`
    Many,
    /// Pebble's verbatim regex: `-?`
    One,
}

fn dashes(b: &[u8], from: usize, kind: Dashes) -> usize {
    let run = b
        .get(from..)
        .map_or(0, |r| r.iter().take_while(|&&c| c == b'-').count());
    match kind {
        Dashes::Many => run,
        Dashes::One => run.min(1),
    }
}

/// Matches `\s*WORD\s*DASHES%}` at `from`: the keyword span, whether dashes were present, the end.
pub(super) fn match_tag_rest(
    b: &[u8],
    from: usize,
    word: &str,
    kind: Dashes,
) -> Option<(Span, bool, usize)> {
    let kw_start = from + regex_ws_len(b, from);
    if !b.get(kw_start..)?.starts_with(word.as_bytes()) {
        return None;
    }
    let kw_end = kw_start + word.len();
    let j = kw_end + regex_ws_len(b, kw_end);
    let d = dashes(b, j, kind);
    let close = j + d;
    if !b.get(close..)?.starts_with(b"%}") {
        return None;
    }
    Some((Span::new(kw_start, kw_end), d > 0, close + 2))
}

/// Matches `{%DASHES\s*WORD\s*DASHES%}` at `at`.
pub(super) fn match_tag(b: &[u8], at: usize, word: &str, kind: Dashes) -> Option<Tag> {
    if !b.get(at..)?.starts_with(b"{%") {
        return None;
    }
    let d = dashes(b, at + 2, kind);
    let (keyword, right, end) = match_tag_rest(b, at + 2 + d, word, kind)?;
    Some(Tag {
        span: Span::new(at, end),
        keyword,
        trim: Trim { left: d > 0, right },
    })
}

/// First `{%…WORD…%}` tag starting at or after `from`.
pub(super) fn find_tag(b: &[u8], from: usize, word: &str, kind: Dashes) -> Option<Tag> {
    let mut i = from;
    while let Some(at) = find(b, i, b"{%") {
        if let Some(tag) = match_tag(b, at, word, kind) {
            return Some(tag);
        }
        i = at + 1;
    }
    None
}

/// Line terminators for Java's `.`: `\n`, `\r`, U+0085, U+2028, U+2029.
fn find_line_break(b: &[u8], from: usize) -> Option<usize> {
    let hay = b.get(from..)?;
    hay.iter()
        .enumerate()
        .position(|(i, &c)| {
            c == b'\n'
                || c == b'\r'
                || (c == 0xC2 && hay.get(i + 1) == Some(&0x85))
                || (c == 0xE2
                    && hay.get(i + 1) == Some(&0x80)
                    && matches!(hay.get(i + 2), Some(0xA8 | 0xA9)))
        })
        .map(|i| from + i)
}

/// Answers "next `{% endraw %}`" and "next line break" queries with memoisation, so that many
/// `{% raw %}` openings in one long text stay linear (queries come in increasing order).
#[derive(Default)]
pub(super) struct RawFinder {
    endraw: Option<(usize, Option<Tag>)>,
    line_break: Option<(usize, Option<usize>)>,
}

impl RawFinder {
    fn next_endraw(&mut self, b: &[u8], from: usize) -> Option<Tag> {
        if let Some((start, found)) = self.endraw {
            if from >= start && found.is_none_or(|t| from <= t.span.start as usize) {
                return found;
            }
        }
        let found = find_tag(b, from, "endraw", Dashes::Many);
        self.endraw = Some((from, found));
        found
    }

    fn next_line_break(&mut self, b: &[u8], from: usize) -> Option<usize> {
        if let Some((start, found)) = self.line_break {
            if from >= start && found.is_none_or(|at| from <= at) {
                return found;
            }
        }
        let found = find_line_break(b, from);
        self.line_break = Some((from, found));
        found
    }

    /// A raw block opening at `at`: (open tag, close tag if any, multi-line?).
    pub(super) fn raw_block(&mut self, b: &[u8], at: usize) -> Option<(Tag, Option<Tag>, bool)> {
        let open = match_tag(b, at, "raw", Dashes::Many)?;
        let content_start = open.span.end as usize;
        let Some(close) = self.next_endraw(b, content_start) else {
            return Some((open, None, false));
        };
        let multiline = self
            .next_line_break(b, content_start)
            .is_some_and(|lb| lb < close.span.start as usize);
        Some((open, Some(close), multiline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_tag_variants() {
        let b = b"{%- raw --%}x";
        let tag = match_tag(b, 0, "raw", Dashes::Many).unwrap();
        assert_eq!(tag.keyword, Span::new(4, 7));
        assert_eq!(tag.span, Span::new(0, 12));
        assert!(tag.trim.left && tag.trim.right);
        assert!(match_tag(b"{% rawx %}", 0, "raw", Dashes::Many).is_none());
        assert!(match_tag(b"{%raw%}", 0, "raw", Dashes::Many).is_some());
        assert!(match_tag(b"{%-- verbatim %}", 0, "verbatim", Dashes::One).is_none());
    }

    #[test]
    fn raw_block_single_and_multi_line() {
        let mut f = RawFinder::default();
        let b = b"{% raw %}{{ a }}{% endraw %}";
        let (open, close, multi) = f.raw_block(b, 0).unwrap();
        assert_eq!(open.span, Span::new(0, 9));
        assert_eq!(close.unwrap().span, Span::new(16, 28));
        assert!(!multi);

        let mut f = RawFinder::default();
        let b = "{% raw %}a\u{2028}b{% endraw %}".as_bytes();
        assert!(f.raw_block(b, 0).unwrap().2);

        let mut f = RawFinder::default();
        assert_eq!(f.raw_block(b"{% raw %} no end", 0).unwrap().1, None);
    }

    #[test]
    fn memo_is_consistent_for_increasing_queries() {
        let b = b"{% raw %}{% raw %}\n{% raw %}{% endraw %}";
        let mut f = RawFinder::default();
        assert!(f.raw_block(b, 0).unwrap().2);
        assert!(f.raw_block(b, 9).unwrap().2);
        assert!(!f.raw_block(b, 19).unwrap().2);
    }
}
