//! Functions (`name(args)`): Pebble's `range`, `max`, `min`, `block`, Kestra's functions, and
//! macro calls. Functions that need the outside world go through the [`Host`](super::Host).

mod context;
mod host;
mod misc;
mod nested;

use kflow_syntax::pebble::builtins;
use kflow_syntax::pebble::{Args, BinaryOp, CallKind, ExprKind, Ident, Macro};
use kflow_syntax::Span;

use super::args::Bound;
use super::error::{fail, EResult};
use super::exec::Renderer;
use super::limits::{MAX_MACRO_DEPTH, MAX_RANGE, MAX_VALUE_DEPTH};
use super::value::Val;
use super::{dates, ops, Line};

/// Declared argument names of a function (empty: variadic), `None` when the Kestra `line` has
/// no such function (`block` and `parent` are Pebble's template functions, handled
/// apart).
fn function_args(name: &str, line: Line) -> Option<&'static [&'static str]> {
    builtins::get(CallKind::Function, name)
        .filter(|b| b.in_line(line) && !b.enterprise && !matches!(name, "block" | "parent"))
        .map(|b| b.arg_names())
}

fn not_local<'c>(name: &str, span: Span) -> EResult<Val<'c>> {
    fail(
        format!("The '{name}' function is not supported when rendering locally with kflow."),
        span,
    )
}

impl<'c, 't> Renderer<'c, 't> {
    /// `name(args)`: a function, else a macro of the template.
    pub fn call_function(
        &mut self,
        name: &'t Ident,
        args: &'t Args,
        span: Span,
    ) -> EResult<Val<'c>> {
        let n = name.name.as_str();
        if let Some(names) = function_args(n, self.sh.line) {
            return self.builtin_function(n, names, args, span);
        }
        match n {
            "block" => self.block_function(args, span),
            "parent" => fail(
                "parent() can only be used in a block of a template that extends another one, \
                 which Kestra does not support",
                span,
            ),
            _ => match self.macro_named(n) {
                Some(m) => self.call_macro(m, args, span),
                None => fail(
                    format!("Function or Macro [{n}] does not exist."),
                    name.span,
                ),
            },
        }
    }

    #[inline(never)]
    fn builtin_function(
        &mut self,
        n: &str,
        names: &[&str],
        args: &'t Args,
        span: Span,
    ) -> EResult<Val<'c>> {
        // `fromIon(read(…))`: the one place 2.0's `read()` of an ION file means what 1.x's did.
        let direct_read = n == "fromIon"
            && args
                .positional
                .first()
                .or_else(|| {
                    args.named
                        .iter()
                        .find(|a| a.name.name == "ion")
                        .map(|a| &a.value)
                })
                .is_some_and(
                    |e| matches!(&e.kind, ExprKind::Call { name, .. } if name.name == "read"),
                );
        let outer = std::mem::replace(&mut self.read_for_from_ion, direct_read);
        let bound = self.bind(names, Some(args));
        self.read_for_from_ion = outer;
        let bound = bound?;
        let v = self.run_function(n, &bound, span)?;
        if v.nest_depth() as usize > MAX_VALUE_DEPTH {
            return fail("value nested too deeply", span);
        }
        Ok(v)
    }

    #[inline(never)]
    fn block_function(&mut self, args: &'t Args, span: Span) -> EResult<Val<'c>> {
        let bound = self.bind(&["name"], Some(args))?;
        let block = bound.val("name").to_java_string();
        self.render_block(&block, span)
    }

    #[inline(never)]
    fn call_macro(&mut self, m: &'t Macro, args: &'t Args, span: Span) -> EResult<Val<'c>> {
        let names: Vec<&str> = m.params.iter().map(|p| p.name.name.as_str()).collect();
        let bound = self.bind(&names, Some(args))?;
        if self.macro_depth >= MAX_MACRO_DEPTH {
            return fail(
                format!("macro calls nested too deeply (more than {MAX_MACRO_DEPTH})"),
                span,
            );
        }
        self.step(span)?;
        self.macro_depth += 1;
        // A local scope hides the caller's variables; defaults are evaluated inside it.
        self.scopes.push(true);
        let result = (|| {
            for p in &m.params {
                let v = match &p.default {
                    Some(e) => self.eval(e)?,
                    None => Val::Null,
                };
                self.scopes.put(&p.name.name, v);
            }
            self.scopes.push(false);
            for p in &m.params {
                if let Some(v) = bound.get(&p.name.name) {
                    self.scopes.put(&p.name.name, v.clone());
                }
            }
            let mut out = String::new();
            let r = self.render_nodes(&m.body, &mut out);
            self.scopes.pop();
            r.map(|_| Val::str(out))
        })();
        self.scopes.pop();
        self.macro_depth -= 1;
        result
    }

    #[inline(never)]
    fn run_function(&mut self, n: &str, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
        match n {
            "range" => range(&a.val("start"), &a.val("end"), &a.val("increment"), span),
            "max" | "min" => max_min(n == "max", a, span),
            "now" => dates::now(self.sh.host.now(), a, span),
            "fromJson" | "json" => misc::from_json(n, a, span),
            "fromIon" => misc::from_ion(a, span),
            "yaml" => misc::yaml(a, span),
            "secret" => self.secret(a, span),
            "kv" => self.kv(a, span),
            "errorLogs" => self.error_logs(span),
            "read" | "fileSize" | "fileExists" | "isFileEmpty" | "fileURI" => {
                self.file_function(n, a, span)
            }
            "render" | "renderOnce" => self.render_function(n, a, span),
            "currentEachOutput" => self.current_each_output(a, span),
            "loopOutputs" => misc::loop_outputs(a, span),
            "tasksWithState" => self.tasks_with_state(a, span),
            "printContext" | "fetchContext" => Ok(self.print_context()),
            "uuid" | "id" | "ksuid" | "nanoId" | "randomInt" | "randomPort" => {
                misc::generated(n, a, self.sh.host.now(), span)
            }
            _ => not_local(n, span),
        }
    }
}

