//! Completion candidates at a cursor: plugin types (with their required properties as a
//! snippet), property names not yet present, enum values, input types, and inside `{{ }}` the
//! task ids in scope, their outputs, inputs, variables, context fields, filters, functions and
//! tests.

use kflow_syntax::model::TaskIdx;
use kflow_syntax::yaml::Value;
use kflow_syntax::{Document, Span};

use crate::catalog::{Catalog, PropType, TypeDef};
use crate::scope::{relation, Relation};

use super::docs::{first_line, prop_detail, prop_doc, type_doc};
use super::expr_cursor::{expr_cursor, ExprCursor, ExprSlot};
use super::pebble_data::{self, CallKind};
use super::shapes::{block_props, type_slot, TypeSlot};
use super::yaml_cursor::{Block, Lines, Slot};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CandidateKind {
    PluginType,
    Property,
    Value,
    Task,
    Output,
    Input,
    Variable,
    ContextVariable,
    Field,
    Filter,
    Function,
    Test,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub label: String,
    pub kind: CandidateKind,
    /// One line shown beside the label.
    pub detail: String,
    /// Markdown.
    pub doc: String,
    pub insert: String,
    /// `insert` is an LSP snippet (`${1}` placeholders).
    pub snippet: bool,
    /// The text the insertion replaces.
    pub replace: Span,
    /// What the editor filters on when it differs from the label.
    pub filter: Option<String>,
    pub sort: String,
    pub deprecated: bool,
}

