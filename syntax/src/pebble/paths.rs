//! Variable paths (`outputs.t[taskrun.value].uri`) referenced by expressions, with whether an
//! "undefined" error is swallowed at that place (`guarded`) and whether the root is a
//! template-local variable (`local`).

use super::ast::{Args, BinaryOp, Expr, ExprKind, Node, Template, UnaryOp};
use crate::span::Span;
use std::collections::HashSet;

/// `root.segment…`: one maximal chain of attribute/index/method accesses on a variable.
#[derive(Clone, Debug, PartialEq)]
pub struct PathRef<'a> {
    pub root: (&'a str, Span),
    pub segments: Vec<Segment<'a>>,
    /// An undefined variable or attribute here does not fail rendering: the path is inside the
    /// left side of `??`/`???`, the subject of `is defined`/`is not defined`, the input of the
    /// `default` filter, the argument of `currentEachOutput(…)`, or where a test has proven it
    /// (or a path it extends) defined: the `then` side of `x is defined ? … : …`, the `else` side
    /// of `x is not defined ? … : …`, the body of `{% if x is defined %}`.
    pub guarded: bool,
    /// The root is a `{% for %}` variable (or `loop`) inside its body, a `{% set %}` variable
    /// after its assignment, or a macro parameter inside the macro.
    pub local: bool,
    /// The whole chain.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Segment<'a> {
    /// `.name`
    Name(&'a str, Span),
    /// `['literal']` (span of the string literal)
    Key(&'a str, Span),
    /// `[0]` (span of the number)
    Index(i64, Span),
    /// `[expr]`
    Dynamic(&'a Expr),
    /// `.name(args)`: a Java method call; what follows is no longer a context path.
    Call(&'a str, Span),
}

/// Every path in `expr` (`local` is always false: no template scope is known).
pub fn expr_paths(expr: &Expr) -> Vec<PathRef<'_>> {
    let mut collector = Collector::default();
    collector.expr(expr, false);
    collector.out
}

/// Every path in the template, in source order, with template-local variables flagged.
pub fn template_paths(template: &Template) -> Vec<PathRef<'_>> {
    let mut collector = Collector {
        scopes: vec![Scope::default()],
        ..Collector::default()
    };
    collector.nodes(&template.nodes);
    collector.out
}

#[derive(Default)]
struct Scope<'a> {
    names: HashSet<&'a str>,
    /// Macros do not see the variables of the template around them.
    barrier: bool,
}

#[derive(Default)]
struct Collector<'a> {
    out: Vec<PathRef<'a>>,
    scopes: Vec<Scope<'a>>,
    /// Paths (root and static segments) a test has proven defined where the walk is.
    defined: Vec<Vec<&'a str>>,
}

