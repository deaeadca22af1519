//! Python tokenizer: enough to tell code from comments and strings and to find logical lines.

use super::lexer::{
    decode_escape, is_ident_char, is_ident_start, number_end, op_len, Code, PebbleFinder, StrLit,
    StrPart, Tok, TokKind, NONE,
};

/// A logical line: tokens `first..end`, with the indentation width of its first physical line.
#[derive(Clone, Copy, Debug)]
pub(super) struct LogicalLine {
    pub first: usize,
    pub end: usize,
    pub indent: u32,
}

const OPS3: &[&str] = &["**=", "//=", ">>=", "<<=", "..."];
const OPS2: &[&str] = &[
    "==", "!=", "<=", ">=", "->", "**", "//", ":=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "@=", "<<", ">>",
];

pub(super) fn tokenize(src: &str) -> (Code<'_>, Vec<LogicalLine>) {
    let b = src.as_bytes();
    let mut toks: Vec<Tok> = Vec::new();
    let mut strs: Vec<StrLit> = Vec::new();
    let mut lines: Vec<LogicalLine> = Vec::new();
    let mut depth: u32 = 0;
    let mut line_first = 0usize;
    let mut i = 0usize;
    let mut pebble = PebbleFinder::default();
    let push = |toks: &mut Vec<Tok>, kind, start: usize, end: usize, str_id| {
        toks.push(Tok {
            kind,
            start: start as u32,
            end: end as u32,
            str_id,
            nl_before: false,
        });
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                if depth == 0 && toks.len() > line_first {
                    lines.push(LogicalLine {
                        first: line_first,
                        end: toks.len(),
                        indent: indent_of(b, toks[line_first].start as usize),
                    });
                    line_first = toks.len();
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' | 0x0c => i += 1,
            b'#' => i = line_end(b, i),
            b'\\' if matches!(b.get(i + 1), Some(b'\n')) => i += 2,
            b'\\' if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => i += 3,
            b'{' if b
                .get(i + 1)
                .is_some_and(|c| matches!(c, b'{' | b'%' | b'#'))
                && pebble.end(b, i).is_some() =>
            {
                let end = pebble.end(b, i).unwrap_or(i + 1);
                push(&mut toks, TokKind::Pebble, i, end, NONE);
                i = end;
            }
            b'"' | b'\'' => {
                let (end, lit) = scan_string(src, i, i, &mut pebble);
                push(&mut toks, TokKind::Str, i, end, strs.len() as u32);
                strs.push(lit);
                i = end;
            }
            _ if is_ident_start(c) => {
                let mut j = i;
                while j < b.len() && is_ident_char(b[j]) {
                    j += 1;
                }
                if j < b.len() && matches!(b[j], b'"' | b'\'') && is_string_prefix(&src[i..j]) {
                    let (end, lit) = scan_string(src, i, j, &mut pebble);
                    push(&mut toks, TokKind::Str, i, end, strs.len() as u32);
                    strs.push(lit);
                    i = end;
                } else {
                    push(&mut toks, TokKind::Name, i, j, NONE);
                    i = j;
                }
            }
            _ if c.is_ascii_digit()
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                let end = number_end(b, i + 1);
                push(&mut toks, TokKind::Num, i, end, NONE);
                i = end;
            }
            _ => {
                let len = op_len(&b[i..], OPS3, OPS2);
                match c {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                push(&mut toks, TokKind::Op, i, i + len, NONE);
                i += len;
            }
        }
    }
    if toks.len() > line_first {
        lines.push(LogicalLine {
            first: line_first,
            end: toks.len(),
            indent: indent_of(b, toks[line_first].start as usize),
        });
    }
    (Code::new(src, toks, strs), lines)
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// Width of the whitespace before `at` on its physical line (tabs to the next multiple of 8).
fn indent_of(b: &[u8], at: usize) -> u32 {
    let start = b[..at]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let mut width = 0u32;
    for &c in &b[start..at] {
        match c {
            b'\t' => width = (width / 8 + 1) * 8,
            b' ' => width += 1,
            _ => {}
        }
    }
    width
}

fn is_string_prefix(p: &str) -> bool {
    p.len() <= 2
        && p.bytes()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

/// Scans a string literal whose prefix starts at `start` and quote at `quote_at`; returns its end and value.
fn scan_string(
    src: &str,
    start: usize,
    quote_at: usize,
    pebble: &mut PebbleFinder,
) -> (usize, StrLit) {
    let b = src.as_bytes();
    let prefix = src[start..quote_at].to_ascii_lowercase();
    let raw = prefix.contains('r');
    let formatted = prefix.contains('f') || prefix.contains('t');
    let q = b[quote_at];
    let triple = b.get(quote_at + 1) == Some(&q) && b.get(quote_at + 2) == Some(&q);
    let qlen = if triple { 3 } else { 1 };
    let content_start = quote_at + qlen;
    let mut parts: Vec<StrPart> = Vec::new();
    let mut lit = String::new();
    let mut exact = true;
    let mut j = content_start;
    let (content_end, end) = loop {
        if j >= b.len() {
            break (b.len(), b.len());
        }
        let c = b[j];
        if c == q && (!triple || (b.get(j + 1) == Some(&q) && b.get(j + 2) == Some(&q))) {
            break (j, j + qlen);
        }
        match c {
            b'\n' if !triple => break (j, j),
            b'\\' => {
                exact = false;
                if raw {
                    let len = src[j + 1..].chars().next().map_or(0, char::len_utf8);
                    lit.push_str(&src[j..j + 1 + len]);
                    j += 1 + len;
                } else {
                    let (text, used) = decode_escape(src, j);
                    lit.push_str(&text);
                    j += used;
                }
            }
            b'{' if formatted => {
                exact = false;
                if let Some(pe) = pebble.end(b, j).filter(|_| b[j + 1] == b'{') {
                    // `{{ … }}` is Pebble (rendered before Python runs), not an escaped brace.
                    lit.push_str(&src[j..pe]);
                    j = pe;
                } else if b.get(j + 1) == Some(&b'{') {
                    lit.push('{');
                    j += 2;
                } else {
                    let field_end = fstring_field_end(b, j + 1, q, triple);
                    if !lit.is_empty() {
                        parts.push(StrPart::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(StrPart::Expr(
                        field_expr(&src[j + 1..field_end]).to_string(),
                    ));
                    // Step over the closing `}`; stop before a newline or quote that ended a broken field.
                    j = if b.get(field_end) == Some(&b'}') {
                        field_end + 1
                    } else {
                        field_end
                    };
                }
            }
            b'}' if formatted && b.get(j + 1) == Some(&b'}') => {
                lit.push('}');
                j += 2;
            }
            _ => {
                let run_end = b[j..]
                    .iter()
                    .position(|&x| {
                        x == q
                            || x == b'\\'
                            || x == b'\n'
                            || (formatted && (x == b'{' || x == b'}'))
                    })
                    .map_or(b.len(), |p| j + p);
                // Stops only at ASCII bytes, so `j + 1` is a char boundary when the run is empty.
                let run_end = run_end.max(j + 1);
                lit.push_str(&src[j..run_end]);
                j = run_end;
            }
        }
    };
    if !lit.is_empty() || parts.is_empty() {
        parts.push(StrPart::Lit(lit));
    }
    let lit = StrLit {
        parts,
        content: (content_start.min(content_end) as u32, content_end as u32),
        exact,
    };
    (end, lit)
}

/// End (index of the closing `}`) of an f-string replacement field starting at `i`.
fn fstring_field_end(b: &[u8], mut i: usize, outer_q: u8, triple: bool) -> usize {
    let mut depth = 0u32;
    while i < b.len() {
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' if !triple => return i,
            q @ (b'"' | b'\'') => {
                // A nested string; the outer quote can only appear here from Python 3.12 on,
                // and then only inside brackets or after a name (the usual `{d["k"]}` shapes).
                if q == outer_q && !triple && depth == 0 && !prev_allows_nested(b, i) {
                    return i;
                }
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn prev_allows_nested(b: &[u8], i: usize) -> bool {
    i > 0 && matches!(b[i - 1], b'[' | b'(' | b',' | b' ')
}

/// The expression of a replacement field, without `=`, `!r` conversion or `:spec`.
fn field_expr(field: &str) -> &str {
    let bytes = field.as_bytes();
    let mut depth = 0u32;
    let mut end = field.len();
    for (k, &c) in bytes.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' if depth == 0 && bytes.get(k + 1) != Some(&b'=') => {
                end = k;
                break;
            }
            b':' if depth == 0 => {
                end = k;
                break;
            }
            _ => {}
        }
    }
    let expr = field[..end].trim();
    expr.strip_suffix('=')
        .filter(|e| !e.ends_with(['=', '!', '<', '>']))
        .unwrap_or(expr)
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(src: &str) -> Vec<Vec<StrPart>> {
        let (code, _) = tokenize(src);
        code.strs.iter().map(|s| s.parts.clone()).collect()
    }

    #[test]
    fn comments_and_strings() {
        let (code, lines) = tokenize("x = 'a#b'  # c 'd'\ny = 2\n");
        let texts: Vec<_> = (0..code.len()).map(|i| code.text(i)).collect();
        assert_eq!(texts, ["x", "=", "'a#b'", "y", "=", "2"]);
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn triple_raw_bytes_and_fstrings() {
        let parts = lits("a = '''x\n'y'\n'''\nb = rb'\\d+'\nc = f\"https://{host}/v1/{p!r:>4}\"\n");
        assert_eq!(parts[0], [StrPart::Lit("x\n'y'\n".into())]);
        assert_eq!(parts[1], [StrPart::Lit("\\d+".into())]);
        assert_eq!(
            parts[2],
            [
                StrPart::Lit("https://".into()),
                StrPart::Expr("host".into()),
                StrPart::Lit("/v1/".into()),
                StrPart::Expr("p".into())
            ]
        );
    }

    #[test]
    fn pebble_in_fstring_is_text() {
        let parts = lits("u = f\"https://x/{{ inputs.day }}/a.csv\"\n");
        assert_eq!(
            parts[0],
            [StrPart::Lit("https://x/{{ inputs.day }}/a.csv".into())]
        );
    }

    #[test]
    fn nested_quotes_in_field() {
        let parts = lits("s = f\"{d[\"k\"]}!\"\n");
        assert_eq!(
            parts[0],
            [StrPart::Expr("d[\"k\"]".into()), StrPart::Lit("!".into())]
        );
    }

    #[test]
    fn brackets_and_continuations_join_lines() {
        let (_, lines) =
            tokenize("r = get(\n  'u',\n  timeout=3)\nx = 1 + \\\n  2\nif x:\n    y\n");
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[3].indent, 4);
    }
}
