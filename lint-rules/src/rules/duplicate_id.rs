//! Reports an id used twice where Kestra needs it unique.
//!
//! ## What it does
//! Task ids must be unique across the whole flow (nested tasks, `errors`, `finally`,
//! `afterExecution` and listeners included); trigger ids among triggers; input ids among inputs;
//! output ids among flow outputs; Flow-trigger `preconditions` ids among triggers. The finding points at the second use and links the first.
//!
//! ## Why
//! Kestra refuses the flow, and `outputs.ID` could not say which task it means.
//!
//! ## Example
//! ```yaml
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: one
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: two
//! ```
//!
//! ## Fix
//! Rename one of them.

use std::collections::HashMap;

use kflow_syntax::model::{Named, PluginKind};

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "duplicate-id";
pub const SEVERITY: Severity = Severity::Error;

fn report<'n>(what: &str, ids: impl Iterator<Item = &'n Named>, out: &mut Vec<Finding>) {
    let mut seen: HashMap<&str, &Named> = HashMap::new();
    for id in ids {
        if let Some(first) = seen.get(id.name.as_str()) {
            out.push(
                Finding::new(
                    ID,
                    id.span,
                    format!("{what} id `{}` is already used", id.name),
                )
                .related(first.span, "first used here"),
            );
        } else {
            seen.insert(&id.name, id);
        }
    }
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    report("task", flow.tasks.iter().filter_map(|t| t.id.as_ref()), out);
    report(
        "trigger",
        flow.plugins
            .iter()
            .filter(|p| p.kind == PluginKind::Trigger)
            .filter_map(|p| p.id.as_ref()),
        out,
    );
    report(
        "input",
        flow.inputs.iter().filter_map(|i| i.id.as_ref()),
        out,
    );
    report("output", flow.outputs.iter(), out);
    // Flow-trigger preconditions ids are unique across the flow's triggers.
    let preconditions: Vec<Named> = flow
        .triggers
        .iter()
        .filter_map(|&t| cx.tree.get_value(flow.plugins[t].node, "preconditions"))
        .filter_map(|p| {
            let id = cx.tree.get_value(p, "id")?;
            Some(Named {
                name: cx.tree.str(id)?.to_string(),
                span: cx.tree.span(id),
                node: id,
                key_span: None,
            })
        })
        .collect();
    report("preconditions", preconditions.iter(), out);
}
