//! Checks an object's properties against its catalog definition, once per document; the
//! `unknown-property`, `missing-property`, `invalid-property-type` and `deprecated-property`
//! rules each report their share.

use std::collections::BTreeMap;

use kflow_syntax::yaml::{NodeId, ScalarKind, Tree, Value};
use kflow_syntax::Span;

use crate::catalog::{Prop, PropType};
use crate::source::Source;
use crate::suggest::closest;
use crate::version::Version;

#[derive(Clone, Debug)]
pub enum Issue {
    Unknown {
        key: Span,
        name: String,
        owner: String,
        suggestion: Option<String>,
        note: Option<String>,
    },
    Missing {
        at: Span,
        name: String,
        owner: String,
    },
    BadType {
        at: Span,
        message: String,
    },
    Deprecated {
        key: Span,
        name: String,
        advice: String,
    },
    /// A property the targeted Kestra line no longer has (`migrate-property` reports it, with
    /// a fix when it has a direct replacement).
    Removed {
        /// The mapping holding it, and its entry.
        map: NodeId,
        entry: kflow_syntax::yaml::Entry,
        name: String,
        owner: String,
        removed_in: Version,
        /// What the catalog says to use instead.
        advice: Option<String>,
    },
}

/// Keys every typed object may carry besides its properties.
const ALWAYS_ALLOWED: &[&str] = &["id", "type"];

/// Every property problem of the document (computed once, see [`crate::context::Context::prop_issues`]).
pub fn issues(cx: &Source) -> Vec<Issue> {
    let mut out = Vec::new();
    let defaults = plugin_defaults(cx);
    for (plugin, def) in cx.plugins() {
        let Some(def) = def else { continue };
        check_object(
            cx,
            plugin.node,
            &def.properties,
            def.short_name(),
            def.open,
            &mut out,
        );
    }
    flow_shapes(cx, &mut out);
    for (type_name, values) in &defaults {
        if let Some(def) = cx.catalog.get(type_name) {
            if let Some(values) = values {
                check_keys(
                    cx,
                    *values,
                    &def.properties,
                    def.short_name(),
                    def.open,
                    &mut out,
                );
            }
        }
    }
    out
}

/// The flow's own keys and nested shapes (inputs, outputs, retry, listeners…) from `flow.yaml`.
fn flow_shapes(cx: &Source, out: &mut Vec<Issue>) {
    let (Some(flow), tree, catalog) = (cx.flow, cx.tree, cx.catalog) else {
        return;
    };
    let Some(flow_props) = catalog.group("flow") else {
        return;
    };
    check_keys(cx, flow.root, flow_props, "flow", false, out);
    for input in &flow.inputs {
        let Some(t) = &input.type_ else { continue };
        let Some(mut props) = catalog.variant("input_types", &t.name) else {
            continue;
        };
        // The deprecated `name` stands for `id`.
        if tree.get(input.node, "name").is_some() {
            if let Some(id) = props.get_mut("id") {
                id.required = false;
            }
        }
        if let Some(advice) = catalog.section_text("deprecated_input_types", &t.name) {
            out.push(Issue::Deprecated {
                key: t.span,
                name: format!("input type {}", t.name),
                advice: advice.to_string(),
            });
        }
        check_object(
            cx,
            input.node,
            &props,
            &format!("{} input", t.name),
            false,
            out,
        );
    }
    let list_items = |key: &str| -> Vec<NodeId> {
        tree.get_value(flow.root, key)
            .and_then(|l| tree.items(l))
            .map(<[NodeId]>::to_vec)
            .unwrap_or_default()
    };
    for (key, group, owner) in [
        ("outputs", "flow_output", "flow output"),
        ("listeners", "listener", "listener"),
        ("pluginDefaults", "plugin_default", "plugin default"),
        ("taskDefaults", "plugin_default", "plugin default"),
        ("checks", "check", "check"),
        ("labels", "label_item", "label"),
    ] {
        let Some(props) = catalog.group(group) else {
            continue;
        };
        for item in list_items(key) {
            if tree.entries(item).is_some() {
                check_object(cx, item, props, owner, false, out);
            }
        }
    }
    for item in list_items("sla") {
        let variant = tree
            .get_str(item, "type")
            .and_then(|t| catalog.variant("sla_types", t));
        if let Some(props) = variant {
            check_object(cx, item, &props, "sla", false, out);
        }
    }
    if let (Some(c), Some(props)) = (
        tree.get_value(flow.root, "concurrency"),
        catalog.group("concurrency"),
    ) {
        if tree.entries(c).is_some() {
            check_object(cx, c, props, "concurrency", false, out);
        }
    }
    if let Some(retry) = tree.get_value(flow.root, "retry") {
        check_retry(cx, retry, out);
    }
}

