//! Where the cursor sits in the YAML, read from the text's indentation rather than from the
//! tree: while someone types, the file is often not valid YAML, and completion must still know
//! that `    lev|` is a key of the task whose `type:` is three lines up.

use kflow_syntax::{Document, Span};

/// One line split into its YAML parts.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    start: usize,
    /// Column of the first non-space character.
    indent: usize,
    /// The line starts a sequence item (`- `).
    dash: bool,
    /// Column where the key (or the item's content) starts.
    key_col: usize,
    key: Option<&'a str>,
    /// What follows `key:`, trimmed (comments included).
    value: &'a str,
    /// Empty or a comment.
    blank: bool,
}

fn split(text: &str, start: usize) -> Line<'_> {
    let indent = text.len() - text.trim_start_matches(' ').len();
    let rest = &text[indent..];
    let dash = rest == "-" || rest.starts_with("- ");
    let content = if dash { rest[1..].trim_start() } else { rest };
    let key_col = text.len() - content.len();
    let blank = rest.trim().is_empty() || rest.starts_with('#');
    let (key, value) = match key_split(content) {
        Some((k, v)) => (Some(k), v),
        None => (None, ""),
    };
    Line {
        start,
        indent,
        dash,
        key_col,
        key,
        value,
        blank,
    }
}

/// `key: value` → (`key`, `value`): the colon must be followed by a space or end the line.
fn key_split(content: &str) -> Option<(&str, &str)> {
    if content.starts_with(['#', '{', '[', '|', '>', '&', '*', '!']) {
        return None;
    }
    let bytes = content.as_bytes();
    let colon = (0..bytes.len()).find(|&i| {
        bytes[i] == b':' && bytes.get(i + 1).is_none_or(|b| *b == b' ' || *b == b'\t')
    })?;
    let key = content[..colon].trim();
    let key = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
        .unwrap_or(key);
    (!key.is_empty() && !key.contains(" #")).then(|| (key, content[colon + 1..].trim()))
}

/// The sibling entries of one mapping, found by indentation.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Column of the keys.
    pub col: usize,
    /// `key` → the value as written on its line (unquoted; empty for nested values).
    pub entries: Vec<(String, String)>,
    /// The key whose value holds this mapping (or the list this mapping is an item of).
    pub parent: Option<ParentLine>,
    /// This mapping is an item of a list.
    pub is_item: bool,
}

#[derive(Clone, Debug)]
pub struct ParentLine {
    pub key: String,
    pub line: usize,
    pub col: usize,
}

impl Block {
    pub fn value(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _)| k == key)
    }

    pub fn parent_key(&self) -> Option<&str> {
        self.parent.as_ref().map(|p| p.key.as_str())
    }
}

/// A `key: value` line with its mapping.
#[derive(Clone, Debug)]
pub struct KeyLine {
    pub block: Block,
    pub key: String,
    pub key_span: Span,
    /// The value written on the line, without a trailing comment.
    pub value_span: Span,
}

/// What is being typed at the cursor.
#[derive(Clone, Debug)]
pub enum Slot {
    /// A key of `block`; `partial` spans the word typed so far (whole word under the cursor).
    Key {
        block: Block,
        partial: Span,
        /// The line already has `: ` after the word.
        has_colon: bool,
    },
    /// The value of `key` in `block`; `partial` spans the value typed so far.
    Value {
        block: Block,
        key: String,
        partial: Span,
    },
}

pub struct Lines<'a> {
    doc: &'a Document,
}

impl<'a> Lines<'a> {
    pub fn new(doc: &'a Document) -> Lines<'a> {
        Lines { doc }
    }

    fn count(&self) -> usize {
        self.doc.line_index.line_count()
    }

    fn get(&self, n: usize) -> Line<'a> {
        let start = self.doc.line_index.line_start(n);
        let end = self.doc.line_index.line_end(&self.doc.text, n);
        split(&self.doc.text[start..end], start)
    }

