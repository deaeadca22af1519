//! Python: statements from logical lines and indentation, imports, assignments, loops, functions.

use super::calls::find_calls;
use super::facts::{Import, ScriptFacts};
use super::flow;
use super::lexer::Code;
use super::program::{Bind, Func, ImportDecl, Program, Shape, Stmt, Target};
use super::python_lexer::{self, LogicalLine};
use super::{Embedded, Lang};

/// Keywords that can be followed by `(` without being a call.
const NOT_CALLABLE: &[&str] = &[
    "if", "elif", "while", "for", "in", "not", "and", "or", "return", "yield", "assert", "del",
    "with", "except", "lambda", "is", "else", "await", "async", "import", "from", "raise", "class",
    "def", "global", "nonlocal", "pass",
];

/// Call-like names that run their callable argument once per element.
const MAPPERS: &[&str] = &[
    "map",
    "imap",
    "imap_unordered",
    "starmap",
    "map_async",
    "starmap_async",
];

pub(super) fn analyze(src: &str) -> (ScriptFacts, Vec<Embedded>) {
    let (code, lines) = python_lexer::tokenize(src);
    let calls = find_calls(&code, NOT_CALLABLE, &["def", "class"], false);
    let mut outline = Outline::default();
    outline.build(&code, &lines);
    outline.comprehension_loops(&code);
    for call in &calls {
        if MAPPERS.contains(&call.method(&code)) && call.close > call.open {
            outline.loops.push((call.open, call.close));
        }
    }
    let program = Program {
        code,
        calls,
        stmts: outline.stmts,
        loops: outline.loops,
        functions: outline.functions,
        imports: outline.imports,
    };
    flow::run(Lang::Python, &program)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Loop,
    Def,
    Try,
    Other,
}

struct Block {
    indent: u32,
    kind: BlockKind,
    /// Header start token; for `Def`, index into `functions`.
    start: usize,
    func: usize,
    body_start: usize,
}

#[derive(Default)]
struct Outline {
    stmts: Vec<Stmt>,
    loops: Vec<(usize, usize)>,
    functions: Vec<Func>,
    imports: Vec<ImportDecl>,
    blocks: Vec<Block>,
}

impl Outline {
    fn build(&mut self, code: &Code<'_>, lines: &[LogicalLine]) {
        let mut prev_end = 0usize;
        for line in lines {
            while self.blocks.last().is_some_and(|b| b.indent >= line.indent) {
                self.close_block(prev_end.saturating_sub(1));
            }
            self.line(code, line);
            prev_end = line.end;
        }
        while !self.blocks.is_empty() {
            self.close_block(prev_end.saturating_sub(1));
        }
    }

    fn close_block(&mut self, last: usize) {
        let Some(block) = self.blocks.pop() else {
            return;
        };
        match block.kind {
            BlockKind::Loop => self.loops.push((block.start, last.max(block.start))),
            BlockKind::Def => {
                self.functions[block.func].body = (block.body_start, last.max(block.body_start))
            }
            _ => {}
        }
    }

    /// Splits a logical line at top-level `;` and after compound-statement headers.
    fn line(&mut self, code: &Code<'_>, line: &LogicalLine) {
        let mut start = line.first;
        let mut indent = line.indent;
        while start < line.end {
            let mut end = start;
            while end < line.end && !code.is_op(end, ";") {
                end = if is_open(code, end) {
                    code.skip_group(end).min(line.end)
                } else {
                    end + 1
                };
            }
            // A compound header: the rest of the line after its `:` is its (inline) body.
            if let Some(colon) = header_colon(code, start, end) {
                let kind = self.header(code, start, colon);
                let inline = colon + 1 < end;
                if inline {
                    match kind {
                        BlockKind::Loop => self.loops.push((start, line.end - 1)),
                        BlockKind::Def => {
                            if let Some(f) = self.functions.last_mut() {
                                f.body = (colon + 1, line.end - 1);
                            }
                        }
                        _ => {}
                    }
                    start = colon + 1;
                    indent += 1;
                    continue;
                }
                self.blocks.push(Block {
                    indent,
                    kind,
                    start,
                    func: self.functions.len().saturating_sub(1),
                    body_start: colon + 1,
                });
            } else if start < end {
                self.simple(code, start, end);
            }
            start = end + 1;
        }
    }

