//! Expression parser: Pebble's precedence climbing (`ExpressionParser`), including its quirks:
//! unary operators bind tighter than everything (`not a == b` is `(not a) == b`), list and map
//! literals take no postfix (`[1][0]` is an error), `|` and `is` take a bare name with
//! optional arguments, and the ternary is only parsed at the lowest precedence level.
//! Recursive functions hold only boxed values (see `expr_build.rs`).

use super::ast::{
    Args, BinaryOp, Expr, ExprKind, Ident, Invocation, MacroParam, NamedArg, StrPart, UnaryOp,
    FILTER_PRECEDENCE, TEST_PRECEDENCE, UNARY_PRECEDENCE,
};
use super::expr_build::{leaf, push_entry, push_expr, push_named, push_part, Built};
use super::parser::{error, PResult, Parser, MAX_EXPR_NESTING};
use super::token::{Op, Tok};
use crate::span::Span;

enum Infix {
    Binary(BinaryOp),
    Filter,
    Test { negated: bool },
}

fn infix(op: Op) -> Option<(Infix, u16)> {
    let bin = |b: BinaryOp| Some((Infix::Binary(b), b.precedence()));
    match op {
        Op::Or => bin(BinaryOp::Or),
        Op::And => bin(BinaryOp::And),
        Op::Contains => bin(BinaryOp::Contains),
        Op::Eq => bin(BinaryOp::Eq),
        Op::Equals => bin(BinaryOp::Equals),
        Op::Ne => bin(BinaryOp::Ne),
        Op::Lt => bin(BinaryOp::Lt),
        Op::Gt => bin(BinaryOp::Gt),
        Op::Le => bin(BinaryOp::Le),
        Op::Ge => bin(BinaryOp::Ge),
        Op::Plus => bin(BinaryOp::Add),
        Op::Minus => bin(BinaryOp::Sub),
        Op::Star => bin(BinaryOp::Mul),
        Op::Slash => bin(BinaryOp::Div),
        Op::Percent => bin(BinaryOp::Mod),
        Op::Tilde => bin(BinaryOp::Concat),
        Op::Range => bin(BinaryOp::Range),
        Op::Coalesce => bin(BinaryOp::NullCoalesce),
        Op::Coalesce3 => bin(BinaryOp::UndefinedCoalesce),
        Op::IsIn => bin(BinaryOp::IsIn),
        Op::Pipe => Some((Infix::Filter, FILTER_PRECEDENCE)),
        Op::Is => Some((Infix::Test { negated: false }, TEST_PRECEDENCE)),
        Op::IsNot => Some((Infix::Test { negated: true }, TEST_PRECEDENCE)),
        Op::Not => None,
    }
}

/// Names Pebble refuses for new variables and argument names.
const RESERVED: [&str; 4] = ["true", "false", "null", "none"];

/// Pebble keeps backslashes except before the string's own quote.
fn unescape(content: &str, quote: char) -> String {
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&quote) {
            continue;
        }
        out.push(c);
    }
    out
}

fn literal(text: &str, span: Span) -> PResult<Built> {
    let digits = text.trim_end_matches('L');
    let kind = if digits.contains('.') {
        ExprKind::Float(digits.parse().unwrap_or(f64::INFINITY))
    } else {
        match digits.parse() {
            Ok(n) => ExprKind::Int(n),
            Err(_) => return Err(error(span, "integer literal out of range (64-bit)")),
        }
    };
    Ok(leaf(kind, span))
}

fn keyword_or_var(text: &str, span: Span) -> Built {
    let kind = match text {
        "true" | "TRUE" => ExprKind::Bool(true),
        "false" | "FALSE" => ExprKind::Bool(false),
        "null" | "NULL" | "none" | "NONE" => ExprKind::Null,
        _ => ExprKind::Var(text.to_string()),
    };
    leaf(kind, span)
}

