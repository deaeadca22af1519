//! The language-neutral outline of a Python or JS script that the flow analysis walks:
//! statements with their shape and bindings, loop and function regions, imports.

use std::collections::HashMap;

use super::calls::CallSite;
use super::facts::Import;
use super::lexer::{Code, TokKind, NONE};

pub(super) struct Program<'a> {
    pub code: Code<'a>,
    pub calls: Vec<CallSite>,
    pub stmts: Vec<Stmt>,
    /// Token ranges `[first, last]` of loops (headers with bodies, comprehensions, `.map(…)` calls).
    pub loops: Vec<(usize, usize)>,
    pub functions: Vec<Func>,
    pub imports: Vec<ImportDecl>,
}

#[derive(Clone, Debug)]
pub(super) struct Stmt {
    /// Tokens `start..end`.
    pub start: usize,
    pub end: usize,
    pub shape: Shape,
    pub binds: Vec<Bind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    Simple,
    Import,
    /// `def`, `class`, `function`, decorators.
    Def,
    /// `try:`, `else:`, `except …:`, closing braces…
    Structural,
    /// `raise`, `return`, `throw`, `break`, `pass`…
    Exit,
    /// `if`/`elif`/`assert` with the condition's tokens.
    Check {
        cond_start: usize,
        cond_end: usize,
    },
    /// A loop header.
    Loop,
    /// A `with` header (its items are bindings).
    With,
}

/// `targets = rhs`, `for targets in rhs`, `with rhs as target`.
#[derive(Clone, Debug)]
pub(super) struct Bind {
    pub targets: Vec<Target>,
    pub rhs: (usize, usize),
    /// The targets receive the elements of `rhs`, not `rhs` itself.
    pub iterate: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Target {
    pub name: String,
    /// Destructuring `{ member: name }` / one of several tuple targets.
    pub member: Option<String>,
}

impl Target {
    pub fn name(name: &str) -> Target {
        Target {
            name: name.to_string(),
            member: None,
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Func {
    pub name: String,
    pub name_tok: usize,
    /// Body tokens `[first, last]`.
    pub body: (usize, usize),
}

#[derive(Clone, Debug)]
pub(super) struct ImportDecl {
    pub fact: Import,
    /// Local name → module path it stands for.
    pub bindings: Vec<(String, String)>,
}

impl Program<'_> {
    /// For every token: does it run inside a loop? True inside loop regions, and inside the body of a
    /// function that is referenced (called or passed) from code that runs in a loop. Functions are
    /// grouped by name (a redefinition counts as the same function).
    pub fn runs_in_loop(&self) -> Vec<bool> {
        let n = self.code.len();
        let mut delta = vec![0i32; n + 1];
        for &(a, b) in &self.loops {
            if a <= b && b < n {
                delta[a] += 1;
                delta[b + 1] -= 1;
            }
        }
        let mut in_region = vec![false; n];
        let mut depth = 0i32;
        for (t, slot) in in_region.iter_mut().enumerate() {
            depth += delta[t];
            *slot = depth > 0;
        }
        let mut name_ids: HashMap<&str, u32> = HashMap::new();
        let func_name: Vec<u32> = self
            .functions
            .iter()
            .map(|f| {
                let next = name_ids.len() as u32;
                *name_ids.entry(f.name.as_str()).or_insert(next)
            })
            .collect();
        let innermost: Vec<u32> = self
            .innermost_function(n)
            .into_iter()
            .map(|f| {
                if f == NONE {
                    NONE
                } else {
                    func_name[f as usize]
                }
            })
            .collect();
        let refs = self.name_references(&name_ids);
        let mut looping = vec![false; name_ids.len()];
        let runs = |t: usize, looping: &[bool]| {
            in_region[t] || (innermost[t] != NONE && looping[innermost[t] as usize])
        };
        // Each pass can only turn names on; a few passes cover realistic call chains.
        for _ in 0..16 {
            let mut changed = false;
            for (id, name_refs) in refs.iter().enumerate() {
                if !looping[id] && name_refs.iter().any(|&t| runs(t, &looping)) {
                    looping[id] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        (0..n).map(|t| runs(t, &looping)).collect()
    }

    /// The innermost function whose body contains each token (a stack sweep, linear).
    fn innermost_function(&self, n: usize) -> Vec<u32> {
        let mut order: Vec<usize> = (0..self.functions.len()).collect();
        order.sort_by_key(|&f| self.functions[f].body.0);
        let mut innermost = vec![NONE; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut next = 0;
        for (t, slot) in innermost.iter_mut().enumerate() {
            while stack.last().is_some_and(|&f| self.functions[f].body.1 < t) {
                stack.pop();
            }
            while next < order.len() && self.functions[order[next]].body.0 <= t {
                let f = order[next];
                if self.functions[f].body.1 >= t {
                    stack.push(f);
                }
                next += 1;
            }
            if let Some(&f) = stack.last() {
                *slot = f as u32;
            }
        }
        innermost
    }

    /// Tokens naming each function name, other than in its definitions.
    fn name_references(&self, name_ids: &HashMap<&str, u32>) -> Vec<Vec<usize>> {
        let mut refs = vec![Vec::new(); name_ids.len()];
        if name_ids.is_empty() {
            return refs;
        }
        let definitions: std::collections::HashSet<usize> =
            self.functions.iter().map(|f| f.name_tok).collect();
        for t in 0..self.code.len() {
            if self.code.kind(t) != Some(TokKind::Name)
                || (t > 0 && self.code.is_op(t - 1, "."))
                || definitions.contains(&t)
            {
                continue;
            }
            if let Some(&id) = name_ids.get(self.code.text(t)) {
                refs[id as usize].push(t);
            }
        }
        refs
    }
}
