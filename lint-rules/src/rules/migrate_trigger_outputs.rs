//! Under Kestra 2.0: with several upstream flows, a Flow trigger's outputs are read per flow.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports `trigger.outputs.<key>` when the flow's Flow trigger
//! waits for several upstream flows (`dependsOn` entries, `preconditions.flows`, a
//! `MultipleCondition`) and `<key>` is not one of their flow ids. 1.x merged the upstream
//! outputs into one map; 2.0 keeps them apart as `trigger.outputs.<flowId>.<key>` (unscoped
//! reads still work with a single upstream flow). Not automated: which upstream flow gives
//! `<key>` is not in this file.
//!
//! Source: Kestra's migration program's change list (kestra-io/kestra2-flow-migration,
//! `flows-changes.md`: "Trigger outputs are scoped by flow id") and the 2.0 migration guide's
//! trigger-conditions page.
//!
//! A warning: the flow saves, and a read that fails to render now makes a FAILED execution.
//!
//! ## Why
//! The read finds nothing in 2.0.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: "{{ trigger.outputs.date }}"
//! triggers:
//!   - id: after_both
//!     type: io.kestra.plugin.core.trigger.Flow
//!     dependsOn:
//!       - namespace: company.team
//!         flowId: extract
//!       - namespace: company.team
//!         flowId: load
//! ```
//!
//! ## Fix
//! `{{ trigger.outputs.extract.date }}` (or `load`, whichever produces it), by hand.

use kflow_syntax::yaml::NodeId;

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::source::Source;

pub const ID: &str = "migrate-trigger-outputs";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    let mut upstream: Vec<String> = Vec::new();
    for &t in &flow.triggers {
        let trigger = &flow.plugins[t];
        let is_flow = trigger
            .type_
            .as_ref()
            .is_some_and(|n| cx.catalog.canonical(&n.name) == "io.kestra.plugin.core.trigger.Flow");
        if is_flow {
            upstream.extend(upstream_flows(cx, trigger.node));
        }
    }
    if upstream.len() < 2 {
        return;
    }
    for r in cx.rendered_expressions() {
        for p in &r.paths {
            if p.root.0 != "trigger" {
                continue;
            }
            let Some((first, _)) = crate::refs::first_name(p) else {
                continue;
            };
            if first != "outputs" {
                continue;
            }
            let key = match p.segments.get(1) {
                Some(kflow_syntax::pebble::Segment::Name(k, _))
                | Some(kflow_syntax::pebble::Segment::Key(k, _)) => *k,
                _ => continue,
            };
            if upstream.iter().any(|f| f == key) {
                continue;
            }
            let span = r.expr.file_span(p.span);
            out.push(Finding::new(
                ID,
                span,
                format!(
                    "`trigger.outputs.{key}`: with several upstream flows ({}), Kestra 2.0 reads outputs per flow, `trigger.outputs.<flowId>.{key}`; not automated: set the flow by hand",
                    upstream.join(", ")
                ),
            ));
        }
    }
}

/// The flow ids a Flow trigger waits for, in any of its 1.x or 2.0 spellings.
fn upstream_flows(cx: &Source, trigger: NodeId) -> Vec<String> {
    let tree = cx.tree;
    let flow_id = |n: NodeId| tree.get_value(n, "flowId").and_then(|v| tree.str(v)).map(String::from);
    let items = |n: Option<NodeId>| n.and_then(|l| tree.items(l)).unwrap_or_default().to_vec();
    let mut ids: Vec<String> = items(tree.get_value(trigger, "dependsOn"))
        .into_iter()
        .filter_map(flow_id)
        .collect();
    let pre = tree.get_value(trigger, "preconditions");
    ids.extend(items(pre.and_then(|p| tree.get_value(p, "flows"))).into_iter().filter_map(flow_id));
    for c in items(tree.get_value(trigger, "conditions")) {
        let inner = tree.get_value(c, "conditions").and_then(|m| tree.entries(m));
        ids.extend(inner.unwrap_or_default().iter().filter_map(|e| flow_id(e.value)));
    }
    ids.sort();
    ids.dedup();
    ids
}
