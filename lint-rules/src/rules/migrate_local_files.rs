//! Under Kestra 2.0: `LocalFiles` is gone; moves its files to the `inputFiles` and
//! `outputFiles` of the `WorkingDirectory` it sits in.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports `LocalFiles` tasks. When they sit in a
//! `WorkingDirectory` that has no `inputFiles` / `outputFiles` of its own, the ones writing files
//! (`inputs`) come before every other task of it and the ones collecting files (`outputs`)
//! after every other task, the fix writes their `inputs` as the directory's `inputFiles` and
//! their `outputs` as its `outputFiles`, deletes them, and turns `outputs.<localFiles>.uris`
//! into `outputs.<workingDirectory>.outputFiles`. Comments of the deleted tasks stay, beside
//! the new properties.
//!
//! Not automated, with the reason in the message: a `LocalFiles` outside a `WorkingDirectory`
//! or between its other tasks (the files would be written or collected at another moment), an
//! `inputs` that is not a mapping or renders `task` / `taskrun` (the directory renders them in
//! its own context), reads of its `uris` that do not go straight to a file name (inside a loop),
//! and a directory left with no other task.
//!
//! Source: Kestra's migration program's change list (kestra-io/kestra2-flow-migration,
//! `flows-changes.md`: "`LocalFiles` and `outputDir` removed: use `inputFiles` and
//! `outputFiles` on `WorkingDirectory` and script tasks"), which reports these without
//! rewriting them.
//!
//! ## Why
//! Kestra 2.0 refuses a flow that still uses it.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: wd
//!     type: io.kestra.plugin.core.flow.WorkingDirectory
//!     tasks:
//!       - id: files
//!         type: io.kestra.plugin.core.storage.LocalFiles
//!         inputs:
//!           data.txt: hello
//!       - id: show
//!         type: io.kestra.plugin.scripts.shell.Commands
//!         commands: [cat data.txt]
//! ```
//!
//! ## Fix
//! `inputFiles: {data.txt: hello}` on `wd`, written as a block, and no `files` task
//! (`kflow migrate --to 2.0` does it).

use kflow_syntax::model::{Flow, Section, TaskIdx};
use kflow_syntax::pebble::Segment;
use kflow_syntax::Span;

use crate::context::Context;
use crate::edits::{comments_in, entry_text, indented, key_indent, last_content_offset, line_end, line_start};
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::source::Source;

pub const ID: &str = "migrate-local-files";
pub const SEVERITY: Severity = Severity::Error;

const LOCAL_FILES: &str = "io.kestra.plugin.core.storage.LocalFiles";
const WORKING_DIRECTORY: &str = "io.kestra.plugin.core.flow.WorkingDirectory";

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    let is = |t: TaskIdx, name: &str| cx.task_type(t).is_some_and(|n| n == name);
    // Each working directory with its LocalFiles: one fix for all of them.
    let mut done: Vec<TaskIdx> = Vec::new();
    for t in flow.task_indices() {
        if !is(t, LOCAL_FILES) || done.contains(&t) {
            continue;
        }
        let parent = flow.task(t).parent.filter(|&p| is(p, WORKING_DIRECTORY));
        let siblings: Vec<TaskIdx> = match parent {
            Some(p) => flow.list(Some(p), &Section::Tasks),
            None => vec![t],
        };
        let group: Vec<TaskIdx> = siblings.iter().copied().filter(|&s| is(s, LOCAL_FILES)).collect();
        done.extend(&group);
        let planned = match parent {
            Some(p) => rewrite(cx, flow, p, &siblings, &group),
            None => Err("it is not in a `WorkingDirectory`: give its files to the task that uses them (`inputFiles` / `outputFiles`)".into()),
        };
        for &lf in &group {
            let Some(type_) = &flow.task(lf).type_ else { continue };
            let message = "`LocalFiles` was removed in Kestra 2.0; use the `inputFiles` and `outputFiles` of the `WorkingDirectory`";
            let f = Finding::new(ID, type_.span, message);
            out.push(match &planned {
                // The fix rides on the first of the group; the others are resolved by it.
                Ok(edits) if lf == group[0] => {
                    f.fix("Move the files to the WorkingDirectory", edits.clone(), Applicability::Safe)
                }
                Ok(_) => f,
                Err(reason) => {
                    let mut f = f;
                    f.message = format!("{message}; not rewritten automatically: {reason}");
                    f
                }
            });
        }
    }
}

