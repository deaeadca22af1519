//! The `yaml()` function: YAML text to values, with the workspace's YAML parser. Scalars
//! resolve with YAML's core schema as Jackson does (`true`, `1`, `1.5`, `null`; quoted scalars
//! are strings).

use kflow_syntax::yaml::{self, NodeId, ScalarKind, Tree, Value};

use super::limits::{MAX_COLLECTION, MAX_VALUE_DEPTH};
use super::value::{Val, ValMap};

pub fn parse_yaml(text: &str) -> Result<Val<'static>, String> {
    let mut errors = Vec::new();
    let tree = yaml::parse(text, &mut errors);
    if let Some(e) = errors.first() {
        return Err(format!("Invalid yaml: {}", e.message));
    }
    let Some(root) = tree.root else {
        return Ok(Val::Null);
    };
    // Aliases are expanded: count nodes so that "billion laughs" documents stop early.
    let mut budget = MAX_COLLECTION;
    convert(&tree, root, 0, &mut budget)
}

fn convert(
    tree: &Tree,
    id: NodeId,
    depth: usize,
    budget: &mut usize,
) -> Result<Val<'static>, String> {
    if depth > MAX_VALUE_DEPTH {
        return Err("Invalid yaml: document nested too deeply".into());
    }
    *budget = budget
        .checked_sub(1)
        .ok_or("Invalid yaml: document too large once aliases are expanded")?;
    Ok(match tree.value(id) {
        Value::Scalar(s) => match s.kind() {
            ScalarKind::Null => Val::Null,
            ScalarKind::Bool => Val::Bool(s.value.eq_ignore_ascii_case("true")),
            ScalarKind::Int => int(&s.value).map_or_else(|| Val::str(&s.value), Val::Int),
            ScalarKind::Float => float(&s.value).map_or_else(|| Val::str(&s.value), Val::Float),
            ScalarKind::String => Val::str(&s.value),
        },
        Value::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(convert(tree, *item, depth + 1, budget)?);
            }
            Val::list(out)
        }
        Value::Map(entries) => {
            let mut out = ValMap::new();
            for e in entries {
                let key = match convert(tree, e.key, depth + 1, budget)? {
                    Val::Null => "null".to_string(),
                    k => k.to_java_string(),
                };
                out.insert(key, convert(tree, e.value, depth + 1, budget)?);
            }
            Val::map(out)
        }
        Value::Alias(_) => return Err("Invalid yaml: unknown alias".into()),
    })
}

fn int(v: &str) -> Option<i64> {
    let (neg, digits) = match v.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let n = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if neg { -n } else { n })
}

fn float(v: &str) -> Option<f64> {
    match v {
        ".inf" | "+.inf" | ".Inf" | ".INF" => Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Some(f64::NAN),
        _ => v.parse().ok(),
    }
}
