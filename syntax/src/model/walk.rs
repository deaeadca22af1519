//! Builds the [`Flow`] by walking the tree with an explicit work list (no recursion), under a
//! budget so that aliases pointing at large subtrees cannot blow up the walk.

use super::{Flow, Input, Named, Plugin, PluginKind, Section, Task, TaskIdx};
use crate::span::Span;
use crate::yaml::{NodeId, Tree, Value};

/// Most task, trigger and condition objects one flow may expand to (aliases included).
pub const MAX_WALK: usize = 100_000;

/// The section a task property holding child tasks is, for the fixed-name ones.
fn child_list(key: &str) -> Option<Section> {
    Some(match key {
        "tasks" => Section::Tasks,
        "errors" => Section::Errors,
        "finally" => Section::Finally,
        "then" => Section::Then,
        "else" => Section::Else,
        _ => return None,
    })
}

struct Walker<'t> {
    tree: &'t Tree,
    flow: Flow,
    budget: usize,
}

struct Pending {
    list: NodeId,
    parent: Option<TaskIdx>,
    section: Section,
    depth: usize,
}

pub fn build(tree: &Tree) -> Option<Flow> {
    let root = tree.root?;
    tree.entries(root)?;
    let mut w = Walker {
        tree,
        flow: Flow {
            root,
            ..Flow::default()
        },
        budget: MAX_WALK,
    };
    w.flow.id = w.named(root, "id");
    w.flow.namespace = w.named(root, "namespace");
    w.inputs(root);
    w.variables(root);
    w.flow.outputs = w.ids_of_list(root, "outputs");

    let mut pending = Vec::new();
    for (key, section) in [
        ("tasks", Section::Tasks),
        ("errors", Section::Errors),
        ("finally", Section::Finally),
        ("afterExecution", Section::AfterExecution),
    ] {
        if let Some(list) = tree.get_value(root, key) {
            pending.push(Pending {
                list,
                parent: None,
                section,
                depth: 0,
            });
        }
    }
    if let Some(listeners) = tree
        .get_value(root, "listeners")
        .and_then(|l| tree.items(l))
    {
        for (i, &listener) in listeners.iter().enumerate() {
            if let Some(list) = tree.get_value(listener, "tasks") {
                pending.push(Pending {
                    list,
                    parent: None,
                    section: Section::Listener(i),
                    depth: 0,
                });
            }
            w.conditions(listener, None);
        }
    }
    // Walk lists in document order: reverse so that `pop` takes the first.
    pending.reverse();
    w.tasks(pending);
    w.triggers(root);
    Some(w.flow)
}