/// `root.a['b']` as its static parts; `None` when a part is computed or a method call.
fn static_path(expr: &Expr) -> Option<Vec<&str>> {
    match &expr.kind {
        ExprKind::Var(name) => Some(vec![name.as_str()]),
        ExprKind::Attr { object, name } => {
            let mut path = static_path(object)?;
            path.push(&name.name);
            Some(path)
        }
        ExprKind::Index { object, index } => match &index.kind {
            ExprKind::Str(key) => {
                let mut path = static_path(object)?;
                path.push(key);
                Some(path)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The paths `cond` proves defined when it is `holds` (true or false): `x is defined` when
/// true, `x is not defined` when false, and either through `and` (true) / `or` (false) and
/// `not`.
fn proven_defined(cond: &Expr, holds: bool) -> Vec<Vec<&str>> {
    match &cond.kind {
        ExprKind::Test {
            subject,
            negated,
            test,
        } if test.name.name == "defined" && test.args.is_none() && *negated != holds => {
            static_path(subject).into_iter().collect()
        }
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
            ..
        } => proven_defined(operand, !holds),
        ExprKind::Binary {
            op, left, right, ..
        } if (*op == BinaryOp::And && holds) || (*op == BinaryOp::Or && !holds) => {
            let mut paths = proven_defined(left, holds);
            paths.extend(proven_defined(right, holds));
            paths
        }
        _ => Vec::new(),
    }
}

impl<'a> Collector<'a> {
    fn is_local(&self, name: &str) -> bool {
        for scope in self.scopes.iter().rev() {
            if scope.names.contains(&name) {
                return true;
            }
            if scope.barrier {
                break;
            }
        }
        false
    }

    fn scoped(&mut self, scope: Scope<'a>, nodes: &'a [Node]) {
        self.scopes.push(scope);
        self.nodes(nodes);
        self.scopes.pop();
    }

    fn nodes(&mut self, nodes: &'a [Node]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &'a Node) {
        match node {
            Node::Text(_) | Node::Comment(_) | Node::Verbatim(_) | Node::Raw(_) => {}
            Node::Print(print) => self.expr(&print.expr, false),
            Node::If(n) => {
                for branch in &n.branches {
                    self.expr(&branch.condition, false);
                    let proven = proven_defined(&branch.condition, true);
                    self.with_defined(proven, |c| c.nodes(&branch.body));
                }
                if let Some(branch) = &n.else_branch {
                    self.nodes(&branch.body);
                }
            }
            Node::For(n) => {
                self.expr(&n.iterable, false);
                let names = HashSet::from([n.variable.name.as_str(), "loop"]);
                self.scoped(
                    Scope {
                        names,
                        barrier: false,
                    },
                    &n.body,
                );
                if let Some(branch) = &n.else_branch {
                    self.nodes(&branch.body);
                }
            }
            Node::Set(n) => {
                self.expr(&n.value, false);
                if let Some(scope) = self.scopes.last_mut() {
                    scope.names.insert(&n.variable.name);
                }
            }
            Node::Filter(n) => {
                for filter in &n.filters {
                    self.args(filter.args.as_ref(), false);
                }
                self.nodes(&n.body);
            }
            Node::Macro(n) => {
                let names = n.params.iter().map(|p| p.name.name.as_str()).collect();
                self.scopes.push(Scope {
                    names,
                    barrier: true,
                });
                for param in &n.params {
                    if let Some(default) = &param.default {
                        self.expr(default, false);
                    }
                }
                self.nodes(&n.body);
                self.scopes.pop();
            }
            Node::Block(n) => self.nodes(&n.body),
        }
    }

    /// Walks with `paths` proven defined.
    fn with_defined(&mut self, paths: Vec<Vec<&'a str>>, walk: impl FnOnce(&mut Self)) {
        let before = self.defined.len();
        self.defined.extend(paths);
        walk(self);
        self.defined.truncate(before);
    }

    /// Whether a test has proven `root.segments…` (or a path it extends) defined here.
    fn proven(&self, root: &str, segments: &[Segment]) -> bool {
        self.defined.iter().any(|path| {
            path[0] == root
                && path.len() - 1 <= segments.len()
                && path[1..].iter().zip(segments).all(|(want, seg)| match seg {
                    Segment::Name(name, _) | Segment::Key(name, _) => name == want,
                    _ => false,
                })
        })
    }

    fn args(&mut self, args: Option<&'a Args>, guarded: bool) {
        let Some(args) = args else { return };
        for arg in &args.positional {
            self.expr(arg, guarded);
        }
        for arg in &args.named {
            self.expr(&arg.value, guarded);
        }
    }

    fn expr(&mut self, expr: &'a Expr, guarded: bool) {
        match &expr.kind {
            ExprKind::Var(_)
            | ExprKind::Attr { .. }
            | ExprKind::Index { .. }
            | ExprKind::MethodCall { .. } => self.chain(expr, guarded),
            ExprKind::Binary {
                op: BinaryOp::NullCoalesce | BinaryOp::UndefinedCoalesce,
                left,
                right,
                ..
            } => {
                self.expr(left, true);
                self.expr(right, guarded);
            }
            ExprKind::Filter { input, filter } => {
                self.expr(input, guarded || filter.name.name == "default");
                self.args(filter.args.as_ref(), guarded);
            }
            ExprKind::Test { subject, test, .. } => {
                self.expr(subject, guarded || test.name.name == "defined");
                self.args(test.args.as_ref(), guarded);
            }
            ExprKind::Call { name, args } => {
                self.args(Some(args), guarded || name.name == "currentEachOutput");
            }
            ExprKind::Ternary {
                cond,
                then,
                otherwise,
            } => {
                self.expr(cond, guarded);
                let proven = proven_defined(cond, true);
                self.with_defined(proven, |c| c.expr(then, guarded));
                let proven = proven_defined(cond, false);
                self.with_defined(proven, |c| c.expr(otherwise, guarded));
            }
            _ => expr.for_each_child(&mut |child| self.expr(child, guarded)),
        }
    }

    /// Flattens `a.b[c].d(e)` iteratively (chains can be long), then visits the nested parts.
    fn chain(&mut self, expr: &'a Expr, guarded: bool) {
        let mut segments = Vec::new();
        let mut nested: Vec<&'a Expr> = Vec::new();
        let mut calls: Vec<&'a Args> = Vec::new();
        let mut cur = expr;
        loop {
            match &cur.kind {
                ExprKind::Attr { object, name } => {
                    segments.push(Segment::Name(&name.name, name.span));
                    cur = object;
                }
                ExprKind::Index { object, index } => {
                    segments.push(match &index.kind {
                        ExprKind::Str(key) => Segment::Key(key, index.span),
                        ExprKind::Int(i) => Segment::Index(*i, index.span),
                        _ => {
                            nested.push(index);
                            Segment::Dynamic(index)
                        }
                    });
                    cur = object;
                }
                ExprKind::MethodCall { object, name, args } => {
                    segments.push(Segment::Call(&name.name, name.span));
                    calls.push(args);
                    cur = object;
                }
                _ => break,
            }
        }
        segments.reverse();
        match &cur.kind {
            ExprKind::Var(name) => {
                let guarded = guarded || self.proven(name, &segments);
                self.out.push(PathRef {
                    root: (name, cur.span),
                    segments,
                    guarded,
                    local: self.is_local(name),
                    span: expr.span,
                })
            }
            _ => self.expr(cur, guarded),
        }
        for index in nested.into_iter().rev() {
            self.expr(index, guarded);
        }
        for args in calls.into_iter().rev() {
            self.args(Some(args), guarded);
        }
    }
}