/// `max(a, b, …)` / `min(a, b, …)`: numeric comparisons, as Pebble's `OperatorUtils`.
fn max_min<'c>(max: bool, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let op = if max { BinaryOp::Gt } else { BinaryOp::Lt };
    let mut best: Option<Val<'c>> = None;
    for candidate in a.varargs() {
        best = Some(match best {
            None => candidate,
            Some(cur) if ops::compare(op, &candidate, &cur, span)? => candidate,
            Some(cur) => cur,
        });
    }
    Ok(best.unwrap_or(Val::Null))
}

/// Pebble's `range(start, end, increment)` (inclusive), bounded like Kestra's
/// `BoundedRangeFunction`.
pub fn range<'c>(start: &Val<'c>, end: &Val<'c>, inc: &Val<'c>, span: Span) -> EResult<Val<'c>> {
    let step = match inc {
        Val::Null => 1,
        v => match v.as_i64() {
            Some(i) => i,
            None => {
                return fail(
                    format!(
                        "The increment of the range function must be a number {}",
                        v.to_java_string()
                    ),
                    span,
                )
            }
        },
    };
    if step == 0 {
        return fail(
            "The increment of the range function must be different than 0",
            span,
        );
    }
    let shape_error = || {
        fail(
            "Arguments of range function must be of type Number or String with a length of 1",
            span,
        )
    };
    let (a, b, chars) = match (start, end) {
        (x, y) if x.is_number() && y.is_number() => {
            (x.as_i64().unwrap_or(0), y.as_i64().unwrap_or(0), false)
        }
        (Val::Str(x), Val::Str(y)) => {
            let (mut xs, mut ys) = (x.chars(), y.chars());
            match (xs.next(), xs.next(), ys.next(), ys.next()) {
                (Some(p), None, Some(q), None) if p.len_utf16() == 1 && q.len_utf16() == 1 => {
                    (p as i64, q as i64, true)
                }
                _ => return shape_error(),
            }
        }
        _ => return shape_error(),
    };
    let size = if (step > 0 && a > b) || (step < 0 && a < b) {
        0
    } else {
        (b as i128 - a as i128).unsigned_abs() / step.unsigned_abs() as u128 + 1
    };
    if size > MAX_RANGE as u128 {
        return fail(
            format!(
                "The range function cannot produce more than {MAX_RANGE} elements, but this call would produce {size}."
            ),
            span,
        );
    }
    let mut out = Vec::with_capacity(size as usize);
    let mut i = a;
    for _ in 0..size {
        out.push(if chars {
            char::from_u32(i as u32).map_or(Val::Null, |c| Val::str(c.to_string()))
        } else {
            Val::Int(i)
        });
        i = i.wrapping_add(step);
    }
    Ok(Val::list(out))
}
