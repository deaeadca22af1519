//! POSIX shell (sh/bash) tokenizer: words with their quoting resolved, operators, heredoc bodies,
//! and the bodies of command substitutions (analysed separately as shell code).

use super::super::lexer::{decode_escape, PebbleFinder};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum WordPart {
    Lit(String),
    /// `$NAME` / `${NAME…}`.
    Var(String),
    /// `$(…)`, `` `…` ``, `$((…))`, `$?`…: only known at run time; shown as written.
    Subst(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Word {
    pub start: u32,
    pub end: u32,
    pub parts: Vec<WordPart>,
    /// When the word's value is exactly a run of the script (one quoted string without escapes or
    /// expansions, or a plain unquoted word): that run, for mapping offsets into embedded code.
    pub exact: Option<(u32, u32)>,
}

impl Word {
    /// The literal text when the word has no expansion.
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                WordPart::Lit(s) => out.push_str(s),
                _ => return None,
            }
        }
        Some(out)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum ShTok {
    Word(Word),
    Op {
        op: &'static str,
        start: u32,
        end: u32,
    },
    Newline(u32),
}

pub(super) struct ShellLexed {
    pub toks: Vec<ShTok>,
    /// Heredoc bodies, in the order of their `<<` operators.
    pub heredocs: Vec<(u32, u32)>,
    /// Byte ranges of `$(…)` and backtick bodies.
    pub substitutions: Vec<(u32, u32)>,
}

const OPS: &[&str] = &[
    "&>>", "<<<", "<<-", "&&", "||", ";;", "|&", "&>", ">>", ">|", ">&", "<<", "<&", "<>", ";",
    "&", "|", "(", ")", "<", ">",
];

pub(super) fn tokenize(src: &str) -> ShellLexed {
    let b = src.as_bytes();
    let mut out = ShellLexed {
        toks: Vec::new(),
        heredocs: Vec::new(),
        substitutions: Vec::new(),
    };
    let mut pending: Vec<(String, bool)> = Vec::new();
    let mut expect_delim: Option<bool> = None;
    let mut i = 0;
    let mut pebble = PebbleFinder::default();
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'\n' => {
                out.toks.push(ShTok::Newline(i as u32));
                i += 1;
                for (delim, strip_tabs) in pending.drain(..) {
                    let (body, next) = heredoc_body(b, i, &delim, strip_tabs);
                    out.heredocs.push(body);
                    i = next;
                }
            }
            b'#' => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| i + p)
            }
            _ => {
                if let Some(op) = OPS.iter().find(|op| src[i..].starts_with(**op)) {
                    // `2>` / `2>>`: the fd digit was lexed as a word; fine, the parser ignores it.
                    out.toks.push(ShTok::Op {
                        op,
                        start: i as u32,
                        end: (i + op.len()) as u32,
                    });
                    if matches!(*op, "<<" | "<<-") {
                        expect_delim = Some(*op == "<<-");
                    }
                    i += op.len();
                    continue;
                }
                let (end, word) = scan_word(src, i, &mut out.substitutions, &mut pebble);
                if let Some(strip_tabs) = expect_delim.take() {
                    let delim = word.parts.iter().map(|p| match p {
                        WordPart::Lit(s) | WordPart::Var(s) | WordPart::Subst(s) => s.as_str(),
                    });
                    pending.push((delim.collect(), strip_tabs));
                }
                out.toks.push(ShTok::Word(word));
                i = end.max(i + 1);
            }
        }
    }
    out
}

