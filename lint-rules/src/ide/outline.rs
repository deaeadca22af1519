//! The document's structure: an outline (sections, inputs, variables, the task tree, triggers)
//! and folding ranges.

use kflow_syntax::model::{Flow, Section, TaskIdx};
use kflow_syntax::yaml::Value;
use kflow_syntax::{Document, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Section,
    Input,
    Variable,
    Task,
    Trigger,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: String,
    pub kind: SymbolKind,
    /// The whole element.
    pub span: Span,
    /// Its name (inside `span`).
    pub selection: Span,
    pub children: Vec<Symbol>,
}

/// Top-level sections in document order, each with its elements; tasks nest as they run.
pub fn symbols(doc: &Document) -> Vec<Symbol> {
    let Some(flow) = doc.flow.as_ref() else {
        return Vec::new();
    };
    let tree = &doc.tree;
    let mut out = Vec::new();
    for entry in tree.entries(flow.root).unwrap_or_default() {
        let Some(key) = tree.str(entry.key) else {
            continue;
        };
        let key_span = tree.span(entry.key);
        let span = key_span.cover(tree.span(entry.value));
        let children = match key {
            "inputs" => flow
                .inputs
                .iter()
                .filter_map(|i| {
                    let id = i.id.as_ref()?;
                    Some(leaf(
                        &id.name,
                        i.type_.as_ref().map_or("", |t| t.name.as_str()),
                        SymbolKind::Input,
                        tree.span(i.node),
                        id.span,
                    ))
                })
                .collect(),
            "variables" => flow
                .variables
                .iter()
                .map(|v| {
                    // The variables mapping is this entry's value; the name's value ends the symbol.
                    let end = tree
                        .get_value(entry.value, &v.name)
                        .map_or(v.span, |n| tree.span(n));
                    leaf(&v.name, "", SymbolKind::Variable, v.span.cover(end), v.span)
                })
                .collect(),
            "triggers" => flow
                .triggers
                .iter()
                .filter_map(|&i| {
                    let p = &flow.plugins[i];
                    let node_span = tree.span(p.node);
                    let name = p.id.as_ref().map_or("trigger", |n| n.name.as_str());
                    let selection = p.id.as_ref().map_or(node_span, |n| n.span);
                    Some(leaf(
                        name,
                        short(p.type_.as_ref()?.name.as_str()),
                        SymbolKind::Trigger,
                        node_span,
                        selection,
                    ))
                })
                .collect(),
            _ => flow
                .task_indices()
                .filter(|&t| {
                    let task = flow.task(t);
                    task.parent.is_none() && task.section.key() == key
                })
                .map(|t| task_symbol(doc, flow, t))
                .collect(),
        };
        out.push(Symbol {
            name: key.to_string(),
            detail: String::new(),
            kind: SymbolKind::Section,
            span,
            selection: key_span,
            children,
        });
    }
    out
}

fn short(type_name: &str) -> &str {
    type_name.rsplit('.').next().unwrap_or(type_name)
}

fn leaf(name: &str, detail: &str, kind: SymbolKind, span: Span, selection: Span) -> Symbol {
    Symbol {
        name: name.to_string(),
        detail: detail.to_string(),
        kind,
        span: span.cover(selection),
        selection,
        children: Vec::new(),
    }
}

fn task_symbol(doc: &Document, flow: &Flow, t: TaskIdx) -> Symbol {
    let task = flow.task(t);
    let span = doc.tree.span(task.node);
    let type_name = task.type_.as_ref().map_or("", |n| short(&n.name));
    let detail = match (&task.parent, &task.section) {
        (Some(_), Section::Tasks) | (None, _) => type_name.to_string(),
        (Some(_), Section::Case(case)) => format!("case {case} · {type_name}"),
        (Some(_), section) => format!("{} · {type_name}", section.key()),
    };
    let (name, selection) = match (&task.id, &task.type_) {
        (Some(id), _) => (id.name.clone(), id.span),
        (None, Some(t)) => ("(no id)".to_string(), t.span),
        (None, None) => ("(no id)".to_string(), span),
    };
    Symbol {
        name,
        detail,
        kind: SymbolKind::Task,
        span: span.cover(selection),
        selection,
        children: task
            .children
            .iter()
            .map(|&c| task_symbol(doc, flow, c))
            .collect(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
}

/// A foldable range: from the line of `start` to the line of `end` (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub start: usize,
    pub end: usize,
    pub kind: FoldKind,
}

/// Every mapping entry and list item written over several lines, and runs of comment lines.
pub fn folding_ranges(doc: &Document) -> Vec<Fold> {
    let tree = &doc.tree;
    let text = &doc.text;
    let lines = &doc.line_index;
    let mut out = Vec::new();
    let mut push = |start: usize, end: Span, kind: FoldKind| {
        // The last character that is not a line break or trailing space.
        let body = &text[start.min(end.end as usize)..end.end as usize];
        let last = start + body.trim_end().len().saturating_sub(1);
        if lines.line_of(last) > lines.line_of(start) {
            out.push(Fold {
                start,
                end: last,
                kind,
            });
        }
    };
    for node in &tree.nodes {
        match &node.value {
            Value::Map(entries) if !node.flow_style => {
                for e in entries {
                    push(
                        tree.span(e.key).start as usize,
                        tree.span(e.value),
                        FoldKind::Region,
                    );
                }
            }
            Value::Seq(items) if !node.flow_style => {
                for &i in items {
                    let span = tree.span(i);
                    push(span.start as usize, span, FoldKind::Region);
                }
            }
            _ => {}
        }
    }
    // Runs of whole-line comments.
    let mut run: Option<(usize, Span)> = None;
    for c in &tree.comments {
        let line = lines.line_of(c.span.start as usize);
        let whole_line = text[lines.line_start(line)..c.span.start as usize]
            .trim()
            .is_empty();
        match run {
            Some((start, last)) if whole_line && lines.line_of(last.start as usize) + 1 == line => {
                run = Some((start, c.span));
            }
            _ => {
                if let Some((start, last)) = run.take() {
                    push(start, last, FoldKind::Comment);
                }
                if whole_line {
                    run = Some((c.span.start as usize, c.span));
                }
            }
        }
    }
    if let Some((start, last)) = run {
        push(start, last, FoldKind::Comment);
    }
    out.sort_by_key(|f| (lines.line_of(f.start), std::cmp::Reverse(f.end)));
    out.dedup_by_key(|f| lines.line_of(f.start));
    out
}
