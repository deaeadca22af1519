//! Under Kestra 2.0: a flow output typed with an input-only type, which Kestra 2.1 refuses.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports a flow output of type `SELECT`, `EMAIL`,
//! `MULTISELECT` or `FORM`. The fix writes `STRING` for `SELECT` and `EMAIL` and `ARRAY` for
//! `MULTISELECT`, keeping the quotes: Kestra types these outputs exactly as it types `STRING`
//! (the value's text) and `ARRAY` (a list), so the output's value does not change. A `FORM`
//! output is reported without a fix: 2.0 fails the execution when it types it.
//!
//! Kestra 2.0 still saves such a flow; 2.1 refuses to ("The output has an unknown type"), so the
//! migration to 2.0 writes the type both lines accept. `ENUM` outputs, removed in 2.0, are
//! `migrate-inputs`'.
//!
//! Source: Kestra's 2.1.0 migration guide (kestra-io/docs, `migration-guide/v2.1.0`, "Change
//! Flow Outputs That Use an Input-Only Type") and `FlowInputOutput.parseType` at the 2.0 line
//! (`SELECT`, `STRING`, `EMAIL` → the value's text; `ARRAY`, `MULTISELECT` → a list; `FORM` →
//! an error).
//!
//! ## Why
//! The flow stops saving on the next Kestra release.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! inputs:
//!   - id: region
//!     type: SELECT
//!     values: [eu, us]
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: "{{ inputs.region }}"
//! outputs:
//!   - id: region
//!     type: SELECT
//!     value: "{{ inputs.region }}"
//! ```
//!
//! ## Fix
//! The output's `type: STRING` (`kflow migrate --to 2.0` does it).

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::rules::migrate_inputs::retyped;

pub const ID: &str = "migrate-output-type";
pub const SEVERITY: Severity = Severity::Warning;

/// Input-only types with the output type that gives the same value.
const OUTPUT_TYPES: &[(&str, &str)] = &[
    ("SELECT", "STRING"),
    ("EMAIL", "STRING"),
    ("MULTISELECT", "ARRAY"),
];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    let outputs = cx.tree.get_value(flow.root, "outputs");
    for &item in outputs.and_then(|o| cx.tree.items(o)).unwrap_or_default() {
        let Some(t) = cx.tree.get_value(item, "type") else {
            continue;
        };
        let span = cx.tree.span(t);
        let name = cx.tree.str(t).unwrap_or_default();
        if name == "FORM" {
            out.push(Finding::new(
                ID,
                span,
                "`FORM` is an input type: Kestra 2.0 fails the execution typing this output and \
                 2.1 refuses the flow; not migrated automatically: the output type depends on the \
                 value it holds",
            ));
            continue;
        }
        let Some((old, new)) = OUTPUT_TYPES.iter().find(|(old, _)| *old == name) else {
            continue;
        };
        let f = Finding::new(
            ID,
            span,
            format!(
                "`{old}` is an input type: Kestra 2.1 refuses it on a flow output; `{new}` gives \
                 the same value"
            ),
        );
        out.push(retyped(cx, f, span, old, new));
    }
}
