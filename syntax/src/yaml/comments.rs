//! Finds `#` comments: the parser drops them, but suppressions and edits need them.

use super::tree::{Comment, Tree, Value};
use crate::span::Span;

pub fn collect(text: &str, tree: &Tree) -> Vec<Comment> {
    let mut scalars: Vec<Span> = tree
        .nodes
        .iter()
        .filter(|n| matches!(n.value, Value::Scalar(_)))
        .map(|n| n.span)
        .collect();
    scalars.sort_unstable();
    // Scalars do not overlap, so only the last one starting before `at` can contain it.
    let inside_scalar = |at: usize| {
        let i = scalars.partition_point(|s| (s.start as usize) <= at);
        i > 0 && scalars[i - 1].contains(at)
    };
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut line_start = 0;
    while line_start < bytes.len() {
        let line_end = memchr_newline(bytes, line_start);
        let mut i = line_start;
        while i < line_end {
            if bytes[i] == b'#'
                && (i == line_start || matches!(bytes[i - 1], b' ' | b'\t'))
                && !inside_scalar(i)
            {
                let end = if line_end > i && bytes[line_end - 1] == b'\r' {
                    line_end - 1
                } else {
                    line_end
                };
                comments.push(Comment {
                    span: Span::new(i, end),
                });
                break;
            }
            i += 1;
        }
        line_start = line_end + 1;
    }
    comments
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |p| from + p)
}
