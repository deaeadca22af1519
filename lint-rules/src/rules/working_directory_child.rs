//! Reports a task inside a WorkingDirectory that cannot run there.
//!
//! ## What it does
//! A WorkingDirectory runs its children one after another on one worker, in one directory: they
//! must be runnable tasks (scripts, HTTP, serdes, Log…). Flowable tasks such as Pause, If or
//! Parallel, and subflows, are reported.
//!
//! ## Why
//! Kestra refuses the flow: only runnable tasks can share a worker's working directory.
//!
//! ## Example
//! ```yaml
//! - id: wd
//!   type: io.kestra.plugin.core.flow.WorkingDirectory
//!   tasks:
//!     - id: wait
//!       type: io.kestra.plugin.core.flow.Pause
//! ```
//!
//! ## Fix
//! Move the flowable task outside the WorkingDirectory.

use kflow_syntax::model::Section;

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "working-directory-child";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for task in &flow.tasks {
        let def = task.type_.as_ref().and_then(|t| cx.catalog.get(&t.name));
        if !def.is_some_and(|d| d.name.ends_with(".flow.WorkingDirectory")) {
            continue;
        }
        for &child in &task.children {
            let child = flow.task(child);
            if child.section != Section::Tasks {
                continue;
            }
            let Some(child_def) = child.type_.as_ref().and_then(|t| cx.catalog.get(&t.name)) else {
                continue;
            };
            if !child_def.class.is_empty() && child_def.class != "runnable" {
                let class = child_def.class.replace('_', "-");
                let article = if class.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                out.push(Finding::new(
                    ID,
                    child
                        .type_
                        .as_ref()
                        .map_or(cx.tree.span(child.node), |t| t.span),
                    format!(
                        "`{}` is {article} {class} task: a WorkingDirectory can only run runnable tasks",
                        child_def.short_name(),
                    ),
                ));
            }
        }
    }
}