/// Reads a heredoc body starting at `i` up to the delimiter line; returns the body range and the
/// offset after the delimiter line.
fn heredoc_body(b: &[u8], i: usize, delim: &str, strip_tabs: bool) -> ((u32, u32), usize) {
    let mut line_start = i;
    while line_start < b.len() {
        let eol = b[line_start..]
            .iter()
            .position(|&x| x == b'\n')
            .map_or(b.len(), |p| line_start + p);
        let mut line = &b[line_start..eol];
        if strip_tabs {
            while line.first() == Some(&b'\t') {
                line = &line[1..];
            }
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == delim.as_bytes() {
            return ((i as u32, line_start as u32), (eol + 1).min(b.len()));
        }
        line_start = eol + 1;
    }
    ((i as u32, b.len() as u32), b.len())
}

fn is_word_end(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

fn scan_word(
    src: &str,
    start: usize,
    substitutions: &mut Vec<(u32, u32)>,
    pebble: &mut PebbleFinder,
) -> (usize, Word) {
    let b = src.as_bytes();
    let mut parts: Vec<WordPart> = Vec::new();
    let mut lit = String::new();
    let mut exact: Option<(u32, u32)> = None;
    let mut segments = 0u32;
    let mut plain = true;
    let flush = |lit: &mut String, parts: &mut Vec<WordPart>| {
        if !lit.is_empty() {
            parts.push(WordPart::Lit(std::mem::take(lit)));
        }
    };
    let mut j = start;
    while j < b.len() && !is_word_end(b[j]) {
        segments += 1;
        match b[j] {
            b'{' if pebble.end(b, j).is_some() => {
                let end = pebble.end(b, j).unwrap_or(j + 1);
                lit.push_str(&src[j..end]);
                j = end;
            }
            b'\\' => {
                plain = false;
                if b.get(j + 1) == Some(&b'\n') {
                    j += 2;
                } else {
                    let len = src[j + 1..].chars().next().map_or(0, char::len_utf8);
                    lit.push_str(&src[j + 1..j + 1 + len]);
                    j += 1 + len;
                }
            }
            b'\'' => {
                let close = b[j + 1..]
                    .iter()
                    .position(|&x| x == b'\'')
                    .map_or(b.len(), |p| j + 1 + p);
                lit.push_str(&src[j + 1..close]);
                exact = Some(((j + 1) as u32, close as u32));
                j = (close + 1).min(b.len());
            }
            b'"' => {
                let (end, clean) = double_quoted(src, j + 1, &mut lit, &mut parts, substitutions);
                exact = clean.then_some(((j + 1) as u32, end.saturating_sub(1) as u32));
                plain &= clean;
                j = end;
            }
            b'$' if b.get(j + 1) == Some(&b'\'') => {
                plain = false;
                j = ansi_c(src, j + 2, &mut lit);
            }
            b'$' if b.get(j + 1) == Some(&b'"') => {
                let (end, _) = double_quoted(src, j + 2, &mut lit, &mut parts, substitutions);
                plain = false;
                j = end;
            }
            b'$' => {
                plain = false;
                j = dollar(src, j, &mut lit, &mut parts, substitutions);
            }
            b'`' => {
                plain = false;
                flush(&mut lit, &mut parts);
                let close = backtick_end(b, j + 1);
                substitutions.push(((j + 1) as u32, close as u32));
                parts.push(WordPart::Subst(
                    src[j..(close + 1).min(b.len())].to_string(),
                ));
                j = (close + 1).min(b.len());
            }
            _ => {
                let run = b[j..]
                    .iter()
                    .position(|&x| {
                        is_word_end(x) || matches!(x, b'\\' | b'\'' | b'"' | b'$' | b'`' | b'{')
                    })
                    .map_or(b.len(), |p| j + p)
                    .max(j + 1);
                let run = next_boundary(src, run);
                lit.push_str(&src[j..run]);
                j = run;
            }
        }
    }
    flush(&mut lit, &mut parts);
    let exact = if segments == 1 && exact.is_some() {
        exact
    } else if plain && parts.iter().all(|p| matches!(p, WordPart::Lit(_))) {
        Some((start as u32, j as u32))
    } else {
        None
    };
    (
        j,
        Word {
            start: start as u32,
            end: j as u32,
            parts,
            exact,
        },
    )
}

fn next_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Body of `"…"` from `j`; returns the offset after the closing quote and whether it had no escapes
/// or expansions.
fn double_quoted(
    src: &str,
    mut j: usize,
    lit: &mut String,
    parts: &mut Vec<WordPart>,
    subs: &mut Vec<(u32, u32)>,
) -> (usize, bool) {
    let b = src.as_bytes();
    let mut clean = true;
    while j < b.len() {
        match b[j] {
            b'"' => return (j + 1, clean),
            b'\\' if matches!(b.get(j + 1), Some(b'$' | b'`' | b'"' | b'\\' | b'\n')) => {
                clean = false;
                if b[j + 1] != b'\n' {
                    lit.push(b[j + 1] as char);
                }
                j += 2;
            }
            b'$' => {
                clean = false;
                j = dollar(src, j, lit, parts, subs);
            }
            b'`' => {
                clean = false;
                if !lit.is_empty() {
                    parts.push(WordPart::Lit(std::mem::take(lit)));
                }
                let close = backtick_end(b, j + 1);
                subs.push(((j + 1) as u32, close as u32));
                parts.push(WordPart::Subst(
                    src[j..(close + 1).min(b.len())].to_string(),
                ));
                j = (close + 1).min(b.len());
            }
            _ => {
                let run = b[j..]
                    .iter()
                    .position(|&x| matches!(x, b'"' | b'\\' | b'$' | b'`'))
                    .map_or(b.len(), |p| j + p)
                    .max(j + 1);
                let run = next_boundary(src, run);
                lit.push_str(&src[j..run]);
                j = run;
            }
        }
    }
    (b.len(), clean)
}

/// `$'…'` with C escapes, from `j` (after the quote).
fn ansi_c(src: &str, mut j: usize, lit: &mut String) -> usize {
    let b = src.as_bytes();
    while j < b.len() {
        match b[j] {
            b'\'' => return j + 1,
            b'\\' => {
                let (text, used) = decode_escape(src, j);
                lit.push_str(&text);
                j += used;
            }
            _ => {
                let run = b[j..]
                    .iter()
                    .position(|&x| x == b'\'' || x == b'\\')
                    .map_or(b.len(), |p| j + p)
                    .max(j + 1);
                let run = next_boundary(src, run);
                lit.push_str(&src[j..run]);
                j = run;
            }
        }
    }
    b.len()
}

/// An expansion at `b[j] == '$'`; returns the offset after it.
fn dollar(
    src: &str,
    j: usize,
    lit: &mut String,
    parts: &mut Vec<WordPart>,
    subs: &mut Vec<(u32, u32)>,
) -> usize {
    let b = src.as_bytes();
    let mut flush = |lit: &mut String| {
        if !lit.is_empty() {
            parts.push(WordPart::Lit(std::mem::take(lit)));
        }
    };
    match b.get(j + 1) {
        Some(b'(') => {
            let arithmetic = b.get(j + 2) == Some(&b'(');
            let close = paren_end(b, j + 2);
            if !arithmetic {
                subs.push(((j + 2) as u32, close as u32));
            }
            flush(lit);
            let end = (close + 1 + usize::from(arithmetic)).min(b.len());
            parts.push(WordPart::Subst(src[j..end].to_string()));
            end
        }
        Some(b'{') => {
            let close = b[j + 2..]
                .iter()
                .position(|&x| x == b'}')
                .map_or(b.len(), |p| j + 2 + p);
            let inner = &src[j + 2..close];
            let name_len = inner
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            flush(lit);
            parts.push(WordPart::Var(inner[..name_len].to_string()));
            (close + 1).min(b.len())
        }
        Some(&c) if c.is_ascii_alphabetic() || c == b'_' => {
            let len = b[j + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            flush(lit);
            parts.push(WordPart::Var(src[j + 1..j + 1 + len].to_string()));
            j + 1 + len
        }
        Some(&c) if b"?#@*!$-0123456789".contains(&c) => {
            flush(lit);
            parts.push(WordPart::Subst(src[j..j + 2].to_string()));
            j + 2
        }
        _ => {
            lit.push('$');
            j + 1
        }
    }
}

/// Index of the `)` closing a group whose contents start at `j` (quotes skipped, nesting counted).
fn paren_end(b: &[u8], mut j: usize) -> usize {
    let mut depth = 0u32;
    while j < b.len() {
        match b[j] {
            b'(' => depth += 1,
            b')' if depth == 0 => return j,
            b')' => depth -= 1,
            b'\\' => j += 1,
            q @ (b'\'' | b'"') => {
                j += 1;
                while j < b.len() && b[j] != q {
                    if q == b'"' && b[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

fn backtick_end(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && b[j] != b'`' {
        j += if b[j] == b'\\' { 2 } else { 1 };
    }
    j.min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Option<String>> {
        tokenize(src)
            .toks
            .into_iter()
            .filter_map(|t| match t {
                ShTok::Word(w) => Some(w.literal()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn quoting() {
        assert_eq!(
            words("echo 'a b' \"c $X\" $'d\\ne' f\\ g # comment"),
            [
                Some("echo".into()),
                Some("a b".into()),
                None,
                Some("d\ne".into()),
                Some("f g".into())
            ]
        );
    }

    #[test]
    fn operators_and_continuations() {
        let lexed = tokenize("curl -o a \\\n  https://x && echo ok | tee log >> out");
        let ops: Vec<_> = lexed
            .toks
            .iter()
            .filter_map(|t| {
                if let ShTok::Op { op, .. } = t {
                    Some(*op)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(ops, ["&&", "|", ">>"]);
    }

    #[test]
    fn heredocs_and_substitutions() {
        let src = "cat > a.txt <<'EOF'\nhello $X\nEOF\nURL=$(curl -s https://x | jq -r .u)\n";
        let lexed = tokenize(src);
        assert_eq!(lexed.heredocs.len(), 1);
        let (a, b) = lexed.heredocs[0];
        assert_eq!(&src[a as usize..b as usize], "hello $X\n");
        let (a, b) = lexed.substitutions[0];
        assert_eq!(&src[a as usize..b as usize], "curl -s https://x | jq -r .u");
    }

    #[test]
    fn pebble_spans_spaces() {
        assert_eq!(
            words("curl -o x {{ inputs.url }}")[3].as_deref(),
            Some("{{ inputs.url }}")
        );
    }
}
