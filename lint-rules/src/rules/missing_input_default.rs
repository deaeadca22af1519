//! Reports a scheduled flow with a required input that has no default.
//!
//! ## What it does
//! A flow with a Schedule trigger runs without anyone to type inputs: every required input needs
//! `defaults` (or the trigger must pass it in its `inputs`).
//!
//! ## Why
//! Kestra rejects the flow: scheduled executions could never be created.
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
//! Give the input `defaults`, mark it `required: false`, or set it in the trigger's `inputs`.

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "missing-input-default";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
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
            if required && !has_default && !passed {
                out.push(
                    Finding::new(
                        ID,
                        id.span,
                        format!("input `{}` is required and has no default, but the flow runs on a schedule", id.name),
                    )
                    .related(cx.object_span(trigger.node), "scheduled here"),
                );
            }
        }
    }
}
