//! Reports Pebble expressions that cannot be parsed, and `jq(…)` programs that do not compile.
//!
//! ## What it does
//! Parses every `{{ }}`, `{% %}` and `{# #}` in string values with Kestra's Pebble grammar
//! (`??`, `???`, `elseif`, ternaries, filters, tests…) and points at the offending token inside
//! the string. The program given to the `jq` filter is compiled with jaq. Also flags an unquoted
//! value that starts with `{{`, which YAML reads as a mapping instead of a string.
//!
//! ## Why
//! Kestra only parses expressions when the task runs: a missing `}}` or `endif` fails the
//! execution, at the task that holds it.
//!
//! ## Example
//! ```yaml
//! message: "{{ outputs.api.body | jq('.items[0') }}"
//! condition: "{% if inputs.x %}yes{% elif inputs.y %}no{% endif %}"
//! ```
//!
//! ## Fix
//! Correct the expression at the reported position (`jq('.items[0]')`, `elseif`), and quote
//! values that start with `{{`.

use kflow_syntax::pebble::{self, CallKind, ExprKind};
use kflow_syntax::yaml::Value;
use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "expression-syntax";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for e in cx.doc.expressions.iter().filter(|e| !cx.is_documentation(e)) {
        for err in &e.template.errors {
            out.push(Finding::new(ID, e.file_span(err.span), err.message.clone()));
        }
        for call in pebble::template_calls(&e.template) {
            if call.kind != CallKind::Filter || call.name != "jq" {
                continue;
            }
            let Some(arg) = call.args.and_then(|a| a.positional.first()) else {
                continue;
            };
            let ExprKind::Str(program) = &arg.kind else {
                continue;
            };
            // The program starts after the opening quote of the literal.
            let base = arg.span.start as usize + 1;
            for err in kflow_syntax::jq::check(program) {
                let span = Span::new(
                    base + err.span.start as usize,
                    base + err.span.end.max(err.span.start + 1) as usize,
                );
                let span = Span::new(
                    span.start as usize,
                    (span.end as usize)
                        .min(arg.span.end as usize)
                        .max(span.start as usize),
                );
                out.push(Finding::new(ID, e.file_span(span), err.message));
            }
        }
    }
    // `message: {{ x }}` is a YAML flow mapping whose key is another mapping.
    for node in &cx.tree.nodes {
        if let Value::Map(entries) = &node.value {
            let starts_with_braces = cx.doc.text.as_bytes()[node.span.range()].starts_with(b"{{");
            if node.flow_style && starts_with_braces && entries.len() == 1 {
                out.push(Finding::new(
                    ID,
                    cx.first_line(node.span),
                    "YAML reads an unquoted `{{ … }}` as a mapping: quote the expression (\"{{ … }}\")",
                ));
            }
        }
    }
}
