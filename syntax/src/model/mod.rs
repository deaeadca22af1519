//! The flow model: a typed view over the YAML tree, every element keeping its node and spans.

mod walk;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::span::Span;
use crate::yaml::{NodeId, Tree};

pub use walk::{build, MAX_WALK};

/// Every flow-level key Kestra accepts (1.x and 2.0), in the order the docs list them.
pub const FLOW_KEYS: &[&str] = &[
    "id",
    "namespace",
    "revision",
    "description",
    "labels",
    "inputs",
    "variables",
    "outputs",
    "tasks",
    "errors",
    "finally",
    "afterExecution",
    "listeners",
    "triggers",
    "pluginDefaults",
    "taskDefaults",
    "concurrency",
    "retry",
    "sla",
    "checks",
    "disabled",
    "deleted",
    "tenantId",
    "workerGroup",
    "updated",
];

/// A scalar value with the node and span it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    pub span: Span,
    pub node: NodeId,
    /// Span of the mapping key that introduced it (`id:` for an id), when there is one.
    pub key_span: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskIdx(pub u32);

/// Where a task list sits: which property of its parent task (or of the flow) holds it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    Tasks,
    Errors,
    Finally,
    AfterExecution,
    Then,
    Else,
    /// A `cases` entry of a Switch, by case key.
    Case(String),
    /// Switch `defaults`.
    Defaults,
    /// `listeners[i].tasks` (flow level, deprecated).
    Listener(usize),
    /// Pause `onPause` (a single task).
    OnPause,
    /// Any other property holding a list of `{id, type}` mappings (plugin flowables).
    Other(String),
}

impl Section {
    /// Lists whose tasks run only when something failed or whatever happened: they may read the
    /// outputs of any task of the group.
    pub fn is_recovery(&self) -> bool {
        matches!(
            self,
            Section::Errors | Section::Finally | Section::AfterExecution | Section::Listener(_)
        )
    }

    /// Lists that run only on some paths.
    pub fn is_conditional(&self) -> bool {
        matches!(
            self,
            Section::Then | Section::Else | Section::Case(_) | Section::Defaults
        ) || self.is_recovery()
    }

