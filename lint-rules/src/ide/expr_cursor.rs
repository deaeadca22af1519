//! What is being typed inside `{{ … }}` or `{% … %}` at the cursor, read from the text before
//! it (the expression is usually incomplete, so the parsed template cannot be relied on).

use kflow_syntax::Span;

/// How far back an opening `{{` is looked for.
const WINDOW: usize = 8 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprSlot {
    /// The start of an operand: a variable or a function.
    Root,
    /// After `a.b.`: the names before the dot (`[…]` indexes as `"[]"`, `['k']` as `k`).
    Member(Vec<String>),
    /// After `|`.
    Filter,
    /// After `is` or `is not`.
    Test,
}

#[derive(Clone, Debug)]
pub struct ExprCursor {
    pub slot: ExprSlot,
    /// The name typed so far (whole word under the cursor).
    pub partial: Span,
    /// Offset of the `.` before the name, for names that need the `['…']` form.
    pub dot: Option<usize>,
}

/// The expression context at `offset`, looking back no further than `from` (the start of the
/// string value, or of the line when the value is not known).
pub fn expr_cursor(text: &str, offset: usize, from: usize) -> Option<ExprCursor> {
    let offset = floor_boundary(text, offset);
    let from = floor_boundary(text, offset.saturating_sub(WINDOW).max(from.min(offset)));
    let before = &text[from..offset];
    let open = before.rfind("{{").max(before.rfind("{%"))?;
    let inside = &before[open + 2..];
    if inside.contains("}}") || inside.contains("%}") || in_string(inside) {
        return None;
    }
    let word_len = inside.len() - inside.trim_end_matches(is_name_char).len();
    let word_start = offset - word_len;
    let after = &text[offset..];
    let word_end = offset + after.find(|c| !is_name_char(c)).unwrap_or(after.len());
    let head = &inside[..inside.len() - word_len];
    let partial = Span::new(word_start, word_end);
    if let Some(chain) = head.strip_suffix('.') {
        let path = chain_before(chain)?;
        return Some(ExprCursor {
            slot: ExprSlot::Member(path),
            partial,
            dot: Some(word_start - 1),
        });
    }
    let trimmed = head.trim_end();
    let slot = if trimmed.ends_with('|') && !trimmed.ends_with("||") {
        ExprSlot::Filter
    } else if ends_with_word(trimmed, "is") || ends_with_words(trimmed, "is", "not") {
        ExprSlot::Test
    } else {
        ExprSlot::Root
    };
    Some(ExprCursor {
        slot,
        partial,
        dot: None,
    })
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether the text ends inside a Pebble string literal.
fn in_string(s: &str) -> bool {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in s.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            None => {}
        }
    }
    quote.is_some()
}

fn ends_with_word(s: &str, word: &str) -> bool {
    s.strip_suffix(word)
        .is_some_and(|rest| rest.is_empty() || rest.ends_with(|c: char| !is_name_char(c)))
}

fn ends_with_words(s: &str, first: &str, second: &str) -> bool {
    s.strip_suffix(second)
        .filter(|rest| rest.ends_with(char::is_whitespace))
        .is_some_and(|rest| ends_with_word(rest.trim_end(), first))
}

/// The access chain that ends `s` (`outputs.t['k'][x]`), as names from its root.
fn chain_before(s: &str) -> Option<Vec<String>> {
    let mut rest = s;
    let mut out = Vec::new();
    loop {
        if let Some(inner_end) = rest.strip_suffix(']') {
            let open = matching_bracket(inner_end)?;
            let inner = inner_end[open + 1..].trim();
            let key = inner
                .strip_prefix('\'')
                .and_then(|k| k.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|k| k.strip_suffix('"')));
            out.push(key.map_or("[]".to_string(), str::to_string));
            rest = &inner_end[..open];
            continue;
        }
        let len = rest.len() - rest.trim_end_matches(is_name_char).len();
        if len == 0 {
            return None;
        }
        let name = &rest[rest.len() - len..];
        out.push(name.to_string());
        rest = &rest[..rest.len() - len];
        match rest.strip_suffix('.') {
            Some(r) => rest = r,
            None => break,
        }
    }
    out.reverse();
    out.first()
        .is_some_and(|root| !root.starts_with(|c: char| c.is_ascii_digit()) && root != "[]")
        .then_some(out)
}

/// Offset of the `[` matching a `]` that was just removed from the end of `s`.
fn matching_bracket(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => return Some(i),
            '[' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<ExprCursor> {
        let offset = s.find('‸').unwrap();
        expr_cursor(&s.replacen('‸', "", 1), offset, 0)
    }

    #[test]
    fn member_paths() {
        let c = at("m: \"{{ outputs.dl.ur‸ }}\"").unwrap();
        assert_eq!(
            c.slot,
            ExprSlot::Member(vec!["outputs".into(), "dl".into()])
        );
        let c = at("m: \"{{ outputs['my-task'][taskrun.value].‸ }}\"").unwrap();
        assert_eq!(
            c.slot,
            ExprSlot::Member(vec!["outputs".into(), "my-task".into(), "[]".into()])
        );
    }

    #[test]
    fn filters_tests_and_roots() {
        assert_eq!(at("{{ x | up‸").unwrap().slot, ExprSlot::Filter);
        assert_eq!(at("{{ x is not ‸").unwrap().slot, ExprSlot::Test);
        assert_eq!(at("{{ ‸").unwrap().slot, ExprSlot::Root);
        assert_eq!(at("{{ x ~ fl‸ }}").unwrap().slot, ExprSlot::Root);
        assert!(at("{{ 'abc‸ }}").is_none());
        assert!(at("{{ x }} after‸").is_none());
    }
}
