//! The state tasks 2.0 removed (`state.Get`, `Set`, `Delete`). 1.3 already kept each state in
//! the namespace's KV store, under the key [`kflow_java::state_store::key`] gives; the finding
//! names it. `Delete` becomes `kv.Delete` of that key (same `errorOnMissing`, same `deleted`
//! output). `Get` and `Set` are left with the key to use: `kv.Set` replaces a value where
//! `state.Set` merged `data` into it, and `kv.Get` gives the stored text where `state.Get` gave
//! the map (`data`) and its size (`count`).

use kflow_syntax::model::{Flow, Named, TaskIdx};
use kflow_syntax::yaml::NodeId;
use kflow_syntax::Span;

use super::ID;
use crate::context::Context;
use crate::edits::{line_end, own_line_indent, remove_entry};
use crate::finding::{Applicability, Edit, Finding};
use crate::scope::is_value_loop;

const STATE_TASKS: &[&str] = &[
    "io.kestra.plugin.core.state.Get",
    "io.kestra.plugin.core.state.Set",
    "io.kestra.plugin.core.state.Delete",
];

pub(super) fn check(cx: &Context, flow: &Flow, t: TaskIdx, full: &str, out: &mut Vec<Finding>) {
    if !STATE_TASKS.contains(&full) {
        return;
    }
    let task = flow.task(t);
    let Some(type_) = &task.type_ else { return };
    let kind = full.rsplit('.').next().unwrap_or(full);
    let tree = cx.tree;
    let flag = |key: &str| tree.get_str(task.node, key);
    let mut message = format!("`state.{kind}` was removed in Kestra 2.0; the KV store replaces it");
    let name = flag("name").unwrap_or("default");
    let key = match (flow.id.as_ref(), name.contains("{{")) {
        (Some(id), false) if !id.name.contains("{{") => {
            let per_value = flag("taskrunValue") != Some("false")
                && flow.ancestors(t).any(|a| {
                    // A 2.0 Loop here was a 1.x loop a moment ago (`migrate-loop` goes first).
                    is_value_loop(cx.catalog, flow, a)
                        || cx.task_type(a) == Some("io.kestra.plugin.core.flow.Loop")
                });
            let flow_scoped = flag("namespace") != Some("true");
            let key = kflow_java::state_store::key(&id.name, flow_scoped, name, None);
            if per_value {
                message.push_str(&format!(
                    "; 1.3 kept this state under `{key}_<murmur3 of the loop value>`"
                ));
                None
            } else {
                message.push_str(&format!("; 1.3 kept this state under the KV key `{key}`"));
                Some(key)
            }
        }
        _ => None,
    };
    let f = Finding::new(ID, type_.span, message.clone());
    let fix = match (&key, kind) {
        (Some(key), "Delete") => delete(cx, task.node, type_, key),
        (None, _) => Err("its key depends on a value known when it runs".to_string()),
        (_, "Set") => Err("`kv.Set` replaces the value where `state.Set` merged `data` into it".into()),
        _ => Err("`kv.Get` gives the stored text (`value`) where `state.Get` gave the map (`data`) and its size (`count`)".into()),
    };
    out.push(match fix {
        Ok(edits) => f.fix("Use `kv.Delete`", edits, Applicability::Safe),
        Err(why) => {
            let mut f = f;
            f.message = format!("{message}; not migrated automatically: {why}");
            f
        }
    });
}

/// `kv.Delete` of the state's key: `name` becomes `key`, the `namespace` and `taskrunValue`
/// flags go (kv.Delete's `namespace` names a namespace; the flow's is the default of both).
fn delete(cx: &Context, node: NodeId, type_: &Named, key: &str) -> Result<Vec<Edit>, String> {
    let tree = cx.tree;
    let at = cx
        .exact_value_span(type_.span, &type_.name)
        .ok_or("its type is written in an unusual way")?;
    let key = if key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) {
        key.to_string()
    } else {
        format!("\"{key}\"")
    };
    let mut edits = vec![Edit {
        span: at,
        new_text: "io.kestra.plugin.core.kv.Delete".into(),
    }];
    for flag in ["namespace", "taskrunValue"] {
        if let Some(e) = tree.get(node, flag) {
            edits.push(remove_entry(cx, node, e)?);
        }
    }
    match tree.get(node, "name") {
        Some(e) => {
            edits.push(Edit {
                span: tree.span(e.key),
                new_text: "key".into(),
            });
            edits.push(Edit {
                span: tree.span(e.value),
                new_text: key,
            });
        }
        None => {
            let type_entry = tree.get(node, "type").ok_or("it has no `type` entry")?;
            let indent = own_line_indent(cx, node, type_entry)?;
            let after = line_end(&cx.doc.text, tree.span(type_entry.value).end as usize - 1);
            edits.push(Edit {
                span: Span::empty(after),
                new_text: format!("{indent}key: {key}\n"),
            });
        }
    }
    Ok(edits)
}
