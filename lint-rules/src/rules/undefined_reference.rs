//! Reports expressions that read an input, variable or task output that does not exist where
//! the expression runs.
//!
//! ## What it does
//! - `inputs.X` must name a declared input and `vars.X` a flow variable.
//! - `outputs.X` must name a task that has finished before the current one on every path: a
//!   later task, a sibling Parallel branch, a task of the other branch of an If or Switch, a
//!   disabled task, or a task inside a ForEach read without its value index
//!   (`outputs.X[taskrun.value]`) are reported. Tasks in `errors`, `finally` and
//!   `afterExecution` may read any task.
//! - Reads guarded by `??`, `???`, `is defined` or `default` are not reported.
//!
//! A warning by default: Kestra saves such a flow, and fails only when the expression is
//! evaluated (use `--deny warning` in CI to make it fatal).
//!
//! ## Why
//! Kestra evaluates expressions strictly: an undefined name fails the task at run time.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   - id: region
//!     type: STRING
//! tasks:
//!   - id: download
//!     type: io.kestra.plugin.core.http.Download
//!     uri: "https://example.com/{{ inputs.regoin }}/orders.csv"
//! ```
//!
//! ## Fix
//! Use the suggested name (`inputs.region`), move the task after the one it reads, or guard an
//! optional read: `{{ outputs.maybe.uri ?? '' }}`.

use std::cell::OnceCell;

use kflow_syntax::model::TaskIdx;
use kflow_syntax::pebble::{PathRef, Segment};
use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};
use crate::refs::{dashed_name, first_name, CONTEXT_ROOTS};
use crate::suggest::{closest, Suggester};
use crate::scope::{is_value_loop, relation, Relation};

pub const ID: &str = "undefined-reference";
pub const SEVERITY: Severity = Severity::Warning;

/// Whether `root` is the tail of a dashed id (`outputs.my-task`: Pebble reads `task` as a
/// variable); `dashed-reference` reports those.
fn continues_dashed_id(cx: &Context, source: &str, root: Span) -> bool {
    let Some(flow) = cx.flow else { return false };
    let before = source[..root.start as usize].trim_end();
    let Some(before) = before.strip_suffix('-') else {
        return false;
    };
    let before = before.trim_end();
    let head_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .map(char::len_utf8)
        .sum::<usize>();
    let head = &before[before.len() - head_len..];
    let dashed = format!("{head}-{}", &source[root.range()]);
    let prefix = &before[..before.len() - head_len];
    (prefix.ends_with("outputs.") && flow.tasks_named(&dashed).next().is_some())
        || (prefix.ends_with("inputs.")
            && flow
                .inputs
                .iter()
                .any(|i| i.id.as_ref().is_some_and(|n| n.name == dashed)))
}

/// Trigger properties are rendered when the trigger is evaluated, where a Flow trigger sees the
/// upstream execution's outputs, not this flow's.
fn in_trigger(cx: &Context, e: &kflow_syntax::expr::Expression) -> bool {
    let Some(flow) = cx.flow else { return false };
    let at = cx.tree.span(e.node).start as usize;
    flow.triggers
        .iter()
        .any(|&t| cx.tree.span(flow.plugins[t].node).contains(at))
}

