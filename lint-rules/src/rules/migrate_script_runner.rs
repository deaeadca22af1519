//! Under Kestra 2.0: a script task's `runner` and `docker` properties are gone; writes the
//! `taskRunner` (and `containerImage`) they stood for.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports `runner:` and `docker:` on the script tasks of the
//! scripts plugin. The fix replaces `runner: PROCESS` with a `Process` task runner, and
//! `runner: DOCKER` (or a `docker:` block alone: Docker was the default runner) with a `Docker`
//! task runner holding the `docker:` options as written, except `image`, which becomes the
//! task's `containerImage`. A task that already has a `taskRunner`, or both `docker.image` and
//! `containerImage`, is reported without a fix.
//!
//! Source: Kestra's migration guides (kestra-io/docs 0.18 "Migrating from runner to
//! taskRunner") and Kestra's migration program's change list and fixture
//! (kestra-io/kestra2-flow-migration, `flows-changes.md`: "`runner` removed").
//!
//! ## Why
//! Kestra 2.0 rejects the old properties.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: py
//!     type: io.kestra.plugin.scripts.python.Script
//!     runner: DOCKER
//!     docker:
//!       image: python:slim
//!     script: print(1)
//! ```
//!
//! ## Fix
//! `taskRunner: {type: io.kestra.plugin.scripts.runner.docker.Docker}` and
//! `containerImage: python:slim`, written as blocks (`kflow migrate --to 2.0` does it).

use kflow_syntax::yaml::NodeId;
use kflow_syntax::Span;

use crate::context::Context;
use crate::edits::{comments_in, entry_lines, entry_text, indented, key_indent};
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::source::Source;

pub const ID: &str = "migrate-script-runner";
pub const SEVERITY: Severity = Severity::Error;

const PROCESS: &str = "io.kestra.plugin.core.runner.Process";
const DOCKER: &str = "io.kestra.plugin.scripts.runner.docker.Docker";

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for task in &flow.tasks {
        let Some(type_) = &task.type_ else { continue };
        // The script tasks of the scripts plugin; the old core `Bash` has other options.
        let def = cx.catalog.get(&type_.name);
        if !def.is_some_and(|d| {
            d.name.starts_with("io.kestra.plugin.scripts.")
                && d.properties.contains_key("taskRunner")
                && d.properties.contains_key("docker")
        }) {
            continue;
        }
        let node = task.node;
        let Some(span) = cx
            .key_span(node, "runner")
            .or_else(|| cx.key_span(node, "docker"))
        else {
            continue;
        };
        let f = Finding::new(
            ID,
            span,
            "`runner` and `docker` were removed in Kestra 2.0; use `taskRunner` and `containerImage`",
        );
        out.push(match rewrite(cx, node) {
            Ok(edits) => f.fix("Write the task runner", edits, Applicability::Safe),
            Err(reason) => {
                let mut f = f;
                f.message
                    .push_str(&format!("; not rewritten automatically: {reason}"));
                f
            }
        });
    }
}

fn rewrite(cx: &Source, node: NodeId) -> Result<Vec<Edit>, String> {
    let tree = cx.tree;
    if tree.get(node, "taskRunner").is_some() {
        return Err("the task also has a `taskRunner`".into());
    }
    let indent = " ".repeat(key_indent(cx, node).ok_or("the task is empty")?);
    let runner = tree.get_value(node, "runner").and_then(|v| tree.str(v));
    let docker = tree.get(node, "docker");
    let kind = match runner {
        Some("PROCESS") => PROCESS,
        Some("DOCKER") | None => DOCKER,
        Some(other) => return Err(format!("`runner: {other}` is not PROCESS or DOCKER")),
    };
    let mut block = format!("{indent}taskRunner:\n{indent}  type: {kind}\n");
    let mut image = String::new();
    let mut copied = Vec::new();
    if let (Some(d), true) = (docker, kind == DOCKER) {
        let options = tree.entries(d.value).ok_or("`docker` is not a mapping")?;
        if tree.node(d.value).flow_style {
            return Err("`docker` is written as a flow mapping".into());
        }
        for e in options {
            let (entry, span) = entry_text(cx, d.value, e.key, e.value)?;
            copied.push(span);
            if tree.str(e.key) == Some("image") {
                if tree.get(node, "containerImage").is_some() {
                    return Err("both `docker.image` and `containerImage` are set".into());
                }
                let entry = entry.replacen("image", "containerImage", 1);
                image = indented(&entry, &indent);
            } else {
                block.push_str(&indented(&entry, &format!("{indent}  ")));
            }
        }
    }
    block.push_str(&image);
    // The new lines replace the first of the two old entries, the comments of both that were
    // not copied following them; the other one goes.
    let mut olds: Vec<Span> = ["runner", "docker"]
        .iter()
        .filter_map(|k| tree.get(node, k))
        .map(|e| entry_lines(cx, e.key, e.value))
        .collect();
    olds.sort_by_key(|s| s.start);
    for span in &olds {
        for c in comments_in(cx, *span, &copied).lines() {
            block.push_str(&format!("{indent}{c}\n"));
        }
    }
    let mut edits = Vec::new();
    for (i, span) in olds.into_iter().enumerate() {
        let text = &cx.doc.text[span.range()];
        if !text.starts_with(&indent) || text[indent.len()..].starts_with(' ') {
            return Err("`runner` or `docker` is not on its own line".into());
        }
        edits.push(Edit {
            span,
            new_text: if i == 0 {
                std::mem::take(&mut block)
            } else {
                String::new()
            },
        });
    }
    Ok(edits)
}
