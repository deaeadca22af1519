//! Hover text: a plugin type's or a property's documentation, what an expression path refers
//! to (and its type), a filter's or function's signature, and the explanation of the rules
//! whose findings sit under the cursor.

use kflow_syntax::expr::Expression;
use kflow_syntax::pebble::{self, CallKind as PebbleCall, PathRef, Segment};
use kflow_syntax::{Document, Span};

use crate::catalog::Catalog;
use crate::finding::Finding;
use crate::rules;
use crate::scope::{relation, Relation};

use super::docs::{prop_doc, type_doc};
use super::pebble_data::{self, CallKind};
use super::shapes::{block_props, type_slot, TypeSlot};
use super::yaml_cursor::Lines;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    /// Markdown.
    pub markdown: String,
}

/// What to show at `offset`; `findings` are the document's current findings.
pub fn hover(
    doc: &Document,
    catalog: &Catalog,
    findings: &[Finding],
    offset: usize,
) -> Option<Hover> {
    let main = expression_hover(doc, catalog, offset).or_else(|| yaml_hover(doc, catalog, offset));
    let under: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            f.span.contains(offset) || (f.span.is_empty() && f.span.start as usize == offset)
        })
        .collect();
    let mut seen = Vec::new();
    let mut explanations = String::new();
    for f in &under {
        if seen.contains(&f.rule) {
            continue;
        }
        seen.push(f.rule);
        explanations.push_str(&format!(
            "\n\n---\n\n**`{}`** ({}): {}\n\n{}",
            f.rule,
            f.severity.as_str(),
            f.message,
            rules::doc(f.rule).replace("\n## ", "\n#### ")
        ));
    }
    match main {
        Some(mut h) => {
            h.markdown.push_str(&explanations);
            Some(h)
        }
        None => under.first().map(|f| Hover {
            span: f.span,
            markdown: explanations.trim_start_matches("\n\n---\n\n").to_string(),
        }),
    }
}

fn yaml_hover(doc: &Document, catalog: &Catalog, offset: usize) -> Option<Hover> {
    let lines = Lines::new(doc);
    let line = lines.key_line(doc.line_index.line_of(offset))?;
    let on_key = line.key_span.contains(offset);
    let on_value = line.value_span.contains(offset) || line.value_span.end as usize == offset;
    if line.key == "type" && on_value {
        let name = line.block.value("type")?;
        let markdown = match type_slot(&line.block) {
            TypeSlot::Plugin(_) => type_doc(catalog.get(name)?),
            TypeSlot::Variant(section) => {
                let props = catalog.variant(section, name)?;
                let names: Vec<String> = props.keys().map(|k| format!("`{k}`")).collect();
                format!("**{name}**\n\nProperties: {}", names.join(", "))
            }
        };
        return Some(Hover {
            span: line.value_span,
            markdown,
        });
    }
    if !on_key {
        return None;
    }
    let props = block_props(catalog, &lines, &line.block, 0)?;
    let prop = props.get(&line.key)?;
    Some(Hover {
        span: line.key_span,
        markdown: format!("**{}**\n\n{}", line.key, prop_doc(prop)),
    })
}

fn expression_hover(doc: &Document, catalog: &Catalog, offset: usize) -> Option<Hover> {
    let tree = &doc.tree;
    for e in doc
        .expressions
        .iter()
        .filter(|e| tree.span(e.node).contains(offset))
    {
        for path in pebble::template_paths(&e.template) {
            if let Some(h) = path_hover(doc, catalog, e, &path, offset) {
                return Some(h);
            }
        }
        for call in pebble::template_calls(&e.template) {
            let span = e.file_span(call.name_span);
            if !span.contains(offset) {
                continue;
            }
            let kind = match call.kind {
                PebbleCall::Filter => CallKind::Filter,
                PebbleCall::Test => CallKind::Test,
                PebbleCall::Function if !call.is_macro => CallKind::Function,
                _ => return None,
            };
            let c = pebble_data::callable(kind, call.name)?;
            return Some(Hover {
                span,
                markdown: format!("{} `{}`\n\n{}", kind.noun(), c.signature, c.doc),
            });
        }
    }
    None
}

fn segment_name<'a>(s: &Segment<'a>) -> Option<(&'a str, Span)> {
    match s {
        Segment::Name(n, span) | Segment::Key(n, span) => Some((n, *span)),
        _ => None,
    }
}