/// ForEachItem runs hidden tasks `<id>_split`, `<id>_items` and `<id>_merge`.
fn is_for_each_item_part(cx: &Context, name: &str) -> bool {
    let Some(flow) = cx.flow else { return false };
    ["_split", "_items", "_merge"].iter().any(|suffix| {
        name.strip_suffix(suffix).is_some_and(|base| {
            flow.tasks_named(base).any(|t| {
                flow.task(t)
                    .type_
                    .as_ref()
                    .is_some_and(|n| n.name.ends_with("ForEachItem"))
            })
        })
    })
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    let inputs: Vec<&str> = flow.input_ids().collect();
    let vars: Vec<&str> = flow.variables.iter().map(|n| n.name.as_str()).collect();
    let sets_vars = flow.tasks.iter().any(|t| {
        t.type_
            .as_ref()
            .is_some_and(|n| n.name.ends_with("SetVariables"))
    });
    // The same unknown name tends to repeat: suggest once per name.
    let mut suggestions: std::collections::HashMap<&str, Option<&str>> = Default::default();
    let input_names = OnceCell::new();
    let var_names = OnceCell::new();
    let task_ids = OnceCell::new();
    for rendered in cx.rendered_expressions() {
        let (e, owner) = (rendered.expr, rendered.owner);
        let source = e.source(tree);
        for path in &rendered.paths {
            if path.local {
                continue;
            }
            let (root, root_span) = path.root;
            if !CONTEXT_ROOTS.contains(&root)
                && !path.guarded
                && !continues_dashed_id(cx, source, root_span)
            {
                let mut f = Finding::new(
                    ID,
                    e.file_span(root_span),
                    format!("`{root}` is not a variable of the execution context"),
                );
                let near = *suggestions
                    .entry(root)
                    .or_insert_with(|| closest(root, CONTEXT_ROOTS.iter().copied()));
                if let Some(near) = near {
                    f.message.push_str(&format!("; did you mean `{near}`?"));
                }
                out.push(f);
                continue;
            }
            let Some((name, name_span)) = first_name(path) else {
                continue;
            };
            let file = |s: Span| e.file_span(s);
            match root {
                "inputs" if !path.guarded => {
                    let known = inputs
                        .iter()
                        .any(|i| *i == name || i.starts_with(&format!("{name}.")));
                    if known {
                        continue;
                    }
                    if dashed_name(source, name, name_span)
                        .is_some_and(|d| inputs.contains(&d.as_str()))
                    {
                        continue; // dashed-reference reports it
                    }
                    let mut f =
                        Finding::new(ID, file(name_span), format!("no input is named `{name}`"));
                    let near = input_names
                        .get_or_init(|| Suggester::new(inputs.iter().copied()))
                        .closest(name);
                    if let Some(near) = near {
                        f.message.push_str(&format!("; did you mean `{near}`?"));
                        f = f.replace(format!("Use `{near}`"), file(name_span), near, Applicability::Unsafe);
                    }
                    out.push(f);
                }
                "vars" if !path.guarded && !sets_vars => {
                    if vars.contains(&name) {
                        continue;
                    }
                    let mut f = Finding::new(
                        ID,
                        file(name_span),
                        format!("no flow variable is named `{name}`"),
                    );
                    let near = var_names
                        .get_or_init(|| Suggester::new(vars.iter().copied()))
                        .closest(name);
                    if let Some(near) = near {
                        f.message.push_str(&format!("; did you mean `{near}`?"));
                    }
                    out.push(f);
                }
                "outputs" if !in_trigger(cx, e) => {
                    check_output(cx, owner, path, name, name_span, source, &file, &task_ids, out)
                }
                _ => {}
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_output<'c>(
    cx: &Context<'c>,
    owner: Option<TaskIdx>,
    path: &PathRef,
    name: &str,
    name_span: Span,
    source: &str,
    file: &dyn Fn(Span) -> Span,
    task_ids: &OnceCell<Suggester<'c>>,
    out: &mut Vec<Finding>,
) {
    let Some(flow) = cx.flow else { return };
    let Some(target) = flow.tasks_named(name).next() else {
        if path.guarded || is_for_each_item_part(cx, name) {
            return;
        }
        if dashed_name(source, name, name_span)
            .is_some_and(|d| flow.tasks_named(&d).next().is_some())
        {
            return; // dashed-reference reports it
        }
        let mut f = Finding::new(ID, file(name_span), format!("no task is named `{name}`"));
        let ids = task_ids.get_or_init(|| {
            Suggester::new(
                flow.tasks
                    .iter()
                    .filter_map(|t| t.id.as_ref())
                    .map(|n| n.name.as_str()),
            )
        });
        if let Some(near) = ids.closest(name) {
            f.message.push_str(&format!("; did you mean `{near}`?"));
            f = f.replace(format!("Use `{near}`"), file(name_span), near, Applicability::Unsafe);
        }
        out.push(f);
        return;
    };
    let target_task = flow.task(target);
    let here = file(name_span);
    let defined_at = target_task.id_span(cx.tree);
    if cx.tree.get_str(target_task.node, "disabled") == Some("true") && !path.guarded {
        out.push(
            Finding::new(
                ID,
                here,
                format!("task `{name}` is disabled: it has no outputs"),
            )
            .related(defined_at, "disabled here"),
        );
        return;
    }
    let Some(owner) = owner else { return };
    let problem = match relation(cx.catalog, flow, target, owner) {
        Relation::After => Some(format!(
            "task `{name}` runs after this one: its outputs do not exist yet"
        )),
        Relation::Concurrent => Some(format!(
            "task `{name}` runs in parallel with this one: its outputs may not exist yet"
        )),
        Relation::OtherBranch => Some(format!(
            "task `{name}` is in another branch: it never runs together with this one"
        )),
        Relation::OnlyOnFailure => Some(format!(
            "task `{name}` runs only in `errors`/`finally`: its outputs do not exist here"
        )),
        _ => None,
    };
    if let Some(message) = problem {
        if !path.guarded {
            out.push(Finding::new(ID, here, message).related(defined_at, "defined here"));
        }
        return;
    }
    // Children of ForEach loops have one output set per loop value: reading an output name
    // right after the task id skips the value index.
    let loops = flow
        .ancestors(target)
        .filter(|&a| is_value_loop(cx.catalog, flow, a))
        .count();
    let def = target_task
        .type_
        .as_ref()
        .and_then(|t| cx.catalog.get(&t.name));
    let reads_output_directly = match path.segments.get(1) {
        Some(Segment::Name(n, _)) => def.is_some_and(|d| d.outputs.contains_key(*n)),
        _ => false,
    };
    if loops > 0 && reads_output_directly && !path.guarded {
        let index = if loops == 1 {
            "[taskrun.value]".to_string()
        } else {
            "[parent.taskrun.value][taskrun.value]".to_string()
        };
        out.push(
            Finding::new(ID, file(path.span), format!(
                "task `{name}` runs inside a ForEach: its outputs are keyed by the loop value, read `outputs.{name}{index}`"
            ))
            .related(defined_at, "defined here"),
        );
    }
}
