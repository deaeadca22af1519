//! Reports `outputs.X.Y` where task `X`'s type has no output `Y`.
//!
//! ## What it does
//! Checks the attribute read after a task's outputs against the outputs of the task's type in
//! the catalog, and lists the outputs it does have: a Download has `uri`, `code`, `length` and
//! `headers`, not `body`; a Log has none.
//!
//! A warning by default: Kestra saves the flow and fails when the expression is evaluated.
//!
//! ## Why
//! A wrong output name fails the reading task at run time ("Unable to find `body`…").
//!
//! ## Example
//! ```yaml
//! - id: dl
//!   type: io.kestra.plugin.core.http.Download
//!   uri: https://example.com/orders.csv
//! - id: log
//!   type: io.kestra.plugin.core.log.Log
//!   message: "{{ outputs.dl.body }}"
//! ```
//!
//! ## Fix
//! Use an output of the type (`outputs.dl.uri`, and `read(outputs.dl.uri)` for the content).

use kflow_syntax::pebble::Segment;

use crate::context::Context;
use crate::suggest::closest;
use crate::finding::{Applicability, Finding, Severity};
use crate::refs::first_name;
use crate::scope::is_value_loop;

pub const ID: &str = "unknown-output";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for rendered in cx.rendered_expressions() {
        let e = rendered.expr;
        for path in &rendered.paths {
            if path.local || path.root.0 != "outputs" {
                continue;
            }
            let Some((name, _)) = first_name(path) else {
                continue;
            };
            let Some(target) = flow.tasks_named(name).next() else {
                continue;
            };
            let Some(def) = flow
                .task(target)
                .type_
                .as_ref()
                .and_then(|t| cx.catalog.get(&t.name))
            else {
                continue;
            };
            if def.outputs_dynamic {
                continue;
            }
            let loops = flow
                .ancestors(target)
                .filter(|&a| is_value_loop(cx.catalog, flow, a))
                .count();
            // Inside loops, the segments after the task id are loop values (any form, even
            // `.value`), unless the first one already names an output.
            let segments = &path.segments[1..];
            let first_is_output = matches!(segments.first(), Some(Segment::Name(n, _)) if def.outputs.contains_key(*n));
            let skip = if first_is_output { 0 } else { loops };
            let (output, span) = match segments.get(skip) {
                Some(Segment::Name(n, s)) | Some(Segment::Key(n, s)) => (*n, *s),
                _ => continue,
            };
            if def.outputs.contains_key(output) {
                continue;
            }
            let mut message = if def.outputs.is_empty() {
                format!("`{name}` ({}) has no outputs", def.short_name())
            } else {
                let names: Vec<&str> = def.outputs.keys().map(String::as_str).collect();
                format!(
                    "`{name}` ({}) has no output `{output}`; it has {}",
                    def.short_name(),
                    names.join(", ")
                )
            };
            let mut f = Finding::new(ID, e.file_span(span), String::new());
            if let Some(near) = closest(output, def.outputs.keys().map(String::as_str)) {
                message.push_str(&format!(" (did you mean `{near}`?)"));
                f = f.replace(format!("Use `{near}`"), e.file_span(span), near, Applicability::Unsafe);
            }
            f.message = message;
            out.push(f);
        }
    }
}
