//! Reports a Pebble filter, function or test that Kestra does not provide.
//!
//! ## What it does
//! Checks the names in `x | name`, `name(…)` and `x is name` against Pebble's and Kestra's
//! built-ins (`jq`, `toJson`, `date`, `default`, `read`, `secret`, `now`, `render`…) and the
//! template's own macros, and suggests the closest name. Filters Kestra removed (`escape`, `raw`,
//! `numberformat`) and Jinja names that Pebble spells differently are reported too.
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

use kflow_syntax::pebble::{self, CallKind};

use crate::context::{closest, Context};
use crate::finding::{Finding, Severity};

pub const ID: &str = "unknown-function";
pub const SEVERITY: Severity = Severity::Warning;

pub const FILTERS: &[&str] = &[
    // Pebble core
    "abbreviate",
    "abs",
    "base64decode",
    "base64encode",
    "capitalize",
    "default",
    "first",
    "join",
    "last",
    "length",
    "lower",
    "merge",
    "nl2br",
    "numberFormat",
    "replace",
    "reverse",
    "rsort",
    "sha256",
    "slice",
    "sort",
    "split",
    "title",
    "trim",
    "upper",
    "urlencode",
    // Kestra
    "chunk",
    "className",
    "date",
    "dateAdd",
    "timestamp",
    "timestampMilli",
    "timestampMicro",
    "timestampNano",
    "jq",
    "toJson",
    "json",
    "toIon",
    "yaml",
    "distinct",
    "flatten",
    "keys",
    "values",
    "number",
    "string",
    "escapeChar",
    "indent",
    "nindent",
    "md5",
    "sha1",
    "sha512",
    "slugify",
    "startsWith",
    "endsWith",
    "substringBefore",
    "substringBeforeLast",
    "substringAfter",
    "substringAfterLast",
    "urldecode",
];

pub const FUNCTIONS: &[&str] = &[
    // Pebble core
    "range",
    "max",
    "min",
    "i18n",
    "block",
    "parent",
    // Kestra
    "now",
    "fromJson",
    "json",
    "yaml",
    "fromIon",
    "secret",
    "kv",
    "read",
    "fileURI",
    "fileSize",
    "fileExists",
    "isFileEmpty",
    "render",
    "renderOnce",
    "currentEachOutput",
    "errorLogs",
    "tasksWithState",
    "encrypt",
    "decrypt",
    "printContext",
    "fetchContext",
    "uuid",
    "id",
    "ksuid",
    "nanoId",
    "randomInt",
    "randomPort",
    "http",
    "credential",
    "appLink",
];

pub const TESTS: &[&str] = &[
    "defined", "null", "empty", "even", "odd", "iterable", "map", "json",
];

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
    for rendered in cx.rendered_expressions() {
        let e = rendered.expr;
        for call in pebble::template_calls(&e.template) {
            let known: &[&str] = match call.kind {
                CallKind::Filter => FILTERS,
                CallKind::Function if call.is_macro => continue,
                CallKind::Function => FUNCTIONS,
                CallKind::Test => TESTS,
                CallKind::Method => continue,
            };
            if known.contains(&call.name) {
                continue;
            }
            let what = match call.kind {
                CallKind::Filter => "filter",
                CallKind::Test => "test",
                _ => "function",
            };
            let span = e.file_span(call.name_span);
            let mut f = Finding::new(ID, span, format!("Kestra has no {what} `{}`", call.name));
            let suggestion = RENAMED
                .iter()
                .find(|(from, _)| *from == call.name)
                .map(|(_, to)| *to)
                .or_else(|| closest(call.name, known.iter().copied()));
            if let Some(s) = suggestion {
                f.message.push_str(&format!("; did you mean `{s}`?"));
                if !s.contains('(') {
                    f = f.replace(format!("Use `{s}`"), span, s, false);
                }
            }
            out.push(f);
        }
    }
}