/// A `retry` object: the fields of its `type` variant (constant, exponential, random).
fn check_retry(cx: &Source, node: NodeId, out: &mut Vec<Issue>) {
    let tree = cx.tree;
    let Some(t) = tree.get_str(node, "type") else {
        // The variant is chosen by `type` (`AbstractRetry`'s `@JsonTypeInfo`, no default):
        // Kestra cannot read a retry without one.
        if tree.get(node, "type").is_none() {
            out.push(Issue::Missing {
                at: cx.first_line(tree.span(node)),
                name: "type".into(),
                owner: "retry".into(),
            });
            // What every variant has is still checked (a removed `maxAttempt`), the rest is not.
            if let Some(common) = cx.catalog.group("retry_common") {
                check_keys(cx, node, common, "retry", true, out);
            }
        }
        return;
    };
    if let Some(props) = cx.catalog.variant("retry_types", t) {
        check_object(cx, node, &props, &format!("{t} retry"), false, out);
    }
}

/// `pluginDefaults` (or `taskDefaults`) entries: type (exact, alias or package prefix) → values.
fn plugin_defaults(cx: &Source) -> Vec<(String, Option<NodeId>)> {
    let (Some(flow), tree) = (cx.flow, cx.tree) else {
        return Vec::new();
    };
    ["pluginDefaults", "taskDefaults"]
        .iter()
        .filter_map(|k| tree.get_value(flow.root, k))
        .flat_map(|list| tree.items(list).unwrap_or_default().to_vec())
        .filter_map(|item| {
            let t = tree.get_str(item, "type")?.to_string();
            Some((t, tree.get_value(item, "values")))
        })
        .collect()
}

/// `open`: the definition may lack properties (its type is `open` in the catalog), so keys it
/// does not list are not reported.
fn check_object(
    cx: &Source,
    node: NodeId,
    props: &BTreeMap<String, Prop>,
    owner: &str,
    open: bool,
    out: &mut Vec<Issue>,
) {
    let tree = cx.tree;
    check_keys(cx, node, props, owner, open, out);
    for (name, prop) in props {
        if !prop.required || removed(prop, cx.config.kestra_version) {
            continue;
        }
        let present = tree.get_value(node, name).is_some_and(|v| !tree.is_null(v));
        if !present && !defaults_cover(cx, node, name) {
            let at = tree
                .get(node, name)
                .map(|e| tree.span(e.key))
                .unwrap_or_else(|| cx.object_span(node));
            out.push(Issue::Missing {
                at,
                name: name.clone(),
                owner: owner.to_string(),
            });
        }
    }
}

/// Whether a `pluginDefaults` entry of the flow gives a value to `name` for this object's type.
fn defaults_cover(cx: &Source, node: NodeId, name: &str) -> bool {
    let tree = cx.tree;
    let Some(type_name) = tree.get_str(node, "type") else {
        return false;
    };
    let def = cx.catalog.get(type_name);
    plugin_defaults(cx).iter().any(|(t, values)| {
        let applies = t == type_name
            || def.is_some_and(|d| &d.name == t || d.aliases.contains(t))
            || type_name.starts_with(&format!("{t}."));
        applies && values.is_some_and(|v| tree.get(v, name).is_some())
    })
}

fn removed(prop: &Prop, target: Version) -> bool {
    prop.removed_in.is_some_and(|r| r <= target)
}

/// Unknown, deprecated and badly typed keys of one object, then of its known nested objects.
fn check_keys(
    cx: &Source,
    node: NodeId,
    props: &BTreeMap<String, Prop>,
    owner: &str,
    open: bool,
    out: &mut Vec<Issue>,
) {
    let tree = cx.tree;
    let target = cx.config.kestra_version;
    let Some(entries) = tree.entries(node) else {
        return;
    };
    for entry in entries {
        let Some(name) = tree.str(entry.key) else {
            continue;
        };
        let key = tree.span(entry.key);
        if ALWAYS_ALLOWED.contains(&name) {
            continue;
        }
        let Some(prop) = props.get(name) else {
            if open {
                continue;
            }
            let suggestion = closest(name, props.keys().map(String::as_str)).map(str::to_string);
            out.push(Issue::Unknown {
                key,
                name: name.to_string(),
                owner: owner.to_string(),
                suggestion,
                note: None,
            });
            continue;
        };
        if let Some(r) = prop.removed_in.filter(|&r| r <= target) {
            out.push(Issue::Removed {
                map: node,
                entry: *entry,
                name: name.to_string(),
                owner: owner.to_string(),
                removed_in: r,
                advice: prop.deprecated.clone(),
            });
            continue;
        }
        if let Some(s) = prop.since.filter(|&s| s > target) {
            out.push(Issue::Unknown {
                key,
                name: name.to_string(),
                owner: owner.to_string(),
                suggestion: None,
                note: Some(format!("only exists from Kestra {s} on (target: {target})")),
            });
            continue;
        }
        if let Some(advice) = &prop.deprecated {
            out.push(Issue::Deprecated {
                key,
                name: name.to_string(),
                advice: advice.clone(),
            });
        }
        if let Some(message) = type_mismatch(tree, entry.value, prop) {
            out.push(Issue::BadType {
                at: tree.span(entry.value),
                message: format!("`{name}`: {message}"),
            });
            continue;
        }
        if let Some((at, message)) = item_mismatch(tree, entry.value, prop) {
            out.push(Issue::BadType {
                at,
                message: format!("`{name}`: {message}"),
            });
            continue;
        }
        if name == "retry" && tree.entries(entry.value).is_some() {
            check_retry(cx, entry.value, out);
            continue;
        }
        if let Some(fields) = &prop.fields {
            if tree.entries(entry.value).is_some() {
                check_keys(
                    cx,
                    entry.value,
                    fields,
                    &format!("{owner}.{name}"),
                    false,
                    out,
                );
            }
        }
    }
}

