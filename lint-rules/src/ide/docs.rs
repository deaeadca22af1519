//! Markdown shown for catalog entries, shared by completion and hover.

use crate::catalog::{Prop, TypeDef};

pub fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

pub fn prop_detail(prop: &Prop) -> String {
    let mut d = prop.type_text();
    if prop.required {
        d.push_str(", required");
    }
    d
}

pub fn prop_doc(prop: &Prop) -> String {
    let mut out = prop.doc.clone();
    let mut facts = Vec::new();
    facts.push(format!("Type: {}", prop.type_text()));
    if prop.required {
        facts.push("Required.".to_string());
    }
    if let Some(d) = &prop.default {
        facts.push(format!("Default: `{d}`"));
    }
    if !prop.values.is_empty() {
        let values: Vec<String> = prop.values.iter().map(|v| format!("`{v}`")).collect();
        facts.push(format!("Values: {}", values.join(", ")));
    }
    if prop.dynamic {
        facts.push("Accepts `{{ }}` expressions.".to_string());
    }
    if let Some(d) = &prop.deprecated {
        facts.push(format!("Deprecated: {d}"));
    }
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    out.push_str(&facts.join("  \n"));
    out
}

pub fn type_doc(t: &TypeDef) -> String {
    let mut out = format!("**{}**", t.name);
    if !t.doc.is_empty() {
        out.push_str(&format!("\n\n{}", t.doc));
    }
    if let Some(d) = &t.deprecated {
        out.push_str(&format!("\n\nDeprecated: {d}"));
    }
    let required: Vec<String> = t
        .properties
        .iter()
        .filter(|(n, p)| p.required && !matches!(n.as_str(), "id" | "type"))
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    if !required.is_empty() {
        out.push_str(&format!("\n\nRequired: {}", required.join(", ")));
    }
    if !t.outputs.is_empty() {
        let outputs: Vec<String> = t.outputs.keys().map(|n| format!("`{n}`")).collect();
        out.push_str(&format!("\n\nOutputs: {}", outputs.join(", ")));
    }
    if let Some(url) = &t.docs_url {
        out.push_str(&format!("\n\n[Documentation]({url})"));
    }
    out
}
