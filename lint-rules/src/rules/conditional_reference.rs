//! Reports reads of a task's outputs when that task runs only on some paths.
//!
//! ## What it does
//! `outputs.X` where `X` sits in an If/Switch branch (or an `errors`/`finally` list) that the
//! reading task is not in: when the branch was not taken, `X` has no outputs and the expression
//! fails. So does a `finally` or `afterExecution` task reading an `errors` task: `errors` run
//! only when something failed, `finally` and `afterExecution` whatever happened. Reads guarded
//! by `??`, `is defined` or `default` are not reported.
//!
//! ## Why
//! The flow works in the runs you tried and fails in the others, at run time.
//!
//! ## Example
//! ```yaml
//! - id: maybe
//!   type: io.kestra.plugin.core.flow.If
//!   condition: "{{ inputs.full }}"
//!   then:
//!     - id: extra
//!       type: io.kestra.plugin.core.debug.Return
//!       format: more
//! - id: use
//!   type: io.kestra.plugin.core.log.Log
//!   message: "{{ outputs.extra.value }}"
//! ```
//!
//! ## Fix
//! Guard the read: `{{ outputs.extra.value ?? 'none' }}`, or move the reader into the branch.

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::refs::first_name;
use crate::scope::{relation, Relation};

pub const ID: &str = "conditional-reference";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for rendered in cx.rendered_expressions() {
        let (e, owner) = (rendered.expr, rendered.owner);
        let Some(owner) = owner else { continue };
        for path in &rendered.paths {
            if path.local || path.guarded || path.root.0 != "outputs" {
                continue;
            }
            let Some((name, span)) = first_name(path) else {
                continue;
            };
            let Some(target) = flow.tasks_named(name).next() else {
                continue;
            };
            let (message, related, label) = match relation(cx.catalog, flow, target, owner) {
                Relation::IfFailed => (
                    format!("task `{name}` is in `errors`: it has run only if something failed, and this task runs either way; guard the read (`?? …`)"),
                    target,
                    "defined here",
                ),
                Relation::Conditional(branch) => (
                    format!("task `{name}` runs only when its branch is taken: guard the read (`?? …`) or move this task into the branch"),
                    branch,
                    "the branch",
                ),
                _ => continue,
            };
            let at = flow.task(related).id_span(cx.tree);
            out.push(Finding::new(ID, e.file_span(span), message).related(at, label));
        }
    }
}
