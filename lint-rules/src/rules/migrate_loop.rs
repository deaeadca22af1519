//! Under Kestra 2.0: `ForEach`, `EachSequential`, `EachParallel` and `ForEachItem` are gone;
//! rewrites the first three as a `Loop`.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports the loop tasks 2.0 removed. The fix turns a
//! `ForEach`, `EachSequential` or `EachParallel` into `io.kestra.plugin.core.flow.Loop`:
//! `value:` becomes `values:`, EachParallel's `concurrent:` becomes `concurrencyLimit:` (and an
//! EachParallel without it, which ran every value at once, gets `concurrencyLimit: 0`), and the
//! loop value read inside the loop — `taskrun.value`, or `parent.taskrun.value` from a task
//! nested in an `If`, `Parallel`… of the loop — becomes `item.value`, which 2.0 gives every task
//! of the loop, nested or not. Nested loops are rewritten each with its own tasks.
//!
//! Not automated, with the reason in the message: reads of the outputs of a task inside the
//! loop (`outputs.t[taskrun.value]`, `currentEachOutput(…)`: 2.0 runs each iteration apart and
//! exposes values through the Loop's `outputs` and `loopOutputs()`), `taskrun.iteration`, the
//! outer loop's value read from an inner loop (`parent.taskrun.value`, `parents`), and
//! `ForEachItem` (its subflow per batch becomes a `Loop` over the file, or a `Loop` with a
//! `Subflow` inside: a design choice).
//!
//! Source: Kestra's 2.0 migration guide (kestra-io/docs, `migration-guide/v2.0.0/foreach-loop`,
//! "Migrate ForEach and ForEachItem to Loop") and the Loop task's documentation (`item.value`
//! in every child task, `concurrencyLimit` 0 = unlimited, each iteration isolated).
//!
//! ## Why
//! Kestra 2.0 refuses a flow that still uses them.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: each
//!     type: io.kestra.plugin.core.flow.ForEach
//!     values: [a, b]
//!     tasks:
//!       - id: log
//!         type: io.kestra.plugin.core.log.Log
//!         message: "{{ taskrun.value }}"
//! ```
//!
//! ## Fix
//! `type: io.kestra.plugin.core.flow.Loop` and `message: "{{ item.value }}"`
//! (`kflow migrate --to 2.0` does it).

use kflow_syntax::model::{Flow, TaskIdx};
use kflow_syntax::pebble::{PathRef, Segment};
use kflow_syntax::Span;

use crate::catalog::Lookup;
use crate::context::Context;
use crate::edits::line_end;
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::source::Source;

pub const ID: &str = "migrate-loop";
pub const SEVERITY: Severity = Severity::Error;

const LOOP: &str = "io.kestra.plugin.core.flow.Loop";

/// The 1.x loops, by full name, with whether the fix rewrites them.
const OLD_LOOPS: &[(&str, bool)] = &[
    ("io.kestra.plugin.core.flow.ForEach", true),
    ("io.kestra.plugin.core.flow.EachSequential", true),
    ("io.kestra.plugin.core.flow.EachParallel", true),
    ("io.kestra.plugin.core.flow.ForEachItem", false),
];

/// The full name of a task's type, aliases resolved.
fn full_type(cx: &Source, flow: &Flow, t: TaskIdx) -> Option<String> {
    let name = &flow.task(t).type_.as_ref()?.name;
    Some(match cx.catalog.lookup(name) {
        Lookup::Known { def, .. } => def.name.clone(),
        _ => name.clone(),
    })
}

fn is_loop(cx: &Source, flow: &Flow, t: TaskIdx) -> bool {
    full_type(cx, flow, t)
        .is_some_and(|n| n == LOOP || OLD_LOOPS.iter().any(|(old, _)| *old == n))
}

