//! Builds the [`Tree`] from saphyr's event stream, iteratively (no recursion on input depth).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle};

use super::chars::CharToByte;
use super::tree::{Entry, Node, NodeId, Scalar, ScalarStyle, Tree, Value};
use crate::span::Span;
use crate::SyntaxError;

/// Deeper nesting than this is refused: no flow needs it, and it bounds every walk.
pub const MAX_DEPTH: usize = 256;

enum Frame {
    Seq {
        id: NodeId,
        anchor: usize,
        items: Vec<NodeId>,
    },
    Map {
        id: NodeId,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<NodeId>,
        /// Index of the keys by text, built only for large mappings (small ones are scanned).
        seen: Option<HashMap<String, Span>>,
    },
}

pub fn build(text: &str, errors: &mut Vec<SyntaxError>) -> Tree {
    let chars = CharToByte::new(text);
    let mut tree = Tree::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, NodeId> = HashMap::new();
    let mut documents = 0usize;
    let mut parser = Parser::new_from_str(text);
    let span_of = |sp: &saphyr_parser::Span| {
        let start = chars.byte(sp.start.index());
        Span::new(start, chars.byte(sp.end.index()).max(start))
    };

    while let Some(next) = parser.next_event() {
        let (event, sp) = match next {
            Ok(ok) => ok,
            Err(err) => {
                let at = chars.byte(err.marker().index());
                let message = if err.info().contains("recursion limit") {
                    format!("nesting deeper than {MAX_DEPTH} levels is not supported")
                } else {
                    format!("invalid YAML: {}", err.info())
                };
                errors.push(SyntaxError::new(
                    Span::new(at, (at + 1).min(text.len()).max(at)),
                    message,
                ));
                break;
            }
        };
        let mut span = span_of(&sp);
        if let Event::Scalar(
            _,
            style @ (SaphyrStyle::DoubleQuoted | SaphyrStyle::SingleQuoted),
            ..,
        ) = &event
        {
            span = quoted_span(text, span, *style == SaphyrStyle::DoubleQuoted);
        }
        let (value, anchor, flow_style) = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    errors.push(SyntaxError::new(
                        span_to_line(text, span),
                        "a flow file holds one YAML document; this second document is ignored",
                    ));
                    break;
                }
                continue;
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
            Event::Scalar(value, style, anchor, tag) => (
                Value::Scalar(Scalar {
                    value: value.into_owned(),
                    style: convert_style(style),
                    tagged: tag.is_some(),
                }),
                anchor,
                false,
            ),
            Event::Alias(anchor) => {
                let target = anchors.get(&anchor).copied();
                if target.is_none() {
                    errors.push(SyntaxError::new(
                        span,
                        "this alias names no complete anchored node before it (unknown or recursive alias)",
                    ));
                }
                (Value::Alias(target), 0, false)
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    errors.push(SyntaxError::new(
                        span,
                        format!("nesting deeper than {MAX_DEPTH} levels is not supported"),
                    ));
                    break;
                }
                let is_seq = matches!(event, Event::SequenceStart(..));
                let flow = text.as_bytes().get(span.start as usize).is_some_and(|b| {
                    if is_seq {
                        *b == b'['
                    } else {
                        *b == b'{'
                    }
                });
                let id = push(
                    &mut tree,
                    if is_seq {
                        Value::Seq(Vec::new())
                    } else {
                        Value::Map(Vec::new())
                    },
                    span,
                    flow,
                );
                stack.push(if is_seq {
                    Frame::Seq {
                        id,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        id,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                        seen: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else { continue };
                // Anchors of collections count once complete: an alias inside its own anchor
                // would make the tree cyclic, so it stays unresolved.
                let anchor = frame.anchor();
                let id = finish(&mut tree, frame, span);
                if anchor != 0 {
                    anchors.insert(anchor, id);
                }
                attach(&mut tree, &mut stack, id, errors);
                continue;
            }
        };
        let id = push(&mut tree, value, span, flow_style);
        if anchor != 0 {
            anchors.insert(anchor, id);
        }
        attach(&mut tree, &mut stack, id, errors);
    }

    // A truncated stream leaves frames open: keep what was read so far.
    while let Some(frame) = stack.pop() {
        let end = Span::empty(text.len());
        let id = finish(&mut tree, frame, end);
        attach(&mut tree, &mut stack, id, errors);
    }
    tree
}