    /// The mapping whose keys sit at `col` around line `at`. `item_start` says that line `at`
    /// itself begins a list item (its dash is at `col - 2`): siblings above belong to another item.
    fn block(&self, at: usize, col: usize, item_start: Option<usize>) -> Block {
        let mut block = Block {
            col,
            ..Block::default()
        };
        let mut dash_col = item_start;
        let mut first = at;
        if dash_col.is_none() {
            for n in (0..at).rev() {
                let l = self.get(n);
                if l.blank {
                    continue;
                }
                let c = if l.dash { l.key_col } else { l.indent };
                if c > col {
                    continue;
                }
                if c < col && !(l.dash && l.key.is_none() && l.indent < col) {
                    break;
                }
                if let Some(k) = l.key {
                    block
                        .entries
                        .push((k.to_string(), unquote(l.value).to_string()));
                }
                first = n;
                if l.dash {
                    dash_col = Some(l.indent);
                    break;
                }
            }
        }
        for n in at + 1..self.count() {
            let l = self.get(n);
            if l.blank {
                continue;
            }
            if l.dash && l.indent < col {
                break;
            }
            let c = if l.dash { l.key_col } else { l.indent };
            if c < col {
                break;
            }
            if c == col && !l.dash {
                if let Some(k) = l.key {
                    block
                        .entries
                        .push((k.to_string(), unquote(l.value).to_string()));
                }
            }
        }
        block.is_item = dash_col.is_some();
        block.parent = self.parent_line(first, col, dash_col);
        block
    }

    /// The line holding the block that starts at line `first`.
    fn parent_line(&self, first: usize, col: usize, dash_col: Option<usize>) -> Option<ParentLine> {
        for n in (0..first).rev() {
            let l = self.get(n);
            if l.blank {
                continue;
            }
            let is_parent = match dash_col {
                Some(d) => l.indent < d || (l.indent == d && !l.dash),
                None => (if l.dash { l.key_col } else { l.indent }) < col,
            };
            if is_parent {
                return l.key.map(|k| ParentLine {
                    key: k.to_string(),
                    line: n,
                    col: if l.dash { l.key_col } else { l.indent },
                });
            }
        }
        None
    }

    /// The mapping that holds the `parent` line's key.
    pub fn parent_block(&self, parent: &ParentLine) -> Block {
        let l = self.get(parent.line);
        let item_start = (l.dash && l.key_col == parent.col).then_some(l.indent);
        let mut block = self.block(parent.line, parent.col, item_start);
        if let Some(k) = l.key {
            block
                .entries
                .push((k.to_string(), unquote(l.value).to_string()));
        }
        block
    }

    /// Whether line `n` continues a scalar started above (a block scalar's content, or a plain
    /// or quoted value folded over lines): nothing there is YAML structure.
    fn in_scalar(&self, n: usize, col: usize) -> bool {
        for m in (0..n).rev() {
            let l = self.get(m);
            if l.blank || (if l.dash { l.key_col } else { l.indent }) >= col {
                continue;
            }
            // The nearest less indented line holds whatever this line is part of.
            let value = l.value.split(" #").next().unwrap_or("").trim();
            let structural = value.is_empty() || value.starts_with(['&', '!', '#']);
            return match l.key {
                Some(_) => !structural,
                None => !l.dash,
            };
        }
        false
    }

    /// The `key: value` entry written on line `n`, with the mapping it belongs to.
    pub fn key_line(&self, n: usize) -> Option<KeyLine> {
        if n >= self.count() {
            return None;
        }
        let l = self.get(n);
        let key = l.key?;
        let end = self.doc.line_index.line_end(&self.doc.text, n);
        let line_text = &self.doc.text[l.start..end];
        let content = &line_text[l.key_col..];
        let colon = content
            .find(": ")
            .or_else(|| content.strip_suffix(':').map(str::len))?;
        let key_span = Span::new(l.start + l.key_col, l.start + l.key_col + colon);
        let value = l.value.split(" #").next().unwrap_or("").trim_end();
        let after_colon = l.start + l.key_col + colon + 1;
        let rest = &self.doc.text[after_colon..end];
        let value_start = after_colon + (rest.len() - rest.trim_start().len());
        let mut block = self.block(n, l.key_col, (l.dash).then_some(l.indent));
        block
            .entries
            .push((key.to_string(), unquote(l.value).to_string()));
        Some(KeyLine {
            block,
            key: key.to_string(),
            key_span,
            value_span: Span::new(value_start, value_start + value.len()),
        })
    }

