//! Call sites in a Python or JS token stream: `a.b.c(args)` and chains like `x(…).y(…)`.

use super::lexer::{Code, TokKind, NONE};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Root {
    /// The chain starts at a name token.
    Name(usize),
    /// The chain continues the result of another call (`open(p).write(…)`).
    Call(usize),
    /// A literal, subscript or parenthesised expression we do not follow.
    Other,
}

#[derive(Clone, Debug)]
pub(super) struct Arg {
    /// Keyword argument name token (`timeout=30`).
    pub key: Option<usize>,
    /// Tokens of the value, `start..end`.
    pub start: usize,
    pub end: usize,
    /// `*args` / `**kwargs` / `...spread`.
    pub star: bool,
}

#[derive(Clone, Debug)]
pub(super) struct CallSite {
    /// First token of the whole chain (the root name, or the receiver call's chain start; `new` included).
    pub chain_start: usize,
    pub root: Root,
    /// Name tokens after the root: `a.b.c(` with root `a` gives `b`, `c`.
    pub segments: Vec<usize>,
    pub open: usize,
    /// The closing parenthesis (`open` itself when unbalanced).
    pub close: usize,
    pub args: Vec<Arg>,
}

impl CallSite {
    /// The name being called (last segment or the root name).
    pub fn method<'a>(&self, code: &Code<'a>) -> &'a str {
        match (self.segments.last(), self.root) {
            (Some(&s), _) => code.text(s),
            (None, Root::Name(n)) => code.text(n),
            _ => "",
        }
    }

    pub fn positional(&self) -> impl Iterator<Item = &Arg> {
        self.args.iter().filter(|a| a.key.is_none() && !a.star)
    }

    pub fn keyword<'s>(&'s self, code: &Code<'_>, names: &[&str]) -> Option<&'s Arg> {
        self.args
            .iter()
            .find(|a| a.key.is_some_and(|k| names.contains(&code.text(k))))
    }

    /// Positional argument `index`, or the keyword argument named by one of `names`.
    pub fn arg<'s>(&'s self, code: &Code<'_>, index: usize, names: &[&str]) -> Option<&'s Arg> {
        self.keyword(code, names)
            .or_else(|| self.positional().nth(index))
    }
}

/// Finds every call, in order of their opening parenthesis.
/// `not_callable` lists keywords that look like calls (`if (`, `while (`); `definers` the
/// keywords that make `name(` a definition (`def`, `function`); with `brace_defines`, `name(…) {`
/// is a (JS method) definition too.
pub(super) fn find_calls(
    code: &Code<'_>,
    not_callable: &[&str],
    definers: &[&str],
    brace_defines: bool,
) -> Vec<CallSite> {
    let mut calls: Vec<CallSite> = Vec::new();
    let mut call_by_close: Vec<u32> = vec![NONE; code.len()];
    for open in 1..code.len() {
        if !code.is_op(open, "(") {
            continue;
        }
        let name = open - 1;
        let is_member = name > 0 && (code.is_op(name - 1, ".") || code.is_op(name - 1, "?."));
        if !code.is_name(name) || (!is_member && not_callable.contains(&code.text(name))) {
            continue;
        }
        let mut segments = vec![name];
        let mut j = name;
        let mut root = None;
        while j >= 2 && (code.is_op(j - 1, ".") || code.is_op(j - 1, "?.")) {
            let before = j - 2;
            if code.is_name(before) {
                segments.push(before);
                j = before;
            } else if code.is_op(before, ")") && call_by_close[before] != NONE {
                root = Some(Root::Call(call_by_close[before] as usize));
                break;
            } else {
                root = Some(Root::Other);
                break;
            }
        }
        segments.reverse();
        let (root, chain_start) = match root {
            Some(Root::Call(id)) => (Root::Call(id), calls[id].chain_start),
            Some(other) => (other, j),
            None => (Root::Name(segments.remove(0)), j),
        };
        if chain_start > 0
            && code.kind(chain_start - 1) == Some(TokKind::Name)
            && definers.contains(&code.text(chain_start - 1))
        {
            continue;
        }
        // `new X(…)`: the chain includes `new`.
        let chain_start = if chain_start > 0 && code.is_word(chain_start - 1, "new") {
            chain_start - 1
        } else {
            chain_start
        };
        let close = code.partner(open).filter(|&c| c > open).unwrap_or(open);
        if brace_defines
            && close > open
            && code.is_op(close + 1, "{")
            && matches!(root, Root::Name(_))
            && segments.is_empty()
        {
            continue;
        }
        let args = split_args(code, open, close);
        if close != open {
            call_by_close[close] = calls.len() as u32;
        }
        calls.push(CallSite {
            chain_start,
            root,
            segments,
            open,
            close,
            args,
        });
    }
    calls
}

/// Splits the tokens between `open` and `close` at top-level commas.
pub(super) fn split_args(code: &Code<'_>, open: usize, close: usize) -> Vec<Arg> {
    let mut args = Vec::new();
    if close <= open + 1 {
        return args;
    }
    let mut start = open + 1;
    let mut i = start;
    while i <= close {
        if i == close || code.is_op(i, ",") {
            if i > start {
                args.push(make_arg(code, start, i));
            }
            start = i + 1;
            i += 1;
        } else if matches!(code.text(i), "(" | "[" | "{") && code.kind(i) == Some(TokKind::Op) {
            i = code.skip_group(i).min(close);
        } else {
            i += 1;
        }
    }
    args
}

fn make_arg(code: &Code<'_>, start: usize, end: usize) -> Arg {
    if code.is_op(start, "*") || code.is_op(start, "**") || code.is_op(start, "...") {
        return Arg {
            key: None,
            start: start + 1,
            end,
            star: true,
        };
    }
    if end > start + 2 && code.is_name(start) && code.is_op(start + 1, "=") {
        return Arg {
            key: Some(start),
            start: start + 2,
            end,
            star: false,
        };
    }
    Arg {
        key: None,
        start,
        end,
        star: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::python_lexer;
    use super::*;

    #[test]
    fn chains_and_args() {
        let (code, _) = python_lexer::tokenize(
            "open('a', 'wb').write(r.content)\nrequests.get(u, timeout=3, **kw)\nif (x): pass\n",
        );
        let calls = find_calls(&code, &["if"], &["def"], false);
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[1].root, Root::Call(0));
        assert_eq!(calls[1].method(&code), "write");
        assert_eq!(calls[2].method(&code), "get");
        assert_eq!(calls[2].args.len(), 3);
        assert_eq!(code.text(calls[2].args[1].key.unwrap()), "timeout");
        assert!(calls[2].args[2].star);
    }

    #[test]
    fn definitions_are_not_calls() {
        let (code, _) = python_lexer::tokenize("def fetch(url):\n    pass\n");
        assert!(find_calls(&code, &[], &["def"], false).is_empty());
    }
}
