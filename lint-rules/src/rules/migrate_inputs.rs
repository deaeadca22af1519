//! Under Kestra 2.0: inputs are named by `id`, and the `BOOLEAN` and `ENUM` types are `BOOL` and
//! `SELECT`.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports an input named with the old `name:` key and an input
//! or flow output of type `BOOLEAN` or `ENUM`. The fix renames `name:` to `id:` (an input with
//! both is reported without a fix) and writes the type's 2.0 name, keeping its quotes: `BOOL`,
//! and `SELECT` for an input; for an output `STRING`, which types the value as `ENUM` did (its
//! text) and, unlike `SELECT`, stays an output type in Kestra 2.1 (`migrate-output-type`).
//!
//! Source: Kestra's migration guides (kestra-io/docs: 0.15 "Inputs name" → `id`; the catalog's
//! deprecated input types `BOOLEAN` → `BOOL`, `ENUM` → `SELECT`; 2.1.0 "Change Flow Outputs That
//! Use an Input-Only Type"), the 2.0 guide's list of the deprecated forms it removes, and
//! `FlowInputOutput.parseType` at the 1.3 line (`ENUM` and `STRING` → the value's text).
//!
//! ## Why
//! Kestra 2.0 rejects the old forms.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! inputs:
//!   - name: verbose
//!     type: BOOLEAN
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: "{{ inputs.verbose }}"
//! ```
//!
//! ## Fix
//! `- id: verbose` and `type: BOOL` (`kflow migrate --to 2.0` does it).

use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};

pub const ID: &str = "migrate-inputs";
pub const SEVERITY: Severity = Severity::Error;

/// Input types 2.0 renamed, with their 2.0 names.
const RENAMED_TYPES: &[(&str, &str)] = &[("BOOLEAN", "BOOL"), ("ENUM", "SELECT")];

/// Output types 2.0 removed, with the output type that gives the same value.
const REMOVED_OUTPUT_TYPES: &[(&str, &str)] = &[("BOOLEAN", "BOOL"), ("ENUM", "STRING")];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for input in &flow.inputs {
        if let Some(span) = cx.key_span(input.node, "name") {
            let f = Finding::new(
                ID,
                span,
                "an input's `name` was removed in Kestra 2.0; use `id`",
            );
            out.push(if cx.tree.get(input.node, "id").is_some() {
                let mut f = f;
                f.message
                    .push_str("; it also has an `id`: keep the one expressions read");
                f
            } else if cx.text(span) == "name" {
                f.replace("Rename to `id`", span, "id", Applicability::Safe)
            } else {
                f
            });
        }
        if let Some(type_) = &input.type_ {
            renamed_type(cx, type_.span, &type_.name, "input", RENAMED_TYPES, out);
        }
    }
    let outputs = cx.tree.get_value(flow.root, "outputs");
    for &item in outputs.and_then(|o| cx.tree.items(o)).unwrap_or_default() {
        if let Some(t) = cx.tree.get_value(item, "type") {
            let name = cx.tree.str(t).unwrap_or_default();
            renamed_type(cx, cx.tree.span(t), name, "output", REMOVED_OUTPUT_TYPES, out);
        }
    }
}

/// A type `table` renames, reported with its fix (`what`: "input" or "output").
fn renamed_type(
    cx: &Context,
    span: Span,
    name: &str,
    what: &str,
    table: &[(&str, &str)],
    out: &mut Vec<Finding>,
) {
    let Some((old, new)) = table.iter().find(|(old, _)| *old == name) else {
        return;
    };
    let f = Finding::new(
        ID,
        span,
        format!("the {what} type `{old}` was removed in Kestra 2.0; use `{new}`"),
    );
    out.push(retyped(cx, f, span, old, new));
}

/// `f` with the fix writing `new` over the type value `old` at `span`, keeping its quotes.
pub fn retyped(cx: &Context, f: Finding, span: Span, old: &str, new: &str) -> Finding {
    match cx.exact_value_span(span, old) {
        Some(at) => f.replace(format!("Use `{new}`"), at, new, Applicability::Safe),
        None => f,
    }
}