    /// What the cursor at `offset` is typing, if it is a key or a one-line value.
    pub fn slot(&self, offset: usize) -> Option<Slot> {
        let text = &self.doc.text;
        let n = self.doc.line_index.line_of(offset);
        let line = self.get(n);
        let end = self.doc.line_index.line_end(text, n);
        let before = text.get(line.start..offset)?;
        let after = text.get(offset..end)?;
        if before.contains('#') {
            return None;
        }
        let indent = before.len() - before.trim_start_matches(' ').len();
        let rest = &before[indent..];
        let (dash, content) = if rest == "-" || rest.starts_with("- ") {
            (true, rest[1..].trim_start())
        } else {
            (false, rest)
        };
        let col = before.len() - content.len();
        if self.in_scalar(n, if dash { indent } else { col }) {
            return None;
        }
        let item_start = dash.then_some(indent);
        if is_key_text(content) {
            let tail = after.find(|c: char| !is_key_char(c)).unwrap_or(after.len());
            let word_end = offset + tail;
            let has_colon = after[tail..].trim_start().starts_with(':');
            let block = self.block(n, col, item_start);
            return Some(Slot::Key {
                block,
                partial: Span::new(line.start + col, word_end),
                has_colon,
            });
        }
        let (key, value) = key_split(content).or_else(|| {
            // `key:` with the cursor right after the colon.
            content.strip_suffix(':').map(|k| (k, ""))
        })?;
        if !is_key_text(key) {
            return None;
        }
        let value_start = offset - value.len();
        let quote = value.starts_with(['"', '\'']) as usize;
        let tail = after
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '#')
            .unwrap_or(after.len());
        let block = self.block(n, col, item_start);
        Some(Slot::Value {
            block,
            key: key.to_string(),
            partial: Span::new(value_start + quote, offset + tail),
        })
    }
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn is_key_text(s: &str) -> bool {
    s.chars().all(is_key_char)
}

fn unquote(v: &str) -> &str {
    let v = v.split(" #").next().unwrap_or("").trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(text_with_cursor: &str) -> Option<Slot> {
        let at = text_with_cursor.find('‸').unwrap();
        let text = text_with_cursor.replacen('‸', "", 1);
        let doc = kflow_syntax::parse(&text);
        Lines::new(&doc).slot(at)
    }

    #[test]
    fn a_key_of_a_task_finds_its_siblings_and_list() {
        let Some(Slot::Key { block, .. }) =
            slot("id: f\ntasks:\n  - id: a\n    type: x.Y\n    lev‸\n    message: m\n")
        else {
            panic!("no key slot");
        };
        assert_eq!(block.col, 4);
        assert_eq!(block.value("type"), Some("x.Y"));
        assert!(block.has("id") && block.has("message"));
        assert!(block.is_item);
        assert_eq!(block.parent_key(), Some("tasks"));
    }

    #[test]
    fn a_value_slot_names_its_key() {
        let Some(Slot::Value { key, block, .. }) = slot("tasks:\n- id: a\n  type: io.k‸\n")
        else {
            panic!("no value slot");
        };
        assert_eq!(key, "type");
        assert_eq!(block.parent_key(), Some("tasks"));
    }

    #[test]
    fn block_scalar_content_is_not_structure() {
        assert!(slot("tasks:\n  - id: a\n    script: |\n      imp‸\n").is_none());
        assert!(slot("tasks:\n  - id: a\n    message: long\n      fold‸\n").is_none());
    }

    #[test]
    fn a_new_item_does_not_see_the_previous_one() {
        let Some(Slot::Key { block, .. }) = slot("tasks:\n  - id: a\n    type: t\n  - ‸\n")
        else {
            panic!("no key slot");
        };
        assert!(block.entries.is_empty());
        assert_eq!(block.parent_key(), Some("tasks"));
    }
}
