//! JavaScript tokenizer: comments, quotes, template literals with `${}`, regex literals (heuristic).

use super::lexer::{
    decode_escape, is_ident_char, is_ident_start, number_end, op_len, Code, PebbleFinder, StrLit,
    StrPart, Tok, TokKind, NONE,
};

const OPS3: &[&str] = &[
    "===", "!==", "**=", "...", ">>>", "<<=", ">>=", "&&=", "||=", "??=",
];
const OPS2: &[&str] = &[
    "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=",
    "&=", "|=", "^=", "**", "<<", ">>",
];

/// Names after which a `/` starts a regex rather than a division.
const REGEX_AFTER: &[&str] = &[
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "do",
    "else",
    "yield",
    "await",
];

pub(super) fn tokenize(src: &str) -> Code<'_> {
    let b = src.as_bytes();
    let mut toks: Vec<Tok> = Vec::new();
    let mut strs: Vec<StrLit> = Vec::new();
    let mut nl = false;
    let mut pebble = PebbleFinder::default();
    let mut i = if src.starts_with("#!") {
        line_end(b, 0)
    } else {
        0
    };
    while i < b.len() {
        let c = b[i];
        let start = i;
        let (kind, end, str_id) = match c {
            b'\n' => {
                nl = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = line_end(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
                nl |= b[i..end].contains(&b'\n');
                i = end;
                continue;
            }
            b'{' if b
                .get(i + 1)
                .is_some_and(|c| matches!(c, b'{' | b'%' | b'#'))
                && pebble.end(b, i).is_some() =>
            {
                (TokKind::Pebble, pebble.end(b, i).unwrap_or(i + 1), NONE)
            }
            b'"' | b'\'' => {
                let (end, lit) = scan_quoted(src, i);
                strs.push(lit);
                (TokKind::Str, end, strs.len() as u32 - 1)
            }
            b'`' => {
                let (end, lit) = scan_template(src, i);
                strs.push(lit);
                (TokKind::Str, end, strs.len() as u32 - 1)
            }
            b'/' if regex_allowed(src, &toks) => match regex_end(b, i) {
                Some(end) => (TokKind::Regex, end, NONE),
                None => (TokKind::Op, i + 1, NONE),
            },
            _ if is_ident_start(c) || c == b'$' || c == b'#' => {
                let mut j = i + 1;
                while j < b.len() && (is_ident_char(b[j]) || b[j] == b'$') {
                    j += 1;
                }
                (TokKind::Name, j, NONE)
            }
            _ if c.is_ascii_digit()
                || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                (TokKind::Num, number_end(b, i + 1), NONE)
            }
            _ => (TokKind::Op, i + op_len(&b[i..], OPS3, OPS2), NONE),
        };
        toks.push(Tok {
            kind,
            start: start as u32,
            end: end as u32,
            str_id,
            nl_before: nl,
        });
        nl = false;
        i = end;
    }
    Code::new(src, toks, strs)
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

fn regex_allowed(src: &str, toks: &[Tok]) -> bool {
    let Some(prev) = toks.last() else { return true };
    let text = &src[prev.start as usize..prev.end as usize];
    match prev.kind {
        TokKind::Op => !matches!(text, ")" | "]" | "}" | "++" | "--"),
        TokKind::Name => REGEX_AFTER.contains(&text),
        _ => false,
    }
}

/// End of a regex literal (with flags) starting at the `/` at `i`, or `None` if the line ends first.
fn regex_end(b: &[u8], i: usize) -> Option<usize> {
    let mut k = i + 1;
    let mut in_class = false;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'/' if !in_class => {
                k += 1;
                while k < b.len() && is_ident_char(b[k]) {
                    k += 1;
                }
                return Some(k);
            }
            b'\n' => return None,
            _ => {}
        }
        k += 1;
    }
    None
}

fn scan_quoted(src: &str, i: usize) -> (usize, StrLit) {
    let b = src.as_bytes();
    let q = b[i];
    let mut lit = String::new();
    let mut exact = true;
    let mut j = i + 1;
    let (content_end, end) = loop {
        match b.get(j) {
            None => break (b.len(), b.len()),
            Some(&c) if c == q => break (j, j + 1),
            Some(b'\n') => break (j, j),
            Some(b'\\') => {
                exact = false;
                let (text, used) = decode_escape(src, j);
                lit.push_str(&text);
                j += used;
            }
            Some(_) => {
                let run = b[j..]
                    .iter()
                    .position(|&x| x == q || x == b'\\' || x == b'\n')
                    .map_or(b.len(), |p| j + p);
                lit.push_str(&src[j..run]);
                j = run;
            }
        }
    };
    let content = ((i + 1).min(content_end) as u32, content_end as u32);
    (
        end.min(b.len()),
        StrLit {
            parts: vec![StrPart::Lit(lit)],
            content,
            exact,
        },
    )
}