impl Walker<'_> {
    fn named(&self, map: NodeId, key: &str) -> Option<Named> {
        let entry = self.tree.get(map, key)?;
        let scalar = self.tree.scalar(entry.value)?;
        Some(Named {
            name: scalar.value.clone(),
            span: self.tree.span(entry.value),
            node: entry.value,
            key_span: Some(self.tree.span(entry.key)),
        })
    }

    fn spend(&mut self, at: Span) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        if self.budget == 0 {
            self.flow.problems.push((
                at,
                format!("the flow expands to more than {MAX_WALK} objects (through aliases?); the rest is not checked"),
            ));
            return false;
        }
        true
    }

    fn inputs(&mut self, root: NodeId) {
        let Some(items) = self
            .tree
            .get_value(root, "inputs")
            .and_then(|l| self.tree.items(l))
        else {
            return;
        };
        for &item in items {
            let item = self.tree.resolve(item);
            if !self.spend(self.tree.span(item)) {
                return;
            }
            let id = self.named(item, "id").or_else(|| self.named(item, "name"));
            let type_ = self.named(item, "type");
            self.flow.inputs.push(Input {
                node: item,
                id,
                type_,
            });
        }
    }

    fn variables(&mut self, root: NodeId) {
        let Some(entries) = self
            .tree
            .get_value(root, "variables")
            .and_then(|v| self.tree.entries(v))
        else {
            return;
        };
        for entry in entries {
            if let Some(name) = self.tree.str(entry.key) {
                self.flow.variables.push(Named {
                    name: name.to_string(),
                    span: self.tree.span(entry.key),
                    node: entry.key,
                    key_span: Some(self.tree.span(entry.key)),
                });
            }
        }
    }

    fn ids_of_list(&self, map: NodeId, key: &str) -> Vec<Named> {
        let Some(items) = self
            .tree
            .get_value(map, key)
            .and_then(|l| self.tree.items(l))
        else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|&item| self.named(self.tree.resolve(item), "id"))
            .collect()
    }

    fn tasks(&mut self, mut pending: Vec<Pending>) {
        while let Some(Pending {
            list,
            parent,
            section,
            depth,
        }) = pending.pop()
        {
            let items: Vec<NodeId> = match self.tree.value(list) {
                Value::Seq(items) => items.clone(),
                // `onPause` holds one task, not a list.
                Value::Map(_) if section == Section::OnPause => vec![list],
                _ => continue,
            };
            let mut children_pending = Vec::new();
            for (index, item) in items.into_iter().enumerate() {
                let item = self.tree.resolve(item);
                if !self.spend(self.tree.span(item)) {
                    return;
                }
                if self.tree.entries(item).is_none() {
                    if !self.tree.is_null(item) {
                        self.flow.problems.push((
                            self.tree.span(item),
                            format!(
                                "a task must be a mapping, found {}",
                                self.tree.describe(item)
                            ),
                        ));
                    }
                    continue;
                }
                // Dag items wrap the task: `{task: {...}, dependsOn: [...]}`.
                let (node, depends_on) = match self.tree.get_value(item, "task") {
                    Some(task) if self.tree.get(item, "type").is_none() => {
                        let deps = self
                            .tree
                            .get_value(item, "dependsOn")
                            .and_then(|d| self.tree.items(d))
                            .map(|ds| {
                                ds.iter()
                                    .filter_map(|&d| {
                                        Some(Named {
                                            name: self.tree.str(d)?.to_string(),
                                            span: self.tree.span(d),
                                            node: d,
                                            key_span: None,
                                        })
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        (self.tree.resolve(task), deps)
                    }
                    _ => (item, Vec::new()),
                };
                if self.tree.entries(node).is_none() {
                    continue;
                }
                let idx = TaskIdx(self.flow.tasks.len() as u32);
                self.flow.tasks.push(Task {
                    node,
                    id: self.named(node, "id"),
                    type_: self.named(node, "type"),
                    parent,
                    section: section.clone(),
                    index,
                    depends_on,
                    children: Vec::new(),
                    depth,
                });
                if let Some(p) = parent {
                    self.flow.tasks[p.0 as usize].children.push(idx);
                }
                self.flow.plugins.push(Plugin {
                    kind: PluginKind::Task,
                    node,
                    id: self.named(node, "id"),
                    type_: self.named(node, "type"),
                    task: Some(idx),
                });
                if let Some(runner) = self.tree.get_value(node, "taskRunner") {
                    let runner = self.tree.resolve(runner);
                    if self.tree.get(runner, "type").is_some() {
                        self.flow.plugins.push(Plugin {
                            kind: PluginKind::TaskRunner,
                            node: runner,
                            id: None,
                            type_: self.named(runner, "type"),
                            task: Some(idx),
                        });
                    }
                }
                self.child_lists(node, idx, depth + 1, &mut children_pending);
            }
            // Children are walked after their siblings' own entries exist, in document order.
            children_pending.reverse();
            pending.extend(children_pending);
        }
    }

    fn child_lists(&self, node: NodeId, idx: TaskIdx, depth: usize, out: &mut Vec<Pending>) {
        let tree = self.tree;
        for entry in tree.entries(node).unwrap_or_default() {
            let Some(key) = tree.str(entry.key) else {
                continue;
            };
            let mut push = |list: NodeId, section: Section| {
                out.push(Pending {
                    list,
                    parent: Some(idx),
                    section,
                    depth,
                })
            };
            if let Some(section) = child_list(key) {
                push(entry.value, section);
            } else if key == "cases" {
                for case in tree.entries(entry.value).unwrap_or_default() {
                    let name = tree.str(case.key).unwrap_or_default().to_string();
                    push(case.value, Section::Case(name));
                }
            } else if key == "defaults" && self.is_task_list(entry.value) {
                push(entry.value, Section::Defaults);
            } else if key == "onPause" && tree.get(entry.value, "type").is_some() {
                push(entry.value, Section::OnPause);
            } else if key != "outputs" && self.is_task_list(entry.value) {
                // `outputs` holds declared outputs (`{id, type: STRING, value}`, as on a 2.0
                // Loop), never tasks.
                push(entry.value, Section::Other(key.to_string()));
            }
        }
    }

    /// A list of mappings that all have `id` and `type` (or Dag `task` wrappers).
    fn is_task_list(&self, list: NodeId) -> bool {
        let tree = self.tree;
        let Some(items) = tree.items(list) else {
            return false;
        };
        !items.is_empty()
            && items.iter().all(|&i| {
                (tree.get(i, "id").is_some() && tree.get(i, "type").is_some())
                    || tree.get(i, "task").is_some()
            })
    }

    fn triggers(&mut self, root: NodeId) {
        let Some(items) = self
            .tree
            .get_value(root, "triggers")
            .and_then(|l| self.tree.items(l))
        else {
            return;
        };
        for &item in items {
            let item = self.tree.resolve(item);
            if self.tree.entries(item).is_none() || !self.spend(self.tree.span(item)) {
                continue;
            }
            self.flow.triggers.push(self.flow.plugins.len());
            self.flow.plugins.push(Plugin {
                kind: PluginKind::Trigger,
                node: item,
                id: self.named(item, "id"),
                type_: self.named(item, "type"),
                task: None,
            });
            self.conditions(item, None);
        }
    }

    /// Conditions of a trigger or listener: a list, or a map of named conditions
    /// (MultipleCondition), possibly nested (Not, Or, MultipleCondition).
    fn conditions(&mut self, owner: NodeId, task: Option<TaskIdx>) {
        let mut stack = vec![owner];
        while let Some(owner) = stack.pop() {
            let Some(conditions) = self.tree.get_value(owner, "conditions") else {
                continue;
            };
            let nodes: Vec<NodeId> = match self.tree.value(conditions) {
                Value::Seq(items) => items.clone(),
                Value::Map(entries) => entries.iter().map(|e| e.value).collect(),
                _ => continue,
            };
            for node in nodes {
                let node = self.tree.resolve(node);
                if self.tree.get(node, "type").is_none() || !self.spend(self.tree.span(node)) {
                    continue;
                }
                self.flow.plugins.push(Plugin {
                    kind: PluginKind::Condition,
                    node,
                    id: None,
                    type_: self.named(node, "type"),
                    task,
                });
                stack.push(node);
            }
        }
    }
}