impl Candidate {
    fn new(label: impl Into<String>, kind: CandidateKind, replace: Span) -> Candidate {
        let label = label.into();
        Candidate {
            insert: label.clone(),
            sort: label.clone(),
            label,
            kind,
            detail: String::new(),
            doc: String::new(),
            snippet: false,
            replace,
            filter: None,
            deprecated: false,
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Candidate {
        self.detail = detail.into();
        self
    }

    fn doc(mut self, doc: impl Into<String>) -> Candidate {
        self.doc = doc.into();
        self
    }
}

/// Candidates at `offset`, in the order the editor should list them.
pub fn complete(doc: &Document, catalog: &Catalog, offset: usize) -> Vec<Candidate> {
    if offset > doc.text.len() || !doc.text.is_char_boundary(offset) {
        return Vec::new();
    }
    let mut out = if let Some(cursor) = expr_cursor(&doc.text, offset, value_start(doc, offset)) {
        expression(doc, catalog, offset, &cursor)
    } else {
        let lines = Lines::new(doc);
        match lines.slot(offset) {
            Some(Slot::Key {
                block,
                partial,
                has_colon,
            }) => keys(catalog, &lines, &block, partial, has_colon),
            Some(Slot::Value {
                block,
                key,
                partial,
            }) => values(catalog, &lines, &block, &key, partial),
            None => Vec::new(),
        }
    };
    out.sort_by(|a, b| a.sort.cmp(&b.sort));
    out
}

/// Where the string value around `offset` starts: a scalar of the tree that contains it (an
/// expression may span lines in a block scalar), else the line (the tree may be stale while
/// typing, and an unclosed `{{` above must not capture the cursor).
fn value_start(doc: &Document, offset: usize) -> usize {
    let line_start = doc.line_index.line_start(doc.line_index.line_of(offset));
    doc.tree
        .nodes
        .iter()
        .filter(|n| matches!(n.value, Value::Scalar(_)))
        .map(|n| n.span)
        .filter(|s| (s.start as usize) <= offset && offset <= s.end as usize)
        .map(|s| s.start as usize)
        .min()
        .map_or(line_start, |start| start.min(line_start))
}

fn keys(
    catalog: &Catalog,
    lines: &Lines,
    block: &Block,
    partial: Span,
    has_colon: bool,
) -> Vec<Candidate> {
    let Some(props) = block_props(catalog, lines, block, 0) else {
        return Vec::new();
    };
    props
        .iter()
        .filter(|(name, _)| !block.has(name))
        .map(|(name, prop)| {
            let mut c = Candidate::new(name.clone(), CandidateKind::Property, partial)
                .detail(prop_detail(prop))
                .doc(prop_doc(prop));
            if !has_colon {
                c.insert = format!("{name}: ");
            }
            c.sort = format!("{}{name}", if prop.required { 0 } else { 1 });
            c.deprecated = prop.deprecated.is_some();
            c
        })
        .collect()
}

fn values(
    catalog: &Catalog,
    lines: &Lines,
    block: &Block,
    key: &str,
    partial: Span,
) -> Vec<Candidate> {
    if key == "type" {
        return match type_slot(block) {
            TypeSlot::Variant(section) => variants(catalog, section, partial),
            TypeSlot::Plugin(kind) => catalog
                .types()
                .filter(|t| kind.is_none_or(|k| k == t.kind))
                .map(|t| plugin_type(t, block, partial))
                .collect(),
        };
    }
    let Some(props) = block_props(catalog, lines, block, 0) else {
        return Vec::new();
    };
    let Some(prop) = props.get(key) else {
        return Vec::new();
    };
    let mut values: Vec<&str> = prop.values.iter().map(String::as_str).collect();
    if prop.types.contains(&PropType::Boolean) {
        values.extend(["true", "false"]);
    }
    values
        .into_iter()
        .map(|v| {
            let c = Candidate::new(v, CandidateKind::Value, partial);
            match &prop.default {
                Some(d) if d == v => c.detail("default"),
                _ => c,
            }
        })
        .collect()
}

fn variants(catalog: &Catalog, section: &str, partial: Span) -> Vec<Candidate> {
    let Some((tree, node)) = catalog.section(section) else {
        return Vec::new();
    };
    let deprecated = format!("deprecated_{section}");
    tree.entries(node)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| tree.str(e.key))
        .map(|name| {
            let mut c = Candidate::new(name, CandidateKind::Value, partial);
            if let Some(advice) = catalog.section_text(&deprecated, name) {
                c.deprecated = true;
                c.detail = format!("deprecated: {advice}");
            }
            c
        })
        .collect()
}

/// A plugin type; the snippet adds its required properties that the mapping lacks.
fn plugin_type(t: &TypeDef, block: &Block, partial: Span) -> Candidate {
    let indent = " ".repeat(block.col);
    let mut insert = t.name.clone();
    let mut n = 0;
    for (name, prop) in &t.properties {
        if !prop.required || matches!(name.as_str(), "id" | "type") || block.has(name) {
            continue;
        }
        n += 1;
        insert.push_str(&format!("\n{indent}{name}: ${{{n}}}"));
    }
    let mut c = Candidate::new(t.name.clone(), CandidateKind::PluginType, partial)
        .detail(first_line(&t.doc))
        .doc(type_doc(t));
    if n > 0 {
        c.insert = insert;
        c.snippet = true;
    }
    c.deprecated = t.deprecated.is_some();
    // Short names first: `Log` before `LogExporter`; deprecated ones last.
    c.sort = format!("{}{}", u8::from(c.deprecated), t.short_name());
    c.filter = Some(format!("{} {}", t.short_name(), t.name));
    c
}

fn expression(
    doc: &Document,
    catalog: &Catalog,
    offset: usize,
    cursor: &ExprCursor,
) -> Vec<Candidate> {
    let partial = cursor.partial;
    match &cursor.slot {
        ExprSlot::Root => {
            let roots = pebble_data::roots(catalog).map(|(name, d)| {
                Candidate::new(name, CandidateKind::ContextVariable, partial)
                    .detail("context variable")
                    .doc(d)
            });
            let functions = pebble_data::callables(CallKind::Function)
                .map(|f| callable(f, CandidateKind::Function, partial));
            roots.chain(functions).collect()
        }
        ExprSlot::Filter => pebble_data::callables(CallKind::Filter)
            .map(|f| callable(f, CandidateKind::Filter, partial))
            .collect(),
        ExprSlot::Test => pebble_data::callables(CallKind::Test)
            .map(|f| Candidate::new(f.name, CandidateKind::Test, partial).doc(f.doc))
            .collect(),
        ExprSlot::Member(path) => member(doc, catalog, offset, cursor, path),
    }
}

fn callable(f: pebble_data::Callable, kind: CandidateKind, partial: Span) -> Candidate {
    let mut c = Candidate::new(f.name, kind, partial)
        .detail(f.signature.clone())
        .doc(f.doc.clone());
    c.deprecated = f.removed;
    if kind == CandidateKind::Function || f.takes_args() {
        c.insert = if f.takes_args() {
            format!("{}(${{1}})", f.name)
        } else {
            format!("{}()", f.name)
        };
        c.snippet = true;
    }
    // What the newest line removed comes last.
    c.sort = format!("{}{}", if f.removed { 2 } else { 1 }, f.name);
    c
}

fn member(
    doc: &Document,
    catalog: &Catalog,
    offset: usize,
    cursor: &ExprCursor,
    path: &[String],
) -> Vec<Candidate> {
    let partial = cursor.partial;
    let Some(flow) = doc.flow.as_ref() else {
        return root_fields(catalog, path, partial);
    };
    match path {
        [root] if root == "outputs" => tasks_in_scope(doc, catalog, offset)
            .into_iter()
            .filter_map(|(t, rel)| {
                let task = flow.task(t);
                let id = &task.id.as_ref()?.name;
                let type_name = task.type_name();
                let mut c =
                    Candidate::new(id.clone(), CandidateKind::Task, partial).detail(match rel {
                        Relation::Conditional(_) => {
                            format!("{type_name} (runs only on some paths)")
                        }
                        _ => type_name.to_string(),
                    });
                if !is_identifier(id) {
                    // `outputs.my-task` would be a subtraction: use `outputs['my-task']`.
                    if let Some(dot) = cursor.dot {
                        c.replace = Span::new(dot, partial.end as usize);
                        c.insert = format!("['{id}']");
                        c.filter = Some(format!(".{id}"));
                    }
                }
                c.sort = format!("{:08}", t.0);
                Some(c)
            })
            .collect(),
        [root, id, rest @ ..] if root == "outputs" && rest.iter().all(|s| s == "[]") => {
            let Some(def) = flow
                .tasks_named(id)
                .next()
                .and_then(|t| flow.task(t).type_.as_ref())
                .and_then(|n| catalog.get(&n.name))
            else {
                return Vec::new();
            };
            def.outputs
                .iter()
                .map(|(name, o)| {
                    Candidate::new(name.clone(), CandidateKind::Output, partial)
                        .detail(o.type_.clone())
                        .doc(o.doc.clone())
                })
                .collect()
        }
        [root] if root == "inputs" => flow
            .inputs
            .iter()
            .filter_map(|i| {
                let id = &i.id.as_ref()?.name;
                let t = i.type_.as_ref().map_or("", |n| n.name.as_str());
                Some(Candidate::new(id.clone(), CandidateKind::Input, partial).detail(t))
            })
            .collect(),
        [root] if root == "vars" => flow
            .variables
            .iter()
            .map(|v| {
                Candidate::new(v.name.clone(), CandidateKind::Variable, partial)
                    .detail("flow variable")
            })
            .collect(),
        [root] if root == "tasks" => flow
            .tasks
            .iter()
            .filter_map(|t| t.id.as_ref())
            .map(|n| Candidate::new(n.name.clone(), CandidateKind::Task, partial))
            .collect(),
        _ => root_fields(catalog, path, partial),
    }
}

fn root_fields(catalog: &Catalog, path: &[String], partial: Span) -> Vec<Candidate> {
    match path {
        [root] => pebble_data::root_fields(catalog, root)
            .into_iter()
            .map(|(name, d)| Candidate::new(name, CandidateKind::Field, partial).doc(d))
            .collect(),
        _ => Vec::new(),
    }
}

/// Tasks whose outputs exist when the expression at `offset` is rendered (on every path, or
/// on some: those are marked), in document order.
pub fn tasks_in_scope(
    doc: &Document,
    catalog: &Catalog,
    offset: usize,
) -> Vec<(TaskIdx, Relation)> {
    let Some(flow) = doc.flow.as_ref() else {
        return Vec::new();
    };
    let owner = flow.task_at(&doc.tree, offset);
    flow.task_indices()
        .filter_map(|t| {
            let Some(owner) = owner else {
                return Some((t, Relation::Before));
            };
            let rel = relation(catalog, flow, t, owner);
            let visible = match rel {
                Relation::Before
                | Relation::Conditional(_)
                | Relation::Recovery
                | Relation::IfFailed => true,
                Relation::Enclosing => t != owner,
                _ => false,
            };
            visible.then_some((t, rel))
        })
        .collect()
}

/// A name Pebble reads as one identifier after a dot.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
