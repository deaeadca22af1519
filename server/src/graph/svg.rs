//! The graph as a standalone SVG picture, laid out by [`super::layout`].
//!
//! Every task node is a `<g class="node task">` with `data-task-id` (the task's id) and
//! `data-cluster` (the id of the innermost cluster `<g>` around it); clusters carry
//! `data-parent`. Tools and tests can find boxes through those attributes.

use std::fmt::Write;

use super::layout::{self, chars_fitting, Layout, Rect, CLUSTER_LABEL_H, MAX_NODE_W};
use super::model::{Graph, NodeKind};

const STYLE: &str = "\
.cluster rect{fill:#f7f5fb;stroke:#b9a7d9;stroke-width:1}\
.cluster.branch rect{fill:#ffffff;stroke:#c8c8d0;stroke-dasharray:4 3}\
.cluster.errors rect{fill:#fdf1f1;stroke:#d9534f}\
.cluster.finally rect,.cluster.afterExecution rect,.cluster.listeners rect{fill:#f1f6fd;stroke:#6b8fc9}\
.cluster.triggers rect{fill:#f2faf4;stroke:#5aa469}\
.cluster text{fill:#5b4a7a;font-size:11px}\
.node rect{fill:#ffffff;stroke:#8405ff;stroke-width:1.2}\
.node.trigger rect{stroke:#2e8b57}\
.node.marker rect{fill:#ede7f6;stroke:#8405ff}\
.node.flowable rect{fill:#efe6fb}\
.node .id{font-weight:bold;fill:#1c1530}\
.node .type{fill:#5d5d6e;font-size:11px}\
.edge{fill:none;stroke:#6d6d7a;stroke-width:1.2}\
.edge.error{stroke:#d9534f;stroke-dasharray:5 3}\
.edge.trigger{stroke:#2e8b57;stroke-dasharray:2 3}\
.edge.dependsOn{stroke:#8405ff}\
.node.ran rect{stroke-width:2}\
.node.not-run{opacity:.45}\
.node.state-success rect{fill:#e8f6ec;stroke:#2e8b57}\
.node.state-warning rect{fill:#fdf5e3;stroke:#d49a1a}\
.node.state-failed rect,.node.state-killed rect{fill:#fbe9e9;stroke:#d9534f}\
.node.state-skipped rect{fill:#f2f2f4;stroke:#9a9aa6}\
.node.state-running rect,.node.state-paused rect,.node.state-retrying rect{fill:#eaf1fb;stroke:#3b73c4}";

/// `text` cut to `max` characters, ending with `…` when cut.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// Text for XML content and attribute values. Characters XML 1.0 forbids (most C0 controls)
/// become U+FFFD so that the document stays well-formed whatever the flow holds.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn rect(out: &mut String, r: &Rect, rx: i32) {
    let _ = write!(
        out,
        r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{rx}"/>"#,
        r.x, r.y, r.w, r.h
    );
}

pub fn write(graph: &Graph) -> String {
    let layout = layout::layout(graph);
    let mut out = String::new();
    let title = graph
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Start)
        .map_or("flow", |n| n.label.as_str());
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="12">"#,
        w = layout.width,
        h = layout.height
    );
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str(
        r##"<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L8,4L0,8z" fill="#6d6d7a"/></marker></defs>"##,
    );
    out.push('\n');
    let _ = writeln!(
        out,
        r##"<rect class="background" width="100%" height="100%" fill="#ffffff"/>"##
    );
    clusters(&mut out, graph, &layout);
    edges(&mut out, graph, &layout);
    nodes(&mut out, graph, &layout);
    out.push_str("</svg>\n");
    out
}

