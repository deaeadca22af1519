//! Maps byte offsets inside a scalar's decoded value back to offsets in the file, so that an
//! expression inside a quoted, escaped, folded or block scalar is located exactly.

use super::tree::ScalarStyle;
use crate::span::Span;

/// Offsets in the file of each byte of a decoded scalar value (plus one past the end).
#[derive(Clone, Debug)]
pub struct ScalarMap {
    offsets: Vec<u32>,
    /// Byte length, in the source, of the character each decoded byte belongs to (an escape
    /// such as `\u00e9` is longer than what it decodes to).
    widths: Vec<u8>,
}

impl ScalarMap {
    /// Aligns `value` with its source text `text[span]`: each decoded character is matched with
    /// the next source character that produces it (skipping quotes, indentation, escapes and
    /// folded line breaks).
    pub fn new(text: &str, span: Span, value: &str, style: ScalarStyle) -> ScalarMap {
        let source = &text[span.range()];
        let base = span.start as usize;
        let mut offsets = Vec::with_capacity(value.len() + 1);
        let mut widths = Vec::with_capacity(value.len() + 1);
        let mut chars = source.char_indices().peekable();
        let mut last = 0usize;
        for c in value.chars() {
            let at = loop {
                let Some(&(i, s)) = chars.peek() else {
                    break None;
                };
                if s == c
                    && !(style == ScalarStyle::DoubleQuoted && s == '"' && i == 0)
                    && !(style == ScalarStyle::SingleQuoted && s == '\'' && i == 0)
                {
                    chars.next();
                    if style == ScalarStyle::SingleQuoted && s == '\'' {
                        // `''` is one quote.
                        chars.next_if(|&(_, n)| n == '\'');
                    }
                    break Some(i);
                }
                if style == ScalarStyle::DoubleQuoted && s == '\\' {
                    chars.next();
                    match chars.peek().map(|&(_, e)| e) {
                        Some('\n') | Some('\r') => continue,
                        Some(e) => {
                            let n = match e {
                                'x' => 2,
                                'u' => 4,
                                'U' => 8,
                                _ => 0,
                            };
                            chars.next();
                            for _ in 0..n {
                                chars.next();
                            }
                            break Some(i);
                        }
                        None => break None,
                    }
                }
                if (c == ' ' || c == '\n') && (s == '\n' || s == '\r') {
                    // A folded line break.
                    chars.next();
                    break Some(i);
                }
                chars.next();
            };
            let at = at.unwrap_or(last);
            last = at;
            let width = source[at..].chars().next().map_or(1, char::len_utf8) as u8;
            for _ in 0..c.len_utf8() {
                offsets.push((base + at) as u32);
                widths.push(width);
            }
        }
        let end = chars.peek().map_or(source.len(), |&(i, _)| i).max(last);
        offsets.push((base + end.min(source.len())) as u32);
        widths.push(0);
        ScalarMap { offsets, widths }
    }

    /// File offset of a byte offset into the decoded value (clamped to its end).
    pub fn offset(&self, value_offset: usize) -> usize {
        let i = value_offset.min(self.offsets.len() - 1);
        self.offsets[i] as usize
    }

    /// File span of a span into the decoded value. The end maps past the last covered
    /// character (whole, so slicing the file there is safe).
    pub fn span(&self, s: Span) -> Span {
        let start = self.offset(s.start as usize);
        let end = if s.is_empty() {
            start
        } else {
            let last = (s.end as usize - 1).min(self.offsets.len() - 1);
            self.offsets[last] as usize + self.widths[last].max(1) as usize
        };
        Span::new(start, end.max(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, value: &str, style: ScalarStyle, needle: &str) {
        let span = Span::new(text.find(['"', '\'', 'p', 'b', 'x']).unwrap(), text.len());
        let map = ScalarMap::new(text, span, value, style);
        let at = value.find(needle).unwrap();
        let mapped = map.span(Span::new(at, at + needle.len()));
        assert_eq!(&text[mapped.range()], needle, "in {text:?}");
    }

    #[test]
    fn double_quoted_with_escapes() {
        check(
            r#"k: "a\"b\u00e9 {{ x }}""#,
            "a\"bé {{ x }}",
            ScalarStyle::DoubleQuoted,
            "{{ x }}",
        );
    }

    #[test]
    fn single_quoted_with_doubled_quote() {
        check(
            "k: 'it''s {{ y }}'",
            "it's {{ y }}",
            ScalarStyle::SingleQuoted,
            "{{ y }}",
        );
    }

    #[test]
    fn folded_plain_scalar() {
        check(
            "k: plain\n    folded {{ z }}",
            "plain folded {{ z }}",
            ScalarStyle::Plain,
            "{{ z }}",
        );
    }

    #[test]
    fn spans_end_on_character_boundaries() {
        let text = "k: \"é😀\"";
        let span = Span::new(3, text.len());
        let map = ScalarMap::new(text, span, "é😀", ScalarStyle::DoubleQuoted);
        let emoji = map.span(Span::new(2, 6));
        assert_eq!(&text[emoji.range()], "😀");
        let e = map.span(Span::new(0, 1));
        assert_eq!(&text[e.range()], "é");
    }

    #[test]
    fn literal_block() {
        check(
            "k: |\n  block\n  x {{ w }}\n",
            "block\nx {{ w }}\n",
            ScalarStyle::Literal,
            "{{ w }}",
        );
    }
}
