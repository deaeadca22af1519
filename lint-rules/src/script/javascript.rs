//! JavaScript (Node): statements split at `;`, line breaks (ASI) and blocks; imports, declarations,
//! loops (including `.map`/`.forEach` with calls inside) and named functions.

use super::calls::{find_calls, CallSite};
use super::facts::{Import, ScriptFacts};
use super::flow::{self, module_specifier};
use super::js_lexer;
use super::lexer::{Code, TokKind};
use super::program::{Bind, Func, ImportDecl, Program, Shape, Stmt, Target};
use super::{Embedded, Lang};

const NOT_CALLABLE: &[&str] = &[
    "if", "for", "while", "switch", "catch", "return", "typeof", "function", "await", "do", "else",
    "in", "of", "delete", "void", "throw", "case", "yield", "import",
];

/// Array methods that call their callback once per element.
const ITERATORS: &[&str] = &[
    "forEach",
    "map",
    "flatMap",
    "reduce",
    "filter",
    "some",
    "every",
    "find",
    "findIndex",
];

pub(super) fn analyze(src: &str) -> (ScriptFacts, Vec<Embedded>) {
    let code = js_lexer::tokenize(src);
    let calls = find_calls(&code, NOT_CALLABLE, &["function"], true);
    let fragments = split_statements(&code);
    let mut outline = Outline::default();
    for &(a, b) in &fragments {
        outline.statement(&code, a, b);
    }
    outline.loops(&code, &fragments);
    outline.functions(&code, &fragments);
    outline.requires(&code, &calls);
    for (id, call) in calls.iter().enumerate() {
        let has_inner_call = calls.get(id + 1).is_some_and(|next| next.open < call.close);
        if ITERATORS.contains(&call.method(&code)) && !call.segments.is_empty() && has_inner_call {
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
    flow::run(Lang::JavaScript, &program)
}

/// Token ranges of statements: cut at `;`, at line breaks where an expression can end, around blocks,
/// and after brace-less `if (…)` / `for (…)` / `while (…)` headers.
fn split_statements(code: &Code<'_>) -> Vec<(usize, usize)> {
    let n = code.len();
    let mut frags = Vec::new();
    let mut start = 0;
    let mut depth: Vec<u32> = vec![0];
    let mut braces: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < n {
        let d = *depth.last().unwrap_or(&0);
        if i > start
            && d == 0
            && code.toks[i].nl_before
            && ends_expression(code, i - 1)
            && !continues(code, i)
        {
            frags.push((start, i));
            start = i;
        }
        let at_start = i == start || (i > start && code.is_word(i - 1, "else"));
        if at_start
            && d == 0
            && (code.is_word(i, "if") || code.is_word(i, "for") || code.is_word(i, "while"))
        {
            let open = if code.is_word(i + 1, "await") {
                i + 2
            } else {
                i + 1
            };
            if let Some(close) = code.is_op(open, "(").then(|| code.partner(open)).flatten() {
                if !code.is_op(close + 1, "{") && !code.is_op(close + 1, ";") && close + 1 < n {
                    frags.push((start, close + 1));
                    start = close + 1;
                    i = close + 1;
                    continue;
                }
            }
        }
        if code.kind(i) == Some(TokKind::Op) {
            match code.text(i) {
                ";" if d == 0 => {
                    frags.push((start, i + 1));
                    start = i + 1;
                }
                "(" | "[" => bump(&mut depth, 1),
                ")" | "]" => bump(&mut depth, -1),
                "{" if is_block_brace(code, start, i) => {
                    frags.push((start, i + 1));
                    start = i + 1;
                    depth.push(0);
                    braces.push(true);
                }
                "{" => {
                    bump(&mut depth, 1);
                    braces.push(false);
                }
                "}" => match braces.pop() {
                    Some(true) => {
                        if start < i {
                            frags.push((start, i));
                        }
                        start = i;
                        if depth.len() > 1 {
                            depth.pop();
                        }
                    }
                    Some(false) => bump(&mut depth, -1),
                    None => {}
                },
                _ => {}
            }
        }
        i += 1;
    }
    if start < n {
        frags.push((start, n));
    }
    frags
}

fn bump(depth: &mut [u32], by: i32) {
    if let Some(d) = depth.last_mut() {
        *d = d.saturating_add_signed(by);
    }
}

fn is_block_brace(code: &Code<'_>, start: usize, i: usize) -> bool {
    if i == start || i == 0 {
        return true;
    }
    let p = i - 1;
    match code.kind(p) {
        Some(TokKind::Op) => matches!(code.text(p), ")" | "=>" | ";" | "{" | "}"),
        Some(TokKind::Name) => {
            matches!(code.text(p), "else" | "try" | "finally" | "do")
                || code.is_word(start, "class")
        }
        _ => false,
    }
}

fn ends_expression(code: &Code<'_>, j: usize) -> bool {
    match code.kind(j) {
        Some(TokKind::Op) => matches!(code.text(j), ")" | "]" | "}" | "++" | "--"),
        Some(_) => true,
        None => false,
    }
}

fn continues(code: &Code<'_>, i: usize) -> bool {
    match code.kind(i) {
        Some(TokKind::Op) => !matches!(
            code.text(i),
            "(" | "[" | "{" | "}" | "!" | "++" | "--" | ";" | "~" | "@"
        ),
        Some(TokKind::Name) => matches!(code.text(i), "in" | "of" | "instanceof" | "as"),
        _ => false,
    }
}

#[derive(Default)]
struct Outline {
    stmts: Vec<Stmt>,
    loops: Vec<(usize, usize)>,
    functions: Vec<Func>,
    imports: Vec<ImportDecl>,
}

impl Outline {
    fn statement(&mut self, code: &Code<'_>, a: usize, b: usize) {
        let end = if b > a && code.is_op(b - 1, ";") {
            b - 1
        } else {
            b
        };
        let mut t = a;
        while t < end
            && code.kind(t) == Some(TokKind::Op)
            && matches!(code.text(t), "}" | ")" | "]")
        {
            t += 1;
        }
        if code.is_word(t, "export") {
            t += 1;
            if code.is_word(t, "default") {
                t += 1;
            }
        }
        let (shape, binds) = if t >= end {
            (Shape::Structural, Vec::new())
        } else {
            self.shape(code, t, end)
        };
        self.stmts.push(Stmt {
            start: a,
            end: b,
            shape,
            binds,
        });
    }

    fn shape(&mut self, code: &Code<'_>, t: usize, end: usize) -> (Shape, Vec<Bind>) {
        let word = if code.is_name(t) { code.text(t) } else { "" };
        match word {
            "import" if !code.is_op(t + 1, "(") && !code.is_op(t + 1, ".") => {
                self.es_import(code, t, end);
                (Shape::Import, Vec::new())
            }
            "const" | "let" | "var" => {
                let binds = declarators(code, t + 1, end);
                let all_require =
                    !binds.is_empty() && binds.iter().all(|b| is_require(code, b.rhs.0, b.rhs.1));
                let function =
                    binds.len() == 1 && is_function_expr(code, binds[0].rhs.0, binds[0].rhs.1);
                let shape = if all_require {
                    Shape::Import
                } else if function {
                    Shape::Def
                } else {
                    Shape::Simple
                };
                (shape, binds)
            }
            "if" => (check(code, t + 1), Vec::new()),
            "else" if code.is_word(t + 1, "if") => (check(code, t + 2), Vec::new()),
            "for" => (Shape::Loop, for_of(code, t, end)),
            "while" | "do" => (Shape::Loop, Vec::new()),
            "function" | "class" => (Shape::Def, Vec::new()),
            "async" if code.is_word(t + 1, "function") => (Shape::Def, Vec::new()),
            "else" | "try" | "catch" | "finally" | "switch" | "case" | "default" => {
                (Shape::Structural, Vec::new())
            }
            "return" | "throw" | "break" | "continue" => (Shape::Exit, Vec::new()),
            _ if code.is_name(t) && code.is_op(t + 1, "=") => {
                let rhs = (t + 2, end);
                let shape = if is_function_expr(code, rhs.0, rhs.1) {
                    Shape::Def
                } else {
                    Shape::Simple
                };
                (
                    shape,
                    vec![Bind {
                        targets: vec![Target::name(code.text(t))],
                        rhs,
                        iterate: false,
                    }],
                )
            }
            _ if (t..end).all(|x| code.kind(x) == Some(TokKind::Op)) => {
                (Shape::Structural, Vec::new())
            }
            _ => (Shape::Simple, Vec::new()),
        }
    }

    /// `import X, {a, b as c}, * as Y from 'm'` and `import 'm'`.
    fn es_import(&mut self, code: &Code<'_>, t: usize, end: usize) {
        let Some(spec_tok) = (t + 1..end).find(|&x| code.kind(x) == Some(TokKind::Str)) else {
            return;
        };
        let Some(lit) = code.str_lit(spec_tok) else {
            return;
        };
        let Some(raw) = lit.literal_text() else {
            return;
        };
        let module = module_specifier(&raw);
        let span = crate::span::Span {
            start: lit.content.0,
            end: lit.content.1,
        };
        let mut names = Vec::new();
        let mut bindings = Vec::new();
        let mut x = t + 1;
        while x < spec_tok {
            if code.is_op(x, "{") {
                let close = code.partner(x).unwrap_or(spec_tok).min(spec_tok);
                let mut y = x + 1;
                while y < close {
                    if code.is_name(y) {
                        let name = code.text(y);
                        let local = if code.is_word(y + 1, "as") && code.is_name(y + 2) {
                            code.text(y + 2)
                        } else {
                            name
                        };
                        names.push(name.to_string());
                        bindings.push((local.to_string(), format!("{module}.{name}")));
                        y = if local == name { y + 1 } else { y + 3 };
                    } else {
                        y += 1;
                    }
                }
                x = close + 1;
            } else if code.is_op(x, "*") && code.is_word(x + 1, "as") && code.is_name(x + 2) {
                bindings.push((code.text(x + 2).to_string(), module.clone()));
                names.push("*".into());
                x += 3;
            } else if code.is_name(x) && !matches!(code.text(x), "from" | "type" | "typeof") {
                bindings.push((code.text(x).to_string(), module.clone()));
                x += 1;
            } else {
                x += 1;
            }
        }
        let fact = Import {
            module,
            names,
            span,
            relative: raw.starts_with('.'),
            guarded: false,
        };
        self.imports.push(ImportDecl { fact, bindings });
    }

    /// `require('m')` and `import('m')` anywhere: import facts (bindings come from the assignments).
    fn requires(&mut self, code: &Code<'_>, calls: &[CallSite]) {
        let push = |this: &mut Outline, tok: usize| {
            let Some(lit) = code.str_lit(tok) else { return };
            let Some(raw) = lit.literal_text() else {
                return;
            };
            let span = crate::span::Span {
                start: lit.content.0,
                end: lit.content.1,
            };
            let fact = Import {
                module: module_specifier(&raw),
                names: Vec::new(),
                span,
                relative: raw.starts_with('.'),
                guarded: false,
            };
            this.imports.push(ImportDecl {
                fact,
                bindings: Vec::new(),
            });
        };
        for call in calls {
            if call.segments.is_empty()
                && call.method(code) == "require"
                && call.open + 2 == call.close
            {
                push(self, call.open + 1);
            }
        }
        for t in 0..code.len() {
            if code.is_word(t, "import") && code.is_op(t + 1, "(") && code.is_op(t + 3, ")") {
                push(self, t + 2);
            }
        }
    }

    fn loops(&mut self, code: &Code<'_>, fragments: &[(usize, usize)]) {
        for t in 0..code.len() {
            if code.is_word(t, "do") && code.is_op(t + 1, "{") {
                if let Some(close) = code.partner(t + 1) {
                    self.loops.push((t, close));
                }
                continue;
            }
            if !(code.is_word(t, "for") || code.is_word(t, "while")) {
                continue;
            }
            let open = if code.is_word(t + 1, "await") {
                t + 2
            } else {
                t + 1
            };
            let Some(close) = code.is_op(open, "(").then(|| code.partner(open)).flatten() else {
                continue;
            };
            let body_end = if code.is_op(close + 1, "{") {
                code.partner(close + 1).unwrap_or(close)
            } else {
                fragment_end(fragments, close + 1).unwrap_or(close)
            };
            self.loops.push((t, body_end.max(close)));
        }
    }

    /// `function name(…) {…}`, `name = function (…) {…}`, `const name = (…) => …`.
    fn functions(&mut self, code: &Code<'_>, fragments: &[(usize, usize)]) {
        for t in 0..code.len() {
            let (name_tok, params_open) = if code.is_word(t, "function") {
                let after = if code.is_op(t + 1, "*") { t + 2 } else { t + 1 };
                if code.is_name(after) && code.is_op(after + 1, "(") {
                    (Some(after), after + 1)
                } else {
                    (assigned_name(code, t), after)
                }
            } else if code.is_op(t, "=>") {
                let params_start = if t > 0 && code.is_op(t - 1, ")") {
                    code.partner(t - 1).unwrap_or(t)
                } else {
                    t.saturating_sub(1)
                };
                let before = if params_start > 0 && code.is_word(params_start - 1, "async") {
                    params_start - 1
                } else {
                    params_start
                };
                let Some(name) = assigned_name(code, before) else {
                    continue;
                };
                let body_end = if code.is_op(t + 1, "{") {
                    code.partner(t + 1).unwrap_or(t)
                } else {
                    fragment_end(fragments, t + 1).unwrap_or(t)
                };
                self.functions.push(Func {
                    name: code.text(name).to_string(),
                    name_tok: name,
                    body: (t + 1, body_end.max(t + 1)),
                });
                continue;
            } else {
                continue;
            };
            let Some(name_tok) = name_tok else { continue };
            let Some(close) = code
                .is_op(params_open, "(")
                .then(|| code.partner(params_open))
                .flatten()
            else {
                continue;
            };
            if let Some(end) = code
                .is_op(close + 1, "{")
                .then(|| code.partner(close + 1))
                .flatten()
            {
                self.functions.push(Func {
                    name: code.text(name_tok).to_string(),
                    name_tok,
                    body: (close + 1, end),
                });
            }
        }
    }
}

/// The last token of the statement fragment containing `t`.
fn fragment_end(fragments: &[(usize, usize)], t: usize) -> Option<usize> {
    let i = fragments.partition_point(|&(a, _)| a <= t).checked_sub(1)?;
    let (a, b) = fragments[i];
    (a <= t && t < b).then(|| b - 1)
}

/// `name =` / `name:` just before token `t`.
fn assigned_name(code: &Code<'_>, t: usize) -> Option<usize> {
    (t >= 2 && (code.is_op(t - 1, "=") || code.is_op(t - 1, ":")) && code.is_name(t - 2))
        .then(|| t - 2)
}

fn check(code: &Code<'_>, open: usize) -> Shape {
    match code.is_op(open, "(").then(|| code.partner(open)).flatten() {
        Some(close) => Shape::Check {
            cond_start: open + 1,
            cond_end: close,
        },
        None => Shape::Simple,
    }
}

fn is_require(code: &Code<'_>, a: usize, b: usize) -> bool {
    let a = if code.is_word(a, "await") { a + 1 } else { a };
    (code.is_word(a, "require") || code.is_word(a, "import"))
        && code.is_op(a + 1, "(")
        && code
            .partner(a + 1)
            .is_some_and(|c| c + 1 >= b || code.is_op(c + 1, "."))
}

fn is_function_expr(code: &Code<'_>, a: usize, b: usize) -> bool {
    let a = if code.is_word(a, "async") { a + 1 } else { a };
    if code.is_word(a, "function") {
        return true;
    }
    let after_params = if code.is_op(a, "(") {
        code.partner(a).map(|c| c + 1)
    } else {
        Some(a + 1)
    };
    after_params.is_some_and(|p| p < b && code.is_op(p, "=>"))
}

/// `a = x, { b, c: d } = y, [e, f] = z`.
fn declarators(code: &Code<'_>, a: usize, b: usize) -> Vec<Bind> {
    let mut binds = Vec::new();
    let mut t = a;
    while t < b {
        let target_end = if code.is_op(t, "{") || code.is_op(t, "[") {
            code.skip_group(t)
        } else {
            t + 1
        };
        let targets = js_targets(code, t, target_end);
        if !code.is_op(target_end, "=") {
            break;
        }
        let mut e = target_end + 1;
        while e < b && !code.is_op(e, ",") {
            e = if code.kind(e) == Some(TokKind::Op) && matches!(code.text(e), "(" | "[" | "{") {
                code.skip_group(e)
            } else {
                e + 1
            };
        }
        let e = e.min(b);
        binds.push(Bind {
            targets,
            rhs: (target_end + 1, e),
            iterate: false,
        });
        t = e + 1;
    }
    binds
}

/// A declaration target: a name, `{ a, b: c, ...rest }` or `[a, b]`.
fn js_targets(code: &Code<'_>, a: usize, b: usize) -> Vec<Target> {
    if b == a + 1 && code.is_name(a) {
        return vec![Target::name(code.text(a))];
    }
    let mut out = Vec::new();
    let object = code.is_op(a, "{");
    let mut t = a + 1;
    while t + 1 < b {
        if code.is_op(t, "...") && code.is_name(t + 1) {
            out.push(Target::name(code.text(t + 1)));
            t += 2;
        } else if code.is_name(t) && object && code.is_op(t + 1, ":") && code.is_name(t + 2) {
            out.push(Target {
                name: code.text(t + 2).to_string(),
                member: Some(code.text(t).to_string()),
            });
            t += 3;
        } else if code.is_name(t) {
            let member = object.then(|| code.text(t).to_string());
            out.push(Target {
                name: code.text(t).to_string(),
                member,
            });
            t += 1;
        } else {
            t += 1;
        }
    }
    out
}

/// `for (const x of EXPR)` / `for await (const chunk of r.body)`.
fn for_of(code: &Code<'_>, t: usize, end: usize) -> Vec<Bind> {
    let open = if code.is_word(t + 1, "await") {
        t + 2
    } else {
        t + 1
    };
    let Some(close) = code.is_op(open, "(").then(|| code.partner(open)).flatten() else {
        return Vec::new();
    };
    let close = close.min(end.max(open + 1));
    let Some(of) = (open + 1..close).find(|&x| code.is_word(x, "of")) else {
        return Vec::new();
    };
    let mut a = open + 1;
    if matches!(code.text(a), "const" | "let" | "var") {
        a += 1;
    }
    vec![Bind {
        targets: js_targets(code, a, of),
        rhs: (of + 1, close),
        iterate: true,
    }]
}
