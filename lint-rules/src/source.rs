//! What every rule reads about the document: the text, its YAML tree and flow model, the
//! catalog and the configuration, with the derived views several modules share (each node's
//! parent, the rendered expressions). Facts computed by the analysis modules (property issues,
//! script tasks, output reads) are cached one level up, in [`crate::context::Context`], so that
//! those modules depend on this one and nothing depends back.

use std::cell::OnceCell;

use kflow_syntax::model::{Flow, Plugin};
use kflow_syntax::yaml::{NodeId, Tree, Value};
use kflow_syntax::{Document, Span};

use crate::catalog::{Catalog, Lookup, TypeDef};
use crate::config::Config;

pub struct Source<'a> {
    pub doc: &'a Document,
    pub tree: &'a Tree,
    pub flow: Option<&'a Flow>,
    pub catalog: &'a Catalog,
    pub config: &'a Config,
    rendered: OnceCell<Vec<Rendered<'a>>>,
    /// Node → the mapping or list holding it.
    parents: OnceCell<Vec<Option<NodeId>>>,
}

/// Marks `node` as seen for a walk over the tree; false when it already was. YAML aliases make
/// the tree a DAG whose paths can be exponentially many: walkers visit each node once.
pub fn first_visit(seen: &mut [bool], node: NodeId) -> bool {
    match seen.get_mut(node.0 as usize) {
        Some(s) if !*s => {
            *s = true;
            true
        }
        _ => false,
    }
}

/// An expression Kestra renders, where it sits, and its variable paths.
pub struct Rendered<'a> {
    pub expr: &'a kflow_syntax::expr::Expression,
    pub owner: Option<kflow_syntax::model::TaskIdx>,
    pub paths: Vec<kflow_syntax::pebble::PathRef<'a>>,
}

impl<'a> Source<'a> {
    pub fn new(doc: &'a Document, catalog: &'a Catalog, config: &'a Config) -> Source<'a> {
        Source {
            doc,
            tree: &doc.tree,
            flow: doc.flow.as_ref(),
            catalog,
            config,
            rendered: OnceCell::new(),
            parents: OnceCell::new(),
        }
    }

    /// The mapping or list that holds `node` (`None` for the root).
    pub fn parent(&self, node: NodeId) -> Option<NodeId> {
        let parents = self.parents.get_or_init(|| {
            let mut parents = vec![None; self.tree.nodes.len()];
            for (i, n) in self.tree.nodes.iter().enumerate() {
                let children: Vec<NodeId> = match &n.value {
                    Value::Map(entries) => entries.iter().flat_map(|e| [e.key, e.value]).collect(),
                    Value::Seq(items) => items.clone(),
                    _ => continue,
                };
                for c in children {
                    if let Some(slot) = parents.get_mut(c.0 as usize) {
                        slot.get_or_insert(NodeId(i as u32));
                    }
                }
            }
            parents
        });
        parents.get(node.0 as usize).copied().flatten()
    }

    /// Whether Kestra leaves this text unrendered: the `description` of the flow, of an input,
    /// of a flow output, or of a plugin whose `description` is documentation (the catalog says
    /// whether it is dynamic: some plugins render theirs, a Jira issue's for one).
    pub fn is_documentation(&self, e: &kflow_syntax::expr::Expression) -> bool {
        if e.key.as_deref() != Some("description") {
            return false;
        }
        let Some(map) = self.parent(e.node) else {
            return false;
        };
        let Some(flow) = self.flow else {
            return map == self.tree.root.unwrap_or(map);
        };
        if map == flow.root || flow.inputs.iter().any(|i| i.node == map) {
            return true;
        }
        if flow
            .outputs
            .iter()
            .any(|o| self.parent(o.node) == Some(map))
        {
            return true;
        }
        match flow.plugins.iter().find(|p| p.node == map) {
            Some(p) => !p
                .type_
                .as_ref()
                .and_then(|t| self.catalog.get(&t.name))
                .and_then(|def| def.properties.get("description"))
                .is_some_and(|prop| prop.dynamic),
            None => false,
        }
    }

    pub fn text(&self, span: Span) -> &'a str {
        &self.doc.text[span.range()]
    }

