//! Reports a Pebble filter, function or test that Kestra does not provide.
//!
//! ## What it does
//! Checks the names in `x | name`, `name(…)` and `x is name` against Pebble's and Kestra's
//! built-ins of the targeted Kestra line (`jq`, `toJson`, `date`, `default`, `read`, `secret`,
//! `now`, `render`…) and the template's own macros, and suggests the closest name. Filters
//! Kestra removed (`escape`, `raw`, `numberformat`) and Jinja names that Pebble spells
//! differently are reported too. Under `kestra-version = "2.0"`, what 2.0 removed (`json`,
//! `currentEachOutput`) names its replacement; under 1.3, what only 2.0 has (`regexMatch`,
//! `loopOutputs`, `env`…) says so.
//!
//! A warning by default: Kestra saves the flow and fails when the expression is rendered.
//!
//! ## Why
//! A misspelt filter fails the task at run time ("Filter [jsonn] does not exist").
//!
//! ## Example
//! ```yaml
//! message: "{{ outputs.api.body | jsonn }}"
//! ```
//!
//! ## Fix
//! Use the suggested name (`toJson`, `fromJson`…).

use kflow_syntax::pebble::builtins::{self, Builtin};
use kflow_syntax::pebble::{self, CallKind};
use kflow_syntax::Span;

use crate::context::Context;
use crate::suggest::closest;
use crate::finding::{Applicability, Finding, Severity};
use crate::version::Version;

pub const ID: &str = "unknown-function";
pub const SEVERITY: Severity = Severity::Warning;

/// Names people bring from Jinja or older Pebble, with what to write instead.
const RENAMED: &[(&str, &str)] = &[
    ("numberformat", "numberFormat"),
    ("tojson", "toJson"),
    ("to_json", "toJson"),
    ("from_json", "fromJson"),
    ("fromjson", "fromJson"),
    ("count", "length"),
    ("int", "number('INT')"),
    ("float", "number('FLOAT')"),
    ("elif", "elseif"),
];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let target = cx.config.kestra_version;
    let line = (target.major, target.minor);
    for rendered in cx.rendered_expressions() {
        let e = rendered.expr;
        for call in pebble::template_calls(&e.template) {
            let kind = match call.kind {
                CallKind::Function if call.is_macro => continue,
                CallKind::Method => continue,
                k => k,
            };
            let known = builtins::get(kind, call.name);
            if known.is_some_and(|b| b.in_line(line)) {
                continue;
            }
            let what = match kind {
                CallKind::Filter => "filter",
                CallKind::Test => "test",
                _ => "function",
            };
            let span = e.file_span(call.name_span);
            if let Some(b) = known {
                out.push(other_line(b, what, target, span));
                continue;
            }
            let mut f = Finding::new(ID, span, format!("Kestra has no {what} `{}`", call.name));
            let suggestion = RENAMED
                .iter()
                .find(|(from, _)| *from == call.name)
                .map(|(_, to)| *to)
                .or_else(|| {
                    let names = builtins::all(kind).filter(|b| b.in_line(line)).map(|b| b.name);
                    closest(call.name, names)
                });
            if let Some(s) = suggestion {
                f.message.push_str(&format!("; did you mean `{s}`?"));
                if !s.contains('(') {
                    f = f.replace(format!("Use `{s}`"), span, s, Applicability::Unsafe);
                }
            }
            out.push(f);
        }
    }
}

/// A name Kestra has, but not in the targeted line: removed (with its replacement) or newer.
fn other_line(b: &Builtin, what: &str, target: Version, span: Span) -> Finding {
    let line = (target.major, target.minor);
    if let Some(((major, minor), instead)) = b.removed_in.filter(|(r, _)| *r <= line) {
        let msg = format!(
            "the {what} `{}` was removed in Kestra {major}.{minor}; use `{instead}`",
            b.name
        );
        // The same parameters: a rename keeps the meaning; otherwise the call needs rework.
        let same_call = builtins::get(b.kind, instead).is_some_and(|r| r.params == b.params);
        let applicability = if same_call {
            Applicability::Safe
        } else {
            Applicability::DisplayOnly
        };
        return Finding::new(ID, span, msg).replace(
            format!("Use `{instead}`"),
            span,
            instead,
            applicability,
        );
    }
    let (major, minor) = b.since.unwrap_or_default();
    let msg = format!(
        "the {what} `{}` needs Kestra {major}.{minor} (kestra-version is {target})",
        b.name
    );
    Finding::new(ID, span, msg)
}
