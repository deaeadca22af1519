//! Tests (`x is defined`, `x is not empty`…): Pebble's core tests plus Kestra's `json`.

use kflow_syntax::pebble::builtins;
use kflow_syntax::pebble::{CallKind, Expr, Invocation};

use super::error::{fail, EResult};
use super::exec::Renderer;
use super::json_read::parse_json;
use super::value::Val;

/// Java `String.trim()` whitespace.
pub fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Pebble's `empty` test (also what `default` replaces): null, blank string, empty list or map.
pub fn is_empty(v: &Val) -> bool {
    match v {
        Val::Null => true,
        Val::Str(s) => java_trim(s).is_empty(),
        Val::Entry(_) => false,
        _ => {
            v.as_list().is_some_and(|l| l.is_empty())
                || v.as_true_map().is_some_and(|m| m.is_empty())
        }
    }
}

impl<'c, 't> Renderer<'c, 't> {
    pub fn test_expr(&mut self, subject: &'t Expr, test: &'t Invocation) -> EResult<bool> {
        let name = test.name.name.as_str();
        if !builtins::get(CallKind::Test, name).is_some_and(|b| b.in_line(self.sh.line)) {
            return fail(format!("Test [{name}] does not exist."), test.name.span);
        }
        self.bind(&[], test.args.as_ref())?;
        let v = if name == "defined" {
            // Pebble's `defined` swallows missing variables and attributes.
            match self.eval(subject) {
                Err(e) if e.is_undefined() => Val::Null,
                other => other?,
            }
        } else {
            self.eval(subject)?
        };
        let span = subject.span;
        Ok(match name {
            "defined" => !v.is_null(),
            "null" => v.is_null(),
            "empty" => is_empty(&v),
            "even" | "odd" => {
                let n = match &v {
                    Val::Null => {
                        return fail(format!("Can not pass null value to \"{name}\" test."), span)
                    }
                    Val::Int(i) => *i,
                    other => {
                        return fail(
                            format!(
                                "class {} cannot be cast to class java.lang.Long",
                                other.java_class()
                            ),
                            span,
                        )
                    }
                };
                (n % 2 == 0) == (name == "even")
            }
            "iterable" => v.as_list().is_some(),
            "map" => v.as_true_map().is_some(),
            _ => match &v {
                Val::Str(s) => parse_json(s).is_ok(),
                Val::Null => return fail("argument \"content\" is null", span),
                other => {
                    return fail(
                        format!(
                            "class {} cannot be cast to class java.lang.String",
                            other.java_class()
                        ),
                        span,
                    )
                }
            },
        })
    }
}
