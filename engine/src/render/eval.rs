//! Expression evaluation (Pebble's expression nodes plus Kestra's `??`, `???`, `isIn`).

use kflow_syntax::pebble::{
    Args, BinaryOp, Expr, ExprKind, Ident, Invocation, MapEntry, StrPart, UnaryOp,
};

use super::error::{fail, EResult, EvalError};
use super::exec::Renderer;
use super::limits::{MAX_OUTPUT, MAX_VALUE_DEPTH};
use super::ops;
use super::value::{java_hash_map, literal_map_capacity, Val};

impl<'c, 't> Renderer<'c, 't> {
    pub fn eval(&mut self, e: &'t Expr) -> EResult<Val<'c>> {
        self.enter(e.span)?;
        let r = self.eval_inner(e);
        self.leave();
        r
    }

    /// Dispatch only: every case lives in its own function so that the frames on the
    /// recursion path stay small (in debug builds a function's frame holds the temporaries of
    /// all its match arms, and deep expressions recurse through here).
    fn eval_inner(&mut self, e: &'t Expr) -> EResult<Val<'c>> {
        match &e.kind {
            ExprKind::Str(s) => Ok(Val::str(s)),
            ExprKind::Int(i) => Ok(Val::Int(*i)),
            ExprKind::Float(f) => Ok(Val::Float(*f)),
            ExprKind::Bool(b) => Ok(Val::Bool(*b)),
            ExprKind::Null => Ok(Val::Null),
            ExprKind::Var(name) => self.variable(name, e),
            ExprKind::Interpolated(parts) => self.interpolated(parts, e),
            ExprKind::Attr { object, name } => self.attr_expr(object, name),
            ExprKind::Index { object, index } => self.index_expr(object, index),
            ExprKind::MethodCall { object, name, args } => self.method_expr(object, name, args, e),
            ExprKind::Call { name, args } => self.call_function(name, args, e.span),
            ExprKind::Filter { input, filter } => self.filter_expr(input, filter),
            ExprKind::Test {
                subject,
                negated,
                test,
            } => self.test_value(subject, *negated, test),
            ExprKind::Unary { op, operand, .. } => self.unary(*op, operand, e),
            ExprKind::Binary {
                op, left, right, ..
            } => self.binary(*op, left, right, e),
            ExprKind::Ternary {
                cond,
                then,
                otherwise,
            } => self.ternary(cond, then, otherwise),
            ExprKind::List(items) => self.list_literal(items, e),
            ExprKind::Map(entries) => self.map_literal(entries, e),
            ExprKind::Error => fail("invalid expression", e.span),
        }
    }

    #[inline(never)]
    fn attr_expr(&mut self, object: &'t Expr, name: &'t Ident) -> EResult<Val<'c>> {
        let obj = self.eval(object)?;
        self.get_attr(obj, &Val::str(&name.name), object, name.span)
    }

    #[inline(never)]
    fn index_expr(&mut self, object: &'t Expr, index: &'t Expr) -> EResult<Val<'c>> {
        let obj = self.eval(object)?;
        let key = self.eval(index)?;
        self.get_attr(obj, &key, object, index.span)
    }

