//! Under Kestra 2.0 (Enterprise Edition): `workerGroup` is gone; writes the `workerSelector`
//! that routes the same way.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports `workerGroup` on tasks and triggers. The fix replaces
//! `workerGroup: {key: k, fallback: F}` with `workerSelector: {tags: [k], fallback: F}`, and
//! pins `fallback: WAIT` when none was written: 1.x waited by default, 2.0 fails. Not automated,
//! with the reason: a key that is not an RFC 1123 label (lowercase letters, digits and hyphens,
//! at most 63 characters; an expression) and a `workerGroup` with no key.
//!
//! 2.0 routes the tags to a Worker Queue carrying them, which the instance must have: create
//! one named after each key.
//!
//! Source: Kestra's migration program's change list (kestra-io/kestra2-flow-migration,
//! `flows-changes.md`, EE changes: "`workerGroup` → `workerSelector`", kestra commit
//! `da42c3422b`, `WorkerSelector.java`).
//!
//! ## Why
//! Kestra 2.0 rejects the flow while it has `workerGroup`.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: hi
//!     workerGroup:
//!       key: gpu
//! ```
//!
//! ## Fix
//! `workerSelector: {tags: [gpu], fallback: WAIT}`, written as a block (`kflow migrate --to 2.0`
//! does it).

use kflow_syntax::model::PluginKind;
use kflow_syntax::yaml::NodeId;

use crate::context::Context;
use crate::edits::{comments_in, entry_lines, line_start};
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::source::Source;

pub const ID: &str = "migrate-worker-group";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    for (plugin, _) in cx.plugins() {
        if !matches!(plugin.kind, PluginKind::Task | PluginKind::Trigger) {
            continue;
        }
        let Some(span) = cx.key_span(plugin.node, "workerGroup") else {
            continue;
        };
        let message = "`workerGroup` was removed in Kestra 2.0; use `workerSelector`";
        let f = Finding::new(ID, span, message);
        out.push(match rewrite(cx, plugin.node) {
            Ok(edit) => f.fix("Write `workerSelector`", vec![edit], Applicability::Safe),
            Err(reason) => {
                let mut f = f;
                f.message = format!("{message}; not rewritten automatically: {reason}");
                f
            }
        });
    }
}

/// Whether `key` is an RFC 1123 label, as 2.0 requires of a tag.
fn is_label(key: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    !key.is_empty()
        && key.len() <= 63
        && key.chars().all(ok_char)
        && !key.starts_with('-')
        && !key.ends_with('-')
}

fn rewrite(cx: &Source, node: NodeId) -> Result<Edit, String> {
    let tree = cx.tree;
    let text = &cx.doc.text;
    let entry = tree.get(node, "workerGroup").ok_or("no workerGroup")?;
    let key = tree
        .get_value(entry.value, "key")
        .and_then(|k| tree.str(k))
        .ok_or("it has no `key`")?;
    if !is_label(key) {
        return Err(format!(
            "the key `{key}` is not a lowercase RFC 1123 label, as 2.0's tags must be"
        ));
    }
    let fallback = match tree.get_value(entry.value, "fallback").and_then(|v| tree.str(v)) {
        None => "WAIT",
        Some(f @ ("FAIL" | "WAIT" | "CANCEL")) => f,
        Some(other) => return Err(format!("the fallback `{other}` is not FAIL, WAIT or CANCEL")),
    };
    if tree
        .entries(entry.value)
        .unwrap_or_default()
        .iter()
        .any(|e| !matches!(tree.str(e.key), Some("key" | "fallback")))
    {
        return Err("it has more than `key` and `fallback`".into());
    }
    let at = tree.span(entry.key).start as usize;
    let start = line_start(text, at);
    if !text[start..at].trim().is_empty() {
        return Err("`workerGroup` is not on its own line".into());
    }
    let indent = &text[start..at];
    let span = entry_lines(cx, entry.key, entry.value);
    let mut new_text = format!(
        "{indent}workerSelector:\n{indent}  tags: [{key}]\n{indent}  fallback: {fallback}\n"
    );
    for c in comments_in(cx, span, &[]).lines() {
        new_text.push_str(&format!("{indent}{c}\n"));
    }
    Ok(Edit { span, new_text })
}
