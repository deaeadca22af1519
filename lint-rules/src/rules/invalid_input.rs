//! Reports flow inputs Kestra would reject: unknown `type`, a bad `validator`, an impossible
//! `itemType`, a FILE default that is not a file URI.
//!
//! ## What it does
//! Checks each entry of the flow's `inputs`: `type` is one of Kestra's input types; a STRING
//! `validator` is a well-formed regular expression; an ARRAY's `itemType` is a scalar type (not
//! ARRAY, MULTISELECT, SECRET or FILE); a FILE input's `defaults` is a `file://` or `nsfile://`
//! URI.
//!
//! ## Why
//! Kestra validates inputs when the flow is saved; a broken validator fails every execution.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   - id: region
//!     type: STRNG
//! ```
//!
//! ## Fix
//! Use one of the input types (`STRING`, `INT`, `FLOAT`, `BOOL`, `SELECT`, `DATE`, `FILE`…).

use crate::context::Context;
use crate::suggest::closest;
use crate::finding::{Finding, Severity};

pub const ID: &str = "invalid-input";
pub const SEVERITY: Severity = Severity::Error;

pub const INPUT_TYPES: &[&str] = &[
    "STRING",
    "ENUM",
    "SELECT",
    "INT",
    "FLOAT",
    "BOOLEAN",
    "BOOL",
    "DATETIME",
    "DATE",
    "TIME",
    "DURATION",
    "FILE",
    "JSON",
    "URI",
    "SECRET",
    "ARRAY",
    "MULTISELECT",
    "YAML",
    "EMAIL",
];

const NOT_ITEM_TYPES: &[&str] = &["ARRAY", "MULTISELECT", "SECRET", "FILE"];

/// Whether a Java regular expression is obviously malformed: a trailing lone backslash,
/// unbalanced groups or classes, a quantifier with nothing before it.
pub fn regex_problem(re: &str) -> Option<&'static str> {
    let mut depth = 0i32;
    let mut chars = re.chars().peekable();
    let mut in_class = false;
    let mut prev_atom = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if chars.next().is_none() {
                    return Some("it ends with a lone `\\`");
                }
                prev_atom = true;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            _ if in_class => {}
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Some("a `)` has no matching `(`");
                }
            }
            '*' | '+' | '?' if !prev_atom => return Some("a quantifier has nothing to repeat"),
            _ => {}
        }
        prev_atom = !matches!(c, '(' | '|');
    }
    if in_class {
        Some("a `[` is not closed")
    } else if depth > 0 {
        Some("a `(` is not closed")
    } else {
        None
    }
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    for input in &flow.inputs {
        let Some(t) = &input.type_ else {
            if input.id.is_some() {
                out.push(Finding::new(
                    ID,
                    cx.first_line(tree.span(input.node)),
                    "an input requires `type`",
                ));
            }
            continue;
        };
        if !INPUT_TYPES.contains(&t.name.as_str()) {
            let mut message = format!("`{}` is not an input type", t.name);
            if let Some(near) = closest(&t.name, INPUT_TYPES.iter().copied()) {
                message.push_str(&format!("; did you mean `{near}`?"));
            }
            out.push(Finding::new(ID, t.span, message));
            continue;
        }
        if let Some(v) = tree.get_value(input.node, "validator") {
            if let Some(why) = tree.str(v).and_then(regex_problem) {
                out.push(Finding::new(
                    ID,
                    tree.span(v),
                    format!("`validator` is not a valid regular expression: {why}"),
                ));
            }
        }
        if t.name == "ARRAY" {
            if let Some(item) = tree.get_value(input.node, "itemType") {
                if let Some(name) = tree.str(item).filter(|n| NOT_ITEM_TYPES.contains(n)) {
                    out.push(Finding::new(
                        ID,
                        tree.span(item),
                        format!("an ARRAY input cannot hold `{name}` items"),
                    ));
                }
            }
        }
        if t.name == "FILE" {
            if let Some(d) = tree.get_value(input.node, "defaults") {
                if let Some(v) = tree.str(d).filter(|v| !v.is_empty()) {
                    if !(v.starts_with("file://") || v.starts_with("nsfile://") || v.contains("{{"))
                    {
                        out.push(Finding::new(
                            ID,
                            tree.span(d),
                            "a FILE input's `defaults` must be a `file://` or `nsfile://` URI",
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::regex_problem;

    #[test]
    fn spots_broken_regexes() {
        for ok in ["^[a-z]+$", r"\d{3}-\d{4}", "(a|b)*", r"[\]]", ""] {
            assert_eq!(regex_problem(ok), None, "{ok}");
        }
        for bad in ["\\", "(a", "a)", "[a-z", "*a"] {
            assert!(regex_problem(bad).is_some(), "{bad}");
        }
    }
}
