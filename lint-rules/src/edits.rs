//! Text edits that keep the rest of the file byte for byte: inserting a property into a task,
//! appending to a block list, replacing a whole task.

use kflow_syntax::yaml::NodeId;
use kflow_syntax::Span;

use crate::finding::Edit;
use crate::source::Source;

/// Offset of the start of the line holding `offset` (LF, CRLF and a lone CR end lines).
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// Offset just past the end of the line holding `offset` (after its line break, or the end of
/// text).
pub fn line_end(text: &str, offset: usize) -> usize {
    match text[offset..].find(['\n', '\r']) {
        None => text.len(),
        Some(i) if text[offset + i..].starts_with("\r\n") => offset + i + 2,
        Some(i) => offset + i + 1,
    }
}

/// The column (in bytes) where the keys of a block mapping start.
pub fn key_indent(cx: &Source, map: NodeId) -> Option<usize> {
    let first = cx.tree.entries(map)?.first()?;
    let at = cx.tree.span(first.key).start as usize;
    Some(at - line_start(&cx.doc.text, at))
}

/// Inserts `key:` with a block list of `items` into the task mapping, on its own lines before the
/// line of `before_key` (or after the task's last line when absent).
pub fn insert_list_property(
    cx: &Source,
    map: NodeId,
    before_key: &str,
    key: &str,
    items: &[String],
) -> Option<Edit> {
    let text = &cx.doc.text;
    let indent = " ".repeat(key_indent(cx, map)?);
    let at = match cx.tree.get(map, before_key) {
        Some(e) => line_start(text, cx.tree.span(e.key).start as usize),
        None => line_end(text, last_content_offset(cx, map)),
    };
    // A key sharing its line with the `- ` of a list item is not at a line start: give up.
    if !text[at..].starts_with(&indent) {
        return None;
    }
    let mut block = format!("{indent}{key}:\n");
    for item in items {
        block.push_str(&format!("{indent}  - {item}\n"));
    }
    Some(Edit {
        span: Span::empty(at),
        new_text: block,
    })
}

/// Appends an item to a list value: after the last item's line for block lists, before `]` for
/// flow lists.
pub fn append_list_item(cx: &Source, list: NodeId, item: &str) -> Option<Edit> {
    let tree = cx.tree;
    let text = &cx.doc.text;
    let node = tree.node(list);
    let items = tree.items(list)?;
    if node.flow_style {
        let close = node.span.end as usize - 1;
        if text.as_bytes().get(close) != Some(&b']') {
            return None;
        }
        let sep = if items.is_empty() { "" } else { ", " };
        return Some(Edit {
            span: Span::empty(close),
            new_text: format!("{sep}{item}"),
        });
    }
    let last = *items.last()?;
    let first_at = tree.span(items[0]).start as usize;
    // The item's `- ` starts two bytes before its value in the usual layout.
    let dash = text[line_start(text, first_at)..first_at].find('-')?;
    let prefix = &text[line_start(text, first_at)..line_start(text, first_at) + dash];
    let at = line_end(text, tree.span(last).end.max(1) as usize - 1);
    Some(Edit {
        span: Span::empty(at),
        new_text: format!("{prefix}- {item}\n"),
    })
}

/// The last byte of the mapping that is not whitespace (block scalars end at the next token).
pub fn last_content_offset(cx: &Source, map: NodeId) -> usize {
    let span = cx.tree.span(map);
    let text = &cx.doc.text[span.range()];
    span.start as usize + text.trim_end().len().saturating_sub(1)
}

/// Replaces a whole task mapping (from its first key to the end of its last line) with `lines`,
/// indented like the task's keys. The task's comments stay: one on the line of a key that the
/// new lines keep (`id:`, `type:`) stays at the end of that line, the others follow the new lines.
pub fn replace_task(cx: &Source, map: NodeId, lines: &[String]) -> Option<Edit> {
    let text = &cx.doc.text;
    let indent = " ".repeat(key_indent(cx, map)?);
    let start = cx.tree.span(map).start as usize;
    let end = line_end(text, last_content_offset(cx, map));
    let mut trailing: Vec<Option<&str>> = vec![None; lines.len()];
    let mut leftover: Vec<&str> = Vec::new();
    for c in &cx.tree.comments {
        let at = c.span.start as usize;
        if at < start || at >= end {
            continue;
        }
        // With the blanks before it, as written.
        let gap = text[..at].len() - text[..at].trim_end_matches([' ', '\t']).len();
        let comment = &text[at - gap..c.span.end as usize];
        let line = line_start(text, at);
        let on_key = cx
            .tree
            .entries(map)
            .unwrap_or_default()
            .iter()
            .find_map(|e| {
                let k = cx.tree.span(e.key).start as usize;
                (line_start(text, k) == line)
                    .then(|| cx.tree.str(e.key))
                    .flatten()
            });
        let kept = on_key.and_then(|key| {
            lines
                .iter()
                .position(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
        });
        match kept {
            Some(i) if trailing[i].is_none() => trailing[i] = Some(comment),
            _ => leftover.push(comment),
        }
    }
    let mut new_text = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            new_text.push_str(&indent);
        }
        new_text.push_str(line);
        if let Some(c) = trailing[i] {
            new_text.push_str(c);
        }
        new_text.push('\n');
    }
    for c in leftover {
        new_text.push_str(&indent);
        new_text.push_str(c.trim_start());
        new_text.push('\n');
    }
    Some(Edit {
        span: Span::new(start, end),
        new_text,
    })
}

