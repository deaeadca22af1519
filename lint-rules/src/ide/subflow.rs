//! Subflow calls: which flow a Subflow (or ForEachItem) task starts, so that an editor can jump
//! from its `namespace` / `flowId` to that flow's file.

use kflow_syntax::{Document, Span};

/// Task types that start another flow by `namespace` and `flowId`.
const CALLERS: &[&str] = &[
    ".flow.Subflow",
    ".flow.ForEachItem",
    ".flows.Flow",
    ".flows.Subflow",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubflowTarget {
    pub namespace: String,
    pub flow_id: String,
    /// The `namespace` or `flowId` value under the cursor.
    pub span: Span,
}

/// The flow started by the Subflow task whose `namespace` or `flowId` value is at `offset`.
pub fn subflow_target(doc: &Document, offset: usize) -> Option<SubflowTarget> {
    let flow = doc.flow.as_ref()?;
    let tree = &doc.tree;
    flow.tasks.iter().find_map(|task| {
        let type_name = &task.type_.as_ref()?.name;
        if !CALLERS.iter().any(|c| type_name.ends_with(c)) {
            return None;
        }
        let span = ["namespace", "flowId"].iter().find_map(|key| {
            let value = tree.get_value(task.node, key)?;
            let span = tree.span(value);
            (span.contains(offset) || span.end as usize == offset).then_some(span)
        })?;
        Some(SubflowTarget {
            namespace: tree.get_str(task.node, "namespace")?.to_string(),
            flow_id: tree.get_str(task.node, "flowId")?.to_string(),
            span,
        })
    })
}

/// A flow's `namespace` and `id`, with the span of its `id` value.
pub fn flow_identity(doc: &Document) -> Option<(String, String, Span)> {
    let flow = doc.flow.as_ref()?;
    let id = flow.id.as_ref()?;
    let namespace = flow.namespace.as_ref()?;
    Some((namespace.name.clone(), id.name.clone(), id.span))
}
