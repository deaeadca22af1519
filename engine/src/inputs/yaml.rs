//! YAML nodes of the syntax tree as JSON values (for `defaults`, `values` and YAML inputs).

use kflow_syntax::yaml::{NodeId, ScalarKind, Tree, Value};

/// Deep enough for real inputs; stops alias bombs and runaway nesting.
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 100_000;

pub fn node_to_json(tree: &Tree, node: NodeId) -> Result<serde_json::Value, String> {
    let mut budget = MAX_NODES;
    convert(tree, node, 0, &mut budget)
}

fn convert(
    tree: &Tree,
    node: NodeId,
    depth: usize,
    budget: &mut usize,
) -> Result<serde_json::Value, String> {
    if depth > MAX_DEPTH {
        return Err("the value is nested too deeply".into());
    }
    if *budget == 0 {
        return Err("the value is too large (aliases expand too much)".into());
    }
    *budget -= 1;
    let node = tree.resolve(node);
    Ok(match tree.value(node) {
        Value::Scalar(scalar) => match scalar.kind() {
            ScalarKind::Null => serde_json::Value::Null,
            ScalarKind::Bool => serde_json::Value::Bool(scalar.value.eq_ignore_ascii_case("true")),
            ScalarKind::Int => int_value(&scalar.value)
                .map(serde_json::Value::from)
                .unwrap_or_else(|| serde_json::Value::String(scalar.value.clone())),
            ScalarKind::Float => scalar
                .value
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(scalar.value.clone())),
            ScalarKind::String => serde_json::Value::String(scalar.value.clone()),
        },
        Value::Seq(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|&i| convert(tree, i, depth + 1, budget))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(entries) => {
            let mut map = serde_json::Map::new();
            for entry in entries {
                let key = match convert(tree, entry.key, depth + 1, budget)? {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                map.insert(key, convert(tree, entry.value, depth + 1, budget)?);
            }
            serde_json::Value::Object(map)
        }
        _ => serde_json::Value::Null,
    })
}

fn int_value(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(if negative { -value } else { value })
}

/// Parses YAML text (a YAML input's value).
pub fn parse_yaml(text: &str) -> Result<serde_json::Value, String> {
    let mut errors = Vec::new();
    let tree = kflow_syntax::yaml::parse(text, &mut errors);
    if let Some(error) = errors.first() {
        return Err(error.message.clone());
    }
    match tree.root {
        Some(root) => node_to_json(&tree, root),
        None => Ok(serde_json::Value::Null),
    }
}
