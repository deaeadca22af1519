//! Reports a Switch with nothing to run, or an empty task list where Kestra requires tasks.
//!
//! ## What it does
//! Flags a Switch whose `cases` and `defaults` hold no task, a `cases` entry or `defaults` that is
//! an empty list, and a listener whose `tasks` is empty.
//!
//! ## Why
//! Kestra rejects these when the flow is saved; a Switch value that matches no case and finds
//! no `defaults` fails the execution.
//!
//! ## Example
//! ```yaml
//! - id: route
//!   type: io.kestra.plugin.core.flow.Switch
//!   value: "{{ inputs.kind }}"
//!   cases:
//!     A: []
//! ```
//!
//! ## Fix
//! Put at least one task in each case, or remove the empty case.

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "empty-branch";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    for task in &flow.tasks {
        let Some(def) = task.type_.as_ref().and_then(|t| cx.catalog.get(&t.name)) else {
            continue;
        };
        if !def.name.ends_with(".flow.Switch") {
            continue;
        }
        let cases = tree.get(task.node, "cases");
        let mut any_task = false;
        for case in cases
            .and_then(|c| tree.entries(c.value))
            .unwrap_or_default()
        {
            match tree.items(case.value) {
                Some([]) => out.push(Finding::new(
                    ID,
                    tree.span(case.key),
                    format!("case `{}` has no task", tree.str(case.key).unwrap_or("?")),
                )),
                Some(_) => any_task = true,
                None => {}
            }
        }
        let defaults = tree.get(task.node, "defaults");
        match defaults.and_then(|d| tree.items(d.value)) {
            Some([]) => out.push(Finding::new(
                ID,
                tree.span(defaults.unwrap().key),
                "`defaults` has no task",
            )),
            Some(_) => any_task = true,
            None => {}
        }
        if !any_task {
            out.push(Finding::new(
                ID,
                cx.object_span(task.node),
                "this Switch has no task in `cases` nor in `defaults`",
            ));
        }
    }
    for listener in tree
        .get_value(flow.root, "listeners")
        .and_then(|l| tree.items(l))
        .unwrap_or_default()
    {
        if let Some(e) = tree.get(*listener, "tasks") {
            if tree.items(e.value).is_some_and(<[_]>::is_empty) || tree.is_null(e.value) {
                out.push(Finding::new(
                    ID,
                    tree.span(e.key),
                    "a listener needs at least one task",
                ));
            }
        } else {
            out.push(Finding::new(
                ID,
                cx.first_line(tree.span(*listener)),
                "a listener needs `tasks`",
            ));
        }
    }
}