/// The whole lines of a mapping entry: from the start of its key's line to the end of the line
/// holding its value's last character (a trailing comment there included).
pub fn entry_lines(cx: &Source, key: NodeId, value: NodeId) -> Span {
    let text = &cx.doc.text;
    let key_span = cx.tree.span(key);
    let value_span = cx.tree.span(value);
    let body = &text[key_span.start as usize..value_span.end.max(key_span.end) as usize];
    let last = key_span.start as usize + body.trim_end().len().saturating_sub(1);
    Span::new(
        line_start(text, key_span.start as usize),
        line_end(text, last.max(key_span.start as usize)),
    )
}

/// The comments starting inside `span` and outside every span of `except`, one a line, for
/// text that replaces `span` to keep them.
pub fn comments_in(cx: &Source, span: Span, except: &[Span]) -> String {
    cx.tree
        .comments
        .iter()
        .filter(|c| span.contains(c.span.start as usize))
        .filter(|c| !except.iter().any(|s| s.contains(c.span.start as usize)))
        .map(|c| format!("{}\n", cx.text(c.span)))
        .collect()
}

/// One `key: value` of a mapping as text, its lines after the first without the mapping's
/// indentation (line breaks made LF), and the span it was copied from: to write the entry
/// elsewhere with [`indented`].
pub fn entry_text(
    cx: &Source,
    map: NodeId,
    key: NodeId,
    value: NodeId,
) -> Result<(String, Span), String> {
    let tree = cx.tree;
    let text = &cx.doc.text;
    let start = tree.span(key).start as usize;
    if tree.node(map).flow_style {
        let span = Span::new(start, tree.span(value).end as usize);
        let entry = cx.text(span);
        if entry.contains(['\n', '\r']) {
            return Err("a multi-line value in a flow mapping".into());
        }
        return Ok((entry.to_string(), span));
    }
    let value_span = tree.span(value);
    let body = &text[start..value_span.end.max(tree.span(key).end) as usize];
    let last = start + body.trim_end().len().saturating_sub(1);
    let end = line_end(text, last.max(start));
    let column = start - line_start(text, start);
    let mut out = String::new();
    for (i, line) in text[start..end].lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if i == 0 || line.trim().is_empty() {
            out.push_str(line.trim_end_matches(' ').trim_start_matches(' '));
        } else {
            let lead = line.len() - line.trim_start_matches(' ').len();
            if lead < column {
                return Err("a value is indented less than its key".into());
            }
            out.push_str(&line[column..]);
        }
        out.push('\n');
    }
    Ok((out, Span::new(start, end)))
}

/// `entry` (from [`entry_text`]) with every line that is not blank indented by `indent`.
pub fn indented(entry: &str, indent: &str) -> String {
    let mut out = String::new();
    for line in entry.lines() {
        if !line.trim().is_empty() {
            out.push_str(indent);
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The column of a block mapping entry's key, when the key starts its line.
pub fn own_line_indent<'a>(
    cx: &Source<'a>,
    map: NodeId,
    entry: kflow_syntax::yaml::Entry,
) -> Result<&'a str, String> {
    if cx.tree.node(map).flow_style {
        return Err("it is written in a `{…}` mapping".into());
    }
    let text = &cx.doc.text;
    let at = cx.tree.span(entry.key).start as usize;
    let start = line_start(text, at);
    let indent = &text[start..at];
    if !indent.trim().is_empty() {
        return Err("it shares its line with another key".into());
    }
    Ok(indent)
}

/// Removes the entry's lines, keeping the comments among them.
pub fn remove_entry(
    cx: &Source,
    map: NodeId,
    entry: kflow_syntax::yaml::Entry,
) -> Result<Edit, String> {
    let indent = own_line_indent(cx, map, entry)?;
    let span = entry_lines(cx, entry.key, entry.value);
    let new_text = comments_in(cx, span, &[])
        .lines()
        .map(|c| format!("{indent}{c}\n"))
        .collect();
    Ok(Edit { span, new_text })
}
