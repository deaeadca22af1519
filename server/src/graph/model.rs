//! What a flow's graph is, as Kestra's editor draws it: tasks as nodes, flowable tasks as
//! clusters around their header node and children, the flow's recovery sections, triggers, and
//! the edges between them. [`super::build`] makes one from a parsed document; the writers only
//! read it.
//!
//! Besides the flat lists (nodes, clusters, edges) the graph keeps its shape as a [`Block`]
//! tree: blocks stacked (a sequence), side by side (branches, lanes) or boxed (a cluster). A
//! flow's structure is series-parallel apart from `Dag` tasks, so the SVG writer lays this
//! tree out recursively without ever placing two boxes on each other.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// The flow itself, where execution starts (below the triggers).
    Start,
    Task,
    Trigger,
    /// Where the execution ends.
    End,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// The task or trigger id (`(no id)` when it has none), or the flow's `namespace.id`.
    pub label: String,
    pub task_id: Option<String>,
    /// The `type` as written.
    pub type_name: Option<String>,
    /// `namespace.flowId` of the flow a Subflow / Flow / ForEachItem task starts.
    pub subflow: Option<String>,
    /// The innermost cluster holding the node.
    pub cluster: Option<usize>,
    /// 1-based line of the task or trigger in the file.
    pub line: Option<u32>,
    /// What a local run did with the task, when one is drawn over the graph.
    pub run: Option<super::overlay::NodeRun>,
}

impl Node {
    /// The text under the node's label: what a drawn run did with it, else its short type and
    /// the flow a subflow task starts.
    pub fn detail(&self) -> String {
        if let Some(run) = &self.run {
            return run.summary();
        }
        match (&self.subflow, &self.type_name) {
            (Some(target), Some(t)) => format!("{} → {target}", short_type(t)),
            (Some(target), None) => format!("→ {target}"),
            (None, Some(t)) => short_type(t).to_string(),
            (None, None) => String::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClusterKind {
    /// A flowable task: its header node and everything it runs.
    Flowable,
    /// One branch of a flowable: If `then`/`else`, a Switch case, a named task list.
    Branch,
    Errors,
    Finally,
    AfterExecution,
    /// Flow-level `listeners` (deprecated).
    Listeners,
    Triggers,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub kind: ClusterKind,
    /// The flowable's short type name (`Parallel`), the branch's case value, or the section.
    pub label: String,
    /// The flowable task's id.
    pub task_id: Option<String>,
    /// The flowable task's own node, at the top of its cluster.
    pub header: Option<usize>,
    pub parent: Option<usize>,
}

impl Cluster {
    /// The cluster's heading: `id (Parallel)` for a flowable, the label otherwise.
    pub fn title(&self) -> String {
        match (&self.task_id, self.kind) {
            (Some(id), ClusterKind::Flowable) => format!("{id} ({})", self.label),
            _ => self.label.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// One step after another.
    Next,
    /// From a flowable's header into one of its branches or lanes.
    Branch,
    /// Into an `errors` section: taken only on failure.
    Error,
    /// From a trigger to the flow.
    Trigger,
    /// A Dag task's `dependsOn`.
    DependsOn,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    /// The branch taken: `then`, `else`, a case value.
    pub label: Option<String>,
}

impl NodeKind {
    /// The name the JSON output and the SVG classes use.
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Start => "start",
            NodeKind::Task => "task",
            NodeKind::Trigger => "trigger",
            NodeKind::End => "end",
        }
    }
}

impl ClusterKind {
    /// The name the JSON output and the SVG classes use.
    pub fn name(self) -> &'static str {
        match self {
            ClusterKind::Flowable => "flowable",
            ClusterKind::Branch => "branch",
            ClusterKind::Errors => "errors",
            ClusterKind::Finally => "finally",
            ClusterKind::AfterExecution => "afterExecution",
            ClusterKind::Listeners => "listeners",
            ClusterKind::Triggers => "triggers",
        }
    }
}

impl EdgeKind {
    /// The name the JSON output and the SVG classes use.
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::Next => "next",
            EdgeKind::Branch => "branch",
            EdgeKind::Error => "error",
            EdgeKind::Trigger => "trigger",
            EdgeKind::DependsOn => "dependsOn",
        }
    }
}

/// The shape the nodes are arranged in.
#[derive(Clone, Debug)]
pub enum Block {
    Node(usize),
    /// Top to bottom.
    Stack(Vec<Block>),
    /// Left to right.
    Row(Vec<Block>),
    /// A box drawn around a block.
    Cluster(usize, Box<Block>),
}

#[derive(Clone, Debug)]
pub struct Graph {
    pub flow_id: Option<String>,
    pub namespace: Option<String>,
    pub nodes: Vec<Node>,
    pub clusters: Vec<Cluster>,
    pub edges: Vec<Edge>,
    pub root: Block,
}

/// `Parallel` for `io.kestra.plugin.core.flow.Parallel`: what follows the last dot.
pub fn short_type(type_name: &str) -> &str {
    type_name.rsplit('.').next().unwrap_or(type_name)
}
