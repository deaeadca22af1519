//! Under Kestra 2.0: `ForEach`, `EachSequential`, `EachParallel` and `ForEachItem` are gone;
//! rewrites the first three as a `Loop`.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports the loop tasks 2.0 removed. The fix turns a
//! `ForEach`, `EachSequential` or `EachParallel` into `io.kestra.plugin.core.flow.Loop`:
//! `value:` becomes `values:`, EachParallel's `concurrent:` becomes `concurrencyLimit:` (and an
//! EachParallel without it, which ran every value at once, gets `concurrencyLimit: 0`), and the
//! loop's state read inside the loop takes its 2.0 name: `taskrun.value` (and
//! `parent.taskrun.value` from a task nested in an `If`, `Parallel`… of the loop) becomes
//! `item.value`, which 2.0 gives every task of the loop at any depth; `taskrun.iteration`
//! becomes `item.index` (zero-based in both); the outer loop's value read from a direct child of
//! an inner loop (`parent.taskrun.value`, `parents[0].taskrun.value`) becomes
//! `item.parent.value`; and a task's output read
//! in the same iteration (`outputs.t[taskrun.value].x`) becomes `outputs.t.x`, as 2.0 scopes
//! outputs to the iteration. Nested loops are rewritten each with its own tasks.
//!
//! Not automated, with the reason in the message: reads of the outputs of a task of the loop
//! from outside its iteration (`outputs.t['a']` after the loop, `currentEachOutput(…)`: 2.0
//! exposes them through the Loop's `outputs` and `loopOutputs()`, a design choice), other
//! `parents[…]` reads,
//! and `ForEachItem` (its subflow per batch becomes a `Loop` over the file, or a `Loop` with a
//! `Subflow` inside: a design choice too).
//!
//! Source: Kestra's 2.0 migration guide (kestra-io/docs, `migration-guide/v2.0.0/foreach-loop`,
//! "Migrate ForEach and ForEachItem to Loop"), the Loop task's documentation (`item.value` in
//! every child task, `concurrencyLimit` 0 = unlimited, each iteration isolated) and Kestra's
//! migration program's change list (kestra-io/kestra2-flow-migration, `flows-changes.md`:
//! `item.index`, `item.parent.value`, outputs scoped to the iteration), which itself leaves
//! these loops to be rewritten by hand.
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
use kflow_syntax::pebble::{ExprKind, PathRef, Segment};
use kflow_syntax::Span;

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

fn is_loop(cx: &Source, t: TaskIdx) -> bool {
    cx.task_type(t)
        .is_some_and(|n| n == LOOP || OLD_LOOPS.iter().any(|(old, _)| *old == n))
}

