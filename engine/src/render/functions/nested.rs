//! `render()` and `renderOnce()`: rendering values that contain templates, with the
//! variables visible at the call.

use std::collections::HashMap;

use kflow_syntax::Span;

use super::super::args::Bound;
use super::super::error::{fail, EResult, EvalError};
use super::super::exec::Renderer;
use super::super::limits::{MAX_RENDER_DEPTH, MAX_VALUE_DEPTH};
use super::super::value::{Val, ValMap};

impl<'c, 't> Renderer<'c, 't> {
    /// `render(toRender, recursive=true)` / `renderOnce(toRender)`.
    pub(super) fn render_function(
        &mut self,
        n: &str,
        a: &Bound<'c>,
        span: Span,
    ) -> EResult<Val<'c>> {
        let recursive = if n == "renderOnce" {
            false
        } else {
            match a.val("recursive") {
                Val::Null => true,
                Val::Bool(b) => b,
                _ => {
                    return fail(
                        "The 'render' function expects an optional argument 'recursive' with type boolean.",
                        span,
                    )
                }
            }
        };
        if !a.has("toRender") {
            return fail(
                format!("The '{n}' function expects an argument 'toRender'."),
                span,
            );
        }
        let vars = self.scopes.visible();
        self.render_value_nested(&a.val("toRender"), &vars, recursive, span, 0)
    }

    /// `render()`: strings are rendered as templates with the visible variables, maps and
    /// lists element by element (keys too), other values returned as they are.
    fn render_value_nested(
        &mut self,
        v: &Val<'c>,
        vars: &HashMap<String, Val<'c>>,
        recursive: bool,
        span: Span,
        depth: usize,
    ) -> EResult<Val<'c>> {
        if depth > MAX_VALUE_DEPTH {
            return fail("value nested too deeply", span);
        }
        match v {
            Val::Str(s) => {
                let out = self.render_string_nested(s, vars, recursive, span)?;
                Ok(Val::str(super::super::unwrap_raw(&out)))
            }
            _ if v.as_list().is_some() => {
                let items = v.as_list().map(|l| l.to_vec()).unwrap_or_default();
                let mut out = Vec::with_capacity(items.len());
                for item in &items {
                    out.push(self.render_value_nested(item, vars, recursive, span, depth + 1)?);
                }
                Ok(Val::list(out))
            }
            _ if v.as_true_map().is_some() => {
                let entries: Vec<(String, Val<'c>)> = v
                    .as_true_map()
                    .map(|m| m.iter().map(|(k, x)| (k.into_owned(), x)).collect())
                    .unwrap_or_default();
                let mut out = ValMap::new();
                for (k, x) in entries {
                    let key = self.render_string_nested(&k, vars, false, span)?;
                    let key = super::super::unwrap_raw(&key);
                    if out.get(&key).is_none() {
                        let rendered =
                            self.render_value_nested(&x, vars, recursive, span, depth + 1)?;
                        out.insert(key, rendered);
                    }
                }
                Ok(Val::map(out))
            }
            other => Ok(other.clone()),
        }
    }

    /// Renders `text` with `vars`; when `recursive`, again until the output stops changing
    /// (at most `MAX_RENDER_DEPTH` passes, like Kestra).
    fn render_string_nested(
        &mut self,
        text: &str,
        vars: &HashMap<String, Val<'c>>,
        recursive: bool,
        span: Span,
    ) -> EResult<String> {
        let mut current = text.to_string();
        let mut passes = 0;
        loop {
            if !current.contains('{') {
                return Ok(current);
            }
            let next = self.render_once_nested(&current, vars, span)?;
            if !recursive || next == current {
                return Ok(next);
            }
            passes += 1;
            if passes > MAX_RENDER_DEPTH {
                return fail("Too many rendering attempts", span);
            }
            current = next;
        }
    }

    fn render_once_nested(
        &mut self,
        text: &str,
        vars: &HashMap<String, Val<'c>>,
        span: Span,
    ) -> EResult<String> {
        let depth = self.sh.render_depth.get();
        if depth >= MAX_RENDER_DEPTH {
            return fail("Too many rendering attempts", span);
        }
        self.sh.render_depth.set(depth + 1);
        let result = super::super::render_nested(self.sh, text, vars.clone());
        self.sh.render_depth.set(depth);
        result.map_err(|e| EvalError::other(e, span))
    }
}
