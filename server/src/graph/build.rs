//! A flow's [`Graph`]: a pure function of the parsed document (the catalog only resolves type
//! aliases). Each list of tasks becomes a [`Part`], a block with the nodes edges come into and
//! leave from; parts are sequenced, set side by side or boxed, making the edges as they go.

use std::collections::HashMap;

use kflow_lint_rules::Catalog;
use kflow_syntax::model::{Flow, PluginKind, Section, TaskIdx};
use kflow_syntax::Document;

use super::model::{
    short_type, Block, Cluster, ClusterKind, Edge, EdgeKind, Graph, Node, NodeKind,
};

/// Why a document has no graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoGraph {
    /// Byte offset the message is about.
    pub offset: usize,
    pub message: String,
}

/// The label of a task or trigger without an id.
const NO_ID: &str = "(no id)";

/// A block with the nodes edges come into and leave from.
struct Part {
    block: Block,
    entries: Vec<usize>,
    exits: Vec<usize>,
}

/// How a flowable arranges the tasks of its `tasks` list.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arrangement {
    Sequence,
    Lanes,
    Dag,
}

/// The graph of a parsed flow, or why there is none (YAML errors, not a flow, no tasks).
pub fn build(doc: &Document, catalog: &Catalog) -> Result<Graph, NoGraph> {
    if let Some(e) = doc.errors.first() {
        return Err(NoGraph {
            offset: e.span.start as usize,
            message: e.message.clone(),
        });
    }
    let Some(flow) = &doc.flow else {
        return Err(NoGraph {
            offset: 0,
            message: "not a flow: the document is not a YAML mapping".into(),
        });
    };
    if flow.list(None, &Section::Tasks).is_empty() {
        let tree = &doc.tree;
        let offset = tree
            .get(flow.root, "tasks")
            .map_or(tree.span(flow.root), |e| tree.span(e.key))
            .start as usize;
        return Err(NoGraph {
            offset,
            message: "the flow has no tasks".into(),
        });
    }
    let mut b = Builder {
        doc,
        flow,
        catalog,
        graph: Graph {
            flow_id: flow.id.as_ref().map(|n| n.name.clone()),
            namespace: flow.namespace.as_ref().map(|n| n.name.clone()),
            nodes: Vec::new(),
            clusters: Vec::new(),
            edges: Vec::new(),
            root: Block::Stack(Vec::new()),
        },
    };
    let root = b.flow_part();
    b.graph.root = root.block;
    // Edges are made as blocks close; listed by where they start, they read top to bottom.
    b.graph.edges.sort_by_key(|e| (e.from, e.to));
    Ok(b.graph)
}

struct Builder<'a> {
    doc: &'a Document,
    flow: &'a Flow,
    catalog: &'a Catalog,
    graph: Graph,
}