/// A template literal: text parts and the `${…}` expressions as written.
fn scan_template(src: &str, i: usize) -> (usize, StrLit) {
    let b = src.as_bytes();
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut exact = true;
    let mut j = i + 1;
    let (content_end, end) = loop {
        match b.get(j) {
            None => break (b.len(), b.len()),
            Some(b'`') => break (j, j + 1),
            Some(b'\\') => {
                exact = false;
                let (text, used) = decode_escape(src, j);
                lit.push_str(&text);
                j += used;
            }
            Some(b'$') if b.get(j + 1) == Some(&b'{') => {
                exact = false;
                let close = template_expr_end(b, j + 2);
                if !lit.is_empty() {
                    parts.push(StrPart::Lit(std::mem::take(&mut lit)));
                }
                parts.push(StrPart::Expr(src[j + 2..close].trim().to_string()));
                j = (close + 1).min(b.len());
            }
            Some(_) => {
                let run = b[j + 1..]
                    .iter()
                    .position(|&x| matches!(x, b'`' | b'\\' | b'$'))
                    .map_or(b.len(), |p| j + 1 + p);
                lit.push_str(&src[j..run]);
                j = run;
            }
        }
    };
    if !lit.is_empty() || parts.is_empty() {
        parts.push(StrPart::Lit(lit));
    }
    let content = ((i + 1).min(content_end) as u32, content_end as u32);
    (
        end.min(b.len()),
        StrLit {
            parts,
            content,
            exact,
        },
    )
}

/// Index of the `}` closing a `${` expression that starts at `k`; nested templates and braces use an
/// explicit stack, not recursion.
fn template_expr_end(b: &[u8], mut k: usize) -> usize {
    #[derive(PartialEq)]
    enum Frame {
        Brace,
        Template,
    }
    let mut stack: Vec<Frame> = Vec::new();
    while k < b.len() {
        let c = b[k];
        if stack.last() == Some(&Frame::Template) {
            match c {
                b'`' => {
                    stack.pop();
                }
                b'\\' => k += 1,
                b'$' if b.get(k + 1) == Some(&b'{') => {
                    stack.push(Frame::Brace);
                    k += 1;
                }
                _ => {}
            }
        } else {
            match c {
                b'{' => stack.push(Frame::Brace),
                b'}' if stack.is_empty() => return k,
                b'}' => {
                    stack.pop();
                }
                b'`' => stack.push(Frame::Template),
                b'\'' | b'"' => {
                    k += 1;
                    while k < b.len() && b[k] != c && b[k] != b'\n' {
                        k += if b[k] == b'\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
        }
        k += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokKind, String)> {
        let code = tokenize(src);
        (0..code.len())
            .map(|i| (code.toks[i].kind, code.text(i).to_string()))
            .collect()
    }

    #[test]
    fn comments_strings_regex() {
        let toks =
            kinds("// c 'x'\nconst a = /ab\\/c[/]/g; /* b\n */ const b = a / 2; x = \"q\\\"\"");
        assert!(toks.contains(&(TokKind::Regex, "/ab\\/c[/]/g".into())));
        assert!(toks.contains(&(TokKind::Op, "/".into())));
        assert!(!toks.iter().any(|(_, t)| t.contains("c 'x'")));
        let code = tokenize("x = \"q\\\"\"");
        assert_eq!(code.strs[0].literal_text().as_deref(), Some("q\""));
    }

    #[test]
    fn template_parts_and_nesting() {
        let code = tokenize("u = `https://${host}/a/${`n${i}`}/x`; y = 1");
        assert_eq!(
            code.strs[0].parts,
            [
                StrPart::Lit("https://".into()),
                StrPart::Expr("host".into()),
                StrPart::Lit("/a/".into()),
                StrPart::Expr("`n${i}`".into()),
                StrPart::Lit("/x".into())
            ]
        );
        assert_eq!(code.text(code.len() - 1), "1");
    }

    #[test]
    fn newline_flags() {
        let code = tokenize("a\nb c");
        assert!(code.toks[1].nl_before);
        assert!(!code.toks[2].nl_before);
    }
}
