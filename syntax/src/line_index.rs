//! Converts byte offsets to human (1-based line, column in Unicode scalar values) and LSP
//! (0-based line, UTF-16 code unit) positions, and back.

/// Start offsets of every line of a text, and running character counts so that columns are
/// found in bounded time even on a megabyte-long line.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    len: u32,
    /// Empty for ASCII text (bytes are characters). Otherwise, for every block of `BLOCK`
    /// bytes, the Unicode scalar values and UTF-16 units before the block's first character.
    blocks: Vec<(u32, u32, u32)>,
}

const BLOCK: usize = 4096;

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// A 0-based line and UTF-16 character offset, as LSP positions are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Utf16Pos {
    pub line: u32,
    pub character: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // Line breaks as YAML and LSP count them: LF, CRLF, and a CR alone.
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
                .map(|(i, _)| i as u32 + 1),
        );
        let mut blocks = Vec::new();
        if !text.is_ascii() {
            let (mut chars, mut units) = (0u32, 0u32);
            let mut next_block = 0usize;
            for (i, c) in text.char_indices() {
                if i >= next_block {
                    blocks.push((i as u32, chars, units));
                    next_block = (i / BLOCK + 1) * BLOCK;
                }
                chars += 1;
                units += c.len_utf16() as u32;
            }
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
            blocks,
        }
    }

    /// Unicode scalar values and UTF-16 units in `text[..offset]` (`offset` on a char boundary).
    fn counts_before(&self, text: &str, offset: usize) -> (u32, u32) {
        if self.blocks.is_empty() {
            return (offset as u32, offset as u32);
        }
        let i = self.blocks.partition_point(|b| b.0 as usize <= offset);
        let (start, chars, units) = self.blocks[i.saturating_sub(1)];
        let rest = &text[start as usize..offset];
        (
            chars + rest.chars().count() as u32,
            units + rest.encode_utf16().count() as u32,
        )
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line containing `offset` (offsets past the end belong to the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len as usize) as u32;
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte offset where the 0-based `line` starts (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.len) as usize
    }

    /// Byte offset of the end of the 0-based `line`, before its line break.
    pub fn line_end(&self, text: &str, line: usize) -> usize {
        let next = self.line_start(line + 1);
        let mut end = next;
        let bytes = text.as_bytes();
        if end > self.line_start(line) && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > self.line_start(line) && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        end
    }

    /// Offset clamped to the text and moved back to a character boundary.
    fn clamp(text: &str, offset: usize) -> usize {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = Self::clamp(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        LineCol {
            line: line as u32 + 1,
            column: self.counts_before(text, offset).0 - self.counts_before(text, start).0 + 1,
        }
    }

    pub fn utf16(&self, text: &str, offset: usize) -> Utf16Pos {
        let offset = Self::clamp(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line);
        Utf16Pos {
            line: line as u32,
            character: self.counts_before(text, offset).1 - self.counts_before(text, start).1,
        }
    }

    /// Byte offset of an LSP position; a character past the end of its line clamps to the line
    /// end, a line past the end clamps to the end of the text.
    pub fn offset_of_utf16(&self, text: &str, pos: Utf16Pos) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let start = self.line_start(line);
        let end = self.line_end(text, line);
        let mut units = 0u32;
        for (i, c) in text[start..end].char_indices() {
            if units >= pos.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// Byte offset of a 1-based line and column (in Unicode scalar values), clamped.
    pub fn offset_of_line_col(&self, text: &str, pos: LineCol) -> usize {
        let line = (pos.line.max(1) - 1) as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let start = self.line_start(line);
        let end = self.line_end(text, line);
        text[start..end]
            .char_indices()
            .nth((pos.column.max(1) - 1) as usize)
            .map_or(end, |(i, _)| start + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_scalar_values_and_utf16_units() {
        let text = "ab\né😀x\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, column: 3 });
        assert_eq!(
            idx.utf16(text, x),
            Utf16Pos {
                line: 1,
                character: 3
            }
        );
        assert_eq!(idx.offset_of_utf16(text, idx.utf16(text, x)), x);
        assert_eq!(
            idx.offset_of_line_col(text, LineCol { line: 2, column: 3 }),
            x
        );
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "a\nbc";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.offset_of_utf16(
                text,
                Utf16Pos {
                    line: 0,
                    character: 99
                }
            ),
            1
        );
        assert_eq!(
            idx.offset_of_utf16(
                text,
                Utf16Pos {
                    line: 9,
                    character: 0
                }
            ),
            4
        );
        assert_eq!(idx.line_col(text, 99), LineCol { line: 2, column: 3 });
    }

    #[test]
    fn long_non_ascii_lines_count_correctly() {
        let text = format!("k: {}\n", "é😀x".repeat(5000));
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices().step_by(997) {
            let expected = text[..offset].chars().count() as u32 + 1;
            assert_eq!(idx.line_col(&text, offset).column, expected);
            let units = text[..offset].encode_utf16().count() as u32;
            assert_eq!(idx.utf16(&text, offset).character, units);
        }
    }

    #[test]
    fn offsets_inside_a_character_move_back_to_its_start() {
        let text = "é";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 1), LineCol { line: 1, column: 1 });
    }
}
