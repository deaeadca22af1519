//! Pebble template evaluation as Kestra does it (Pebble 4.1.1 with strict variables, no
//! newline trimming, no auto-escaping, plus Kestra's operators, filters, functions and its
//! `{% raw %}` pre-pass). Templates are parsed with `kflow_syntax::pebble`.
//!
//! * [`render`]: the string Kestra produces ("stringify" mode: maps and lists print as JSON,
//!   null prints nothing).
//! * [`render_value`]: a template that is a single `{{ expr }}` keeps the expression's value
//!   (list, map, number…); anything else renders to a string.
//! * [`render_json`]: renders every string of a JSON structure (keys in stringify mode,
//!   values typed).
//! * [`is_truthy`]: Kestra's truthiness of a rendered condition (`runIf`, `If`…).
//!
//! Side effects (files, secrets, KV store, clock) go through a [`Host`].

mod args;
mod attr;
pub(crate) mod dates;
mod decimal_format;
mod error;
mod eval;
mod exec;
mod filters;
mod functions;

mod java_regex;
mod jq;
mod json_read;
mod limits;
mod ops;
mod predicates;
mod print;
mod random;
mod scope;
mod text;
mod value;
mod yaml_read;
mod yaml_write;

#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;
use std::time::SystemTime;

use kflow_syntax::pebble::{parse_template, Node, Template};
use kflow_syntax::Span;

pub use kflow_syntax::pebble::builtins::Line;

/// The Kestra line rendered when none is chosen: its filters, functions and tests (see
/// `kflow_syntax::pebble::builtins`). A run renders with its project's line
/// (`RenderContext::line`, from `kestra-version` in `kflow.toml`).
pub const DEFAULT_LINE: Line = (1, 3);
use serde_json::Map;
pub use serde_json::Value;

use error::{line_of, EvalError};
use exec::{Renderer, Shared};
use scope::Scopes;
use value::Val;

/// What the evaluator needs from the engine.
pub trait Host {
    /// Content of a file: `kestra://…` internal storage, `nsfile://namespace/path` or a path
    /// relative to the flow's namespace files (`read()`).
    fn read(&self, path: &str) -> Result<String, String>;
    /// A secret value (`secret()`); the caller masks it in logs.
    fn secret(&self, key: &str) -> Result<String, String>;
    /// A KV store value (`kv()`); with `error_on_missing` false a missing key is `Null`.
    fn kv(
        &self,
        key: &str,
        namespace: Option<&str>,
        error_on_missing: bool,
    ) -> Result<Value, String>;
    /// Size in bytes of a file (`fileSize()`, `isFileEmpty()`).
    fn file_size(&self, path: &str) -> Result<u64, String>;
    /// Whether a file exists (`fileExists()`).
    fn file_exists(&self, path: &str) -> Result<bool, String>;
    /// The current instant (`now()`, `ksuid()`).
    fn now(&self) -> SystemTime;
    /// The execution's ERROR log entries, oldest first (`errorLogs()`), as a JSON array of
    /// Kestra `LogEntry` objects.
    fn error_logs(&self) -> Result<Value, String> {
        Err("The 'errorLogs' function needs the execution's logs".into())
    }
}

/// A host without storage, secrets or KV store (every such call fails); the clock is the
/// system clock. Enough for templates that only use variables.
pub struct NoHost;