    pub fn key(&self) -> &str {
        match self {
            Section::Tasks => "tasks",
            Section::Errors => "errors",
            Section::Finally => "finally",
            Section::AfterExecution => "afterExecution",
            Section::Then => "then",
            Section::Else => "else",
            Section::Case(_) => "cases",
            Section::Defaults => "defaults",
            Section::Listener(_) => "listeners",
            Section::OnPause => "onPause",
            Section::Other(key) => key,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Task {
    /// The task's mapping.
    pub node: NodeId,
    pub id: Option<Named>,
    pub type_: Option<Named>,
    pub parent: Option<TaskIdx>,
    pub section: Section,
    /// Position in its list.
    pub index: usize,
    /// For Dag children: the task ids listed in `dependsOn` of the wrapping item.
    pub depends_on: Vec<Named>,
    /// Children in document order.
    pub children: Vec<TaskIdx>,
    /// Number of ancestors.
    pub depth: usize,
}

impl Task {
    /// Where a finding about the task points: its `id`, else the whole task.
    pub fn id_span(&self, tree: &Tree) -> Span {
        self.id.as_ref().map_or(tree.span(self.node), |n| n.span)
    }

    /// The `type` as written (`""` when it has none).
    pub fn type_name(&self) -> &str {
        self.type_.as_ref().map_or("", |n| n.name.as_str())
    }
}

/// What kind of typed object a [`Plugin`] is, from where it sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PluginKind {
    Task,
    Trigger,
    Condition,
    TaskRunner,
}

/// Any object with a `type:` key: tasks, triggers, conditions, task runners.
#[derive(Clone, Debug)]
pub struct Plugin {
    pub kind: PluginKind,
    pub node: NodeId,
    pub id: Option<Named>,
    pub type_: Option<Named>,
    /// The task this object belongs to (task runners), if any.
    pub task: Option<TaskIdx>,
}

#[derive(Clone, Debug)]
pub struct Input {
    pub node: NodeId,
    /// `id`, or its deprecated spelling `name`.
    pub id: Option<Named>,
    pub type_: Option<Named>,
}

#[derive(Clone, Debug, Default)]
pub struct Flow {
    pub root: NodeId,
    pub id: Option<Named>,
    pub namespace: Option<Named>,
    /// Every task, parents before children (siblings in document order).
    pub tasks: Vec<Task>,
    /// Every typed object (tasks included), in document order.
    pub plugins: Vec<Plugin>,
    pub inputs: Vec<Input>,
    pub variables: Vec<Named>,
    /// Flow-level `outputs` ids.
    pub outputs: Vec<Named>,
    pub triggers: Vec<usize>,
    /// Problems met while walking (a non-mapping task, an alias budget exceeded…).
    pub problems: Vec<(Span, String)>,
    /// Task id → tasks, made on first use (lookups by id are frequent and flows can be large).
    by_id: OnceLock<HashMap<String, Vec<TaskIdx>>>,
    /// Tasks by the start of their span, made on first use.
    by_start: OnceLock<Vec<(u32, TaskIdx)>>,
}

impl Flow {
    pub fn task(&self, idx: TaskIdx) -> &Task {
        &self.tasks[idx.0 as usize]
    }

    pub fn task_indices(&self) -> impl Iterator<Item = TaskIdx> {
        (0..self.tasks.len() as u32).map(TaskIdx)
    }

    /// Tasks with the given id (several when ids are duplicated), in order.
    pub fn tasks_named<'a>(&'a self, id: &'a str) -> impl Iterator<Item = TaskIdx> + 'a {
        let by_id = self.by_id.get_or_init(|| {
            let mut map: HashMap<String, Vec<TaskIdx>> = HashMap::new();
            for t in self.task_indices() {
                if let Some(n) = &self.task(t).id {
                    map.entry(n.name.clone()).or_default().push(t);
                }
            }
            map
        });
        by_id.get(id).into_iter().flatten().copied()
    }

    /// The declared input ids.
    pub fn input_ids(&self) -> impl Iterator<Item = &str> {
        self.inputs
            .iter()
            .filter_map(|i| i.id.as_ref())
            .map(|n| n.name.as_str())
    }

    /// Ancestors of a task, nearest first.
    pub fn ancestors(&self, idx: TaskIdx) -> impl Iterator<Item = TaskIdx> + '_ {
        std::iter::successors(self.task(idx).parent, move |&p| self.task(p).parent)
    }

    /// The tasks of one list, in order: top-level lists when `parent` is `None`.
    pub fn list(&self, parent: Option<TaskIdx>, section: &Section) -> Vec<TaskIdx> {
        let candidates: Box<dyn Iterator<Item = TaskIdx>> = match parent {
            Some(p) => Box::new(self.task(p).children.iter().copied()),
            None => Box::new(
                self.task_indices()
                    .filter(|&t| self.task(t).parent.is_none()),
            ),
        };
        candidates
            .filter(|&t| &self.task(t).section == section)
            .collect()
    }

    /// The innermost task whose mapping contains `offset`.
    pub fn task_at(&self, tree: &Tree, offset: usize) -> Option<TaskIdx> {
        let by_start = self.by_start.get_or_init(|| {
            let mut v: Vec<(u32, TaskIdx)> = self
                .task_indices()
                .map(|t| (tree.span(self.task(t).node).start, t))
                .collect();
            v.sort_unstable();
            v
        });
        // Task spans nest: the innermost task holding `offset` is the last one starting at or
        // before it, or one of that task's ancestors.
        let after = by_start.partition_point(|&(start, _)| start as usize <= offset);
        let (_, mut t) = *by_start.get(after.checked_sub(1)?)?;
        loop {
            if tree.span(self.task(t).node).contains(offset) {
                return Some(t);
            }
            t = self.task(t).parent?;
        }
    }
}