    /// Records a compound-statement header `[start, colon]`; returns the kind of block it opens.
    fn header(&mut self, code: &Code<'_>, start: usize, colon: usize) -> BlockKind {
        let mut kw = start;
        if code.is_word(kw, "async") {
            kw += 1;
        }
        let push = |this: &mut Outline, shape, binds| {
            this.stmts.push(Stmt {
                start,
                end: colon + 1,
                shape,
                binds,
            })
        };
        match code.text(kw) {
            "for" => {
                let in_tok = (kw + 1..colon)
                    .find(|&t| code.is_word(t, "in"))
                    .unwrap_or(colon);
                let targets = parse_targets(code, kw + 1, in_tok);
                push(
                    self,
                    Shape::Loop,
                    vec![Bind {
                        targets,
                        rhs: (in_tok + 1, colon),
                        iterate: true,
                    }],
                );
                BlockKind::Loop
            }
            "while" => {
                push(self, Shape::Loop, Vec::new());
                BlockKind::Loop
            }
            "if" | "elif" => {
                push(
                    self,
                    Shape::Check {
                        cond_start: kw + 1,
                        cond_end: colon,
                    },
                    Vec::new(),
                );
                BlockKind::Other
            }
            "with" => {
                let binds = with_items(code, kw + 1, colon);
                push(self, Shape::With, binds);
                BlockKind::Other
            }
            "def" => {
                let name_tok = kw + 1;
                if code.is_name(name_tok) {
                    self.functions.push(Func {
                        name: code.text(name_tok).to_string(),
                        name_tok,
                        body: (colon + 1, colon + 1),
                    });
                }
                push(self, Shape::Def, Vec::new());
                if code.is_name(name_tok) {
                    BlockKind::Def
                } else {
                    BlockKind::Other
                }
            }
            "class" => {
                push(self, Shape::Def, Vec::new());
                BlockKind::Other
            }
            "try" => {
                push(self, Shape::Structural, Vec::new());
                BlockKind::Try
            }
            _ => {
                push(self, Shape::Structural, Vec::new());
                BlockKind::Other
            }
        }
    }

    fn simple(&mut self, code: &Code<'_>, start: usize, end: usize) {
        let first = code.text(start);
        let shape = match first {
            "import" | "from" if code.is_name(start) => {
                let guarded = self.blocks.iter().any(|b| b.kind == BlockKind::Try);
                self.parse_import(code, start, end, guarded);
                Shape::Import
            }
            "raise" | "return" | "pass" | "break" | "continue" | "del" | "global" | "nonlocal"
                if code.is_name(start) =>
            {
                Shape::Exit
            }
            "assert" if code.is_name(start) => Shape::Check {
                cond_start: start + 1,
                cond_end: top_level(code, start, end, ",").unwrap_or(end),
            },
            "@" => Shape::Def,
            _ => Shape::Simple,
        };
        let binds = if shape == Shape::Simple {
            assignment(code, start, end)
        } else {
            Vec::new()
        };
        self.stmts.push(Stmt {
            start,
            end,
            shape,
            binds,
        });
    }

    fn parse_import(&mut self, code: &Code<'_>, start: usize, end: usize, guarded: bool) {
        if code.text(start) == "import" {
            for (a, b) in split_top(code, start + 1, end) {
                let Some((module, last)) = dotted(code, a, b) else {
                    continue;
                };
                let alias =
                    (code.is_word(last + 1, "as") && last + 2 < b).then(|| code.text(last + 2));
                let local = alias
                    .map(str::to_string)
                    .unwrap_or_else(|| module.split('.').next().unwrap_or("").to_string());
                let path = if alias.is_some() {
                    module.clone()
                } else {
                    local.clone()
                };
                let fact = Import {
                    module,
                    names: Vec::new(),
                    span: code.span_of(a, last),
                    relative: false,
                    guarded,
                };
                self.imports.push(ImportDecl {
                    fact,
                    bindings: vec![(local, path)],
                });
            }
            return;
        }
        // from [.]*module import names
        let mut t = start + 1;
        let mut module = String::new();
        while t < end && (code.is_op(t, ".") || code.is_op(t, "...")) {
            module.push_str(code.text(t));
            t += 1;
        }
        let dots = module.len();
        let span_start = t.min(end - 1);
        let mut last = t;
        if let Some((name, l)) = dotted(code, t, end).filter(|_| !code.is_word(t, "import")) {
            module.push_str(&name);
            last = l;
            t = l + 1;
        }
        if !code.is_word(t, "import") {
            return;
        }
        let span = if module.len() > dots {
            code.span_of(span_start, last)
        } else {
            code.span_of(start + 1, start + 1)
        };
        let (mut a, mut b) = (t + 1, end);
        if code.is_op(a, "(") {
            b = code.partner(a).unwrap_or(end).min(end);
            a += 1;
        }
        let mut names = Vec::new();
        let mut bindings = Vec::new();
        for (x, y) in split_top(code, a, b) {
            let name = code.text(x);
            names.push(name.to_string());
            if name == "*" {
                continue;
            }
            let local = if code.is_word(x + 1, "as") && x + 2 < y {
                code.text(x + 2)
            } else {
                name
            };
            let sep = if module.ends_with('.') { "" } else { "." };
            bindings.push((local.to_string(), format!("{module}{sep}{name}")));
        }
        let fact = Import {
            module,
            names,
            span,
            relative: dots > 0,
            guarded,
        };
        self.imports.push(ImportDecl { fact, bindings });
    }