/// The loop whose value `taskrun.value` reads in a task: its nearest loop ancestor.
fn enclosing_loop(cx: &Source, flow: &Flow, t: TaskIdx) -> Option<TaskIdx> {
    flow.ancestors(t).find(|&a| is_loop(cx, flow, a))
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::migrate::TO {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for t in flow.task_indices() {
        let Some(name) = full_type(cx, flow, t) else {
            continue;
        };
        let Some(&(old, rewritten)) = OLD_LOOPS.iter().find(|(old, _)| *old == name) else {
            continue;
        };
        let short = old.rsplit('.').next().unwrap_or(old);
        let Some(type_) = &flow.task(t).type_ else {
            continue;
        };
        let message = format!("`{short}` was removed in Kestra 2.0; use `Loop`");
        let f = Finding::new(ID, type_.span, message.clone());
        if !rewritten {
            let mut f = f;
            f.message.push_str(
                "; not rewritten automatically: its subflow per batch becomes a `Loop` over the file's lines, or a `Loop` running a `Subflow`",
            );
            out.push(f);
            continue;
        }
        out.push(match rewrite(cx, flow, t, short) {
            Ok(edits) => f.fix("Rewrite as `Loop`", edits, Applicability::Safe),
            Err(reason) => {
                let mut f = f;
                f.message = format!("{message}; not rewritten automatically: {reason}");
                f
            }
        });
    }
}

fn rewrite(cx: &Source, flow: &Flow, t: TaskIdx, short: &str) -> Result<Vec<Edit>, String> {
    let tree = cx.tree;
    let task = flow.task(t);
    let type_ = task.type_.as_ref().ok_or("no type")?;
    let at = cx
        .exact_value_span(type_.span, &type_.name)
        .ok_or("the type is written with escapes")?;
    let mut edits = vec![Edit {
        span: at,
        new_text: LOOP.to_string(),
    }];
    if short != "ForEach" {
        let value = cx
            .key_span(task.node, "value")
            .ok_or("it has no `value`")?;
        edits.push(Edit {
            span: value,
            new_text: "values".into(),
        });
    }
    if short == "EachParallel" {
        match cx.key_span(task.node, "concurrent") {
            Some(k) => edits.push(Edit {
                span: k,
                new_text: "concurrencyLimit".into(),
            }),
            None => {
                let key = cx.key_span(task.node, "type").ok_or("no type")?;
                let indent = key.start as usize
                    - crate::edits::line_start(&cx.doc.text, key.start as usize);
                let after = line_end(&cx.doc.text, at.end as usize);
                if !cx.doc.text[..after].ends_with(['\n', '\r']) {
                    return Err("the type is on the file's last line".into());
                }
                edits.push(Edit {
                    span: Span::empty(after),
                    new_text: format!("{}concurrencyLimit: 0\n", " ".repeat(indent)),
                });
            }
        }
    }
    let inside = |x: TaskIdx| flow.ancestors(x).any(|a| a == t);
    for r in cx.rendered_expressions() {
        // Reads of outputs of the loop's tasks, from anywhere.
        for p in &r.paths {
            if p.root.0 == "outputs" {
                if let Some((id, _)) = crate::refs::first_name(p) {
                    if flow.tasks_named(id).any(inside) {
                        return Err(format!(
                            "`outputs.{id}` reads a task of the loop: 2.0 exposes iteration values through the Loop's `outputs` and `loopOutputs()`"
                        ));
                    }
                }
            }
        }
        let Some(owner) = r.owner else { continue };
        if enclosing_loop(cx, flow, owner) != Some(t) {
            continue;
        }
        let source = r.expr.source(tree);
        if source.contains("currentEachOutput") {
            return Err("`currentEachOutput()` reads per-iteration outputs: use the Loop's `outputs` and `loopOutputs()`".into());
        }
        for p in &r.paths {
            if p.local {
                continue;
            }
            let direct_child = flow.task(owner).parent == Some(t);
            let Some(span) = loop_value(p, direct_child)? else {
                continue;
            };
            let span = r.expr.file_span(span);
            let written = cx.text(span);
            if !matches!(written, "taskrun.value" | "parent.taskrun.value") {
                return Err(format!("`{written}` is written in a way kflow cannot edit"));
            }
            edits.push(Edit {
                span,
                new_text: "item.value".into(),
            });
        }
    }
    Ok(edits)
}

/// The span (in the expression source) of a read of the loop's value to rewrite; an error for a
/// read of loop state 2.0 spells differently.
fn loop_value(p: &PathRef, direct_child: bool) -> Result<Option<Span>, String> {
    let names: Vec<&str> = p
        .segments
        .iter()
        .take(2)
        .map(|s| match s {
            Segment::Name(n, _) | Segment::Key(n, _) => *n,
            _ => "",
        })
        .collect();
    let end = |i: usize| match p.segments.get(i) {
        Some(Segment::Name(_, s)) | Some(Segment::Key(_, s)) => Some(s.end as usize),
        _ => None,
    };
    let start = p.root.1.start as usize;
    match (p.root.0, names.as_slice()) {
        ("taskrun", ["value", ..]) => Ok(end(0).map(|e| Span::new(start, e))),
        ("taskrun", ["iteration", ..]) => {
            Err("`taskrun.iteration`: 2.0 numbers iterations with `item.index`".into())
        }
        ("parent", ["taskrun", "value"]) if !direct_child => {
            Ok(end(1).map(|e| Span::new(start, e)))
        }
        ("parent", ["taskrun", "value"]) | ("parents", _) => {
            Err("the outer loop's value is read from an inner loop".into())
        }
        _ => Ok(None),
    }
}