fn clusters(out: &mut String, graph: &Graph, layout: &Layout) {
    out.push_str("<g class=\"clusters\">\n");
    // Parents come before their children in the list, so inner boxes are drawn on top.
    for (i, c) in graph.clusters.iter().enumerate() {
        let r = &layout.clusters[i];
        let _ = write!(out, r#"<g class="cluster {}" id="c{i}""#, c.kind.name());
        if let Some(p) = c.parent {
            let _ = write!(out, r#" data-parent="c{p}""#);
        }
        if let Some(t) = &c.task_id {
            let _ = write!(out, r#" data-task-id="{}""#, escape(t));
        }
        out.push('>');
        rect(out, r, 6);
        let label = fit(&c.label, chars_fitting(r.w.min(MAX_NODE_W) - 8));
        let _ = write!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            r.x + 6,
            r.y + CLUSTER_LABEL_H - 6,
            escape(&label)
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

fn edges(out: &mut String, graph: &Graph, layout: &Layout) {
    out.push_str("<g class=\"edges\">\n");
    for e in &graph.edges {
        let (s, t) = (&layout.nodes[e.from], &layout.nodes[e.to]);
        let (sx, sy, tx, ty) = (s.center_x(), s.bottom(), t.center_x(), t.y);
        let d = if sx == tx {
            format!("M{sx},{sy}V{ty}")
        } else {
            let turn = layout.turn_y(e.from, e.to);
            format!("M{sx},{sy}V{turn}H{tx}V{ty}")
        };
        let _ = write!(
            out,
            r#"<path class="edge {}" data-from="n{}" data-to="n{}" d="{d}" marker-end="url(#arrow)""#,
            e.kind.name(),
            e.from,
            e.to
        );
        match &e.label {
            Some(label) => {
                let _ = writeln!(out, "><title>{}</title></path>", escape(label));
            }
            None => out.push_str("/>\n"),
        }
    }
    out.push_str("</g>\n");
}

fn nodes(out: &mut String, graph: &Graph, layout: &Layout) {
    out.push_str("<g class=\"nodes\">\n");
    let mut headers = vec![false; graph.nodes.len()];
    for c in &graph.clusters {
        if let Some(h) = c.header {
            headers[h] = true;
        }
    }
    let overlaid = graph.nodes.iter().any(|n| n.run.is_some());
    for (i, n) in graph.nodes.iter().enumerate() {
        let r = &layout.nodes[i];
        let flowable = headers[i];
        let class = match n.kind {
            NodeKind::Task if flowable => "task flowable",
            NodeKind::Task => "task",
            NodeKind::Trigger => "trigger",
            NodeKind::Start => "marker start",
            NodeKind::End => "marker end",
        };
        // With a run drawn over the graph, task nodes say what it did with them.
        let run_class = match (&n.run, n.kind, overlaid) {
            (Some(run), _, _) => format!(" ran state-{}", run.state_class()),
            (None, NodeKind::Task, true) => " not-run".to_string(),
            _ => String::new(),
        };
        let _ = write!(out, r#"<g class="node {class}{run_class}" id="n{i}""#);
        if let Some(t) = &n.task_id {
            let _ = write!(out, r#" data-task-id="{}""#, escape(t));
        }
        if let Some(run) = &n.run {
            let _ = write!(
                out,
                r#" data-state="{}" data-runs="{}""#,
                escape(&crate::run::display::state_name(run.state)),
                run.runs
            );
        }
        if let Some(c) = n.cluster {
            let _ = write!(out, r#" data-cluster="c{c}""#);
        }
        out.push('>');
        let second = n.detail();
        let mut tooltip = n.label.clone();
        if let Some(t) = &n.type_name {
            let _ = write!(tooltip, "\n{t}");
        }
        if let Some(s) = &n.subflow {
            let _ = write!(tooltip, "\nsubflow: {s}");
        }
        if let Some(line) = n.line {
            let _ = write!(tooltip, "\nline {line}");
        }
        if let Some(run) = &n.run {
            let _ = write!(tooltip, "\n{}", run.summary());
        }
        let _ = write!(out, "<title>{}</title>", escape_keep_newlines(&tooltip));
        let rx = if matches!(n.kind, NodeKind::Start | NodeKind::End) {
            r.h / 2
        } else {
            4
        };
        rect(out, r, rx);
        let fits = chars_fitting(r.w - 2 * 8);
        let cx = r.center_x();
        if second.is_empty() {
            let _ = write!(
                out,
                r#"<text class="id" x="{cx}" y="{}" text-anchor="middle">{}</text>"#,
                r.y + r.h / 2 + 4,
                escape(&fit(&n.label, fits))
            );
        } else {
            let _ = write!(
                out,
                r#"<text class="id" x="{cx}" y="{}" text-anchor="middle">{}</text><text class="type" x="{cx}" y="{}" text-anchor="middle">{}</text>"#,
                r.y + 17,
                escape(&fit(&n.label, fits)),
                r.y + 32,
                escape(&fit(&second, fits))
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
}

/// Like [`escape`], but keeps line breaks (tooltips show them).
fn escape_keep_newlines(text: &str) -> String {
    text.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}