fn path_hover(
    doc: &Document,
    catalog: &Catalog,
    e: &Expression,
    path: &PathRef,
    offset: usize,
) -> Option<Hover> {
    let (root, root_span) = path.root;
    let root_file = e.file_span(root_span);
    if root_file.contains(offset) {
        let markdown = if path.local {
            format!("`{root}`: a variable of this template")
        } else {
            format!("**{root}**\n\n{}", pebble_data::root_doc(catalog, root))
        };
        return Some(Hover {
            span: root_file,
            markdown,
        });
    }
    if path.local {
        return None;
    }
    let hit = path.segments.iter().position(|s| {
        segment_name(s).is_some_and(|(_, span)| e.file_span(span).contains(offset))
    })?;
    let names: Vec<&str> = path.segments[..=hit]
        .iter()
        .map(|s| segment_name(s).map_or("[]", |(n, _)| n))
        .collect();
    let span = e.file_span(segment_name(&path.segments[hit])?.1);
    let markdown = describe(doc, catalog, root, &names, span.start as usize)?;
    Some(Hover { span, markdown })
}

fn line_of(doc: &Document, span: Span) -> u32 {
    doc.line_index.line_col(&doc.text, span.start as usize).line
}

/// What `root.names…` refers to.
fn describe(
    doc: &Document,
    catalog: &Catalog,
    root: &str,
    names: &[&str],
    at: usize,
) -> Option<String> {
    let flow = doc.flow.as_ref()?;
    let tree = &doc.tree;
    match (root, names) {
        ("outputs" | "tasks", [id]) => {
            let t = flow.tasks_named(id).next()?;
            let task = flow.task(t);
            let type_name = task.type_.as_ref().map_or("(no type)", |n| n.name.as_str());
            let defined = task.id_span(tree);
            let mut out = format!(
                "**task `{id}`**: `{type_name}`, defined on line {}",
                line_of(doc, defined)
            );
            if let Some(def) = catalog.get(type_name) {
                let outputs: Vec<String> = def.outputs.keys().map(|k| format!("`{k}`")).collect();
                if root == "outputs" && !outputs.is_empty() {
                    out.push_str(&format!("\n\nOutputs: {}", outputs.join(", ")));
                }
            }
            if let Some(owner) = flow.task_at(tree, at) {
                let note = match relation(catalog, flow, t, owner) {
                    Relation::Before => "has finished before this task on every path",
                    Relation::Conditional(_) => "runs only on some paths before this task",
                    Relation::Recovery => "may have run (this task recovers from failures)",
                    Relation::Enclosing => "encloses this task",
                    Relation::After => "runs after this task",
                    Relation::Concurrent => "runs in parallel with this task",
                    Relation::OtherBranch => "is in another branch",
                    Relation::OnlyOnFailure => "runs only when something fails",
                    Relation::IfFailed => "has run only if something failed (it is in `errors`)",
                };
                out.push_str(&format!("\n\nIt {note}."));
            }
            Some(out)
        }
        ("outputs", [id, rest @ ..]) => {
            let output = rest.iter().rev().find(|n| **n != "[]")?;
            let t = flow.tasks_named(id).next()?;
            let def = catalog.get(&flow.task(t).type_.as_ref()?.name)?;
            let o = def.outputs.get(*output)?;
            Some(format!(
                "**output `{output}`** of task `{id}` ({}): {}\n\n{}",
                def.short_name(),
                o.type_,
                o.doc
            ))
        }
        ("inputs", [id, ..]) => {
            let input = flow
                .inputs
                .iter()
                .find(|i| i.id.as_ref().is_some_and(|n| n.name == *id))?;
            let def = input.id.as_ref()?;
            let t = input
                .type_
                .as_ref()
                .map_or("(no type)", |n| n.name.as_str());
            let mut out = format!(
                "**input `{id}`**: {t}, defined on line {}",
                line_of(doc, def.span)
            );
            let required = tree.get_str(input.node, "required") != Some("false");
            out.push_str(if required {
                "\n\nRequired."
            } else {
                "\n\nOptional."
            });
            for key in ["defaults", "description"] {
                if let Some(v) = tree.get_str(input.node, key) {
                    out.push_str(&format!("\n\n{key}: {v}"));
                }
            }
            Some(out)
        }
        ("vars", [name, ..]) => {
            let var = flow.variables.iter().find(|v| v.name == *name)?;
            let root = flow.root;
            let value = tree.get_value(tree.get_value(root, "variables")?, name)?;
            let mut out = format!(
                "**variable `{name}`**: {}, defined on line {}",
                tree.describe(value),
                line_of(doc, var.span)
            );
            if let Some(v) = tree.str(value) {
                let shown: String = v.chars().take(200).collect();
                out.push_str(&format!("\n\n```\n{shown}\n```"));
            }
            Some(out)
        }
        (_, [field]) => pebble_data::root_fields(catalog, root)
            .into_iter()
            .find(|(n, _)| n == field)
            .map(|(n, d)| format!("**{root}.{n}**\n\n{d}")),
        _ => None,
    }
}