fn is_expression(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// Why `value` does not fit `prop`, if it does not.
pub fn type_mismatch(tree: &Tree, value: NodeId, prop: &Prop) -> Option<String> {
    if prop.types.is_empty() || tree.is_null(value) {
        return None;
    }
    if let Some(s) = tree.scalar(value) {
        if is_expression(&s.value) {
            return None;
        }
    }
    // A dynamic string property keeps a YAML list or map as its JSON text.
    let json_text = prop.dynamic && prop.types.contains(&PropType::String);
    if json_text || prop.types.iter().any(|t| accepts(tree, value, t)) {
        if let (Some(s), false) = (tree.scalar(value), prop.values.is_empty()) {
            let v = s.value.as_str();
            if prop.types.contains(&PropType::Enum)
                && !prop.values.iter().any(|a| a.eq_ignore_ascii_case(v))
            {
                let mut m = format!("`{v}` is not one of {}", prop.values.join(", "));
                if let Some(near) = closest(v, prop.values.iter().map(String::as_str)) {
                    m.push_str(&format!("; did you mean `{near}`?"));
                }
                return Some(m);
            }
        }
        return None;
    }
    Some(format!(
        "expected {}, found {}",
        prop.type_text(),
        tree.describe(value)
    ))
}

/// The first item of a list that does not fit the list's item type, with where it is.
/// (`commands: [echo a: b]`: YAML reads the item as a mapping, and Kestra runs `{echo a=b}`.)
fn item_mismatch(tree: &Tree, list: NodeId, prop: &Prop) -> Option<(kflow_syntax::Span, String)> {
    let items_prop = prop.items.as_deref()?;
    if items_prop.types.is_empty() || items_prop.types.contains(&PropType::Any) {
        return None;
    }
    for (i, &item) in tree.items(list)?.iter().enumerate() {
        if tree.is_null(item) || tree.scalar(item).is_some_and(|s| is_expression(&s.value)) {
            continue;
        }
        if items_prop.types.iter().any(|t| accepts(tree, item, t)) {
            continue;
        }
        let mut message = format!(
            "item {} should be {}, found {}",
            i + 1,
            items_prop.type_text(),
            tree.describe(item)
        );
        if tree.entries(item).is_some_and(|e| e.len() == 1)
            && !tree.node(item).flow_style
            && items_prop.types.contains(&PropType::String)
        {
            message.push_str(" (YAML reads `key: value` as a mapping: quote the item)");
        }
        return Some((tree.span(item), message));
    }
    None
}

fn accepts(tree: &Tree, value: NodeId, t: &PropType) -> bool {
    match (tree.value(value), t) {
        (_, PropType::Any | PropType::Expression) => true,
        (Value::Alias(None), _) => true,
        (Value::Scalar(s), PropType::Integer) => {
            matches!(s.kind(), ScalarKind::Int) || s.value.trim().parse::<i64>().is_ok()
        }
        (Value::Scalar(s), PropType::Number) => {
            matches!(s.kind(), ScalarKind::Int | ScalarKind::Float)
                || s.value.trim().parse::<f64>().is_ok()
        }
        (Value::Scalar(s), PropType::Boolean) => {
            matches!(s.kind(), ScalarKind::Bool)
                || s.value.eq_ignore_ascii_case("true")
                || s.value.eq_ignore_ascii_case("false")
        }
        (
            Value::Scalar(_),
            PropType::String
            | PropType::Duration
            | PropType::Datetime
            | PropType::Date
            | PropType::Time
            | PropType::Uri
            | PropType::Cron
            | PropType::Enum,
        ) => true,
        (Value::Seq(_), PropType::List | PropType::Tasks) => true,
        (Value::Map(_), PropType::Map | PropType::Object | PropType::Task) => true,
        _ => false,
    }
}