fn rewrite(
    cx: &Source,
    flow: &Flow,
    wd: TaskIdx,
    siblings: &[TaskIdx],
    group: &[TaskIdx],
) -> Result<Vec<Edit>, String> {
    let tree = cx.tree;
    let text = &cx.doc.text;
    let wd_node = flow.task(wd).node;
    if tree.get(wd_node, "inputFiles").is_some() || tree.get(wd_node, "outputFiles").is_some() {
        return Err("the `WorkingDirectory` has `inputFiles` or `outputFiles` already".into());
    }
    if siblings.len() == group.len() {
        return Err("the `WorkingDirectory` would be left with no task".into());
    }
    let first_other = siblings.iter().position(|s| !group.contains(s)).unwrap_or(0);
    let last_other = siblings.iter().rposition(|s| !group.contains(s)).unwrap_or(0);
    let indent = " ".repeat(key_indent(cx, wd_node).ok_or("the `WorkingDirectory` is empty")?);
    let mut input_lines = String::new();
    let mut output_lines = String::new();
    let mut kept = String::new();
    let mut edits = Vec::new();
    for (i, &s) in siblings.iter().enumerate() {
        if !group.contains(&s) {
            continue;
        }
        let node = flow.task(s).node;
        if let Some(inputs) = tree.get_value(node, "inputs") {
            if i > first_other {
                return Err("a `LocalFiles` writes files after other tasks of the directory ran".into());
            }
            let entries = tree.entries(inputs).ok_or("its `inputs` is not a mapping")?;
            for e in entries {
                let (entry, _) = entry_text(cx, inputs, e.key, e.value)?;
                input_lines.push_str(&indented(&entry, &format!("{indent}  ")));
            }
            let own_context = cx.rendered_expressions().iter().any(|r| {
                tree.span(inputs).contains(tree.span(r.expr.node).start as usize)
                    && r.paths.iter().any(|p| matches!(p.root.0, "task" | "taskrun"))
            });
            if own_context {
                return Err("its `inputs` render `task` or `taskrun`, which would be the directory's".into());
            }
        }
        if let Some(outputs) = tree.get_value(node, "outputs") {
            if i < last_other {
                return Err("a `LocalFiles` collects files before other tasks of the directory ran".into());
            }
            let items = tree.items(outputs).ok_or("its `outputs` is not a list")?;
            for &item in items {
                let raw = cx.text(tree.span(item));
                if tree.str(item).is_none() || raw.contains(['\n', '\r']) {
                    return Err("an output file name is not a one-line value".into());
                }
                output_lines.push_str(&format!("{indent}  - {raw}\n"));
            }
        }
        // The whole list item, from its `- `.
        let span = tree.span(node);
        let item = Span::new(
            line_start(text, span.start as usize),
            line_end(text, last_content_offset(cx, node)),
        );
        let copied: Vec<Span> = ["inputs", "outputs"]
            .iter()
            .filter_map(|k| tree.get(node, k))
            .map(|e| crate::edits::entry_lines(cx, e.key, e.value))
            .collect();
        for c in comments_in(cx, item, &copied).lines() {
            kept.push_str(&format!("{indent}{c}\n"));
        }
        edits.push(Edit {
            span: item,
            new_text: String::new(),
        });
        edits.extend(uris_reads(cx, flow, s, wd)?);
    }
    let mut block = kept;
    if !input_lines.is_empty() {
        block.push_str(&format!("{indent}inputFiles:\n{input_lines}"));
    }
    if !output_lines.is_empty() {
        block.push_str(&format!("{indent}outputFiles:\n{output_lines}"));
    }
    let tasks_key = tree
        .get(wd_node, "tasks")
        .map(|e| tree.span(e.key).start as usize)
        .ok_or("the `WorkingDirectory` has no `tasks`")?;
    let at = line_start(text, tasks_key);
    if !text[at..].starts_with(&indent) || text[at + indent.len()..].starts_with(' ') {
        return Err("the directory's `tasks:` is not on its own line".into());
    }
    edits.push(Edit {
        span: Span::empty(at),
        new_text: block,
    });
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    Ok(edits)
}

/// `outputs.<localFiles>.uris` → `outputs.<workingDirectory>.outputFiles`, everywhere.
fn uris_reads(cx: &Source, flow: &Flow, lf: TaskIdx, wd: TaskIdx) -> Result<Vec<Edit>, String> {
    let lf_id = flow.task(lf).id.as_ref().map(|n| n.name.as_str()).unwrap_or_default();
    let wd_id = flow.task(wd).id.as_ref().map(|n| n.name.as_str()).unwrap_or_default();
    if !wd_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("the directory's id is not a plain name".into());
    }
    let mut edits = Vec::new();
    for r in cx.rendered_expressions() {
        for p in &r.paths {
            if p.root.0 != "outputs" {
                continue;
            }
            match (p.segments.first(), p.segments.get(1)) {
                (Some(Segment::Name(id, s) | Segment::Key(id, s)), second) if *id == lf_id => {
                    let Some(Segment::Name("uris", u)) = second else {
                        return Err(format!("`outputs.{lf_id}` is read other than as `outputs.{lf_id}.uris`"));
                    };
                    let span = r.expr.file_span(Span::new(s.start as usize, u.end as usize));
                    if cx.text(span) != format!("{lf_id}.uris") {
                        return Err(format!("`outputs.{lf_id}.uris` is written in a way kflow cannot edit"));
                    }
                    edits.push(Edit {
                        span,
                        new_text: format!("{wd_id}.outputFiles"),
                    });
                }
                _ => {}
            }
        }
    }
    Ok(edits)
}
