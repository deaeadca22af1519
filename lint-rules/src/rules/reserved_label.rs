//! Reports flow or trigger labels under Kestra's reserved `system.` prefix.
//!
//! ## What it does
//! Checks the keys of `labels` (map or `{key, value}` list form) on the flow and its triggers:
//! `system.` keys are Kestra's own (only `system.readOnly` may be set on a flow), keys must start
//! with a lower-case letter, and values must not be empty.
//!
//! ## Why
//! Kestra rejects these labels when the flow is saved.
//!
//! ## Example
//! ```yaml
//! labels:
//!   system.owner: me
//! ```
//!
//! ## Fix
//! Use your own prefix: `team.owner: me`.

use kflow_syntax::yaml::NodeId;
use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "reserved-label";
pub const SEVERITY: Severity = Severity::Error;

fn label_pairs(cx: &Context, labels: NodeId) -> Vec<(String, Span, Option<String>)> {
    let tree = cx.tree;
    if let Some(entries) = tree.entries(labels) {
        return entries
            .iter()
            .filter_map(|e| {
                Some((
                    tree.str(e.key)?.to_string(),
                    tree.span(e.key),
                    tree.str(e.value).map(str::to_string),
                ))
            })
            .collect();
    }
    tree.items(labels)
        .unwrap_or_default()
        .iter()
        .filter_map(|&item| {
            let key = tree.get_value(item, "key")?;
            Some((
                tree.str(key)?.to_string(),
                tree.span(key),
                tree.get_str(item, "value").map(str::to_string),
            ))
        })
        .collect()
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let mut owners = vec![flow.root];
    owners.extend(flow.triggers.iter().map(|&i| flow.plugins[i].node));
    for owner in owners {
        let Some(labels) = cx.tree.get_value(owner, "labels") else {
            continue;
        };
        for (key, span, value) in label_pairs(cx, labels) {
            if key.starts_with("system.") && !(key == "system.readOnly" && owner == flow.root) {
                out.push(Finding::new(
                    ID,
                    span,
                    format!("label `{key}`: the `system.` prefix is reserved to Kestra"),
                ));
            } else if !key.chars().next().is_some_and(|c| c.is_lowercase()) && !key.contains("{{") {
                out.push(Finding::new(
                    ID,
                    span,
                    format!("label key `{key}` must start with a lower-case letter"),
                ));
            }
            if value.as_deref() == Some("") {
                out.push(Finding::new(
                    ID,
                    span,
                    format!("label `{key}` has an empty value"),
                ));
            }
        }
    }
}