impl Parser<'_> {
    /// A complete expression (Pebble's `parseExpression()`).
    pub(super) fn expression(&mut self) -> PResult<Box<Expr>> {
        Ok(self.expr(0)?.expr)
    }

    fn expr(&mut self, min_prec: u16) -> PResult<Built> {
        self.nesting += 1;
        if self.nesting > MAX_EXPR_NESTING {
            return Err(error(self.cur().span, "expression nested too deeply"));
        }
        let mut left = self.operand()?;
        while let Some((infix, prec)) = self.infix_ahead() {
            if prec < min_prec {
                break;
            }
            left = self.infix(left, infix, prec)?;
        }
        if min_prec == 0 && self.is_punct(b'?') {
            left = self.ternary(left)?;
        }
        self.nesting -= 1;
        Ok(left)
    }

    fn infix_ahead(&self) -> Option<(Infix, u16)> {
        match *self.kind() {
            Tok::Op(op) => infix(op),
            _ => None,
        }
    }

    /// `left OP right`, `left | filter`, `left is test` (the operator is the current token).
    fn infix(&mut self, left: Built, infix: Infix, prec: u16) -> PResult<Built> {
        let op_span = self.bump();
        match infix {
            // All operators are left-associative.
            Infix::Binary(op) => {
                let right = self.expr(prec + 1)?;
                self.binary(op, op_span, left, right)
            }
            Infix::Filter => {
                let (filter, height) = self.invocation("a filter name")?;
                self.filter(left, filter, height)
            }
            Infix::Test { negated } => {
                if *self.kind() == Tok::Op(Op::Not) {
                    return Err(error(
                        self.cur().span,
                        "expected a test name after `is`, found `not` \
                         (Pebble only recognises `is not` written with a single space)",
                    ));
                }
                let (test, height) = self.invocation("a test name")?;
                self.test(left, negated, test, height)
            }
        }
    }

    /// What Pebble accepts before binary operators: unary, `( )`, list, map or primary.
    fn operand(&mut self) -> PResult<Built> {
        match *self.kind() {
            Tok::Op(op @ (Op::Not | Op::Minus | Op::Plus)) => self.unary_operand(op),
            Tok::Punct(b'(') => self.group(),
            Tok::Punct(b'[') => self.list(),
            Tok::Punct(b'{') => self.map(),
            _ => {
                let primary = self.primary()?;
                self.postfix(primary)
            }
        }
    }

    fn unary_operand(&mut self, op: Op) -> PResult<Built> {
        let op_span = self.bump();
        let operand = self.expr(UNARY_PRECEDENCE)?;
        let op = match op {
            Op::Not => UnaryOp::Not,
            Op::Minus => UnaryOp::Neg,
            _ => UnaryOp::Pos,
        };
        self.unary(op, op_span, operand)
    }

    /// `( expr )`, which may be followed by a postfix.
    fn group(&mut self) -> PResult<Built> {
        let open = self.bump();
        let inner = self.expr(0)?;
        let close = self.expect_closing(b')', open, "`)`")?;
        self.postfix(Built {
            extent: open.cover(close),
            ..inner
        })
    }

    fn ternary(&mut self, cond: Built) -> PResult<Built> {
        self.bump();
        let then = self.expr(0)?;
        if !self.is_punct(b':') {
            return Err(self.expected("`:` in ternary"));
        }
        self.bump();
        let otherwise = self.expr(0)?;
        self.ternary_node(cond, then, otherwise)
    }

    /// Literals, variables, function calls and strings (Pebble's `subparseExpression`).
    fn primary(&mut self) -> PResult<Built> {
        let span = self.cur().span;
        let text = self.text(span);
        match self.kind() {
            Tok::Name if *self.peek_kind(1) == Tok::Punct(b'(') => self.function_call(),
            Tok::Name => {
                self.bump();
                Ok(keyword_or_var(text, span))
            }
            Tok::Long | Tok::Number => {
                self.bump();
                literal(text, span)
            }
            Tok::Str { closed } => {
                let quote = text.chars().next().unwrap_or('\'');
                if !closed {
                    let at = Span::new(span.start as usize, span.start as usize + 1);
                    return Err(error(
                        at,
                        format!("unclosed string literal: expected closing `{quote}`"),
                    ));
                }
                self.bump();
                let content = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
                Ok(leaf(ExprKind::Str(unescape(content, quote)), span))
            }
            Tok::StrOpen => self.interpolated(),
            _ => Err(self.expected("an expression")),
        }
    }

    fn function_call(&mut self) -> PResult<Built> {
        let name = self.ident();
        let (args, height) = self.args()?;
        self.call(name, args, height)
    }

    fn interpolated(&mut self) -> PResult<Built> {
        let open = self.bump();
        let mut parts = Vec::new();
        let mut height = 0;
        loop {
            match self.kind() {
                Tok::StrPart => {
                    let span = self.bump();
                    parts.push(StrPart::Lit {
                        value: self.text(span).to_string(),
                        span,
                    });
                }
                Tok::InterpOpen => {
                    let interp = self.bump();
                    let inner = self.expr(0)?;
                    if *self.kind() != Tok::InterpClose {
                        if self.at_expression_end() && *self.kind() != Tok::StrClose {
                            return Err(error(interp, "unclosed `#{` in string: expected `}`"));
                        }
                        return Err(self.expected("`}` to close `#{`"));
                    }
                    self.bump();
                    height = height.max(inner.height);
                    push_part(&mut parts, inner.expr);
                }
                Tok::StrClose => {
                    let close = self.bump();
                    return self.node(ExprKind::Interpolated(parts), open.cover(close), &[height]);
                }
                _ => {
                    return Err(error(
                        open,
                        "unclosed string literal: expected closing `\"`",
                    ))
                }
            }
        }
    }

    /// `.name`, `.name(args)`, `[expr]` after a primary expression.
    fn postfix(&mut self, mut node: Built) -> PResult<Built> {
        loop {
            node = match *self.kind() {
                Tok::Punct(b'.') => self.dot_access(node)?,
                Tok::Punct(b'[') => self.index_access(node)?,
                Tok::Punct(b'(') => {
                    let message = "unexpected `(`: only a function name can be called";
                    return Err(error(self.cur().span, message));
                }
                _ => return Ok(node),
            };
        }
    }

    /// `.name` or `.name(args)` (the current token is `.`).
    fn dot_access(&mut self, object: Built) -> PResult<Built> {
        self.bump();
        if *self.kind() != Tok::Name {
            return Err(self.expected("an attribute name"));
        }
        let name = self.ident();
        if !self.is_punct(b'(') {
            return self.attr(object, name);
        }
        let (args, height) = self.args()?;
        if let Some(named) = args.named.first() {
            let message = "named arguments are not allowed in method calls";
            return Err(error(named.name.span, message));
        }
        self.method_call(object, name, args, height)
    }

    /// `[expr]` (the current token is `[`).
    fn index_access(&mut self, object: Built) -> PResult<Built> {
        let open = self.bump();
        let index = self.expr(0)?;
        let close = self.expect_closing(b']', open, "`]`")?;
        self.index(object, index, close)
    }

    /// The current `Name` token as an identifier.
    fn ident(&mut self) -> Ident {
        let span = self.bump();
        Ident {
            name: self.text(span).to_string(),
            span,
        }
    }

    /// A name for a new variable or argument (not `true`, `false`, `null`, `none`).
    pub(super) fn new_name(&mut self, what: &str) -> PResult<Ident> {
        if *self.kind() != Tok::Name {
            return Err(self.expected(what));
        }
        let name = self.ident();
        if RESERVED.contains(&name.name.as_str()) {
            let message = format!("`{}` is reserved and cannot be used as a name", name.name);
            return Err(error(name.span, message));
        }
        Ok(name)
    }

    /// A filter or test: `name` or `name(args)`, with the height of its arguments.
    pub(super) fn invocation(&mut self, what: &str) -> PResult<(Box<Invocation>, u32)> {
        if *self.kind() != Tok::Name {
            return Err(self.expected(what));
        }
        let name = self.ident();
        if !self.is_punct(b'(') {
            let span = name.span;
            return Ok((
                Box::new(Invocation {
                    name,
                    args: None,
                    span,
                }),
                0,
            ));
        }
        let (args, height) = self.args()?;
        let span = name.span.cover(args.span);
        Ok((
            Box::new(Invocation {
                name,
                args: Some(*args),
                span,
            }),
            height,
        ))
    }

    /// `(a, b, name=c)` (the current token is `(`), with the height of the tallest argument.
    fn args(&mut self) -> PResult<(Box<Args>, u32)> {
        let open = self.bump();
        let mut positional = Vec::new();
        let mut named: Vec<NamedArg> = Vec::new();
        let mut height = 0;
        let close = loop {
            if self.is_punct(b')') {
                break self.bump();
            }
            if !positional.is_empty() || !named.is_empty() {
                if !self.is_punct(b',') {
                    return Err(self.closing_error(b')', open, "`,` or `)`"));
                }
                self.bump();
            }
            let name = if *self.peek_kind(1) == Tok::Punct(b'=') {
                let name = self.new_name("an argument name")?;
                self.bump();
                Some(name)
            } else {
                None
            };
            let value = self.expr(0)?;
            height = height.max(value.height);
            match name {
                Some(name) => push_named(&mut named, name, value.expr),
                None if !named.is_empty() => {
                    let message = "positional arguments must come before named arguments";
                    return Err(error(value.extent, message));
                }
                None => push_expr(&mut positional, value.expr),
            }
        };
        Ok((
            Box::new(Args {
                span: open.cover(close),
                positional,
                named,
            }),
            height,
        ))
    }

    /// Macro parameters: `(a, b='x')` (the current token must be `(`).
    pub(super) fn macro_params(&mut self) -> PResult<Vec<MacroParam>> {
        if !self.is_punct(b'(') {
            return Err(self.expected("`(` and the macro parameters"));
        }
        let open = self.bump();
        let mut params = Vec::new();
        loop {
            if self.is_punct(b')') {
                self.bump();
                return Ok(params);
            }
            if !params.is_empty() {
                if !self.is_punct(b',') {
                    return Err(self.closing_error(b')', open, "`,` or `)`"));
                }
                self.bump();
            }
            let name = self.new_name("a parameter name")?;
            let default = if self.is_punct(b'=') {
                self.bump();
                Some(*self.expr(0)?.expr)
            } else {
                None
            };
            params.push(MacroParam { name, default });
        }
    }

    /// `[a, b]` (Pebble parses no postfix after it).
    fn list(&mut self) -> PResult<Built> {
        let open = self.bump();
        let mut items = Vec::new();
        let mut height = 0;
        let close = loop {
            if items.is_empty() && self.is_punct(b']') {
                break self.bump();
            }
            let item = self.expr(0)?;
            height = height.max(item.height);
            push_expr(&mut items, item.expr);
            if self.is_punct(b']') {
                break self.bump();
            }
            if !self.is_punct(b',') {
                return Err(self.closing_error(b']', open, "`,` or `]`"));
            }
            self.bump();
        };
        self.node(ExprKind::List(items), open.cover(close), &[height])
    }

    /// `{key: value, …}` (Pebble parses no postfix after it).
    fn map(&mut self) -> PResult<Built> {
        let open = self.bump();
        let mut entries = Vec::new();
        let mut height = 0;
        let close = loop {
            if entries.is_empty() && self.is_punct(b'}') {
                break self.bump();
            }
            let key = self.expr(0)?;
            if !self.is_punct(b':') {
                return Err(self.expected("`:` after the map key"));
            }
            self.bump();
            let value = self.expr(0)?;
            height = height.max(key.height).max(value.height);
            push_entry(&mut entries, key.expr, value.expr);
            if self.is_punct(b'}') {
                break self.bump();
            }
            if !self.is_punct(b',') {
                return Err(self.closing_error(b'}', open, "`,` or `}`"));
            }
            self.bump();
        };
        self.node(ExprKind::Map(entries), open.cover(close), &[height])
    }
}
