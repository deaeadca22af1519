//! Node constructors for the expression parser. They are kept out of the recursive parsing
//! functions so that the (large) `Expr` values never sit in recursive stack frames: in debug
//! builds every temporary gets its own stack slot, and deep nesting must fit in 2 MB.
//! For the same reason they take boxed values, which clippy would rather see unboxed.
#![allow(clippy::boxed_local)]

use super::ast::{
    Args, BinaryOp, Expr, ExprKind, Ident, Invocation, MapEntry, NamedArg, StrPart, UnaryOp,
};
use super::parser::{error, PResult, Parser, MAX_EXPR_HEIGHT};
use crate::span::Span;

/// An expression under construction: `extent` includes enclosing parentheses, `height` is the
/// tree height (bounded by `MAX_EXPR_HEIGHT` so walking and dropping the tree is safe).
pub(super) struct Built {
    pub expr: Box<Expr>,
    pub extent: Span,
    pub height: u32,
}

pub(super) fn leaf(kind: ExprKind, span: Span) -> Built {
    Built {
        expr: Box::new(Expr { kind, span }),
        extent: span,
        height: 1,
    }
}

pub(super) fn push_expr(items: &mut Vec<Expr>, item: Box<Expr>) {
    items.push(*item);
}

pub(super) fn push_entry(entries: &mut Vec<MapEntry>, key: Box<Expr>, value: Box<Expr>) {
    entries.push(MapEntry {
        key: *key,
        value: *value,
    });
}

pub(super) fn push_named(named: &mut Vec<NamedArg>, name: Ident, value: Box<Expr>) {
    named.push(NamedArg {
        name,
        value: *value,
    });
}

pub(super) fn push_part(parts: &mut Vec<StrPart>, item: Box<Expr>) {
    parts.push(StrPart::Expr(*item));
}

impl Parser<'_> {
    /// A node of the given children heights; fails when the tree gets too tall.
    pub(super) fn node(&self, kind: ExprKind, span: Span, heights: &[u32]) -> PResult<Built> {
        let height = 1 + heights.iter().copied().max().unwrap_or(0);
        if height > MAX_EXPR_HEIGHT {
            return Err(error(self.cur().span, "expression nested too deeply"));
        }
        Ok(Built {
            expr: Box::new(Expr { kind, span }),
            extent: span,
            height,
        })
    }

    pub(super) fn unary(&self, op: UnaryOp, op_span: Span, operand: Built) -> PResult<Built> {
        let span = op_span.cover(operand.extent);
        let kind = ExprKind::Unary {
            op,
            op_span,
            operand: operand.expr,
        };
        self.node(kind, span, &[operand.height])
    }

    pub(super) fn binary(
        &self,
        op: BinaryOp,
        op_span: Span,
        left: Built,
        right: Built,
    ) -> PResult<Built> {
        let span = left.extent.cover(right.extent);
        let heights = [left.height, right.height];
        let kind = ExprKind::Binary {
            op,
            op_span,
            left: left.expr,
            right: right.expr,
        };
        self.node(kind, span, &heights)
    }

    pub(super) fn filter(
        &self,
        input: Built,
        filter: Box<Invocation>,
        args_height: u32,
    ) -> PResult<Built> {
        let span = input.extent.cover(filter.span);
        let kind = ExprKind::Filter {
            input: input.expr,
            filter: *filter,
        };
        self.node(kind, span, &[input.height, args_height])
    }

    pub(super) fn test(
        &self,
        subject: Built,
        negated: bool,
        test: Box<Invocation>,
        args_height: u32,
    ) -> PResult<Built> {
        let span = subject.extent.cover(test.span);
        let kind = ExprKind::Test {
            subject: subject.expr,
            negated,
            test: *test,
        };
        self.node(kind, span, &[subject.height, args_height])
    }

    pub(super) fn ternary_node(
        &self,
        cond: Built,
        then: Built,
        otherwise: Built,
    ) -> PResult<Built> {
        let span = cond.extent.cover(otherwise.extent);
        let heights = [cond.height, then.height, otherwise.height];
        let kind = ExprKind::Ternary {
            cond: cond.expr,
            then: then.expr,
            otherwise: otherwise.expr,
        };
        self.node(kind, span, &heights)
    }

    pub(super) fn call(&self, name: Ident, args: Box<Args>, args_height: u32) -> PResult<Built> {
        let span = name.span.cover(args.span);
        self.node(ExprKind::Call { name, args: *args }, span, &[args_height])
    }

    pub(super) fn method_call(
        &self,
        object: Built,
        name: Ident,
        args: Box<Args>,
        args_height: u32,
    ) -> PResult<Built> {
        let span = object.extent.cover(args.span);
        let kind = ExprKind::MethodCall {
            object: object.expr,
            name,
            args: *args,
        };
        self.node(kind, span, &[object.height, args_height])
    }

    pub(super) fn attr(&self, object: Built, name: Ident) -> PResult<Built> {
        let span = object.extent.cover(name.span);
        self.node(
            ExprKind::Attr {
                object: object.expr,
                name,
            },
            span,
            &[object.height],
        )
    }

    pub(super) fn index(&self, object: Built, index: Built, close: Span) -> PResult<Built> {
        let span = object.extent.cover(close);
        let heights = [object.height, index.height];
        self.node(
            ExprKind::Index {
                object: object.expr,
                index: index.expr,
            },
            span,
            &heights,
        )
    }
}
