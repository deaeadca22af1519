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
    Check { cond_start: usize, cond_end: usize },
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
        Target { name: name.to_string(), member: None }
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
    /// function that is referenced (called or passed) from code that runs in a loop.
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
        let innermost = self.innermost_function(n);
        let refs = self.function_references();
        let mut looping = vec![false; self.functions.len()];
        let runs = |t: usize, looping: &[bool]| in_region[t] || (innermost[t] != NONE && looping[innermost[t] as usize]);
        // Each pass can only turn functions on; a few passes cover realistic call chains.
        for _ in 0..16 {
            let mut changed = false;
            for f in 0..self.functions.len() {
                if !looping[f] && refs[f].iter().any(|&t| runs(t, &looping)) {
                    looping[f] = true;
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

    /// Tokens naming each function, other than its definition.
    fn function_references(&self) -> Vec<Vec<usize>> {
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (f, func) in self.functions.iter().enumerate() {
            by_name.entry(func.name.as_str()).or_default().push(f);
        }
        let mut refs = vec![Vec::new(); self.functions.len()];
        if by_name.is_empty() {
            return refs;
        }
        for t in 0..self.code.len() {
            if self.code.kind(t) != Some(TokKind::Name) || (t > 0 && self.code.is_op(t - 1, ".")) {
                continue;
            }
            if let Some(fs) = by_name.get(self.code.text(t)) {
                for &f in fs {
                    if self.functions[f].name_tok != t {
                        refs[f].push(t);
                    }
                }
            }
        }
        refs
    }
}
