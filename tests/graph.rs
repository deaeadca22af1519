//! End-to-end tests of `kflow graph`: the SVG of the largest real flows is well-formed, shows
//! every task, and no two boxes overlap; Mermaid and DOT snapshots of small examples; the JSON
//! shape; bad input.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use support::{run_with_deadline, shared, yaml_files_under};

fn graph(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["graph"];
    all.extend_from_slice(args);
    let out = run_with_deadline(&all, Duration::from_secs(60));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The ids of a flow's tasks, as the parser sees them.
fn task_ids(path: &Path) -> Vec<String> {
    let doc = kflow_syntax::parse_bytes(&std::fs::read(path).unwrap());
    let flow = doc.flow.expect("a flow");
    flow.tasks
        .iter()
        .filter_map(|t| t.id.as_ref().map(|n| n.name.clone()))
        .collect()
}

/// The `n` corpus flows with the most tasks (ties by path).
fn largest_corpus_flows(n: usize) -> Vec<(PathBuf, usize)> {
    let root = shared().join("corpus");
    let mut sized: Vec<(PathBuf, usize)> = yaml_files_under(&root)
        .into_iter()
        .filter_map(|rel| {
            let path = root.join(rel);
            let doc = kflow_syntax::parse_bytes(&std::fs::read(&path).ok()?);
            let count = doc.flow.as_ref()?.tasks.len();
            (doc.errors.is_empty() && count > 0).then_some((path, count))
        })
        .collect();
    sized.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sized.truncate(n);
    sized
}

#[derive(Clone, Copy, Debug)]
struct Box2 {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Box2 {
    fn overlaps(&self, o: &Box2) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    fn contains(&self, o: &Box2) -> bool {
        o.x >= self.x
            && o.y >= self.y
            && o.x + o.w <= self.x + self.w
            && o.y + o.h <= self.y + self.h
    }
}

/// The `<rect>` child of a `<g>`.
fn rect_of(g: roxmltree::Node) -> Box2 {
    let r = g
        .children()
        .find(|c| c.has_tag_name("rect"))
        .unwrap_or_else(|| panic!("no rect in {g:?}"));
    let num = |a: &str| -> f64 { r.attribute(a).unwrap().parse().unwrap() };
    Box2 {
        x: num("x"),
        y: num("y"),
        w: num("width"),
        h: num("height"),
    }
}

fn has_class(n: roxmltree::Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|w| w == class))
}

/// Checks one SVG against its flow; returns the number of task nodes.
fn check_svg(path: &Path, svg: &str) -> usize {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{}: not well-formed XML: {e}", path.display()));
    let root = doc.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    let groups: Vec<roxmltree::Node> = root.descendants().filter(|n| n.has_tag_name("g")).collect();
    let clusters: HashMap<&str, (Box2, Option<&str>)> = groups
        .iter()
        .filter(|g| has_class(**g, "cluster"))
        .map(|g| {
            (
                g.attribute("id").unwrap(),
                (rect_of(*g), g.attribute("data-parent")),
            )
        })
        .collect();
    let nodes: Vec<(roxmltree::Node, Box2)> = groups
        .iter()
        .filter(|g| has_class(**g, "node"))
        .map(|g| (*g, rect_of(*g)))
        .collect();

    let shown: BTreeSet<&str> = nodes
        .iter()
        .filter(|(g, _)| has_class(*g, "task"))
        .filter_map(|(g, _)| g.attribute("data-task-id"))
        .collect();
    for id in task_ids(path) {
        assert!(
            shown.contains(id.as_str()),
            "{}: task `{id}` has no node",
            path.display()
        );
    }

    // No two nodes overlap: sorted by x, compare only boxes whose x ranges meet.
    let mut by_x: Vec<&(roxmltree::Node, Box2)> = nodes.iter().collect();
    by_x.sort_by(|a, b| a.1.x.total_cmp(&b.1.x));
    for (i, (ga, a)) in by_x.iter().enumerate() {
        assert!(
            a.w > 0.0 && a.h > 0.0,
            "{}: empty box {ga:?}",
            path.display()
        );
        for (gb, b) in &by_x[i + 1..] {
            if b.x >= a.x + a.w {
                break;
            }
            assert!(
                !a.overlaps(b),
                "{}: {:?} and {:?} overlap",
                path.display(),
                ga.attribute("id"),
                gb.attribute("id")
            );
        }
    }

    // Every node lies in its cluster, every cluster in its parent.
    for (g, b) in &nodes {
        if let Some(c) = g.attribute("data-cluster") {
            let (cluster, _) = clusters
                .get(c)
                .unwrap_or_else(|| panic!("{}: no cluster {c}", path.display()));
            assert!(
                cluster.contains(b),
                "{}: node {:?} outside its cluster {c}",
                path.display(),
                g.attribute("id")
            );
        }
    }
    for (id, (b, parent)) in &clusters {
        if let Some(p) = parent {
            assert!(
                clusters[p].0.contains(b),
                "{}: cluster {id} outside {p}",
                path.display()
            );
        }
    }
    shown.len()
}

#[test]
fn svg_of_the_largest_corpus_flows_is_well_formed_and_without_overlaps() {
    let flows = largest_corpus_flows(10);
    assert_eq!(flows.len(), 10);
    assert!(flows[0].1 >= 30, "largest corpus flow: {:?}", flows[0]);
    for (path, count) in &flows {
        let start = Instant::now();
        let (code, svg, err) = graph(&[path.to_str().unwrap()]);
        assert_eq!(code, 0, "{}: {err}", path.display());
        let shown = check_svg(path, &svg);
        assert!(shown > 0 && shown <= *count);
        eprintln!(
            "{}: {count} tasks, {} bytes of SVG in {:?}",
            path.display(),
            svg.len(),
            start.elapsed()
        );
    }
}

#[test]
fn output_is_the_same_bytes_every_time() {
    let (path, _) = &largest_corpus_flows(1)[0];
    for format in ["svg", "mermaid", "dot", "json"] {
        let (_, first, _) = graph(&["--format", format, path.to_str().unwrap()]);
        let (_, second, _) = graph(&["--format", format, path.to_str().unwrap()]);
        assert!(!first.is_empty());
        assert_eq!(first, second, "{format} differs between runs");
    }
}

fn example(rel: &str) -> String {
    shared()
        .join("examples")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

const SNAPSHOT_EXAMPLES: [&str; 3] = [
    "clean/parallel_requests.yaml",
    "clean/download_then_script.yaml",
    "antipatterns/request_pagination_loop.yaml",
];

#[test]
fn mermaid_snapshots() {
    for rel in SNAPSHOT_EXAMPLES {
        let (code, out, err) = graph(&["--format", "mermaid", &example(rel)]);
        assert_eq!(code, 0, "{rel}: {err}");
        let name = rel.replace(['/', '.'], "_");
        insta::assert_snapshot!(format!("mermaid_{name}"), out);
    }
}

#[test]
fn dot_snapshots() {
    for rel in SNAPSHOT_EXAMPLES {
        let (code, out, err) = graph(&["--format", "dot", &example(rel)]);
        assert_eq!(code, 0, "{rel}: {err}");
        let name = rel.replace(['/', '.'], "_");
        insta::assert_snapshot!(format!("dot_{name}"), out);
    }
}
