//! Expression parser: Pebble's precedence climbing (`ExpressionParser`), including its quirks:
//! unary operators bind tighter than everything (`not a == b` is `(not a) == b`), list and map
//! literals take no postfix (`[1][0]` is an error), `|` and `is` take a bare name with
//! optional arguments, and the ternary is only parsed at the lowest precedence level.

use super::ast::{
    Args, BinaryOp, Expr, ExprKind, Ident, Invocation, MapEntry, MacroParam, NamedArg, StrPart,
    UnaryOp, FILTER_PRECEDENCE, TEST_PRECEDENCE, UNARY_PRECEDENCE,
};
use super::parser::{error, PResult, Parser, MAX_EXPR_HEIGHT, MAX_EXPR_NESTING};
use super::token::{Op, Tok};
use crate::span::Span;

/// An expression under construction: `extent` includes enclosing parentheses, `height` is the
/// tree height (bounded by `MAX_EXPR_HEIGHT`).
struct Built {
    expr: Expr,
    extent: Span,
    height: u32,
}

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

fn leaf(kind: ExprKind, span: Span) -> Built {
    Built {
        expr: Expr { kind, span },
        extent: span,
        height: 1,
    }
}

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

impl Parser<'_> {
    /// A complete expression (Pebble's `parseExpression()`).
    pub(super) fn expression(&mut self) -> PResult<Expr> {
        Ok(self.expr(0)?.expr)
    }

    fn node(&self, kind: ExprKind, span: Span, heights: &[u32]) -> PResult<Built> {
        let height = 1 + heights.iter().copied().max().unwrap_or(0);
        if height > MAX_EXPR_HEIGHT {
            return Err(error(self.cur().span, "expression nested too deeply"));
        }
        Ok(Built {
            expr: Expr { kind, span },
            extent: span,
            height,
        })
    }

    fn expr(&mut self, min_prec: u16) -> PResult<Built> {
        self.nesting += 1;
        if self.nesting > MAX_EXPR_NESTING {
            return Err(error(self.cur().span, "expression nested too deeply"));
        }
        let mut left = match *self.kind() {
            Tok::Op(op @ (Op::Not | Op::Minus | Op::Plus)) => {
                let op_span = self.bump();
                let operand = self.expr(UNARY_PRECEDENCE)?;
                let op = match op {
                    Op::Not => UnaryOp::Not,
                    Op::Minus => UnaryOp::Neg,
                    _ => UnaryOp::Pos,
                };
                let span = op_span.cover(operand.extent);
                let h = operand.height;
                let kind = ExprKind::Unary { op, op_span, operand: Box::new(operand.expr) };
                self.node(kind, span, &[h])?
            }
            Tok::Punct(b'(') => {
                let open = self.bump();
                let inner = self.expr(0)?;
                let close = self.expect_closing(b')', open, "`)`")?;
                let grouped = Built { extent: open.cover(close), ..inner };
                self.postfix(grouped)?
            }
            Tok::Punct(b'[') => self.list()?,
            Tok::Punct(b'{') => self.map()?,
            _ => {
                let primary = self.primary()?;
                self.postfix(primary)?
            }
        };
        while let Tok::Op(op) = *self.kind() {
            let Some((infix, prec)) = infix(op) else { break };
            if prec < min_prec {
                break;
            }
            let op_span = self.bump();
            left = match infix {
                Infix::Binary(op) => {
                    // All operators are left-associative.
                    let right = self.expr(prec + 1)?;
                    let span = left.extent.cover(right.extent);
                    let hs = [left.height, right.height];
                    let (left, right) = (Box::new(left.expr), Box::new(right.expr));
                    self.node(ExprKind::Binary { op, op_span, left, right }, span, &hs)?
                }
                Infix::Filter => {
                    let (filter, h) = self.invocation("a filter name")?;
                    let span = left.extent.cover(filter.span);
                    let hs = [left.height, h];
                    let kind = ExprKind::Filter { input: Box::new(left.expr), filter };
                    self.node(kind, span, &hs)?
                }
                Infix::Test { negated } => {
                    if *self.kind() == Tok::Op(Op::Not) {
                        return Err(error(
                            self.cur().span,
                            "expected a test name after `is`, found `not` \
                             (Pebble only recognises `is not` written with a single space)",
                        ));
                    }
                    let (test, h) = self.invocation("a test name")?;
                    let span = left.extent.cover(test.span);
                    let hs = [left.height, h];
                    let kind = ExprKind::Test { subject: Box::new(left.expr), negated, test };
                    self.node(kind, span, &hs)?
                }
            };
        }
        if min_prec == 0 && self.is_punct(b'?') {
            left = self.ternary(left)?;
        }
        self.nesting -= 1;
        Ok(left)
    }

    fn ternary(&mut self, cond: Built) -> PResult<Built> {
        self.bump();
        let then = self.expr(0)?;
        if !self.is_punct(b':') {
            return Err(self.expected("`:` in ternary"));
        }
        self.bump();
        let otherwise = self.expr(0)?;
        let span = cond.extent.cover(otherwise.extent);
        let hs = [cond.height, then.height, otherwise.height];
        let kind = ExprKind::Ternary {
            cond: Box::new(cond.expr),
            then: Box::new(then.expr),
            otherwise: Box::new(otherwise.expr),
        };
        self.node(kind, span, &hs)
    }

    /// Literals, variables, function calls and strings (Pebble's `subparseExpression`).
    fn primary(&mut self) -> PResult<Built> {
        let span = self.cur().span;
        let text = self.text(span);
        match self.kind() {
            Tok::Name => {
                let kind = match text {
                    "true" | "TRUE" => ExprKind::Bool(true),
                    "false" | "FALSE" => ExprKind::Bool(false),
                    "null" | "NULL" | "none" | "NONE" => ExprKind::Null,
                    _ if *self.peek_kind(1) == Tok::Punct(b'(') => {
                        let name = self.ident();
                        let (args, h) = self.args()?;
                        let span = name.span.cover(args.span);
                        return self.node(ExprKind::Call { name, args }, span, &[h]);
                    }
                    _ => ExprKind::Var(text.to_string()),
                };
                self.bump();
                Ok(leaf(kind, span))
            }
            Tok::Long | Tok::Number => {
                self.bump();
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
            Tok::Str { closed } => {
                let quote = text.chars().next().unwrap_or('\'');
                if !closed {
                    let message = format!("unclosed string literal: expected closing `{quote}`");
                    return Err(error(Span::new(span.start as usize, span.start as usize + 1), message));
                }
                self.bump();
                let content = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
                Ok(leaf(ExprKind::Str(unescape(content, quote)), span))
            }
            Tok::StrOpen => self.interpolated(),
            _ => Err(self.expected("an expression")),
        }
    }

    fn interpolated(&mut self) -> PResult<Built> {
        let open = self.bump();
        let mut parts = Vec::new();
        let mut height = 0;
        loop {
            match self.kind() {
                Tok::StrPart => {
                    let span = self.bump();
                    parts.push(StrPart::Lit { value: self.text(span).to_string(), span });
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
                    parts.push(StrPart::Expr(inner.expr));
                }
                Tok::StrClose => {
                    let close = self.bump();
                    return self.node(ExprKind::Interpolated(parts), open.cover(close), &[height]);
                }
                _ => return Err(error(open, "unclosed string literal: expected closing `\"`")),
            }
        }
    }

    /// `.name`, `.name(args)`, `[expr]` after a primary expression.
    fn postfix(&mut self, mut node: Built) -> PResult<Built> {
        loop {
            match *self.kind() {
                Tok::Punct(b'.') => {
                    self.bump();
                    if *self.kind() != Tok::Name {
                        return Err(self.expected("an attribute name"));
                    }
                    let name = self.ident();
                    let object = Box::new(node.expr);
                    node = if self.is_punct(b'(') {
                        let (args, h) = self.args()?;
                        if let Some(named) = args.named.first() {
                            return Err(error(
                                named.name.span,
                                "named arguments are not allowed in method calls",
                            ));
                        }
                        let span = node.extent.cover(args.span);
                        let hs = [node.height, h];
                        self.node(ExprKind::MethodCall { object, name, args }, span, &hs)?
                    } else {
                        let span = node.extent.cover(name.span);
                        self.node(ExprKind::Attr { object, name }, span, &[node.height])?
                    };
                }
                Tok::Punct(b'[') => {
                    let open = self.bump();
                    let index = self.expr(0)?;
                    let close = self.expect_closing(b']', open, "`]`")?;
                    let span = node.extent.cover(close);
                    let hs = [node.height, index.height];
                    let kind = ExprKind::Index { object: Box::new(node.expr), index: Box::new(index.expr) };
                    node = self.node(kind, span, &hs)?;
                }
                Tok::Punct(b'(') => {
                    return Err(error(
                        self.cur().span,
                        "unexpected `(`: only a function name can be called",
                    ));
                }
                _ => return Ok(node),
            }
        }
    }

    /// The current `Name` token as an identifier.
    fn ident(&mut self) -> Ident {
        let span = self.bump();
        Ident { name: self.text(span).to_string(), span }
    }

    /// A name for a new variable or argument (not `true`, `false`, `null`, `none`).
    pub(super) fn new_name(&mut self, what: &str) -> PResult<Ident> {
        if *self.kind() != Tok::Name {
            return Err(self.expected(what));
        }
        let name = self.ident();
        if RESERVED.contains(&name.name.as_str()) {
            return Err(error(name.span, format!("`{}` is reserved and cannot be used as a name", name.name)));
        }
        Ok(name)
    }

    /// A filter or test: `name` or `name(args)`, with the height of its arguments.
    pub(super) fn invocation(&mut self, what: &str) -> PResult<(Invocation, u32)> {
        if *self.kind() != Tok::Name {
            return Err(self.expected(what));
        }
        let name = self.ident();
        let (args, height) = if self.is_punct(b'(') {
            let (args, height) = self.args()?;
            (Some(args), height)
        } else {
            (None, 0)
        };
        let span = args.as_ref().map_or(name.span, |a| name.span.cover(a.span));
        Ok((Invocation { name, args, span }, height))
    }

    /// `(a, b, name=c)` (the current token is `(`), with the height of the tallest argument.
    fn args(&mut self) -> PResult<(Args, u32)> {
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
            if *self.peek_kind(1) == Tok::Punct(b'=') {
                let name = self.new_name("an argument name")?;
                self.bump();
                let value = self.expr(0)?;
                height = height.max(value.height);
                named.push(NamedArg { name, value: value.expr });
            } else {
                let value = self.expr(0)?;
                if !named.is_empty() {
                    return Err(error(value.extent, "positional arguments must come before named arguments"));
                }
                height = height.max(value.height);
                positional.push(value.expr);
            }
        };
        Ok((Args { span: open.cover(close), positional, named }, height))
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
                Some(self.expr(0)?.expr)
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
            items.push(item.expr);
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
            entries.push(MapEntry { key: key.expr, value: value.expr });
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
