//! Reports a `secret()` value that ends up where people can read it.
//!
//! ## What it does
//! Flags `secret(…)` rendered into outputs — a Return `format`, OutputValues `values`,
//! SetVariables `variables`, execution labels (Labels task), a flow output `value` — a secret
//! printed by a script (`echo`, `printf`, `print(`, `console.log(` lines), and a secret
//! transformed before it reaches a Log `message` (`| upper`, `| base64encode`, a slice, a method
//! call).
//!
//! ## Why
//! Kestra masks a secret's exact value in logs only. Outputs, variables and labels are stored with
//! the execution and shown in the UI and the API as they are, and a transformed copy of a secret
//! (upper-cased, encoded, cut) is not the exact value: it is logged in clear.
//!
//! ## Example
//! ```yaml
//! - id: token
//!   type: io.kestra.plugin.core.debug.Return
//!   format: "{{ secret('API_TOKEN') }}"
//! ```
//!
//! ## Fix
//! Pass the secret where it is used (`{{ secret('API_TOKEN') }}` in the task that needs it)
//! rather than through outputs, and log something derived that reveals nothing (its length,
//! whether it is set).

use kflow_syntax::pebble::{self, Expr, ExprKind};
use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "secret-exposure";
pub const SEVERITY: Severity = Severity::Warning;

/// (type, property) whose rendered value is stored with the execution and shown as is.
const STORED: &[(&str, &str, &str)] = &[
    ("io.kestra.plugin.core.debug.Return", "format", "outputs"),
    ("io.kestra.plugin.core.output.OutputValues", "values", "outputs"),
    ("io.kestra.plugin.core.execution.SetVariables", "variables", "execution variables"),
    ("io.kestra.plugin.core.execution.Labels", "labels", "execution labels"),
];
const LOG: &str = "io.kestra.plugin.core.log.Log";

fn is_secret_call(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { name, .. } if name.name == "secret")
}

fn has_secret(e: &Expr) -> bool {
    let mut found = false;
    pebble::walk_expr(e, &mut |x| found |= is_secret_call(x));
    found
}

/// Filters and methods whose result says something about a text without containing it (the
/// rule's Fix suggests logging a secret's length).
const REVEALS_NOTHING: &[&str] = &["length", "size", "isEmpty", "isBlank"];

/// Whether `e`'s value holds a secret's text: `secret(…)` itself, or something built from it
/// other than through a filter or method that reveals nothing.
fn carries_secret(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Filter { input, filter } => {
            !REVEALS_NOTHING.contains(&filter.name.name.as_str()) && carries_secret(input)
        }
        ExprKind::MethodCall { object, name, .. } => {
            !REVEALS_NOTHING.contains(&name.name.as_str()) && carries_secret(object)
        }
        ExprKind::Test { .. } => false,
        _ => has_secret(e),
    }
}

/// The first place where a secret's value is changed: a filter, method, index or slice
/// applied to an expression holding `secret(…)`.
fn transformed_secret(e: &Expr) -> Option<Span> {
    let mut at = None;
    pebble::walk_expr(e, &mut |x| {
        if at.is_some() {
            return;
        }
        let changed = match &x.kind {
            ExprKind::Filter { input, filter } => {
                !REVEALS_NOTHING.contains(&filter.name.name.as_str()) && carries_secret(input)
            }
            ExprKind::MethodCall { object, name, .. } => {
                !REVEALS_NOTHING.contains(&name.name.as_str()) && carries_secret(object)
            }
            ExprKind::Index { object, .. } => carries_secret(object),
            _ => false,
        };
        if changed {
            at = Some(x.span);
        }
    });
    at
}

/// The first `secret(…)` on a line of the script that prints (`echo`, `printf`, `print(`,
/// `console.log(`).
fn printed_by_script(source: &str, exprs: &[&Expr]) -> Option<Span> {
    exprs.iter().filter(|x| has_secret(x)).find_map(|x| {
        let start = (x.span.start as usize).min(source.len());
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = source[line_start..].trim_start();
        let prints = ["echo ", "printf ", "print(", "console.log(", "Write-Output "]
            .iter()
            .any(|p| line.starts_with(p));
        prints.then_some(x.span)
    })
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for rendered in cx.rendered_expressions() {
        let e = rendered.expr;
        let mut exprs: Vec<&Expr> = Vec::new();
        pebble::walk_nodes(&e.template.nodes, &mut |node| {
            exprs.extend(pebble::node_exprs(node));
        });
        if !exprs.iter().any(|x| has_secret(x)) {
            continue;
        }
        let at = cx.tree.span(e.node).start as usize;
        let (type_, property) = match rendered.owner {
            Some(t) => {
                let task = flow.task(t);
                (
                    cx.catalog.canonical(task.type_name()),
                    cx.property_at(task.node, at),
                )
            }
            None => ("", cx.property_at(flow.root, at)),
        };
        let stored = STORED
            .iter()
            .find(|(t, p, _)| *t == type_ && property == Some(*p))
            .map(|(_, _, what)| *what)
            .or_else(|| {
                (rendered.owner.is_none() && property == Some("outputs")).then_some("flow outputs")
            });
        if let Some(what) = stored {
            // At the expression holding the secret, not the template's first one.
            let holder = exprs.iter().find(|x| has_secret(x)).unwrap_or(&exprs[0]);
            out.push(Finding::new(
                ID,
                e.file_span(holder.span),
                format!(
                    "a secret's value goes into {what}, which are stored and shown in clear (Kestra masks secrets in logs only)"
                ),
            ));
            continue;
        }
        if type_.starts_with("io.kestra.plugin.scripts.")
            && matches!(property, Some("script" | "commands" | "beforeCommands"))
        {
            if let Some(span) = printed_by_script(e.source(cx.tree), &exprs) {
                out.push(Finding::new(
                    ID,
                    e.file_span(span),
                    "a secret is printed by the script: only its exact value is masked in the logs, and any change the script makes to it (a trimmed newline, an encoding) shows in clear",
                ));
                continue;
            }
        }
        if type_ == LOG && property == Some("message") {
            if let Some(span) = exprs.iter().find_map(|x| transformed_secret(x)) {
                out.push(Finding::new(
                    ID,
                    e.file_span(span),
                    "a transformed secret is logged: Kestra masks only a secret's exact value, so this copy shows in clear",
                ));
            }
        }
    }
}
