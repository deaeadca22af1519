//! Compiles the program of a `jq('…')` filter with jaq, so that its syntax errors and unknown
//! filters are located inside the expression.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use jaq_core::load::{self, lex, parse, Arena, File, Loader};
use jaq_core::{data, Compiler};
use jaq_json::Val;

use crate::span::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JqError {
    /// Offsets into the program text.
    pub span: Span,
    pub message: String,
}

/// Where a sub-slice of `code` starts (jaq reports positions as slices of the program).
fn offset(code: &str, part: &str) -> Span {
    let base = code.as_ptr() as usize;
    let at = (part.as_ptr() as usize).wrapping_sub(base);
    if at <= code.len() {
        let end = (at + part.len()).min(code.len());
        Span::new(at, end.max(at))
    } else {
        Span::new(0, code.len())
    }
}

fn lex_expect(e: &lex::Expect<&str>) -> String {
    match e {
        lex::Expect::Delim(d) => format!("a closing delimiter for `{d}`"),
        other => format!("{:?}", other).to_lowercase(),
    }
}

/// Problems of a jq program; empty when it compiles. Results are remembered: compiling loads
/// jq's whole standard library, and flows repeat the same programs.
pub fn check(code: &str) -> Vec<JqError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Vec<JqError>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(code).cloned()) {
        return hit;
    }
    let result = match too_complex(code) {
        Some(e) => vec![e],
        None => compile(code),
    };
    if let Ok(mut c) = cache.lock() {
        if c.len() < 4096 {
            c.insert(code.to_string(), result.clone());
        }
    }
    result
}

/// How many operators, brackets and block keywords a program may have. jaq's parser and
/// compiler recurse about once per such token (a chain of pipes nests as deeply as brackets), so
/// this bounds their stack use; real programs in flows have a few dozen.
pub const MAX_OPERATORS: usize = 1000;

/// An error when the program has more than [`MAX_OPERATORS`] operators, brackets and block
/// keywords (outside string literals and comments), located at the first one over.
fn too_complex(code: &str) -> Option<JqError> {
    let bytes = code.as_bytes();
    let mut count = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'|' | b',' | b'(' | b'[' | b'{' | b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>'
            | b'=' | b'!' | b'?' | b';' | b':' => count += 1,
            b'a'..=b'z' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &code[start..i];
                if matches!(
                    word,
                    "if" | "try" | "reduce" | "foreach" | "def" | "label" | "and" | "or" | "as"
                ) {
                    count += 1;
                }
                if count > MAX_OPERATORS {
                    return Some(over(code, start));
                }
                continue;
            }
            _ => {}
        }
        if count > MAX_OPERATORS {
            return Some(over(code, i));
        }
        i += 1;
    }
    None
}

fn over(code: &str, at: usize) -> JqError {
    let at = (0..=at.min(code.len()))
        .rev()
        .find(|&i| code.is_char_boundary(i))
        .unwrap_or(0);
    JqError {
        span: Span::new(at, code.len()),
        message: format!(
            "jq: program too complex to check (more than {MAX_OPERATORS} operators and brackets)"
        ),
    }
}

fn compile(code: &str) -> Vec<JqError> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = match loader.load(&arena, File { code, path: () }) {
        Ok(m) => m,
        Err(errs) => {
            let mut out = Vec::new();
            for (_, err) in errs {
                match err {
                    load::Error::Lex(errs) => {
                        out.extend(errs.iter().map(|(expect, got)| JqError {
                            span: offset(code, got),
                            message: format!("jq: expected {} here", lex_expect(expect)),
                        }))
                    }
                    load::Error::Parse(errs) => out.extend(errs.iter().map(|(expect, got)| {
                        let found = if got.is_empty() {
                            "the end".to_string()
                        } else {
                            format!("`{got}`")
                        };
                        JqError {
                            span: offset(code, got),
                            message: format!(
                                "jq: expected {}, found {found}",
                                parse_expect(expect)
                            ),
                        }
                    })),
                    load::Error::Io(_) => out.push(JqError {
                        span: Span::new(0, code.len()),
                        message: "jq: modules cannot be imported here".into(),
                    }),
                }
            }
            return out;
        }
    };
    let funs = jaq_core::funs::<data::JustLut<Val>>()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    match Compiler::default().with_funs(funs).compile(modules) {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .into_iter()
            .flat_map(|(_, es)| es)
            .map(|(name, undefined)| JqError {
                span: offset(code, name),
                message: format!("jq: undefined {} `{name}`", undefined.as_str()),
            })
            .collect(),
    }
}

fn parse_expect(e: &parse::Expect<&str>) -> String {
    match e {
        parse::Expect::Just(s) => format!("`{s}`"),
        other => other.as_str().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn valid_programs_compile() {
        for ok in [
            ".products[0].title",
            ".[] | select(.a > 1) | {b}",
            "map(.x) | add",
            ".a // \"d\"",
            "length",
        ] {
            assert_eq!(check(ok), [], "{ok}");
        }
    }

    #[test]
    fn deep_or_long_programs_are_refused_before_jaq_sees_them() {
        for program in [
            format!("{}.a{}", "[".repeat(20_000), "]".repeat(20_000)),
            format!("{}.a", ".a | ".repeat(100_000)),
            format!("{}.", "try ".repeat(100_000)),
            format!("{}1", "-".repeat(100_000)),
        ] {
            let errs = check(&program);
            assert_eq!(errs.len(), 1);
            assert!(errs[0].message.contains("too complex"), "{errs:?}");
        }
        // Operators inside strings and comments do not count.
        let quoted = format!("\"{}\" # {}\n.a", "|".repeat(5_000), "(".repeat(5_000));
        assert_eq!(check(&quoted), []);
    }

    #[test]
    fn errors_are_located() {
        let errs = check(".products[0");
        assert_eq!(errs.len(), 1, "{errs:?}");
        let errs = check(".a | nosuchfilter");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].span, crate::span::Span::new(5, 17));
        assert!(errs[0].message.contains("undefined filter `nosuchfilter`"));
        assert!(!check(".a |").is_empty());
    }
}
