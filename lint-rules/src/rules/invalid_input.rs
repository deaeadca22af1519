//! Reports flow inputs Kestra would reject: unknown `type`, a bad `validator`, an impossible
//! `itemType`, a FILE default that is not a file URI, a default on an optional input.
//!
//! ## What it does
//! Checks each entry of the flow's `inputs`: `type` is one of Kestra's input types (`FORM` from
//! 2.0 on); a STRING `validator` is a well-formed regular expression; an ARRAY's `itemType` is a
//! scalar type (not ARRAY, MULTISELECT, SECRET or FILE); a FILE input's `defaults` is a
//! `file://` or `nsfile://` URI; an input with `defaults` is neither `required: false` nor given
//! a `prefill` (Kestra's `InputValidator`, since 1.1: "Inputs with a default value must be
//! required, since the default is always applied" / "cannot also have a prefill"). The fix for
//! `required: false` removes it: the default was always applied, so nothing changes.
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

use kflow_syntax::yaml::{NodeId, ScalarKind};

use crate::context::Context;
use crate::edits::remove_entry;
use crate::finding::Applicability;
use crate::version::Version;
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

/// Input types added by a Kestra line, with that line.
const INPUT_TYPES_SINCE: &[(&str, Version)] = &[("FORM", Version::V2_0)];

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
        let added = INPUT_TYPES_SINCE
            .iter()
            .any(|(name, since)| *name == t.name && cx.config.kestra_version >= *since);
        if !INPUT_TYPES.contains(&t.name.as_str()) && !added {
            let mut message = format!("`{}` is not an input type", t.name);
            if let Some(near) = closest(&t.name, INPUT_TYPES.iter().copied()) {
                message.push_str(&format!("; did you mean `{near}`?"));
            }
            out.push(Finding::new(ID, t.span, message));
            continue;
        }
        defaults_on_optional(cx, input.node, out);
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

/// A default makes an input always filled: Kestra refuses it with `required: false` or a
/// `prefill` (the UI's editable first value, which the default would override).
fn defaults_on_optional(cx: &Context, input: NodeId, out: &mut Vec<Finding>) {
    let tree = cx.tree;
    if tree.get(input, "defaults").is_none() {
        return;
    }
    if let Some(entry) = tree.get(input, "required") {
        let is_false = tree.scalar(entry.value).is_some_and(|v| {
            v.kind() == ScalarKind::Bool && v.value.eq_ignore_ascii_case("false")
        });
        if is_false {
            let f = Finding::new(
                ID,
                tree.span(entry.key),
                "an input with `defaults` must be required: Kestra refuses `required: false` \
                 beside a default, which is always applied",
            );
            out.push(match remove_entry(cx, input, entry) {
                Ok(edit) => f.fix("Remove `required: false`", vec![edit], Applicability::Safe),
                Err(_) => f,
            });
        }
    }
    if let Some(span) = cx.key_span(input, "prefill") {
        out.push(Finding::new(
            ID,
            span,
            "an input with `defaults` cannot also have a `prefill`: keep the default (always \
             applied) or the prefill (an editable first value)",
        ));
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