    #[inline(never)]
    fn method_expr(
        &mut self,
        object: &'t Expr,
        name: &'t Ident,
        args: &'t Args,
        e: &'t Expr,
    ) -> EResult<Val<'c>> {
        let obj = self.eval(object)?;
        let mut values = Vec::with_capacity(args.positional.len());
        for a in &args.positional {
            values.push(self.eval(a)?);
        }
        self.call_method(obj, object, name, values, e.span)
    }

    #[inline(never)]
    fn test_value(
        &mut self,
        subject: &'t Expr,
        negated: bool,
        test: &'t Invocation,
    ) -> EResult<Val<'c>> {
        let r = self.test_expr(subject, test)?;
        Ok(Val::Bool(r != negated))
    }

    #[inline(never)]
    fn unary(&mut self, op: UnaryOp, operand: &'t Expr, e: &'t Expr) -> EResult<Val<'c>> {
        let v = self.eval(operand)?;
        apply_unary(op, &v, e)
    }

    #[inline(never)]
    fn ternary(&mut self, cond: &'t Expr, then: &'t Expr, otherwise: &'t Expr) -> EResult<Val<'c>> {
        let c = self.eval(cond)?;
        if ops::ternary_truth(&c, cond.span)? {
            self.eval(then)
        } else {
            self.eval(otherwise)
        }
    }

    #[inline(never)]
    fn list_literal(&mut self, items: &'t [Expr], e: &'t Expr) -> EResult<Val<'c>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(self.eval(item)?);
        }
        checked_depth(Val::list(out), e)
    }

    #[inline(never)]
    fn map_literal(&mut self, entries: &'t [MapEntry], e: &'t Expr) -> EResult<Val<'c>> {
        let mut pairs = Vec::with_capacity(entries.len());
        for entry in entries {
            let k = self.eval(&entry.key)?;
            let v = self.eval(&entry.value)?;
            pairs.push((k.to_java_string().into(), v));
        }
        let cap = literal_map_capacity(pairs.len());
        checked_depth(Val::map(java_hash_map(pairs, cap)), e)
    }

    fn variable(&mut self, name: &str, e: &Expr) -> EResult<Val<'c>> {
        if let Some(v) = self.scopes.get(name) {
            return Ok(v);
        }
        match name {
            // Pebble's `_context` cannot be read under strict variables (its map refuses the
            // `containsKey` Pebble then calls), so Kestra fails on it.
            "_context" => fail(
                "`_context` cannot be read in Kestra (Pebble runs with strict variables): \
                 pass the variables you need as macro arguments",
                e.span,
            ),
            // A global Pebble defines next to the context.
            "locale" => Ok(Val::str("en_US")),
            _ => Err(EvalError::undefined(name, e.span)),
        }
    }

    /// `"a #{ x } b"`: concatenation, where null parts print nothing.
    fn interpolated(&mut self, parts: &'t [StrPart], e: &Expr) -> EResult<Val<'c>> {
        let mut out = String::new();
        for part in parts {
            match part {
                StrPart::Lit { value, .. } => out.push_str(value),
                StrPart::Expr(x) => {
                    let v = self.eval(x)?;
                    if !v.is_null() {
                        out.push_str(&v.to_java_string());
                    }
                }
            }
            if out.len() > MAX_OUTPUT {
                return fail(super::exec::output_too_large(), e.span);
            }
        }
        Ok(Val::str(out))
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        left: &'t Expr,
        right: &'t Expr,
        e: &'t Expr,
    ) -> EResult<Val<'c>> {
        use BinaryOp::*;
        match op {
            And | Or => self.logic(op == And, left, right),
            NullCoalesce | UndefinedCoalesce => self.coalesce(op == NullCoalesce, left, right),
            _ => {
                let l = self.eval(left)?;
                if op == Contains && l.is_null() {
                    // Pebble does not even evaluate the right side then.
                    return Ok(Val::Bool(false));
                }
                let r = self.eval(right)?;
                let v = apply_binary(op, &l, &r, e)?;
                if let (Concat | Add, Val::Str(s)) = (op, &v) {
                    self.charge_concat(s.len(), e.span)?;
                }
                Ok(v)
            }
        }
    }

    #[inline(never)]
    fn logic(&mut self, and: bool, left: &'t Expr, right: &'t Expr) -> EResult<Val<'c>> {
        let l = self.eval(left)?;
        let lb = ops::logic_truth(&l, left.span)?;
        if and != lb {
            return Ok(Val::Bool(lb));
        }
        let r = self.eval(right)?;
        ops::logic_truth(&r, right.span).map(Val::Bool)
    }

    /// `??` (null or undefined → right) and `???` (undefined → right).
    #[inline(never)]
    fn coalesce(&mut self, null_too: bool, left: &'t Expr, right: &'t Expr) -> EResult<Val<'c>> {
        match self.eval(left) {
            Ok(v) if null_too && v.is_null() => self.eval(right),
            Ok(v) => Ok(v),
            Err(err) if err.is_undefined() => self.eval(right),
            Err(err) => Err(err),
        }
    }
}

#[inline(never)]
fn apply_unary<'c>(op: UnaryOp, v: &Val<'c>, e: &Expr) -> EResult<Val<'c>> {
    match op {
        UnaryOp::Not => ops::not(v, e.span).map(Val::Bool),
        // Pebble computes `-x` as `-1 * x` and `+x` as `1 * x`.
        UnaryOp::Neg => ops::arith(ops::Arith::Mul, &Val::Int(-1), v, e.span),
        UnaryOp::Pos => ops::arith(ops::Arith::Mul, &Val::Int(1), v, e.span),
    }
}

#[inline(never)]
fn apply_binary<'c>(op: BinaryOp, l: &Val<'c>, r: &Val<'c>, e: &Expr) -> EResult<Val<'c>> {
    use BinaryOp::*;
    match op {
        Add => ops::add(l, r, e.span),
        Sub => ops::sub(l, r, e.span),
        Mul => ops::arith(ops::Arith::Mul, l, r, e.span),
        Div => ops::arith(ops::Arith::Div, l, r, e.span),
        Mod => ops::arith(ops::Arith::Mod, l, r, e.span),
        Concat => ops::concat(l, r, e.span),
        Eq | Equals => Ok(Val::Bool(ops::equals(l, r))),
        Ne => Ok(Val::Bool(!ops::equals(l, r))),
        Lt | Gt | Le | Ge => ops::compare(op, l, r, e.span).map(Val::Bool),
        Contains => ops::contains(l, r, e.span).map(Val::Bool),
        IsIn => ops::is_in(l, r, e.span).map(Val::Bool),
        Range => super::functions::range(l, r, &Val::Int(1), e.span),
        And | Or | NullCoalesce | UndefinedCoalesce => unreachable_op(e),
    }
}

fn unreachable_op<'c>(e: &Expr) -> EResult<Val<'c>> {
    fail("internal error: operator dispatched twice", e.span)
}

/// Refuses values nested deeper than `MAX_VALUE_DEPTH` (they could not be printed or even
/// dropped without exhausting the stack).
pub fn checked_depth<'c>(v: Val<'c>, e: &Expr) -> EResult<Val<'c>> {
    if v.nest_depth() as usize > MAX_VALUE_DEPTH {
        return fail(
            format!("value nested too deeply (more than {MAX_VALUE_DEPTH} levels)"),
            e.span,
        );
    }
    Ok(v)
}
