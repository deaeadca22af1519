//! Task ids, input ids and flow variables: where each is defined, every place that reads it
//! (`outputs.X`, `tasks.X`, `inputs.X`, `vars.X` in any expression, Dag `dependsOn`, input
//! `dependsOn.inputs`), and the edits that rename one everywhere.

use kflow_syntax::pebble::{self, Segment};
use kflow_syntax::{Document, Span};

use crate::finding::Edit;

use super::complete::is_identifier;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Task(String),
    Input(String),
    Variable(String),
}

impl Target {
    fn name(&self) -> &str {
        match self {
            Target::Task(n) | Target::Input(n) | Target::Variable(n) => n,
        }
    }

    fn noun(&self) -> &'static str {
        match self {
            Target::Task(_) => "task id",
            Target::Input(_) => "input id",
            Target::Variable(_) => "variable name",
        }
    }
}

/// One place a name is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Exactly the name's characters in the file.
    pub span: Span,
    pub definition: bool,
    /// For a Pebble `.name` access, the offset of the dot: a new name that is not an
    /// identifier is written `['new-name']` from there.
    dot: Option<usize>,
}

/// The span of `value` inside the scalar at `span`, without quotes, when written as is.
fn exact(doc: &Document, span: Span, value: &str) -> Option<Span> {
    let raw = doc.text.get(span.range())?;
    if raw == value {
        return Some(span);
    }
    let quoted = raw.len() == value.len() + 2
        && (raw.starts_with('"') || raw.starts_with('\''))
        && &raw[1..raw.len() - 1] == value;
    quoted.then(|| Span::new(span.start as usize + 1, span.end as usize - 1))
}

fn all(doc: &Document) -> Vec<(Target, Occurrence)> {
    let Some(flow) = doc.flow.as_ref() else {
        return Vec::new();
    };
    let tree = &doc.tree;
    let mut out = Vec::new();
    let mut push = |target: Target, span: Option<Span>, definition: bool, dot: Option<usize>| {
        if let Some(span) = span {
            out.push((
                target,
                Occurrence {
                    span,
                    definition,
                    dot,
                },
            ));
        }
    };
    for task in &flow.tasks {
        if let Some(id) = &task.id {
            push(
                Target::Task(id.name.clone()),
                exact(doc, id.span, &id.name),
                true,
                None,
            );
        }
        for dep in &task.depends_on {
            push(
                Target::Task(dep.name.clone()),
                exact(doc, dep.span, &dep.name),
                false,
                None,
            );
        }
    }
    for input in &flow.inputs {
        if let Some(id) = &input.id {
            push(
                Target::Input(id.name.clone()),
                exact(doc, id.span, &id.name),
                true,
                None,
            );
        }
        let deps = tree
            .get_value(input.node, "dependsOn")
            .and_then(|d| tree.get_value(d, "inputs"))
            .and_then(|l| tree.items(l))
            .unwrap_or_default();
        for &d in deps {
            if let Some(name) = tree.str(d) {
                push(
                    Target::Input(name.to_string()),
                    exact(doc, tree.span(d), name),
                    false,
                    None,
                );
            }
        }
    }
    for var in &flow.variables {
        push(
            Target::Variable(var.name.clone()),
            exact(doc, var.span, &var.name),
            true,
            None,
        );
    }
    for e in &doc.expressions {
        for path in pebble::template_paths(&e.template) {
            if path.local {
                continue;
            }
            let make: fn(String) -> Target = match path.root.0 {
                "outputs" | "tasks" => Target::Task,
                "inputs" => Target::Input,
                "vars" => Target::Variable,
                _ => continue,
            };
            match path.segments.first() {
                Some(Segment::Name(name, span)) => {
                    let file = e.file_span(*span);
                    if doc.text.get(file.range()) == Some(*name) {
                        let before = doc.text[..file.start as usize].trim_end();
                        let dot = before.ends_with('.').then(|| before.len() - 1);
                        push(make(name.to_string()), Some(file), false, dot);
                    }
                }
                Some(Segment::Key(name, span)) => {
                    let file = e.file_span(*span);
                    if file.len() == name.len() + 2 {
                        let inner = Span::new(file.start as usize + 1, file.end as usize - 1);
                        if doc.text.get(inner.range()) == Some(*name) {
                            push(make(name.to_string()), Some(inner), false, None);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn target_at(all: &[(Target, Occurrence)], offset: usize) -> Option<(Target, Occurrence)> {
    all.iter()
        .find(|(_, o)| o.span.contains(offset) || o.span.end as usize == offset)
        .cloned()
}

/// Where the name under the cursor is defined (several places when it is duplicated).
pub fn definition(doc: &Document, offset: usize) -> Vec<Span> {
    let all = all(doc);
    let Some((target, _)) = target_at(&all, offset) else {
        return Vec::new();
    };
    all.iter()
        .filter(|(t, o)| *t == target && o.definition)
        .map(|(_, o)| o.span)
        .collect()
}

/// Every place the name under the cursor is written, in document order.
pub fn references(doc: &Document, offset: usize, include_definition: bool) -> Vec<Occurrence> {
    let all = all(doc);
    let Some((target, _)) = target_at(&all, offset) else {
        return Vec::new();
    };
    let mut out: Vec<Occurrence> = all
        .into_iter()
        .filter(|(t, o)| *t == target && (include_definition || !o.definition))
        .map(|(_, o)| o)
        .collect();
    out.sort_by_key(|o| o.span);
    out.dedup_by_key(|o| o.span);
    out
}

/// The name under the cursor, if it can be renamed.
pub fn prepare_rename(doc: &Document, offset: usize) -> Option<Span> {
    target_at(&all(doc), offset).map(|(_, o)| o.span)
}

/// The edits renaming the task id, input id or variable under the cursor everywhere.
pub fn rename(doc: &Document, offset: usize, new_name: &str) -> Result<Vec<Edit>, String> {
    let all = all(doc);
    let (target, _) = target_at(&all, offset)
        .ok_or("there is no task id, input id or variable name here to rename")?;
    let valid = match target {
        Target::Task(_) => is_id(new_name, ""),
        Target::Input(_) => is_id(new_name, "."),
        Target::Variable(_) => is_id(new_name, "") && !new_name.starts_with('-'),
    };
    if !valid {
        return Err(format!("`{new_name}` is not a valid {}", target.noun()));
    }
    if new_name != target.name()
        && all.iter().any(|(t, o)| {
            o.definition
                && t.name() == new_name
                && std::mem::discriminant(t) == std::mem::discriminant(&target)
        })
    {
        return Err(format!("a {} `{new_name}` already exists", target.noun()));
    }
    let mut edits: Vec<Edit> = all
        .into_iter()
        .filter(|(t, _)| *t == target)
        .map(|(_, o)| match o.dot {
            Some(dot) if !is_identifier(new_name) => Edit {
                span: Span::new(dot, o.span.end as usize),
                new_text: format!("['{new_name}']"),
            },
            _ => Edit {
                span: o.span,
                new_text: new_name.to_string(),
            },
        })
        .collect();
    edits.sort_by_key(|e| e.span);
    edits.dedup_by_key(|e| e.span);
    Ok(edits)
}

/// Kestra's id pattern: a letter or digit, then letters, digits, `_`, `-` (and `extra`).
fn is_id(s: &str, extra: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || extra.contains(c))
}
