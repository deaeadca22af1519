//! The graph as JSON, for other tools. The shape (version 1) is documented in the README:
//! `flow`, then `nodes`, `clusters` and `edges`, each element with an `id` (`n…`, `c…`) the
//! others refer to; absent values are `null`.

use serde_json::{json, Value};

use super::model::Graph;

pub fn value(graph: &Graph) -> Value {
    let cluster_ref = |c: Option<usize>| c.map(|c| format!("c{c}"));
    let nodes: Vec<Value> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({
                "id": format!("n{i}"),
                "kind": n.kind.name(),
                "label": n.label,
                "taskId": n.task_id,
                "type": n.type_name,
                "subflow": n.subflow,
                "cluster": cluster_ref(n.cluster),
                "line": n.line,
                "run": n.run.as_ref().map(|r| json!({
                    "state": crate::run::display::state_name(r.state),
                    "runs": r.runs,
                    "attempts": r.attempts,
                    "durationMs": r.took.map(|d| d.as_millis() as u64),
                    "byState": r.by_state,
                })),
            })
        })
        .collect();
    let clusters: Vec<Value> = graph
        .clusters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "id": format!("c{i}"),
                "kind": c.kind.name(),
                "label": c.label,
                "taskId": c.task_id,
                "header": c.header.map(|h| format!("n{h}")),
                "parent": cluster_ref(c.parent),
            })
        })
        .collect();
    let edges: Vec<Value> = graph
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": format!("n{}", e.from),
                "to": format!("n{}", e.to),
                "kind": e.kind.name(),
                "label": e.label,
            })
        })
        .collect();
    json!({
        "version": 1,
        "flow": {"id": graph.flow_id, "namespace": graph.namespace},
        "nodes": nodes,
        "clusters": clusters,
        "edges": edges,
    })
}

pub fn write(graph: &Graph) -> String {
    let mut text = serde_json::to_string_pretty(&value(graph)).unwrap_or_default();
    text.push('\n');
    text
}
