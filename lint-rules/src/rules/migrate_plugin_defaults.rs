//! Under Kestra 2.0: `pluginDefaults` (and the older `taskDefaults`) are gone; moves each
//! default into the tasks it applies to.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports a flow-level `pluginDefaults` or `taskDefaults`
//! block. The fix writes each default value into every task, trigger or task runner whose type
//! it matches (the exact type, an old alias of it, or a package prefix) and that does not set
//! that property itself; nested mappings (`taskRunner:`) are merged key by key, as Kestra merged
//! them; then the block is removed. The values are copied as written, comments included; a
//! comment of the block that belongs to no value stays where the block was.
//!
//! Not automated, with the reason in the message: `forced: true` on a value the task sets (the
//! task's own value would have lost), a task written as a flow mapping (`{id: a, …}`), and
//! defaults for a type no object of the flow has (dropping them is offered as an unsafe fix:
//! nothing used them in this flow, but a reader may have meant them for later).
//!
//! Source: Kestra's 2.0 migration guide (kestra-io/docs, `migration-guide/v2.0.0`: "pluginDefaults
//! removed", "Move pluginDefaults.forced to Namespace or Global Scope"): flows that still have
//! `pluginDefaults` fail to parse on 2.0; defaults move to the tasks or to namespace/tenant
//! policies.
//!
//! ## Why
//! Kestra 2.0 refuses a flow that still has the block.
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
//! pluginDefaults:
//!   - type: io.kestra.plugin.core.log.Log
//!     values:
//!       level: WARN
//! ```
//!
//! ## Fix
//! Write `level: WARN` in the `log` task and delete `pluginDefaults` (`kflow migrate --to 2.0`
//! does it).

use std::collections::BTreeMap;

use kflow_syntax::yaml::NodeId;
use kflow_syntax::Span;

use crate::catalog::TypeDef;
use crate::context::Context;
use crate::edits::{
    comments_in, entry_lines, entry_text, indented, key_indent, last_content_offset, line_end,
};
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::source::Source;

pub const ID: &str = "migrate-plugin-defaults";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for key in ["pluginDefaults", "taskDefaults"] {
        let Some(entry) = cx.tree.get(flow.root, key) else {
            continue;
        };
        let key_span = cx.tree.span(entry.key);
        let message = format!("`{key}` was removed in Kestra 2.0");
        let f = Finding::new(ID, key_span, message.clone());
        out.push(match plan(cx, entry.key, entry.value) {
            Ok(plan) => {
                let title = "Move the defaults into the tasks they apply to";
                if plan.unused.is_empty() {
                    f.fix(title, plan.edits, Applicability::Safe)
                } else {
                    let mut f = f;
                    f.message = format!(
                        "{message}; the defaults for {} apply to no object of this flow: moving the others drops them",
                        plan.unused.join(", ")
                    );
                    f.fix(title, plan.edits, Applicability::Unsafe)
                }
            }
            Err(reason) => {
                let mut f = f;
                f.message = format!("{message}; not moved automatically: {reason}");
                f
            }
        });
    }
}

/// The edits moving every default, and the default types that match nothing.
struct Plan {
    edits: Vec<Edit>,
    unused: Vec<String>,
}

fn plan(cx: &Source, key: NodeId, list: NodeId) -> Result<Plan, String> {
    let tree = cx.tree;
    let items = tree.items(list).ok_or("it is not a list")?;
    let block = entry_lines(cx, key, list);
    // Insertions by offset, deepest first; and the keys already given to each mapping.
    let mut inserts: Inserts = BTreeMap::new();
    let mut given: Vec<(NodeId, String)> = Vec::new();
    let mut copied: Vec<Span> = Vec::new();
    let mut unused = Vec::new();
    for &item in items {
        let type_ = tree
            .get_value(item, "type")
            .and_then(|t| tree.str(t))
            .ok_or("an entry has no `type`")?;
        let forced = tree
            .get_value(item, "forced")
            .and_then(|v| tree.str(v))
            .is_some_and(|v| v == "true");
        let Some(values) = tree.get_value(item, "values") else {
            continue;
        };
        if tree.entries(values).is_none() {
            return Err(format!("the `values` for `{type_}` are not a mapping"));
        }
        let targets: Vec<(NodeId, Option<&TypeDef>)> = cx
            .plugins()
            .filter(|(p, _)| !block.contains(tree.span(p.node).start as usize))
            .filter(|(p, _)| {
                p.type_
                    .as_ref()
                    .is_some_and(|t| applies(cx, type_, &t.name))
            })
            .map(|(p, def)| (p.node, def))
            .collect();
        if targets.is_empty() {
            unused.push(format!("`{type_}`"));
            continue;
        }
        for (target, def) in targets {
            let to = Target { node: target, def };
            merge(cx, values, to, forced, &mut inserts, &mut given, &mut copied)?;
        }
    }
    // Values for the object just above the block are inserted where the block starts: one edit
    // with the removal, as two edits at one offset would have no order.
    let before_block = inserts
        .remove(&(block.start as usize))
        .map(joined)
        .unwrap_or_default();
    let mut edits: Vec<Edit> = inserts
        .into_iter()
        .map(|(at, chunks)| Edit {
            span: Span::empty(at),
            new_text: joined(chunks),
        })
        .collect();
    // The block goes; its comments that no copied value carries stay in its place.
    let kept = before_block + &comments_in(cx, block, &copied);
    edits.push(Edit {
        span: block,
        new_text: kept,
    });
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    // An insertion at the block's start would touch the removal: keep them one edit.
    if edits.windows(2).any(|w| w[0].span.end > w[1].span.start) {
        return Err("the defaults and the tasks overlap".into());
    }
    Ok(Plan { edits, unused })
}

