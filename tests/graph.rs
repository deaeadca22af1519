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
    check_edges(path, root, &nodes);
    shown.len()
}

/// The corners of an edge path `M x,y V y H x V y` (or `M x,y V y`).
fn corners(d: &str) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    let (mut x, mut y) = (0.0, 0.0);
    let mut rest = d;
    while let Some(command) = rest.chars().next() {
        let end = rest[1..]
            .find(|c: char| c.is_ascii_alphabetic())
            .map_or(rest.len(), |i| i + 1);
        let args = &rest[1..end];
        match command {
            'M' => {
                let (a, b) = args.split_once(',').unwrap();
                (x, y) = (a.parse().unwrap(), b.parse().unwrap());
            }
            'V' => y = args.parse().unwrap(),
            'H' => x = args.parse().unwrap(),
            other => panic!("unexpected path command {other} in {d}"),
        }
        points.push((x, y));
        rest = &rest[end..];
    }
    points
}

/// Edges start at the bottom of their source, end at the top of their target, and cross no
/// other node (except a Dag's edges, which may pass a layer).
fn check_edges(path: &Path, root: roxmltree::Node, nodes: &[(roxmltree::Node, Box2)]) {
    let by_id: HashMap<&str, Box2> = nodes
        .iter()
        .map(|(g, b)| (g.attribute("id").unwrap(), *b))
        .collect();
    for e in root.descendants().filter(|n| has_class(*n, "edge")) {
        let (from, to) = (
            e.attribute("data-from").unwrap(),
            e.attribute("data-to").unwrap(),
        );
        let points = corners(e.attribute("d").unwrap());
        let (first, last) = (points[0], points[points.len() - 1]);
        let (a, b) = (by_id[from], by_id[to]);
        assert_eq!(
            first,
            (a.x + a.w / 2.0, a.y + a.h),
            "{}: {from} → {to}",
            path.display()
        );
        assert_eq!(
            last,
            (b.x + b.w / 2.0, b.y),
            "{}: {from} → {to}",
            path.display()
        );
        if has_class(e, "dependsOn") {
            continue;
        }
        for pair in points.windows(2) {
            let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
            let (lo_x, hi_x, lo_y, hi_y) = (x1.min(x2), x1.max(x2), y1.min(y2), y1.max(y2));
            for (g, n) in nodes {
                // Through the inside of the box (touching its border is how edges end).
                let crosses = lo_x < n.x + n.w && hi_x > n.x && lo_y < n.y + n.h && hi_y > n.y;
                assert!(
                    !crosses,
                    "{}: edge {from} → {to} crosses node {:?}",
                    path.display(),
                    g.attribute("id")
                );
            }
        }
    }
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

use support::TempDir;

/// A flow of `blocks` repetitions of every flowable shape (Parallel lanes, If, Switch, Dag,
/// ForEach, WorkingDirectory, AllowFailure, Subflow), about 24 tasks each, with flow-level
/// errors, finally, afterExecution and triggers.
fn big_flow(blocks: usize) -> String {
    let mut y = String::from("id: big\nnamespace: company.team\ntasks:\n");
    let log = |id: String, indent: &str| {
        format!("{indent}- id: {id}\n{indent}  type: io.kestra.plugin.core.log.Log\n{indent}  message: hi\n")
    };
    for b in 0..blocks {
        y +=
            &format!("  - id: par{b}\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n");
        for lane in 0..4 {
            y += &format!("      - id: seq{b}_{lane}\n        type: io.kestra.plugin.core.flow.Sequential\n        tasks:\n");
            for k in 0..2 {
                y += &log(format!("log{b}_{lane}_{k}"), "          ");
            }
        }
        y += &format!("  - id: if{b}\n    type: io.kestra.plugin.core.flow.If\n    condition: \"{{{{ true }}}}\"\n    then:\n");
        y += &log(format!("then{b}"), "      ");
        y += "    else:\n";
        y += &log(format!("else{b}_a"), "      ");
        y += &log(format!("else{b}_b"), "      ");
        y += &format!("  - id: switch{b}\n    type: io.kestra.plugin.core.flow.Switch\n    value: \"{{{{ inputs.x }}}}\"\n    cases:\n");
        for case in ["A", "B"] {
            y += &format!("      {case}:\n");
            y += &log(format!("case{b}_{case}"), "        ");
        }
        y += "    defaults:\n";
        y += &log(format!("default{b}"), "      ");
        y += &format!("  - id: dag{b}\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n");
        for (id, deps) in [("a", ""), ("b", "a"), ("c", "a"), ("d", "b, c")] {
            y += &format!("      - task:\n          id: dag{b}_{id}\n          type: io.kestra.plugin.core.log.Log\n          message: hi\n");
            if !deps.is_empty() {
                let deps: Vec<String> = deps.split(", ").map(|d| format!("dag{b}_{d}")).collect();
                y += &format!("        dependsOn: [{}]\n", deps.join(", "));
            }
        }
        y += &format!("  - id: each{b}\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [1, 2]\n    tasks:\n      - id: wd{b}\n        type: io.kestra.plugin.core.flow.WorkingDirectory\n        tasks:\n");
        y += &log(format!("inwd{b}"), "          ");
        y += &format!(
            "  - id: allow{b}\n    type: io.kestra.plugin.core.flow.AllowFailure\n    tasks:\n"
        );
        y += &log(format!("risky{b}"), "      ");
        y += &format!("  - id: child{b}\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.other\n    flowId: child{b}\n");
    }
    y += "errors:\n";
    y += &log("on_error".into(), "  ");
    y += "finally:\n";
    y += &log("cleanup".into(), "  ");
    y += "afterExecution:\n";
    y += &log("notify".into(), "  ");
    y += "triggers:\n  - id: nightly\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: \"0 2 * * *\"\n";
    y
}

#[test]
fn a_flow_of_two_hundred_tasks_draws_without_overlaps() {
    let dir = TempDir::new("big");
    let path = dir.write("big.yaml", &big_flow(9));
    let ids = task_ids(&path);
    assert!(ids.len() >= 200, "{} tasks", ids.len());
    let start = Instant::now();
    let (code, svg, err) = graph(&[path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let elapsed = start.elapsed();
    assert_eq!(check_svg(&path, &svg), ids.len());
    eprintln!(
        "{} tasks: {} bytes of SVG in {elapsed:?}",
        ids.len(),
        svg.len()
    );

    // The JSON says the same: every task once, the subflows named, the Dag's dependsOn.
    let (code, json, _) = graph(&["--format", "json", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&json).unwrap();
    let nodes = json["nodes"].as_array().unwrap();
    let tasks: Vec<&Value> = nodes.iter().filter(|n| n["kind"] == "task").collect();
    assert_eq!(tasks.len(), ids.len());
    let child = tasks.iter().find(|n| n["taskId"] == "child3").unwrap();
    assert_eq!(child["subflow"], "company.other.child3");
    let node_of = |task: &str| {
        tasks.iter().find(|n| n["taskId"] == task).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let depends: BTreeSet<(String, String)> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "dependsOn")
        .map(|e| {
            (
                e["from"].as_str().unwrap().into(),
                e["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    for (from, to) in [
        ("dag2_a", "dag2_b"),
        ("dag2_a", "dag2_c"),
        ("dag2_b", "dag2_d"),
        ("dag2_c", "dag2_d"),
    ] {
        assert!(
            depends.contains(&(node_of(from), node_of(to))),
            "{from} → {to}"
        );
    }
    assert_eq!(depends.len(), 4 * 9);

    // Switch cases are branches labelled with their value, `defaults` last.
    let switch = node_of("switch4");
    let cases: Vec<&str> = json["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["from"] == switch.as_str() && e["kind"] == "branch")
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(cases, ["A", "B", "defaults"]);
    let switch_cluster = json["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["header"] == switch.as_str())
        .unwrap();
    assert_eq!(switch_cluster["label"], "Switch");
    let branches: Vec<&str> = json["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["parent"] == switch_cluster["id"])
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(branches, ["A", "B", "defaults"]);
}

/// The documented JSON shape (README, "kflow graph"), on an example with a Parallel, an If,
/// flow-level errors and a trigger.
#[test]
fn json_has_the_documented_shape() {
    let (code, out, err) = graph(&["--format", "json", &example("clean/parallel_requests.yaml")]);
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&json),
        ["clusters", "edges", "flow", "nodes", "version"]
    );
    assert_eq!(json["version"], 1);
    assert_eq!(json["flow"]["id"], "parallel_requests");
    assert_eq!(json["flow"]["namespace"], "company.team");

    let nodes = json["nodes"].as_array().unwrap();
    let clusters = json["clusters"].as_array().unwrap();
    let edges = json["edges"].as_array().unwrap();
    for n in nodes {
        assert_eq!(
            keys(n),
            ["cluster", "id", "kind", "label", "line", "run", "subflow", "taskId", "type"]
        );
    }
    for c in clusters {
        assert_eq!(
            keys(c),
            ["header", "id", "kind", "label", "parent", "taskId"]
        );
    }
    for e in edges {
        assert_eq!(keys(e), ["from", "kind", "label", "to"]);
    }
    let node_ids: BTreeSet<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    let cluster_ids: BTreeSet<&str> = clusters.iter().map(|c| c["id"].as_str().unwrap()).collect();
    for e in edges {
        assert!(node_ids.contains(e["from"].as_str().unwrap()), "{e}");
        assert!(node_ids.contains(e["to"].as_str().unwrap()), "{e}");
    }
    for n in nodes.iter().filter(|n| !n["cluster"].is_null()) {
        assert!(cluster_ids.contains(n["cluster"].as_str().unwrap()), "{n}");
    }

    let kinds: Vec<&str> = nodes.iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["trigger", "start", "task", "task", "task", "task", "task", "task", "task", "end"]
    );
    let by_task = |id: &str| nodes.iter().find(|n| n["taskId"] == id).unwrap();
    assert_eq!(
        by_task("users")["type"],
        "io.kestra.plugin.core.http.Request"
    );
    assert_eq!(by_task("users")["line"], 9);
    let both = clusters.iter().find(|c| c["taskId"] == "both").unwrap();
    assert_eq!(both["kind"], "flowable");
    assert_eq!(both["label"], "Parallel");
    assert_eq!(both["header"], by_task("both")["id"]);
    assert_eq!(by_task("users")["cluster"], both["id"]);

    // The If's branches are clusters and labelled edges.
    let check = clusters.iter().find(|c| c["taskId"] == "check").unwrap();
    let branches: Vec<&str> = clusters
        .iter()
        .filter(|c| c["parent"] == check["id"])
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(branches, ["then", "else"]);
    let edge = |from: &Value, to: &Value| {
        edges
            .iter()
            .find(|e| e["from"] == from["id"] && e["to"] == to["id"])
            .unwrap_or_else(|| panic!("no edge {} → {}", from["label"], to["label"]))
    };
    let then = edge(by_task("check"), by_task("ok"));
    assert_eq!(
        (&then["kind"], &then["label"]),
        (&"branch".into(), &"then".into())
    );
    assert_eq!(edge(by_task("check"), by_task("failed"))["label"], "else");
    // Parallel lanes join at the next task; errors hang off the start; the trigger starts it.
    assert_eq!(edge(by_task("users"), by_task("check"))["kind"], "next");
    assert_eq!(edge(by_task("orders"), by_task("check"))["kind"], "next");
    let start = nodes.iter().find(|n| n["kind"] == "start").unwrap();
    assert_eq!(start["label"], "company.team.parallel_requests");
    assert_eq!(edge(start, by_task("alert"))["kind"], "error");
    assert_eq!(edge(start, by_task("both"))["kind"], "next");
    assert_eq!(edge(&nodes[0], start)["kind"], "trigger");
    assert_eq!(nodes[0]["label"], "nightly");
}

#[test]
fn bad_input_is_a_located_error() {
    let dir = TempDir::new("bad");
    let cases = [
        (
            "unclosed.yaml",
            "id: x\nnamespace: a\ntasks: [\n",
            "4:1: invalid YAML",
        ),
        ("list.yaml", "- a\n- b\n", "1:1: not a flow"),
        ("empty.yaml", "", "1:1: not a flow"),
        (
            "no_tasks.yaml",
            "id: x\nnamespace: a\ntriggers: []\n",
            "1:1: the flow has no tasks",
        ),
        (
            "empty_tasks.yaml",
            "id: x\nnamespace: a\ntasks: []\n",
            "3:1: the flow has no tasks",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.write(name, text);
        for format in ["svg", "json"] {
            let (code, out, err) = graph(&["--format", format, path.to_str().unwrap()]);
            assert_eq!(code, 2, "{name}: {err}");
            assert!(out.is_empty(), "{name}: {out}");
            let prefix = format!("error: {}:{expected}", path.display());
            assert!(err.starts_with(&prefix), "{name}: {err}");
            assert!(!err.contains("panicked"), "{name}: {err}");
        }
    }
    let binary = dir.0.join("binary.yaml");
    std::fs::write(&binary, b"id: \xff\xfe\x00\x01").unwrap();
    let (code, _, err) = graph(&[binary.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("binary.yaml:1:"), "{err}");
    let (code, _, err) = graph(&[dir.0.join("missing.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("missing.yaml"), "{err}");
}

#[test]
fn output_file_and_escaped_labels() {
    let dir = TempDir::new("escape");
    let path = dir.write(
        "flow.yaml",
        "id: esc\nnamespace: a.b\ntasks:\n  - id: \"x<&>'\\\"y\"\n    type: io.kestra.plugin.core.flow.Switch\n    value: v\n    cases:\n      \"<b>\\\"#q;\\\\\":\n        - id: inner\n          type: io.kestra.plugin.core.flow.Subflow\n          namespace: other\n          flowId: \"child]\\\"\"\n",
    );
    let svg_path = dir.0.join("out.svg");
    let (code, out, err) = graph(&[path.to_str().unwrap(), "-o", svg_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert_eq!(check_svg(&path, &svg), 2);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(texts.contains(&"x<&>'\"y"), "{texts:?}");
    assert!(texts.contains(&"<b>\"#q;\\"), "{texts:?}");
    assert!(texts.contains(&"Subflow → other.child]\""), "{texts:?}");

    // Mermaid: quotes, `#` and angle brackets as entity codes, so the label stays one string.
    let (_, mermaid, _) = graph(&["--format", "mermaid", path.to_str().unwrap()]);
    assert!(
        mermaid.contains("[\"x#lt;#amp;#gt;'#quot;y<br/>Switch\"]"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("-->|\"#lt;b#gt;#quot;#35;q;\\\"|"),
        "{mermaid}"
    );
    // DOT: backslashes and quotes escaped.
    let (_, dot, _) = graph(&["--format", "dot", path.to_str().unwrap()]);
    assert!(dot.contains("label=\"x<&>'\\\"y\\nSwitch\""), "{dot}");
    assert!(dot.contains("label=\"<b>\\\"#q;\\\\\""), "{dot}");
}

/// The picture in the README is what `kflow graph` draws today.
#[test]
fn the_readme_picture_is_up_to_date() {
    let (code, svg, _) = graph(&[&example("clean/parallel_requests.yaml")]);
    assert_eq!(code, 0);
    let committed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/graph-parallel-requests.svg");
    let committed = std::fs::read_to_string(&committed).unwrap();
    assert!(
        svg == committed,
        "docs/graph-parallel-requests.svg is stale: kflow graph ../shared/examples/clean/parallel_requests.yaml -o docs/graph-parallel-requests.svg"
    );
}

/// `kflow graph --execution` draws a real local run: every task node that ran carries the
/// worst state of its runs from the record, the others are faded, and a record of another
/// flow is refused.
#[test]
fn a_local_run_is_drawn_over_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("overlay.yaml");
    std::fs::write(
        &flow,
        "id: overlay\nnamespace: company.team\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [a, b, c]\n    tasks:\n      - id: item\n        type: io.kestra.plugin.core.debug.Return\n        format: \"{{ taskrun.value }}\"\n  - id: broken\n    type: io.kestra.plugin.core.execution.Fail\n    allowFailure: true\n  - id: check\n    type: io.kestra.plugin.core.flow.If\n    condition: \"{{ false }}\"\n    then:\n      - id: never\n        type: io.kestra.plugin.core.log.Log\n        message: not run\n",
    )
    .unwrap();
    let storage = dir.path().join("storage");
    let (flow_arg, storage_arg) = (flow.to_str().unwrap(), storage.to_str().unwrap());
    let out = run_with_deadline(
        &[
            "run",
            flow_arg,
            "--storage",
            storage_arg,
            "--format",
            "json",
        ],
        Duration::from_secs(60),
    );
    let record: Value = serde_json::from_slice(&out.stdout).expect("the run's record");
    let id = record["id"].as_str().unwrap();

    // The worst state of each task's runs, from the record itself.
    let rank = |s: &str| match s {
        "FAILED" => 6,
        "KILLED" => 5,
        "WARNING" => 4,
        "SUCCESS" => 1,
        "SKIPPED" => 0,
        _ => 3,
    };
    let mut expected: HashMap<String, (String, usize)> = HashMap::new();
    for run in record["taskRuns"].as_array().unwrap() {
        let state = run["state"].as_str().unwrap().to_string();
        let e = expected
            .entry(run["taskId"].as_str().unwrap().to_string())
            .or_insert((state.clone(), 0));
        e.1 += 1;
        if rank(&state) > rank(&e.0) {
            e.0 = state;
        }
    }
    assert_eq!(expected["item"].1, 3, "{record}");
    assert!(!expected.contains_key("never"));

    let args = ["--execution", id, "--storage", storage_arg, flow_arg];
    let (code, svg, err) = graph(&args);
    assert_eq!(code, 0, "{err}");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let mut drawn = HashMap::new();
    let mut faded = Vec::new();
    for g in doc.descendants().filter(|n| n.has_tag_name("g")) {
        let (Some(task), Some(class)) = (g.attribute("data-task-id"), g.attribute("class")) else {
            continue;
        };
        if !class.split(' ').any(|c| c == "node") {
            continue;
        }
        match g.attribute("data-state") {
            Some(state) => {
                let runs: usize = g.attribute("data-runs").unwrap().parse().unwrap();
                assert!(
                    class.contains(&format!("state-{}", state.to_lowercase())),
                    "{class}"
                );
                drawn.insert(task.to_string(), (state.to_string(), runs));
            }
            None => {
                assert!(class.contains("not-run"), "{task}: {class}");
                faded.push(task.to_string());
            }
        }
    }
    assert_eq!(drawn, expected);
    assert_eq!(faded, ["never"]);
    assert!(svg.contains("3 runs: 3 SUCCESS"), "{svg}");

    let (_, json, _) = graph(&[
        "--format", "json", args[0], args[1], args[2], args[3], args[4],
    ]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let item = json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["taskId"] == "item")
        .unwrap();
    assert_eq!(item["run"]["runs"], 3);
    assert_eq!(item["run"]["byState"]["SUCCESS"], 3);
    let (_, mermaid, _) = graph(&[
        "--format", "mermaid", args[0], args[1], args[2], args[3], args[4],
    ]);
    assert_eq!(
        mermaid.matches("\n  style n").count(),
        expected.len(),
        "{mermaid}"
    );

    // Another flow's record is refused; so is an unknown id.
    let other = dir.path().join("other.yaml");
    std::fs::write(
        &other,
        "id: other\nnamespace: company.team\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    )
    .unwrap();
    let (code, _, err) = graph(&[
        "--execution",
        id,
        "--storage",
        storage_arg,
        other.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is of flow company.team.overlay"), "{err}");
    let (code, _, err) = graph(&["--execution", "nope", "--storage", storage_arg, flow_arg]);
    assert_eq!(code, 2);
    assert!(err.contains("no execution 'nope'"), "{err}");
}
