//! Reports `outputs.my-task` and `inputs.my-input`: with a dash, Pebble reads a subtraction.
//!
//! ## What it does
//! Finds `outputs.a-b…` and `inputs.a-b…` where `a-b` is a task or input id of the flow.
//!
//! ## Why
//! Pebble identifiers cannot contain `-`: `outputs.my-task.uri` means
//! `outputs.my - task.uri`. Kestra rejects such expressions when the flow is saved.
//!
//! ## Example
//! ```yaml
//! - id: produce-output
//!   type: io.kestra.plugin.core.debug.Return
//!   format: ready
//! - id: use
//!   type: io.kestra.plugin.core.log.Log
//!   message: "{{ outputs.produce-output.value }}"
//! ```
//!
//! ## Fix
//! Use brackets: `{{ outputs['produce-output'].value }}` (the fix rewrites it).

use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};
use crate::refs::{dashed_name, first_name};

pub const ID: &str = "dashed-reference";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let inputs: Vec<&str> = flow.input_ids().collect();
    for rendered in cx.rendered_expressions() {
        let e = rendered.expr;
        let source = e.source(cx.tree);
        for path in &rendered.paths {
            let root = path.root.0;
            if path.local || !(root == "outputs" || root == "inputs") {
                continue;
            }
            let Some((name, span)) = first_name(path) else {
                continue;
            };
            let Some(dashed) = dashed_name(source, name, span) else {
                continue;
            };
            let exists = if root == "inputs" {
                inputs.contains(&dashed.as_str())
            } else {
                flow.tasks_named(&dashed).next().is_some()
            };
            if !exists {
                continue;
            }
            // `outputs.my-task` → `outputs['my-task']`: from the root's end to the dashed name's end.
            let start = path.root.1.end as usize;
            let end = span.start as usize + dashed.len();
            let raw = &source[start..end.min(source.len())];
            let fix_span = e.file_span(Span::new(start, end.min(source.len())));
            let mut f = Finding::new(
                ID,
                e.file_span(Span::new(path.root.1.start as usize, end.min(source.len()))),
                format!("`{root}.{dashed}` reads as a subtraction: write `{root}['{dashed}']`"),
            );
            if raw.trim_start_matches('.').replace(' ', "") == dashed {
                f = f.replace(
                    format!("Write `{root}['{dashed}']`"),
                    fix_span,
                    format!("['{dashed}']"),
                    Applicability::Safe,
                );
            }
            out.push(f);
        }
    }
}