/// Lines to insert, by offset, each chunk with the indentation of its keys.
type Inserts = BTreeMap<usize, Vec<(usize, String)>>;

/// The chunks inserted at one offset, deepest first: a nested mapping ending where its parent
/// ends gets its keys before the parent's.
fn joined(mut chunks: Vec<(usize, String)>) -> String {
    chunks.sort_by_key(|(indent, _)| std::cmp::Reverse(*indent));
    chunks.into_iter().map(|(_, text)| text).collect()
}

/// Whether defaults for `default_type` apply to an object of type `type_`: the same type (by
/// name or alias), or a type in that package.
fn applies(cx: &Source, default_type: &str, type_: &str) -> bool {
    type_ == default_type
        || cx.catalog.canonical(type_) == cx.catalog.canonical(default_type)
        || type_
            .strip_prefix(default_type)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// A mapping defaults go into, with the catalog's definition of its type for a typed object.
#[derive(Clone, Copy)]
struct Target<'a> {
    node: NodeId,
    def: Option<&'a TypeDef>,
}

/// Adds to `inserts` the entries of `defaults` that `target` lacks, recursing into mappings
/// both have. A property the target's type does not have is not given to it: defaults for a
/// package apply to each type of it only with the properties that type has.
fn merge(
    cx: &Source,
    defaults: NodeId,
    to: Target,
    forced: bool,
    inserts: &mut Inserts,
    given: &mut Vec<(NodeId, String)>,
    copied: &mut Vec<Span>,
) -> Result<(), String> {
    let tree = cx.tree;
    let text = &cx.doc.text;
    let target = to.node;
    if tree.node(target).flow_style {
        return Err("an object it applies to is written as a flow mapping (`{…}`)".into());
    }
    let indent = " ".repeat(key_indent(cx, target).ok_or("an object is empty")?);
    let mut lines = String::new();
    for e in tree.entries(defaults).unwrap_or_default() {
        let Some(key) = tree.str(e.key) else { continue };
        if to
            .def
            .is_some_and(|d| !d.open && !d.properties.contains_key(key))
        {
            continue;
        }
        if given.iter().any(|(n, k)| *n == target && k == key) {
            continue;
        }
        if let Some(own) = tree.get_value(target, key) {
            let both_maps = tree.entries(own).is_some() && tree.entries(e.value).is_some();
            if both_maps && !tree.node(own).flow_style && !tree.node(e.value).flow_style {
                let inner = Target {
                    node: own,
                    def: None,
                };
                merge(cx, e.value, inner, forced, inserts, given, copied)?;
            } else if forced {
                return Err(format!(
                    "`forced` overrides `{key}`, which a task sets itself"
                ));
            }
            continue;
        }
        let (entry, span) = entry_text(cx, defaults, e.key, e.value)?;
        copied.push(span);
        given.push((target, key.to_string()));
        lines.push_str(&indented(&entry, &indent));
    }
    if lines.is_empty() {
        return Ok(());
    }
    let at = line_end(text, last_content_offset(cx, target));
    // The last line of a file without a final line break.
    if at == text.len() && !text.ends_with(['\n', '\r']) {
        lines.insert(0, '\n');
    }
    inserts.entry(at).or_default().push((indent.len(), lines));
    Ok(())
}