impl Frame {
    fn anchor(&self) -> usize {
        match self {
            Frame::Seq { anchor, .. } | Frame::Map { anchor, .. } => *anchor,
        }
    }
}

fn convert_style(style: SaphyrStyle) -> ScalarStyle {
    match style {
        SaphyrStyle::Plain => ScalarStyle::Plain,
        SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        SaphyrStyle::Literal => ScalarStyle::Literal,
        SaphyrStyle::Folded => ScalarStyle::Folded,
    }
}

/// saphyr's span of a quoted scalar can run on over a trailing comment: cut it after the
/// closing quote, so that the comment (an inline suppression) is seen as one.
fn quoted_span(text: &str, span: Span, double: bool) -> Span {
    let Some(bytes) = text.as_bytes().get(span.range()) else {
        return span;
    };
    let quote = if double { b'"' } else { b'\'' };
    if bytes.first() != Some(&quote) {
        return span;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if double => i += 2,
            b'\'' if !double && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Span::new(span.start as usize, span.start as usize + i + 1),
            _ => i += 1,
        }
    }
    span
}

fn span_to_line(text: &str, span: Span) -> Span {
    let end = text[span.start as usize..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| span.start as usize + i);
    Span::new(span.start as usize, end)
}

fn push(tree: &mut Tree, value: Value, span: Span, flow_style: bool) -> NodeId {
    let id = NodeId(tree.nodes.len() as u32);
    tree.nodes.push(Node {
        value,
        span,
        flow_style,
    });
    id
}

/// Stores the finished collection's children and extends its span to its end.
fn finish(tree: &mut Tree, frame: Frame, end: Span) -> NodeId {
    let (id, value) = match frame {
        Frame::Seq { id, items, .. } => (id, Value::Seq(items)),
        Frame::Map {
            id,
            mut entries,
            key,
            ..
        } => {
            if let Some(key) = key {
                // A key with no value event (truncated input): give it an empty value.
                let at = tree.span(key).end as usize;
                let value = push(tree, empty_scalar(), Span::empty(at), false);
                entries.push(Entry { key, value });
            }
            (id, Value::Map(entries))
        }
    };
    let last_child_end = match &value {
        Value::Seq(items) => items.last().map(|&c| tree.span(c).end),
        Value::Map(entries) => entries.last().map(|e| tree.span(e.value).end),
        _ => None,
    };
    let node = &mut tree.nodes[id.0 as usize];
    node.value = value;
    let mut end_at = if node.flow_style { end.end } else { end.start };
    if let Some(child_end) = last_child_end {
        end_at = end_at.max(child_end);
    }
    // Block collections end with their last child, not at the next token.
    if !node.flow_style {
        end_at = last_child_end.unwrap_or(node.span.end);
    }
    node.span.end = end_at.max(node.span.start);
    id
}

fn empty_scalar() -> Value {
    Value::Scalar(Scalar {
        value: String::new(),
        style: ScalarStyle::Plain,
        tagged: false,
    })
}

fn attach(tree: &mut Tree, stack: &mut [Frame], id: NodeId, errors: &mut Vec<SyntaxError>) {
    let Some(parent) = stack.last_mut() else {
        if tree.root.is_none() {
            tree.root = Some(id);
        }
        return;
    };
    match parent {
        Frame::Seq { items, .. } => items.push(id),
        Frame::Map {
            entries, key, seen, ..
        } => match key.take() {
            None => {
                if let Some(name) = tree.str(id) {
                    let span = tree.span(id);
                    let first = match seen {
                        Some(index) => index.get(name).copied(),
                        None => entries
                            .iter()
                            .find(|e| tree.str(e.key) == Some(name))
                            .map(|e| tree.span(e.key)),
                    };
                    if let Some(first) = first {
                        errors.push(
                            SyntaxError::new(span, format!("duplicate key `{name}`"))
                                .with_related(first, "first defined here"),
                        );
                    } else if let Some(index) = seen {
                        index.insert(name.to_string(), span);
                    } else if entries.len() >= 32 {
                        let mut index: HashMap<String, Span> = entries
                            .iter()
                            .filter_map(|e| Some((tree.str(e.key)?.to_string(), tree.span(e.key))))
                            .collect();
                        index.insert(name.to_string(), span);
                        *seen = Some(index);
                    }
                }
                *key = Some(id);
            }
            Some(k) => entries.push(Entry { key: k, value: id }),
        },
    }
}