impl Builder<'_> {
    fn line(&self, node: kflow_syntax::yaml::NodeId) -> u32 {
        let start = self.doc.tree.span(node).start as usize;
        self.doc.line_index.line_col(&self.doc.text, start).line
    }

    fn node(&mut self, node: Node) -> usize {
        self.graph.nodes.push(node);
        self.graph.nodes.len() - 1
    }

    fn cluster(
        &mut self,
        kind: ClusterKind,
        label: String,
        task_id: Option<String>,
        parent: Option<usize>,
    ) -> usize {
        self.graph.clusters.push(Cluster {
            kind,
            label,
            task_id,
            header: None,
            parent,
        });
        self.graph.clusters.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, kind: EdgeKind, label: Option<&str>) {
        self.graph.edges.push(Edge {
            from,
            to,
            kind,
            label: label.map(str::to_string),
        });
    }

    fn connect(&mut self, from: &[usize], to: &[usize], kind: EdgeKind, label: Option<&str>) {
        for &f in from {
            for &t in to {
                self.edge(f, t, kind, label);
            }
        }
    }

    /// Parts one after another: each one's exits lead to the next one's entries.
    fn sequence(&mut self, parts: Vec<Part>) -> Option<Part> {
        let mut parts = parts.into_iter();
        let first = parts.next()?;
        let entries = first.entries;
        let mut exits = first.exits;
        let mut blocks = vec![first.block];
        for part in parts {
            self.connect(&exits, &part.entries, EdgeKind::Next, None);
            exits = part.exits;
            blocks.push(part.block);
        }
        let block = if blocks.len() == 1 {
            blocks.pop().unwrap_or(Block::Stack(Vec::new()))
        } else {
            Block::Stack(blocks)
        };
        Some(Part {
            block,
            entries,
            exits,
        })
    }

    /// The whole flow: triggers, start, tasks beside errors, finally, afterExecution,
    /// listeners, end.
    fn flow_part(&mut self) -> Part {
        let flow = self.flow;
        let mut parts = Vec::new();

        let trigger_facts: Vec<(Option<String>, Option<String>, u32)> = flow
            .triggers
            .iter()
            .map(|&p| &flow.plugins[p])
            .filter(|p| p.kind == PluginKind::Trigger)
            .map(|p| {
                (
                    p.id.as_ref().map(|n| n.name.clone()),
                    p.type_.as_ref().map(|n| n.name.clone()),
                    self.line(p.node),
                )
            })
            .collect();
        let triggers: Vec<usize> = trigger_facts
            .into_iter()
            .map(|(id, type_name, line)| {
                self.node(Node {
                    kind: NodeKind::Trigger,
                    label: id.unwrap_or_else(|| NO_ID.into()),
                    task_id: None,
                    type_name,
                    subflow: None,
                    cluster: None,
                    line: Some(line),
                    run: None,
                })
            })
            .collect();

        let label = match (&self.graph.namespace, &self.graph.flow_id) {
            (Some(ns), Some(id)) => format!("{ns}.{id}"),
            (None, Some(id)) => id.clone(),
            _ => "flow".into(),
        };
        let start = self.marker(NodeKind::Start, label);
        if !triggers.is_empty() {
            let c = self.cluster(ClusterKind::Triggers, "triggers".into(), None, None);
            for &t in &triggers {
                self.graph.nodes[t].cluster = Some(c);
            }
            self.connect(&triggers, &[start], EdgeKind::Trigger, None);
            let row = Block::Row(triggers.iter().map(|&t| Block::Node(t)).collect());
            // No exits: the trigger edges are made above, with their own kind.
            parts.push(Part {
                block: Block::Cluster(c, Box::new(row)),
                entries: triggers.clone(),
                exits: Vec::new(),
            });
        }

        // Tasks and errors side by side below the start: the errors run instead of the rest
        // of the tasks.
        let tasks = flow.list(None, &Section::Tasks);
        let body = self.list_part(&tasks, None, Arrangement::Sequence);
        let errors = self.section_part(None, &Section::Errors, ClusterKind::Errors, None);
        let middle = self.with_errors(start, body, errors);
        parts.push(Part {
            block: Block::Stack(vec![Block::Node(start), middle.block]),
            entries: vec![start],
            exits: middle.exits,
        });
        for (section, kind) in [
            (Section::Finally, ClusterKind::Finally),
            (Section::AfterExecution, ClusterKind::AfterExecution),
        ] {
            parts.extend(self.section_part(None, &section, kind, None));
        }
        let listeners: Vec<TaskIdx> = flow
            .task_indices()
            .filter(|&t| {
                let task = flow.task(t);
                task.parent.is_none() && matches!(task.section, Section::Listener(_))
            })
            .collect();
        if !listeners.is_empty() {
            let c = self.cluster(ClusterKind::Listeners, "listeners".into(), None, None);
            if let Some(part) = self.list_part(&listeners, Some(c), Arrangement::Sequence) {
                parts.push(Part {
                    block: Block::Cluster(c, Box::new(part.block)),
                    ..part
                });
            }
        }
        let end = self.marker(NodeKind::End, "end".into());
        parts.push(Part {
            block: Block::Node(end),
            entries: vec![end],
            exits: vec![end],
        });
        self.sequence(parts).unwrap_or(Part {
            block: Block::Node(end),
            entries: vec![end],
            exits: vec![end],
        })
    }

    /// The start or end node.
    fn marker(&mut self, kind: NodeKind, label: String) -> usize {
        self.node(Node {
            kind,
            label,
            task_id: None,
            type_name: None,
            subflow: None,
            cluster: None,
            line: None,
            run: None,
        })
    }

    /// `body` and an `errors` section side by side, both entered from `from`; its exits are
    /// both sides' exits.
    fn with_errors(&mut self, from: usize, body: Option<Part>, errors: Option<Part>) -> Part {
        let mut lanes = Vec::new();
        let mut exits = Vec::new();
        let mut entries = Vec::new();
        for (part, kind) in [(body, EdgeKind::Next), (errors, EdgeKind::Error)] {
            if let Some(part) = part {
                self.connect(&[from], &part.entries, kind, None);
                entries.extend(&part.entries);
                exits.extend(part.exits);
                lanes.push(part.block);
            }
        }
        let block = if lanes.len() == 1 {
            lanes.pop().unwrap_or(Block::Row(Vec::new()))
        } else {
            Block::Row(lanes)
        };
        Part {
            block,
            entries,
            exits,
        }
    }

    /// A recovery section (`errors`, `finally`, `afterExecution`) of the flow or of a task, as
    /// a labelled cluster of stacked tasks.
    fn section_part(
        &mut self,
        task: Option<TaskIdx>,
        section: &Section,
        kind: ClusterKind,
        parent: Option<usize>,
    ) -> Option<Part> {
        let list = self.flow.list(task, section);
        if list.is_empty() {
            return None;
        }
        let c = self.cluster(kind, section.key().to_string(), None, parent);
        let part = self.list_part(&list, Some(c), Arrangement::Sequence)?;
        Some(Part {
            block: Block::Cluster(c, Box::new(part.block)),
            ..part
        })
    }

    /// The tasks of one list, arranged.
    fn list_part(
        &mut self,
        list: &[TaskIdx],
        cluster: Option<usize>,
        arrangement: Arrangement,
    ) -> Option<Part> {
        match arrangement {
            Arrangement::Sequence => {
                let parts = list.iter().map(|&t| self.task_part(t, cluster)).collect();
                self.sequence(parts)
            }
            Arrangement::Lanes => {
                let parts: Vec<Part> = list.iter().map(|&t| self.task_part(t, cluster)).collect();
                if parts.is_empty() {
                    return None;
                }
                Some(Part {
                    entries: parts.iter().flat_map(|p| p.entries.clone()).collect(),
                    exits: parts.iter().flat_map(|p| p.exits.clone()).collect(),
                    block: Block::Row(parts.into_iter().map(|p| p.block).collect()),
                })
            }
            Arrangement::Dag => self.dag_part(list, cluster),
        }
    }

    /// Dag tasks in layers: a task sits one layer below the deepest task it depends on.
    fn dag_part(&mut self, list: &[TaskIdx], cluster: Option<usize>) -> Option<Part> {
        let flow = self.flow;
        let position: HashMap<&str, usize> = list
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, &t)| Some((flow.task(t).id.as_ref()?.name.as_str(), i)))
            .collect();
        let deps: Vec<Vec<usize>> = list
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let mut d: Vec<usize> = flow
                    .task(t)
                    .depends_on
                    .iter()
                    .filter_map(|n| position.get(n.name.as_str()).copied())
                    .filter(|&j| j != i)
                    .collect();
                d.dedup();
                d
            })
            .collect();
        // Longest path from a root; a cycle (which Kestra rejects) stops growing after n rounds.
        let mut level = vec![0usize; list.len()];
        for _ in 0..list.len() {
            let mut changed = false;
            for i in 0..list.len() {
                let want = deps[i].iter().map(|&j| level[j] + 1).max().unwrap_or(0);
                if want > level[i] && want < list.len() {
                    level[i] = want;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let parts: Vec<Part> = list.iter().map(|&t| self.task_part(t, cluster)).collect();
        if parts.is_empty() {
            return None;
        }
        let mut depended = vec![false; list.len()];
        for (i, ds) in deps.iter().enumerate() {
            for &j in ds {
                depended[j] = true;
                let (from, to) = (parts[j].exits.clone(), parts[i].entries.clone());
                self.connect(&from, &to, EdgeKind::DependsOn, None);
            }
        }
        let entries = (0..list.len())
            .filter(|&i| deps[i].is_empty())
            .flat_map(|i| parts[i].entries.clone())
            .collect();
        let exits = (0..list.len())
            .filter(|&i| !depended[i])
            .flat_map(|i| parts[i].exits.clone())
            .collect();
        let depth = level.iter().max().copied().unwrap_or(0) + 1;
        let mut rows: Vec<Vec<Block>> = (0..depth).map(|_| Vec::new()).collect();
        for (i, part) in parts.into_iter().enumerate() {
            rows[level[i]].push(part.block);
        }
        let rows: Vec<Block> = rows
            .into_iter()
            .filter(|r| !r.is_empty())
            .map(|mut r| {
                if r.len() == 1 {
                    r.pop().unwrap_or(Block::Row(Vec::new()))
                } else {
                    Block::Row(r)
                }
            })
            .collect();
        Some(Part {
            block: Block::Stack(rows),
            entries,
            exits,
        })
    }

    /// One task: a node, or for a flowable with children, a cluster of its header node, its
    /// branches (beside its `errors`) and its `finally`.
    fn task_part(&mut self, t: TaskIdx, cluster: Option<usize>) -> Part {
        let flow = self.flow;
        let task = flow.task(t);
        let tree = &self.doc.tree;
        let scalar = |key: &str| {
            tree.get_value(task.node, key)
                .and_then(|v| tree.scalar(v))
                .map(|s| s.value.clone())
        };
        let subflow = match (scalar("namespace"), scalar("flowId")) {
            (Some(ns), Some(id)) => Some(format!("{ns}.{id}")),
            _ => None,
        };
        let task_id = task.id.as_ref().map(|n| n.name.clone());
        let line = self.line(task.node);
        let header = self.node(Node {
            kind: NodeKind::Task,
            label: task_id.clone().unwrap_or_else(|| NO_ID.into()),
            task_id: task_id.clone(),
            type_name: task.type_.as_ref().map(|n| n.name.clone()),
            subflow,
            cluster,
            line: Some(line),
            run: None,
        });
        if task.children.is_empty() {
            return Part {
                block: Block::Node(header),
                entries: vec![header],
                exits: vec![header],
            };
        }
        let canonical = self.catalog.canonical(task.type_name());
        let short = short_type(canonical);
        let c = self.cluster(
            ClusterKind::Flowable,
            if short.is_empty() { "flowable" } else { short }.to_string(),
            task_id,
            cluster,
        );
        self.graph.nodes[header].cluster = Some(c);
        self.graph.clusters[c].header = Some(header);
        let arrangement = match core_flow_name(canonical) {
            Some("Parallel" | "EachParallel") => Arrangement::Lanes,
            Some("Dag") => Arrangement::Dag,
            _ => Arrangement::Sequence,
        };

        // The lists the task runs, in document order, recovery ones apart.
        let mut sections: Vec<Section> = Vec::new();
        for &child in &task.children {
            let s = &flow.task(child).section;
            if !sections.contains(s) {
                sections.push(s.clone());
            }
        }
        let main: Vec<&Section> = sections.iter().filter(|s| !s.is_recovery()).collect();
        let body = if main.len() == 1 && *main[0] == Section::Tasks {
            let list = flow.list(Some(t), &Section::Tasks);
            let kind = if arrangement == Arrangement::Sequence {
                EdgeKind::Next
            } else {
                EdgeKind::Branch
            };
            let part = self.list_part(&list, Some(c), arrangement);
            if let Some(part) = &part {
                self.connect(&[header], &part.entries, kind, None);
            }
            part
        } else {
            let mut lanes = Vec::new();
            for section in main {
                let label = branch_label(section);
                let list = flow.list(Some(t), section);
                let b = self.cluster(ClusterKind::Branch, label.clone(), None, Some(c));
                let lane_arrangement = if *section == Section::Tasks {
                    arrangement
                } else {
                    Arrangement::Sequence
                };
                if let Some(part) = self.list_part(&list, Some(b), lane_arrangement) {
                    self.connect(&[header], &part.entries, EdgeKind::Branch, Some(&label));
                    lanes.push(Part {
                        block: Block::Cluster(b, Box::new(part.block)),
                        ..part
                    });
                }
            }
            (!lanes.is_empty()).then(|| Part {
                entries: lanes.iter().flat_map(|p| p.entries.clone()).collect(),
                exits: lanes.iter().flat_map(|p| p.exits.clone()).collect(),
                block: if lanes.len() == 1 {
                    lanes.pop().map_or(Block::Row(Vec::new()), |p| p.block)
                } else {
                    Block::Row(lanes.into_iter().map(|p| p.block).collect())
                },
            })
        };
        let errors = self.section_part(Some(t), &Section::Errors, ClusterKind::Errors, Some(c));
        let mut stack = vec![Block::Node(header)];
        let mut exits = vec![header];
        if let Some(errors) = &errors {
            self.connect(&[header], &errors.entries, EdgeKind::Error, None);
        }
        let middle: Vec<Part> = body.into_iter().chain(errors).collect();
        if !middle.is_empty() {
            exits = middle.iter().flat_map(|p| p.exits.clone()).collect();
            let mut blocks: Vec<Block> = middle.into_iter().map(|p| p.block).collect();
            stack.push(if blocks.len() == 1 {
                blocks.pop().unwrap_or(Block::Row(Vec::new()))
            } else {
                Block::Row(blocks)
            });
        }
        if let Some(finally) =
            self.section_part(Some(t), &Section::Finally, ClusterKind::Finally, Some(c))
        {
            self.connect(&exits, &finally.entries, EdgeKind::Next, None);
            exits = finally.exits;
            stack.push(finally.block);
        }
        Part {
            block: Block::Cluster(c, Box::new(Block::Stack(stack))),
            entries: vec![header],
            exits,
        }
    }
}

/// The class name of a Kestra core flowable (current or legacy package), if it is one.
fn core_flow_name(canonical: &str) -> Option<&str> {
    canonical
        .strip_prefix("io.kestra.plugin.core.flow.")
        .or_else(|| canonical.strip_prefix("io.kestra.core.tasks.flows."))
}

fn branch_label(section: &Section) -> String {
    match section {
        Section::Case(value) => value.clone(),
        Section::Listener(i) => format!("listeners[{i}]"),
        other => other.key().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(text: &str) -> Graph {
        build(&kflow_syntax::parse(text), Catalog::builtin()).expect("a graph")
    }

    fn task_node(g: &Graph, id: &str) -> usize {
        g.nodes
            .iter()
            .position(|n| n.task_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no node {id}"))
    }

    fn edges_from(g: &Graph, id: &str) -> Vec<(String, EdgeKind)> {
        let from = task_node(g, id);
        g.edges
            .iter()
            .filter(|e| e.from == from)
            .map(|e| (g.nodes[e.to].label.clone(), e.kind))
            .collect()
    }

    #[test]
    fn a_dag_cycle_and_unknown_dependencies_still_give_layers() {
        let g = graph(
            "id: d\nnamespace: n\ntasks:\n  - id: dag\n    type: io.kestra.plugin.core.flow.Dag\n    tasks:\n      - task: {id: a, type: t.A}\n        dependsOn: [b, missing]\n      - task: {id: b, type: t.B}\n        dependsOn: [a]\n      - task: {id: c, type: t.C}\n",
        );
        assert_eq!(
            edges_from(&g, "a"),
            [("b".to_string(), EdgeKind::DependsOn)]
        );
        assert_eq!(
            edges_from(&g, "b"),
            [("a".to_string(), EdgeKind::DependsOn)]
        );
        // Only `c` depends on nothing: the Dag's header leads to it alone.
        assert_eq!(edges_from(&g, "dag"), [("c".to_string(), EdgeKind::Branch)]);
    }

    #[test]
    fn legacy_names_duplicate_ids_and_missing_ids_are_drawn() {
        let g = graph(
            "id: l\nnamespace: n\ntasks:\n  - id: p\n    type: io.kestra.core.tasks.flows.Parallel\n    tasks:\n      - id: x\n        type: t.A\n      - type: t.B\n  - id: x\n    type: t.C\n",
        );
        let p = g
            .clusters
            .iter()
            .find(|c| c.task_id.as_deref() == Some("p"));
        assert_eq!(p.map(|c| c.label.as_str()), Some("Parallel"));
        // Lanes: the header leads to both children, which both lead to the second `x`.
        let labels: Vec<String> = edges_from(&g, "p").into_iter().map(|e| e.0).collect();
        assert_eq!(labels, ["x", "(no id)"]);
        let xs: Vec<usize> = g
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.task_id.as_deref() == Some("x"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(xs.len(), 2);
        let into_second_x = g.edges.iter().filter(|e| e.to == xs[1]).count();
        assert_eq!(into_second_x, 2);
    }

    #[test]
    fn a_flowable_keeps_its_errors_beside_and_finally_below() {
        let g = graph(
            "id: e\nnamespace: n\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Sequential\n    tasks:\n      - id: work\n        type: t.A\n    errors:\n      - id: oops\n        type: t.B\n    finally:\n      - id: tidy\n        type: t.C\n  - id: next\n    type: t.D\n",
        );
        assert_eq!(
            edges_from(&g, "s"),
            [
                ("work".to_string(), EdgeKind::Next),
                ("oops".to_string(), EdgeKind::Error)
            ]
        );
        assert_eq!(
            edges_from(&g, "work"),
            [("tidy".to_string(), EdgeKind::Next)]
        );
        assert_eq!(
            edges_from(&g, "oops"),
            [("tidy".to_string(), EdgeKind::Next)]
        );
        assert_eq!(
            edges_from(&g, "tidy"),
            [("next".to_string(), EdgeKind::Next)]
        );
        let kinds: Vec<ClusterKind> = g.clusters.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                ClusterKind::Flowable,
                ClusterKind::Errors,
                ClusterKind::Finally
            ]
        );
    }
}
