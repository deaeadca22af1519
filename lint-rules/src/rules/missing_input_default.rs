//! Reports a scheduled flow with an input that nothing fills.
//!
//! ## What it does
//! A flow with a Schedule trigger runs without anyone to type inputs. Under Kestra 1.3, every
//! required input needs `defaults` or a value in the trigger's `inputs`. Kestra 2.0 goes
//! further: every input without `defaults`, required or not, must be in each Schedule trigger's
//! `inputs`.
//!
//! ## Why
//! Kestra 2.0 rejects the flow when it is saved ("Missing inputs for Schedule Trigger …"); under
//! 1.3 the flow is saved, and every scheduled execution fails on the missing input.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   - id: user
//!     type: STRING
//! triggers:
//!   - id: hourly
//!     type: io.kestra.plugin.core.trigger.Schedule
//!     cron: "0 * * * *"
//! ```
//!
//! ## Fix
//! Give the input `defaults`, or set it in the trigger's `inputs` (under 1.3, `required: false`
//! also does).

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::version::Version;

pub const ID: &str = "missing-input-default";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    // Kestra 2.0's FlowValidator: an input without `defaults` must come from each schedule.
    let strict = cx.config.kestra_version >= Version { major: 2, minor: 0 };
    for &t in &flow.triggers {
        let trigger = &flow.plugins[t];
        if !trigger
            .type_
            .as_ref()
            .is_some_and(|n| n.name.ends_with(".Schedule"))
        {
            continue;
        }
        let given = tree.get_value(trigger.node, "inputs");
        for input in &flow.inputs {
            let Some(id) = &input.id else { continue };
            let required = tree.get_str(input.node, "required") != Some("false");
            let has_default = tree
                .get_value(input.node, "defaults")
                .is_some_and(|d| !tree.is_null(d));
            let passed = given.is_some_and(|g| tree.get(g, &id.name).is_some());
            if has_default || passed || !(required || strict) {
                continue;
            }
            let message = if strict {
                format!(
                    "input `{}` has no default and the Schedule trigger does not set it: Kestra 2.0 rejects the flow",
                    id.name
                )
            } else {
                format!(
                    "input `{}` is required and has no default, but the flow runs on a schedule: scheduled executions fail",
                    id.name
                )
            };
            out.push(
                Finding::new(ID, id.span, message)
                    .related(cx.object_span(trigger.node), "scheduled here"),
            );
        }
    }
}
