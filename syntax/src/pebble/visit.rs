//! Walking the tree: every node, every expression, and every filter/function/test/method
//! invocation (for checks on names and arguments such as `jq('…')`).

use super::ast::{Args, Expr, ExprKind, Node, Template};
use crate::span::Span;
use std::collections::HashSet;

/// Calls `f` on every node, parents before their bodies.
pub fn walk_nodes<'a>(nodes: &'a [Node], f: &mut dyn FnMut(&'a Node)) {
    for node in nodes {
        f(node);
        for body in node_bodies(node) {
            walk_nodes(body, f);
        }
    }
}

/// The bodies directly inside a block node.
pub fn node_bodies(node: &Node) -> Vec<&[Node]> {
    match node {
        Node::If(n) => n
            .branches
            .iter()
            .map(|b| b.body.as_slice())
            .chain(n.else_branch.iter().map(|b| b.body.as_slice()))
            .collect(),
        Node::For(n) => std::iter::once(n.body.as_slice())
            .chain(n.else_branch.iter().map(|b| b.body.as_slice()))
            .collect(),
        Node::Filter(n) => vec![&n.body],
        Node::Macro(n) => vec![&n.body],
        Node::Block(n) => vec![&n.body],
        _ => Vec::new(),
    }
}

/// The expressions written in the node's own tag(s), not in its bodies.
pub fn node_exprs(node: &Node) -> Vec<&Expr> {
    let mut out = Vec::new();
    match node {
        Node::Print(n) => out.push(&n.expr),
        Node::If(n) => out.extend(n.branches.iter().map(|b| &b.condition)),
        Node::For(n) => out.push(&n.iterable),
        Node::Set(n) => out.push(&n.value),
        Node::Filter(n) => {
            for filter in &n.filters {
                if let Some(a) = &filter.args {
                    out.extend(a.positional.iter());
                    out.extend(a.named.iter().map(|n| &n.value));
                }
            }
        }
        Node::Macro(n) => out.extend(n.params.iter().filter_map(|p| p.default.as_ref())),
        _ => {}
    }
    out
}

/// Calls `f` on `expr` and all its sub-expressions, parents first.
pub fn walk_expr<'a>(expr: &'a Expr, f: &mut dyn FnMut(&'a Expr)) {
    f(expr);
    expr.for_each_child(&mut |child| walk_expr(child, f));
}

/// Calls `f` on every expression of the template: nodes in source order, parents first.
pub fn walk_template_exprs<'a>(template: &'a Template, f: &mut dyn FnMut(&'a Expr)) {
    walk_nodes(&template.nodes, &mut |node| {
        for expr in node_exprs(node) {
            walk_expr(expr, f);
        }
    });
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// `name(args)`
    Function,
    /// `x | name(args)`, also in `{% filter name %}`
    Filter,
    /// `x is name(args)`
    Test,
    /// `x.name(args)`
    Method,
}

/// One invocation of a function, filter, test or method.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CallRef<'a> {
    pub kind: CallKind,
    pub name: &'a str,
    pub name_span: Span,
    /// `None` for a filter or test written without parentheses.
    pub args: Option<&'a Args>,
    /// The whole call or filter application (`x | name(args)`); for `{% filter %}` tags, the
    /// filter name and its arguments.
    pub span: Span,
    /// A function call whose name is a `{% macro %}` of the template.
    pub is_macro: bool,
}

/// Every invocation inside `expr`, parents first.
pub fn expr_calls(expr: &Expr) -> Vec<CallRef<'_>> {
    let mut out = Vec::new();
    walk_expr(expr, &mut |e| push_call(e, &HashSet::new(), &mut out));
    out
}

/// Every invocation in the template: nodes in source order, within an expression parents first.
pub fn template_calls(template: &Template) -> Vec<CallRef<'_>> {
    let mut macros = HashSet::new();
    walk_nodes(&template.nodes, &mut |node| {
        if let Node::Macro(m) = node {
            macros.insert(m.name.name.as_str());
        }
    });
    let mut out = Vec::new();
    walk_nodes(&template.nodes, &mut |node| {
        if let Node::Filter(block) = node {
            for filter in &block.filters {
                out.push(CallRef {
                    kind: CallKind::Filter,
                    name: &filter.name.name,
                    name_span: filter.name.span,
                    args: filter.args.as_ref(),
                    span: filter.span,
                    is_macro: false,
                });
            }
        }
        for expr in node_exprs(node) {
            walk_expr(expr, &mut |e| push_call(e, &macros, &mut out));
        }
    });
    out
}

fn push_call<'a>(expr: &'a Expr, macros: &HashSet<&str>, out: &mut Vec<CallRef<'a>>) {
    let (kind, name, args) = match &expr.kind {
        ExprKind::Call { name, args } => (CallKind::Function, name, Some(args)),
        ExprKind::MethodCall { name, args, .. } => (CallKind::Method, name, Some(args)),
        ExprKind::Filter { filter, .. } => (CallKind::Filter, &filter.name, filter.args.as_ref()),
        ExprKind::Test { test, .. } => (CallKind::Test, &test.name, test.args.as_ref()),
        _ => return,
    };
    out.push(CallRef {
        kind,
        name: &name.name,
        name_span: name.span,
        args,
        span: expr.span,
        is_macro: kind == CallKind::Function && macros.contains(&name.name.as_str()),
    });
}
