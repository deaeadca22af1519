//! Reports a Subflow (or ForEachItem) task that starts the flow it belongs to.
//!
//! ## What it does
//! Compares the literal `namespace` and `flowId` of Subflow and ForEachItem tasks with the
//! flow's own.
//!
//! ## Why
//! Kestra rejects a flow that calls itself: each execution would start another without end.
//!
//! ## Example
//! ```yaml
//! id: nightly
//! namespace: company.team
//! tasks:
//!   - id: again
//!     type: io.kestra.plugin.core.flow.Subflow
//!     namespace: company.team
//!     flowId: nightly
//! ```
//!
//! ## Fix
//! Call another flow, or use a loop task for repeated work.

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "recursive-subflow";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let (Some(id), Some(ns)) = (&flow.id, &flow.namespace) else {
        return;
    };
    for task in &flow.tasks {
        let Some(def) = task.type_.as_ref().and_then(|t| cx.catalog.get(&t.name)) else {
            continue;
        };
        if !(def.name.ends_with(".Subflow") || def.name.ends_with(".ForEachItem")) {
            continue;
        }
        let same = |key: &str, value: &str| cx.tree.get_str(task.node, key) == Some(value);
        if same("flowId", &id.name) && same("namespace", &ns.name) {
            out.push(Finding::new(
                ID,
                cx.object_span(task.node),
                format!(
                    "this task starts `{}.{}`, the flow it belongs to",
                    ns.name, id.name
                ),
            ));
        }
    }
}
