//! The graph as a Mermaid `flowchart` (renders in GitHub Markdown, GitLab, many wikis).

use std::fmt::Write;

use super::model::{Block, EdgeKind, Graph, NodeKind};

/// Text inside a quoted Mermaid label. Mermaid reads `#name;` as an entity and HTML in labels,
/// so those characters are written as entity codes; line breaks become spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn write(graph: &Graph) -> String {
    let mut out = String::from("flowchart TD\n");
    block(&mut out, graph, &graph.root, 1);
    // A run drawn over the graph colours the task nodes by state.
    for (i, node) in graph.nodes.iter().enumerate() {
        if let Some(run) = &node.run {
            let (fill, border) = run.colors();
            let _ = writeln!(
                out,
                "  style n{i} fill:{fill},stroke:{border},stroke-width:2px"
            );
        }
    }
    for e in &graph.edges {
        let arrow = match e.kind {
            EdgeKind::Next | EdgeKind::Branch | EdgeKind::DependsOn => "-->",
            EdgeKind::Error | EdgeKind::Trigger => "-.->",
        };
        let _ = match &e.label {
            Some(label) => writeln!(
                out,
                "  n{} {arrow}|\"{}\"| n{}",
                e.from,
                escape(label),
                e.to
            ),
            None => writeln!(out, "  n{} {arrow} n{}", e.from, e.to),
        };
    }
    out
}

/// Nodes and subgraphs in the order the blocks nest.
fn block(out: &mut String, graph: &Graph, b: &Block, depth: usize) {
    let indent = "  ".repeat(depth);
    match b {
        Block::Node(n) => {
            let node = &graph.nodes[*n];
            let second = node.detail();
            let text = if second.is_empty() {
                escape(&node.label)
            } else {
                format!("{}<br/>{}", escape(&node.label), escape(&second))
            };
            let _ = match node.kind {
                NodeKind::Start | NodeKind::End => writeln!(out, "{indent}n{n}([\"{text}\"])"),
                NodeKind::Trigger => writeln!(out, "{indent}n{n}{{{{\"{text}\"}}}}"),
                NodeKind::Task => writeln!(out, "{indent}n{n}[\"{text}\"]"),
            };
        }
        Block::Stack(items) | Block::Row(items) => {
            for item in items {
                block(out, graph, item, depth);
            }
        }
        Block::Cluster(c, inner) => {
            let _ = writeln!(
                out,
                "{indent}subgraph c{c}[\"{}\"]",
                escape(&graph.clusters[*c].title())
            );
            block(out, graph, inner, depth + 1);
            let _ = writeln!(out, "{indent}end");
        }
    }
}
