//! The graph in Graphviz's DOT language (`dot -Tpng`), clusters as `subgraph cluster_…`.

use std::fmt::Write;

use super::model::{Block, ClusterKind, EdgeKind, Graph, NodeKind};

/// A DOT double-quoted string's content: backslashes and quotes escaped, line breaks as DOT's
/// `\n`.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn write(graph: &Graph) -> String {
    let mut out = String::new();
    let title = graph
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Start)
        .map_or("flow", |n| n.label.as_str());
    let _ = writeln!(out, "digraph \"{}\" {{", escape(title));
    out.push_str("  rankdir=TB;\n");
    out.push_str("  compound=true;\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#8405ff\", fontname=\"monospace\", fontsize=11];\n");
    out.push_str("  edge [color=\"#6d6d7a\"];\n");
    block(&mut out, graph, &graph.root, 1);
    for e in &graph.edges {
        let mut attrs = Vec::new();
        if let Some(label) = &e.label {
            attrs.push(format!("label=\"{}\"", escape(label)));
        }
        match e.kind {
            EdgeKind::Error => attrs.push("style=dashed, color=\"#d9534f\"".into()),
            EdgeKind::Trigger => attrs.push("style=dotted, color=\"#2e8b57\"".into()),
            EdgeKind::DependsOn => attrs.push("color=\"#8405ff\"".into()),
            EdgeKind::Next | EdgeKind::Branch => {}
        }
        let _ = if attrs.is_empty() {
            writeln!(out, "  n{} -> n{};", e.from, e.to)
        } else {
            writeln!(out, "  n{} -> n{} [{}];", e.from, e.to, attrs.join(", "))
        };
    }
    out.push_str("}\n");
    out
}

fn block(out: &mut String, graph: &Graph, b: &Block, depth: usize) {
    let indent = "  ".repeat(depth);
    match b {
        Block::Node(n) => {
            let node = &graph.nodes[*n];
            let second = node.detail();
            let label = if second.is_empty() {
                node.label.clone()
            } else {
                format!("{}\n{second}", node.label)
            };
            let shape = match (&node.run, node.kind) {
                (_, NodeKind::Start | NodeKind::End) => {
                    ", shape=oval, fillcolor=\"#ede7f6\"".to_string()
                }
                (_, NodeKind::Trigger) => ", shape=hexagon, color=\"#2e8b57\"".to_string(),
                (Some(run), NodeKind::Task) => {
                    let (fill, border) = run.colors();
                    format!(", fillcolor=\"{fill}\", color=\"{border}\", penwidth=2")
                }
                (None, NodeKind::Task) => String::new(),
            };
            let _ = writeln!(out, "{indent}n{n} [label=\"{}\"{shape}];", escape(&label));
        }
        Block::Stack(items) | Block::Row(items) => {
            for item in items {
                block(out, graph, item, depth);
            }
        }
        Block::Cluster(c, inner) => {
            let cluster = &graph.clusters[*c];
            let style = match cluster.kind {
                ClusterKind::Branch => "style=dashed;",
                ClusterKind::Errors => {
                    "style=\"rounded,filled\"; fillcolor=\"#fdf1f1\"; color=\"#d9534f\";"
                }
                ClusterKind::Triggers => {
                    "style=\"rounded,filled\"; fillcolor=\"#f2faf4\"; color=\"#5aa469\";"
                }
                _ => "style=\"rounded,filled\"; fillcolor=\"#f7f5fb\"; color=\"#b9a7d9\";",
            };
            let _ = writeln!(out, "{indent}subgraph cluster_c{c} {{");
            let _ = writeln!(
                out,
                "{indent}  label=\"{}\"; {style}",
                escape(&cluster.title())
            );
            block(out, graph, inner, depth + 1);
            let _ = writeln!(out, "{indent}}}");
        }
    }
}
