//! Reports a required property that is absent (or null).
//!
//! ## What it does
//! Checks the required properties of every typed object (`uri` of a Download, `message` of a
//! Log…), counting values given by the flow's `pluginDefaults`; a task or trigger without `id`
//! or `type`; and a flow without `id`, `namespace` or a non-empty `tasks` list.
//!
//! ## Why
//! Kestra refuses to save a flow whose required properties are missing.
//!
//! ## Example
//! ```yaml
//! - id: no_uri
//!   type: io.kestra.plugin.core.http.Download
//! ```
//!
//! ## Fix
//! Add the property (`uri: https://…`).

use kflow_syntax::model::PluginKind;
use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::props::Issue;

pub const ID: &str = "missing-property";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    // A task or trigger without `id` is reported once, below, as a task or trigger.
    let id_reported_below = |at: &Span| {
        cx.flow.is_some_and(|flow| {
            flow.plugins.iter().any(|p| {
                matches!(p.kind, PluginKind::Task | PluginKind::Trigger)
                    && p.id.is_none()
                    && cx.object_span(p.node) == *at
            })
        })
    };
    for issue in cx.prop_issues() {
        if let Issue::Missing { at, name, owner } = issue {
            if name == "id" && id_reported_below(at) {
                continue;
            }
            out.push(Finding::new(
                ID,
                *at,
                format!("`{owner}` requires `{name}`"),
            ));
        }
    }
    let tree = cx.tree;
    let Some(flow) = cx.flow else {
        let empty = tree.root.is_none_or(|r| tree.str(r) == Some(""));
        if empty && cx.doc.errors.is_empty() {
            out.push(Finding::new(
                ID,
                Span::empty(0),
                "the file is empty: a flow requires `id`, `namespace` and `tasks`",
            ));
        }
        return;
    };
    let flow_start = cx.first_line(tree.span(flow.root));
    for key in ["id", "namespace"] {
        if tree
            .get_value(flow.root, key)
            .is_none_or(|v| tree.is_null(v))
        {
            out.push(Finding::new(
                ID,
                flow_start,
                format!("a flow requires `{key}`"),
            ));
        }
    }
    match tree.get(flow.root, "tasks") {
        None => out.push(Finding::new(
            ID,
            flow_start,
            "a flow requires a `tasks` list",
        )),
        Some(e) if tree.items(e.value).is_none_or(<[_]>::is_empty) => out.push(Finding::new(
            ID,
            tree.span(e.key),
            "`tasks` must list at least one task",
        )),
        _ => {}
    }
    for plugin in &flow.plugins {
        let what = match plugin.kind {
            PluginKind::Task => "a task",
            PluginKind::Trigger => "a trigger",
            _ => "",
        };
        let needs_id = matches!(plugin.kind, PluginKind::Task | PluginKind::Trigger);
        let at: Span = cx.first_line(tree.span(plugin.node));
        if plugin.type_.is_none() && !what.is_empty() {
            out.push(Finding::new(ID, at, format!("{what} requires `type`")));
        }
        if needs_id && plugin.id.is_none() {
            out.push(Finding::new(
                ID,
                cx.object_span(plugin.node),
                format!("{what} requires `id`"),
            ));
        }
    }
    // Flowable task lists that Kestra requires to be non-empty.
    for task in &flow.tasks {
        let Some(def) = task.type_.as_ref().and_then(|t| cx.catalog.get(&t.name)) else {
            continue;
        };
        for (name, prop) in &def.properties {
            let is_list = prop.types.contains(&crate::catalog::PropType::Tasks);
            if !(prop.required && is_list) {
                continue;
            }
            if let Some(e) = tree.get(task.node, name) {
                if tree.items(e.value).is_some_and(<[_]>::is_empty) {
                    out.push(Finding::new(
                        ID,
                        tree.span(e.key),
                        format!(
                            "`{name}` of `{}` must list at least one task",
                            def.short_name()
                        ),
                    ));
                }
            }
        }
    }
}