/// The loop whose value `taskrun.value` reads in a task: its nearest loop ancestor.
fn enclosing_loop(cx: &Source, flow: &Flow, t: TaskIdx) -> Option<TaskIdx> {
    flow.ancestors(t).find(|&a| is_loop(cx, a))
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for t in flow.task_indices() {
        let Some(name) = cx.task_type(t) else {
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
    let outer = enclosing_loop(cx, flow, t).is_some();
    for r in cx.rendered_expressions() {
        let source = r.expr.source(tree);
        let owned = r.owner.is_some_and(|o| enclosing_loop(cx, flow, o) == Some(t));
        // `[taskrun.value]` after a task of this iteration: 2.0 scopes outputs to the iteration.
        let mut dropped: Vec<Span> = Vec::new();
        for p in &r.paths {
            if p.root.0 != "outputs" {
                continue;
            }
            let Some((id, _)) = crate::refs::first_name(p) else {
                continue;
            };
            // A task of an inner loop is that loop's to rewrite.
            let read = flow
                .tasks_named(id)
                .find(|&x| enclosing_loop(cx, flow, x) == Some(t));
            if read.is_none() {
                continue;
            }
            let same_iteration = owned;
            match same_iteration.then(|| iteration_index(p, source)).flatten() {
                Some(span) => {
                    let file = r.expr.file_span(span);
                    if !cx.text(file).starts_with('[') || !cx.text(file).ends_with(']') {
                        return Err(format!("`outputs.{id}[…]` is written in a way kflow cannot edit"));
                    }
                    dropped.push(span);
                    edits.push(Edit {
                        span: file,
                        new_text: String::new(),
                    });
                }
                None => {
                    return Err(format!(
                        "`outputs.{id}` reads a task of the loop from outside its iteration: 2.0 exposes iteration values through the Loop's `outputs` and `loopOutputs()`"
                    ))
                }
            }
        }
        if !owned {
            continue;
        }
        if source.contains("currentEachOutput") {
            return Err("`currentEachOutput()` reads per-iteration outputs: use the Loop's `outputs` and `loopOutputs()`".into());
        }
        let Some(owner) = r.owner else { continue };
        for p in &r.paths {
            if p.local || dropped.iter().any(|d| d.contains(p.span.start as usize)) {
                continue;
            }
            let direct_child = flow.task(owner).parent == Some(t);
            let Some((span, new_text)) = loop_value(p, direct_child, outer)? else {
                continue;
            };
            let span = r.expr.file_span(span);
            let written = cx.text(span);
            let expected = if written.starts_with("parents") {
                "parents[0].taskrun.value"
            } else if span_reads_parent(written) {
                "parent.taskrun.value"
            } else if written.ends_with("iteration") {
                "taskrun.iteration"
            } else {
                "taskrun.value"
            };
            if written != expected {
                return Err(format!("`{written}` is written in a way kflow cannot edit"));
            }
            edits.push(Edit {
                span,
                new_text: new_text.into(),
            });
        }
    }
    Ok(edits)
}

fn span_reads_parent(written: &str) -> bool {
    written.starts_with("parent.")
}

/// In `outputs.t[taskrun.value]…`, the span of `[taskrun.value]` (in the expression source).
fn iteration_index(p: &PathRef, source: &str) -> Option<Span> {
    let (Some(Segment::Name(_, name) | Segment::Key(_, name)), Some(Segment::Dynamic(e))) =
        (p.segments.first(), p.segments.get(1))
    else {
        return None;
    };
    let ExprKind::Attr { object, name: attr } = &e.kind else {
        return None;
    };
    if !matches!(&object.kind, ExprKind::Var(v) if v == "taskrun") || attr.name != "value" {
        return None;
    }
    // A `['key']` segment's span is the literal's: the bracket before it starts the segment.
    let start = match p.segments.first() {
        Some(Segment::Key(..)) => {
            name.end as usize + source[name.end as usize..].find(']')? + 1
        }
        _ => name.end as usize,
    };
    let close = e.span.end as usize + source[e.span.end as usize..].find(']')? + 1;
    source[start..close]
        .trim_start()
        .starts_with('[')
        .then(|| Span::new(start, close))
}

/// Whether the path is `parents[0].taskrun.value`.
fn first_parent_value(p: &PathRef) -> bool {
    matches!(
        p.segments.as_slice(),
        [Segment::Index(0, _), Segment::Name("taskrun", _), Segment::Name("value", _), ..]
    )
}

/// The span (in the expression source) of a read of the loop's state to rewrite, with its 2.0
/// spelling; an error for a read 2.0 cannot express the same way. `outer`: the loop is inside
/// another loop.
fn loop_value(
    p: &PathRef,
    direct_child: bool,
    outer: bool,
) -> Result<Option<(Span, &'static str)>, String> {
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
    let at = |i: usize, to: &'static str| end(i).map(|e| (Span::new(start, e), to));
    match (p.root.0, names.as_slice()) {
        ("taskrun", ["value", ..]) => Ok(at(0, "item.value")),
        // Zero-based in both lines.
        ("taskrun", ["iteration", ..]) => Ok(at(0, "item.index")),
        ("parent", ["taskrun", "value"]) if !direct_child => Ok(at(1, "item.value")),
        // From a direct child, the parent task run is the loop's own: its value is the outer
        // loop's.
        ("parent", ["taskrun", "value"]) if outer => Ok(at(1, "item.parent.value")),
        ("parent", ["taskrun", "value"]) => {
            Err("`parent.taskrun.value` reads a loop task run's own value, which 2.0 has no name for".into())
        }
        // `parents[0]` from a direct child is the same task run as `parent`.
        ("parents", _) if direct_child && outer && first_parent_value(p) => {
            Ok(end(2).map(|e| (Span::new(start, e), "item.parent.value")))
        }
        ("parents", _) => Err("`parents` reads the values of enclosing loops by position".into()),
        _ => Ok(None),
    }
}