    /// `for` inside brackets: a comprehension or generator, looping over the bracket's contents.
    fn comprehension_loops(&mut self, code: &Code<'_>) {
        let mut open: Vec<usize> = Vec::new();
        for t in 0..code.len() {
            if is_open(code, t) {
                open.push(t);
            } else if matches!(code.text(t), ")" | "]" | "}")
                && code.kind(t) == Some(super::lexer::TokKind::Op)
            {
                if let Some(p) = code.partner(t) {
                    while open.last().is_some_and(|&o| o >= p) {
                        open.pop();
                    }
                }
            } else if code.is_word(t, "for") {
                if let Some(&o) = open.last() {
                    if let Some(close) = code.partner(o) {
                        self.loops.push((o, close));
                    }
                }
            }
        }
    }
}

fn is_open(code: &Code<'_>, t: usize) -> bool {
    code.kind(t) == Some(super::lexer::TokKind::Op) && matches!(code.text(t), "(" | "[" | "{")
}

/// The `:` ending a compound-statement header in `[start, end)`, if the statement is one.
fn header_colon(code: &Code<'_>, start: usize, end: usize) -> Option<usize> {
    const COMPOUND: &[&str] = &[
        "if", "elif", "else", "for", "while", "with", "try", "except", "finally", "def", "class",
        "async",
    ];
    if !code.is_name(start) || !COMPOUND.contains(&code.text(start)) {
        return None;
    }
    if code.is_word(start, "async")
        && !(code.is_word(start + 1, "for")
            || code.is_word(start + 1, "with")
            || code.is_word(start + 1, "def"))
    {
        return None;
    }
    top_level(code, start, end, ":")
}

/// First top-level operator `op` in `[start, end)`, brackets skipped.
fn top_level(code: &Code<'_>, start: usize, end: usize, op: &str) -> Option<usize> {
    let mut t = start;
    while t < end {
        if code.is_op(t, op) {
            return Some(t);
        }
        t = if is_open(code, t) {
            code.skip_group(t)
        } else {
            t + 1
        };
    }
    None
}

/// Splits `[a, b)` at top-level commas.
fn split_top(code: &Code<'_>, a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut start = a;
    let mut t = a;
    while t < b {
        if code.is_op(t, ",") {
            if t > start {
                parts.push((start, t));
            }
            start = t + 1;
            t += 1;
        } else {
            t = if is_open(code, t) {
                code.skip_group(t).min(b)
            } else {
                t + 1
            };
        }
    }
    if b > start {
        parts.push((start, b));
    }
    parts
}

/// A dotted name at `a`: its text and last token.
fn dotted(code: &Code<'_>, a: usize, b: usize) -> Option<(String, usize)> {
    if a >= b || !code.is_name(a) {
        return None;
    }
    let mut name = code.text(a).to_string();
    let mut last = a;
    while last + 2 < b && code.is_op(last + 1, ".") && code.is_name(last + 2) {
        name.push('.');
        name.push_str(code.text(last + 2));
        last += 2;
    }
    Some((name, last))
}

/// `a = b = rhs`, `x: int = rhs`, `a, b = rhs`.
fn assignment(code: &Code<'_>, start: usize, end: usize) -> Vec<Bind> {
    let mut eqs = Vec::new();
    let mut t = start;
    while t < end {
        if code.is_op(t, "=") {
            eqs.push(t);
        }
        t = if is_open(code, t) {
            code.skip_group(t)
        } else {
            t + 1
        };
    }
    let Some(&last) = eqs.last() else {
        return Vec::new();
    };
    let mut targets = Vec::new();
    let mut from = start;
    for &eq in &eqs {
        let upto = top_level(code, from, eq, ":").unwrap_or(eq);
        targets.extend(parse_targets(code, from, upto));
        from = eq + 1;
    }
    if targets.is_empty() {
        return Vec::new();
    }
    vec![Bind {
        targets,
        rhs: (last + 1, end),
        iterate: false,
    }]
}

/// Names in a target list: `a`, `a, b`, `(a, b)`, `[a, b]`; attributes and subscripts are skipped.
fn parse_targets(code: &Code<'_>, a: usize, b: usize) -> Vec<Target> {
    let (a, b) = if (code.is_op(a, "(") || code.is_op(a, "["))
        && code.partner(a) == Some(b.wrapping_sub(1))
    {
        (a + 1, b - 1)
    } else {
        (a, b)
    };
    split_top(code, a, b)
        .into_iter()
        .filter(|&(x, y)| y == x + 1 && code.is_name(x))
        .map(|(x, _)| Target::name(code.text(x)))
        .collect()
}

/// `with A as a, B as b:` (optionally parenthesised): one binding per item with a target.
fn with_items(code: &Code<'_>, a: usize, b: usize) -> Vec<Bind> {
    let (a, b) = if code.is_op(a, "(") && code.partner(a) == Some(b.wrapping_sub(1)) {
        (a + 1, b - 1)
    } else {
        (a, b)
    };
    let mut binds = Vec::new();
    for (x, y) in split_top(code, a, b) {
        let as_tok = (x..y).rev().find(|&t| code.is_word(t, "as"));
        match as_tok {
            Some(t) => binds.push(Bind {
                targets: parse_targets(code, t + 1, y),
                rhs: (x, t),
                iterate: false,
            }),
            None => binds.push(Bind {
                targets: Vec::new(),
                rhs: (x, y),
                iterate: false,
            }),
        }
    }
    binds
}
