//! The `yaml` filter: YAML the way Kestra's Jackson YAML mapper writes it (no `---`, minimal
//! quotes, sequences indented by one space under their parent, two-space mappings).

use super::limits::{MAX_OUTPUT, MAX_VALUE_DEPTH};
use super::print::java_double;
use super::value::Val;

pub fn to_yaml(v: &Val) -> Result<String, String> {
    let mut out = String::new();
    match v {
        _ if is_collection(v) && !is_empty_collection(v) => block(v, 0, &mut out, 0)?,
        _ => {
            out.push_str(&scalar_or_flow(v));
            out.push('\n');
        }
    }
    Ok(out)
}

fn is_collection(v: &Val) -> bool {
    v.as_list().is_some() || v.as_map().is_some()
}

fn is_empty_collection(v: &Val) -> bool {
    v.as_list().is_some_and(|l| l.is_empty()) || v.as_map().is_some_and(|m| m.is_empty())
}

/// Scalars, and empty collections in flow style.
fn scalar_or_flow(v: &Val) -> String {
    match v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Float(f) => java_double(*f),
        Val::Float32(f) => crate::render::print::java_float(*f),
        Val::Str(s) => quote(s),
        _ if v.as_list().is_some() => "[]".into(),
        _ => "{}".into(),
    }
}

/// Writes a non-empty collection in block style; `indent` is the column of its entries.
fn block(v: &Val, indent: usize, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_VALUE_DEPTH {
        return Err("value nested too deeply".into());
    }
    if out.len() > MAX_OUTPUT {
        return Err("output too large".into());
    }
    if let Some(list) = v.as_list() {
        for item in list.iter() {
            out.push_str(&" ".repeat(indent + 1));
            out.push_str("- ");
            entry_value(&item, indent + 3, out, depth)?;
        }
    } else if let Some(map) = v.as_map() {
        for (k, item) in map.iter() {
            out.push_str(&" ".repeat(indent));
            out.push_str(&quote(&k));
            out.push(':');
            if is_collection(&item) && !is_empty_collection(&item) {
                out.push('\n');
                let child = if item.as_list().is_some() {
                    indent
                } else {
                    indent + 2
                };
                block(&item, child, out, depth + 1)?;
            } else {
                out.push(' ');
                out.push_str(&scalar_or_flow(&item));
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// The value after `- `: scalars inline, a mapping starting on the same line, a nested
/// sequence starting on the same line.
fn entry_value(item: &Val, col: usize, out: &mut String, depth: usize) -> Result<(), String> {
    if !is_collection(item) || is_empty_collection(item) {
        out.push_str(&scalar_or_flow(item));
        out.push('\n');
        return Ok(());
    }
    // Render the collection at column `col`, then drop the indentation of its first line
    // (which sits right after the dash).
    let mut nested = String::new();
    let start = if item.as_list().is_some() {
        col - 1
    } else {
        col
    };
    block(item, start, &mut nested, depth + 1)?;
    out.push_str(nested.trim_start_matches(' '));
    Ok(())
}

/// Plain when unambiguous, else double-quoted with escapes (Jackson's MINIMIZE_QUOTES).
fn quote(s: &str) -> String {
    if needs_quotes(s) {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    } else {
        s.to_string()
    }
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    // Jackson's reserved keywords (YAML 1.1 booleans and nulls, in their usual cases).
    let reserved = [
        "false", "False", "FALSE", "n", "N", "no", "No", "NO", "null", "Null", "NULL", "on", "On",
        "ON", "off", "Off", "OFF", "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "~",
    ];
    if reserved.contains(&s) {
        return true;
    }
    if s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with(".inf") {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| (c as u32) < 0x20 || c == '\u{7f}')
}

#[cfg(test)]
mod tests {
    use super::to_yaml;
    use crate::render::json_read::parse_json;

    fn y(json: &str) -> String {
        to_yaml(&parse_json(json).unwrap()).unwrap()
    }

    #[test]
    fn like_jackson() {
        assert_eq!(y(r#""string""#), "string\n");
        assert_eq!(y("1"), "1\n");
        assert_eq!(y("1.123"), "1.123\n");
        assert_eq!(y(r#"["string",1,1.123]"#), " - string\n - 1\n - 1.123\n");
        assert_eq!(
            y(r#"{"key":"value","object":{"a":"b"}}"#),
            "key: value\nobject:\n  a: b\n"
        );
        assert_eq!(y(r#"{"l":["a","b"]}"#), "l:\n - a\n - b\n");
        assert_eq!(y(r#"[{"a":1,"b":2}]"#), " - a: 1\n   b: 2\n");
        assert_eq!(
            y(r#"{"s":"true","e":"","k":null,"n":"x"}"#),
            "s: \"true\"\ne: \"\"\nk: null\n\"n\": x\n"
        );
    }
}