impl Host for NoHost {
    fn read(&self, path: &str) -> Result<String, String> {
        Err(format!(
            "Unable to read the file '{path}': no storage available"
        ))
    }
    fn secret(&self, key: &str) -> Result<String, String> {
        Err(format!(
            "Unable to find the secret '{key}': no secrets available"
        ))
    }
    fn kv(&self, key: &str, _: Option<&str>, error_on_missing: bool) -> Result<Value, String> {
        if error_on_missing {
            Err(format!(
                "The key '{key}' does not exist: no KV store available"
            ))
        } else {
            Ok(Value::Null)
        }
    }
    fn file_size(&self, path: &str) -> Result<u64, String> {
        Err(format!(
            "Unable to read the file '{path}': no storage available"
        ))
    }
    fn file_exists(&self, _: &str) -> Result<bool, String> {
        Ok(false)
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

pub struct RenderContext<'a> {
    pub vars: &'a Map<String, Value>,
    pub host: &'a dyn Host,
    /// The Kestra line whose filters, functions and tests exist (2.0 has no `json`, has
    /// `loopOutputs`…).
    pub line: Line,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError {
    /// Worded like Kestra's ("Unable to find `x` used in the expression `…` at line 1").
    pub message: String,
    /// Where in the template (byte offsets), when known.
    pub span: Option<Span>,
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RenderError {}

fn syntax_error(template: &str, tree: &Template) -> Option<RenderError> {
    let e = tree.errors.first()?;
    let line = line_of(template, e.span.start as usize);
    Some(RenderError {
        message: format!("{} ({template}:{line})", e.message),
        span: Some(e.span),
    })
}

fn shared<'c>(cx: &RenderContext<'c>) -> Shared<'c> {
    Shared {
        vars: cx.vars,
        host: cx.host,
        line: cx.line,
        steps: Cell::new(0),
        render_depth: Cell::new(0),
        concat_bytes: Cell::new(0),
    }
}

fn to_render_error(e: EvalError, template: &str) -> RenderError {
    RenderError {
        message: e.full_message(template),
        span: e.span,
    }
}

/// Renders `template` to a string, as Kestra renders task properties.
pub fn render(template: &str, cx: &RenderContext) -> Result<String, RenderError> {
    // Kestra never parses a string without `{`.
    if !template.contains('{') {
        return Ok(template.to_string());
    }
    let tree = parse_template(template);
    if let Some(e) = syntax_error(template, &tree) {
        return Err(e);
    }
    let sh = shared(cx);
    let mut r = Renderer::new(&sh, template, &tree, Scopes::new(cx.vars));
    if let Some(e) = r.setup_error.take() {
        return Err(to_render_error(e, template));
    }
    let mut out = String::new();
    r.render_nodes(&tree.nodes, &mut out)
        .map_err(|e| to_render_error(e, template))?;
    Ok(unwrap_raw(&out))
}

/// Renders `template`, keeping the native value when it is a single `{{ expr }}`.
pub fn render_value(template: &str, cx: &RenderContext) -> Result<Value, RenderError> {
    if !template.contains('{') {
        return Ok(Value::String(template.to_string()));
    }
    let tree = parse_template(template);
    if let Some(e) = syntax_error(template, &tree) {
        return Err(e);
    }
    let sh = shared(cx);
    let mut r = Renderer::new(&sh, template, &tree, Scopes::new(cx.vars));
    if let Some(e) = r.setup_error.take() {
        return Err(to_render_error(e, template));
    }
    // Comments, and text that whitespace control trims away, print nothing.
    let mut significant = tree.nodes.iter().filter(|n| match n {
        Node::Comment(_) => false,
        Node::Text(span) => !r.text(*span).is_empty(),
        _ => true,
    });
    let single = match (significant.next(), significant.next()) {
        (Some(Node::Print(p)), None) => Some(p),
        _ => None,
    };
    let Some(print) = single else {
        return render(template, cx).map(Value::String);
    };
    let v = r
        .eval(&print.expr)
        .map_err(|e| to_render_error(e, template))?;
    Ok(match v {
        // Taken as it is when nothing else holds it: a 100 MB value is not copied here.
        Val::Str(s) if !s.contains("raw") => {
            Value::String(std::rc::Rc::try_unwrap(s).unwrap_or_else(|shared| (*shared).clone()))
        }
        Val::Str(s) => Value::String(unwrap_raw(&s)),
        other => other.to_json(),
    })
}

/// Renders every string inside `value`: map keys as strings, string values typed (see
/// [`render_value`]); other values are kept.
pub fn render_json(value: &Value, cx: &RenderContext) -> Result<Value, RenderError> {
    render_tree(value, cx, 0, &render_value)
}

/// Renders every string inside `value` to text, as Kestra's `VariableRenderer.render(Map)`
/// does for a map property written as a map (`OutputValues.values`): `"{{ 1 + 1 }}"` gives
/// `"2"`, not `2`; numbers, booleans and nulls written as such are kept.
pub fn render_json_text(value: &Value, cx: &RenderContext) -> Result<Value, RenderError> {
    render_tree(value, cx, 0, &|s, cx| render(s, cx).map(Value::String))
}

type Leaf = dyn Fn(&str, &RenderContext) -> Result<Value, RenderError>;

fn render_tree(
    value: &Value,
    cx: &RenderContext,
    depth: usize,
    leaf: &Leaf,
) -> Result<Value, RenderError> {
    if depth > limits::MAX_VALUE_DEPTH {
        return Err(RenderError {
            message: "value nested too deeply to be rendered".into(),
            span: None,
        });
    }
    Ok(match value {
        Value::String(s) => leaf(s, cx)?,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_tree(v, cx, depth + 1, leaf))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = render(k, cx)?;
                // Kestra keeps the first of two keys that render the same.
                if !out.contains_key(&key) {
                    let v = render_tree(v, cx, depth + 1, leaf)?;
                    out.insert(key, v);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// Kestra's truthiness of a rendered condition: false for `""`, `"false"`, `"0"` and `"-0"`
/// (after trimming), true for everything else (`"False"`, `"null"` and `"no"` included).
pub fn is_truthy(rendered: &str) -> bool {
    !matches!(
        rendered.trim_matches(|c: char| c <= ' '),
        "" | "false" | "0" | "-0"
    )
}

/// Renders a template for `render()`: the variables visible at the call, raw blocks kept as
/// written (the caller unwraps them once at the end, as Kestra does). The error is the full
/// message of the inner template.
fn render_nested<'c>(
    sh: &Shared<'c>,
    text: &str,
    vars: HashMap<String, Val<'c>>,
) -> Result<String, String> {
    let tree = parse_template(text);
    if let Some(e) = syntax_error(text, &tree) {
        return Err(e.message);
    }
    let mut r = Renderer::new(sh, text, &tree, Scopes::with_overlay(sh.vars, vars));
    if let Some(e) = r.setup_error.take() {
        return Err(e.full_message(text));
    }
    let mut out = String::new();
    r.render_nodes(&tree.nodes, &mut out)
        .map_err(|e| e.full_message(text))?;
    Ok(out)
}

/// Kestra's post-pass: every single-line `{% raw %}X{% endraw %}` left in the output becomes
/// `X`.
fn unwrap_raw(s: &str) -> String {
    static RAW: OnceLock<regex_bites::Regex> = OnceLock::new();
    if !s.contains("raw") {
        return s.to_string();
    }
    let re = RAW.get_or_init(|| {
        regex_bites::Regex::new(
            r"\{%-*\s*raw\s*-*%\}([^\n\r\x{85}\x{2028}\x{2029}]*?)\{%-*\s*endraw\s*-*%\}",
        )
        .expect("valid raw pattern")
    });
    re.replace_all(s, "${1}").into_owned()
}
