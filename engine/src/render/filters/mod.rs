//! Filters: Pebble's core filters that Kestra keeps, and Kestra's own. Each filter declares
//! its argument names (Pebble binds positional arguments to them); arguments are evaluated
//! before the input, as in Pebble.

mod collections;
mod data;
mod encode;
mod strings;

use kflow_syntax::pebble::builtins;
use kflow_syntax::pebble::{CallKind, Expr, Invocation};
use kflow_syntax::Span;

use super::args::Bound;
use super::error::{fail, EResult, EvalError};
use super::exec::Renderer;
use super::limits::MAX_VALUE_DEPTH;
use super::value::Val;
use super::Line;

/// Declared argument names of a filter (empty: variadic), `None` for a filter the Kestra
/// `line` does not have.
fn filter_args(name: &str, line: Line) -> Option<&'static [&'static str]> {
    builtins::get(CallKind::Filter, name)
        .filter(|b| b.in_line(line) && !b.enterprise)
        .map(|b| b.arg_names())
}

impl<'c, 't> Renderer<'c, 't> {
    /// `input | name(args)`.
    pub fn filter_expr(&mut self, input: &'t Expr, inv: &'t Invocation) -> EResult<Val<'c>> {
        let name = inv.name.name.as_str();
        let Some(names) = filter_args(name, self.sh.line) else {
            return fail(format!("Filter [{name}] does not exist."), inv.name.span);
        };
        let args = self.bind(names, inv.args.as_ref())?;
        let value = if name == "default" {
            // The only filter that swallows missing variables and attributes.
            match self.eval(input) {
                Err(e) if e.is_undefined() => Val::Null,
                other => other?,
            }
        } else {
            self.eval(input)?
        };
        self.run_filter(name, value, &args, inv.span)
    }

    /// Applies a filter of a `{% filter %}` tag to a value.
    pub fn apply_filter(&mut self, value: Val<'c>, inv: &'t Invocation) -> EResult<Val<'c>> {
        let name = inv.name.name.as_str();
        let Some(names) = filter_args(name, self.sh.line) else {
            return fail(format!("Filter [{name}] does not exist."), inv.name.span);
        };
        let args = self.bind(names, inv.args.as_ref())?;
        self.run_filter(name, value, &args, inv.span)
    }

    fn run_filter(
        &mut self,
        name: &str,
        v: Val<'c>,
        args: &Bound<'c>,
        span: Span,
    ) -> EResult<Val<'c>> {
        let result = match name {
            "date" | "dateAdd" | "timestamp" | "timestampMilli" | "timestampMicro"
            | "timestampNano" => super::dates::filter(name, &v, args, span),
            "jq" => data::jq(&v, args, span),
            "abs"
            | "abbreviate"
            | "capitalize"
            | "title"
            | "trim"
            | "lower"
            | "upper"
            | "nl2br"
            | "default"
            | "length"
            | "slugify"
            | "substringBefore"
            | "substringBeforeLast"
            | "substringAfter"
            | "substringAfterLast"
            | "indent"
            | "nindent"
            | "startsWith"
            | "endsWith"
            | "escapeChar"
            | "replace"
            | "split"
            | "numberFormat" => strings::apply(name, v, args, span),
            "base64encode" | "base64decode" | "urlencode" | "urldecode" | "sha256" | "sha1"
            | "sha512" | "md5" => encode::apply(name, &v, span),
            "toJson" | "json" | "yaml" | "toIon" | "number" | "string" | "className" => {
                data::apply(name, &v, args, span)
            }
            // Kestra 2.0's regex filters: not written yet, so said rather than guessed.
            "regexMatch" | "regexReplace" | "regexExtract" => fail(
                format!("The '{name}' filter is not supported when rendering locally with kflow."),
                span,
            ),
            _ => collections::apply(name, v, args, span),
        }?;
        if result.nest_depth() as usize > MAX_VALUE_DEPTH {
            return fail("value nested too deeply", span);
        }
        Ok(result)
    }
}

/// Java `(String) x` for a filter input or argument.
pub fn cast_str<'a>(v: &'a Val, span: Span) -> EResult<&'a str> {
    match v {
        Val::Str(s) => Ok(s),
        other => Err(cast_error(other, "java.lang.String", span)),
    }
}

/// Java `(Long) x` for an argument (Pebble integer literals are Longs).
pub fn cast_long(v: &Val, filter: &str, arg: &str, span: Span) -> EResult<i64> {
    match v {
        Val::Int(i) => Ok(*i),
        Val::Null => fail(
            format!("The '{filter}' filter expects an argument '{arg}'."),
            span,
        ),
        other => Err(cast_error(other, "java.lang.Long", span)),
    }
}

pub fn cast_error(v: &Val, target: &str, span: Span) -> EvalError {
    EvalError::other(
        format!("class {} cannot be cast to class {target}", v.java_class()),
        span,
    )
}