    /// Every typed object with the catalog's definition of its type, when known.
    pub fn plugins(&self) -> impl Iterator<Item = (&'a Plugin, Option<&'a TypeDef>)> + '_ {
        let catalog = self.catalog;
        self.flow.into_iter().flat_map(move |f| {
            f.plugins.iter().map(move |p| {
                let def = p
                    .type_
                    .as_ref()
                    .and_then(|t| match catalog.lookup(&t.name) {
                        Lookup::Known { def, .. } => Some(def),
                        _ => None,
                    });
                (p, def)
            })
        })
    }

    /// The mapping and its entry whose value is `node`, when `node` is a property's value.
    pub fn holder(&self, node: NodeId) -> Option<(NodeId, kflow_syntax::yaml::Entry)> {
        let map = self.parent(node)?;
        let entry = *self.tree.entries(map)?.iter().find(|e| e.value == node)?;
        Some((map, entry))
    }

    /// The full name of a task's type, an alias resolved (the name as written when the catalog
    /// does not know it).
    pub fn task_type(&self, t: kflow_syntax::model::TaskIdx) -> Option<&'a str> {
        let name = &self.flow?.task(t).type_.as_ref()?.name;
        Some(self.catalog.canonical(name))
    }

    /// The span of a mapping entry's key, or of the node itself.
    pub fn key_span(&self, map: NodeId, key: &str) -> Option<Span> {
        self.tree.get(map, key).map(|e| self.tree.span(e.key))
    }

    /// Where to point a finding about a whole object: its `type:` value, else its first line.
    pub fn object_span(&self, node: NodeId) -> Span {
        self.tree
            .get_value(node, "type")
            .map(|t| self.tree.span(t))
            .unwrap_or_else(|| self.first_line(self.tree.span(node)))
    }

    /// The span of a scalar's characters without its quotes, when the source spells the value
    /// exactly (no escapes, no folding): the place to edit for a byte-exact replacement.
    pub fn exact_value_span(&self, span: Span, value: &str) -> Option<Span> {
        let raw = self.text(span);
        if raw == value {
            return Some(span);
        }
        let quoted = raw.len() == value.len() + 2
            && ((raw.starts_with('"') && raw.ends_with('"'))
                || (raw.starts_with('\'') && raw.ends_with('\'')))
            && &raw[1..raw.len() - 1] == value;
        quoted.then(|| Span::new(span.start as usize + 1, span.end as usize - 1))
    }

    /// The top-level property of the mapping `node` whose value contains `offset`.
    pub fn property_at(&self, node: NodeId, offset: usize) -> Option<&'a str> {
        self.tree
            .entries(node)?
            .iter()
            .find(|e| {
                self.tree.span(e.value).contains(offset)
                    || self.tree.span(e.value).start as usize == offset
            })
            .and_then(|e| self.tree.str(e.key))
    }

    /// Expressions Kestra renders in the flow's own context, with the task they belong to and
    /// their variable paths (computed once). Descriptions are documentation, and a Subflow's
    /// deprecated `outputs` map is rendered in the child execution: both are left out.
    pub fn rendered_expressions(&self) -> &[Rendered<'a>] {
        self.rendered.get_or_init(|| {
            let Some(flow) = self.flow else {
                return Vec::new();
            };
            self.doc
                .expressions
                .iter()
                // A broken template is reported by expression-syntax alone: what it seems to
                // read is uncertain.
                .filter(|e| !self.is_documentation(e) && e.template.errors.is_empty())
                .filter_map(|e| {
                    let at = self.tree.span(e.node).start as usize;
                    let owner = flow.task_at(self.tree, at);
                    if let Some(t) = owner {
                        let task = flow.task(t);
                        let subflow = task.type_.as_ref().is_some_and(|n| {
                            n.name.ends_with(".Subflow") || n.name.ends_with(".flows.Flow")
                        });
                        if subflow && self.property_at(task.node, at) == Some("outputs") {
                            return None;
                        }
                    }
                    Some(Rendered {
                        expr: e,
                        owner,
                        paths: kflow_syntax::pebble::template_paths(&e.template),
                    })
                })
                .collect()
        })
    }

    /// The part of `span` on its first line.
    pub fn first_line(&self, span: Span) -> Span {
        let text = &self.doc.text[span.range()];
        let len = text.find(['\n', '\r']).unwrap_or(text.len());
        Span::new(span.start as usize, span.start as usize + len)
    }
}
