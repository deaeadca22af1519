//! Reads the catalog's YAML files (through kflow's own YAML tree) into [`Catalog`] data.

use std::collections::BTreeMap;

use kflow_syntax::yaml::{NodeId, Tree, Value};

use super::model::{Output, Prop, PropType, TypeDef, TypeKind};
use crate::version::Version;

/// What one catalog file contributes.
#[derive(Default)]
pub struct FileData {
    pub covers: Vec<String>,
    pub groups: BTreeMap<String, BTreeMap<String, Prop>>,
    pub types: Vec<(TypeDef, Vec<String>)>,
    /// Top-level sections other than covers/groups/types (flow.yaml's shapes), by key.
    pub sections: BTreeMap<String, NodeId>,
    pub tree: Tree,
}

pub fn load_file(name: &str, text: &str) -> Result<FileData, String> {
    let doc = kflow_syntax::parse(text);
    if let Some(err) = doc.errors.first() {
        let at = doc.line_index.line_col(text, err.span.start as usize);
        return Err(format!("{name}:{}:{}: {}", at.line, at.column, err.message));
    }
    let tree = doc.tree;
    let Some(root) = tree.root else {
        return Ok(FileData::default());
    };
    let mut data = FileData::default();
    for entry in tree.entries(root).ok_or(format!("{name}: not a mapping"))? {
        let key = tree.str(entry.key).unwrap_or_default();
        match key {
            "covers" => data.covers = strings(&tree, entry.value),
            "groups" => {
                for g in tree.entries(entry.value).unwrap_or_default() {
                    let gname = tree.str(g.key).unwrap_or_default().to_string();
                    data.groups.insert(gname, props(&tree, g.value));
                }
            }
            "types" => {
                for &t in tree.items(entry.value).unwrap_or_default() {
                    let def = type_def(&tree, t).map_err(|e| format!("{name}: {e}"))?;
                    data.types.push(def);
                }
            }
            _ => {
                data.sections.insert(key.to_string(), entry.value);
            }
        }
    }
    data.tree = tree;
    Ok(data)
}

fn strings(tree: &Tree, node: NodeId) -> Vec<String> {
    match tree.value(node) {
        Value::Seq(items) => items
            .iter()
            .filter_map(|&i| tree.str(i).map(str::to_string))
            .collect(),
        Value::Scalar(s) if !s.value.is_empty() => vec![s.value.clone()],
        _ => Vec::new(),
    }
}

fn text(tree: &Tree, map: NodeId, key: &str) -> Option<String> {
    tree.get_str(map, key)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn flag(tree: &Tree, map: NodeId, key: &str) -> bool {
    tree.get_str(map, key) == Some("true")
}

fn version(tree: &Tree, map: NodeId, key: &str) -> Option<Version> {
    tree.get_str(map, key).and_then(Version::parse)
}

/// A `deprecated:` entry is either advice text or `true`.
fn deprecated(tree: &Tree, map: NodeId) -> Option<String> {
    match tree.get_str(map, "deprecated")? {
        "false" | "" => None,
        "true" => Some(String::new()),
        advice => Some(advice.to_string()),
    }
}

pub fn props(tree: &Tree, node: NodeId) -> BTreeMap<String, Prop> {
    tree.entries(node)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((tree.str(e.key)?.to_string(), prop(tree, e.value))))
        .collect()
}

pub fn prop(tree: &Tree, node: NodeId) -> Prop {
    if tree.entries(node).is_none() {
        // Shorthand `name: string`.
        return Prop {
            types: parse_types(tree.str(node).unwrap_or("any")),
            ..Prop::default()
        };
    }
    Prop {
        types: parse_types(tree.get_str(node, "type").unwrap_or("any")),
        required: flag(tree, node, "required"),
        dynamic: flag(tree, node, "dynamic"),
        doc: text(tree, node, "doc")
            .or_else(|| text(tree, node, "description"))
            .unwrap_or_default(),
        default: text(tree, node, "default"),
        values: tree
            .get_value(node, "values")
            .map(|v| strings(tree, v))
            .unwrap_or_default(),
        deprecated: deprecated(tree, node),
        since: version(tree, node, "since"),
        removed_in: version(tree, node, "removed_in"),
        items: tree
            .get_value(node, "items")
            .map(|i| Box::new(prop(tree, i))),
        fields: tree
            .get_value(node, "fields")
            .filter(|f| tree.entries(*f).is_some())
            .map(|f| props(tree, f)),
    }
}

fn parse_types(s: &str) -> Vec<PropType> {
    // "map (values: string) | list" → [Map, List]: only the leading word of each member counts.
    s.split('|')
        .map(|part| PropType::parse(part.trim().split([' ', '(']).next().unwrap_or("")))
        .collect()
}

/// A type definition and the groups it inherits (resolved once all files are read).
fn type_def(tree: &Tree, node: NodeId) -> Result<(TypeDef, Vec<String>), String> {
    let name = text(tree, node, "type").ok_or("a type entry without `type`")?;
    let kind = tree.get_str(node, "kind").unwrap_or("task");
    let kind = TypeKind::parse(kind).ok_or(format!("{name}: unknown kind `{kind}`"))?;
    let outputs = tree
        .get_value(node, "outputs")
        .and_then(|o| tree.entries(o))
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let oname = tree.str(e.key)?.to_string();
            let out = Output {
                type_: tree
                    .get_str(e.value, "type")
                    .or_else(|| tree.str(e.value))
                    .unwrap_or("any")
                    .to_string(),
                doc: text(tree, e.value, "doc").unwrap_or_default(),
            };
            Some((oname, out))
        })
        .collect();
    let def = TypeDef {
        kind,
        class: text(tree, node, "class").unwrap_or_default(),
        doc: text(tree, node, "doc").unwrap_or_default(),
        aliases: tree
            .get_value(node, "aliases")
            .map(|a| strings(tree, a))
            .unwrap_or_default(),
        deprecated: deprecated(tree, node),
        replacement: text(tree, node, "replacement"),
        since: version(tree, node, "since"),
        removed_in: version(tree, node, "removed_in"),
        properties: tree
            .get_value(node, "properties")
            .map(|p| props(tree, p))
            .unwrap_or_default(),
        outputs,
        outputs_dynamic: flag(tree, node, "outputs_dynamic"),
        open: flag(tree, node, "open"),
        docs_url: None,
        name,
    };
    let inherits = tree
        .get_value(node, "inherits")
        .map(|i| strings(tree, i))
        .unwrap_or_default();
    Ok((def, inherits))
}
