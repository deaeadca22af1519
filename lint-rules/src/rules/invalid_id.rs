//! Reports identifiers that Kestra's patterns reject.
//!
//! ## What it does
//! Checks the flow `id` (letters, digits, `.`, `_`, `-`; at most 100 characters; up to Kestra
//! 1.3, not a reserved word such as `executions`), the `namespace` (lower case, digits, `.`,
//! `_`, `-`), task and trigger ids (letters, digits, `_`, `-`; no dots) and input ids (dots
//! allowed). Kestra 2.0 dropped the reserved flow ids when it renamed its execution endpoints
//! (kestra commit c6ca1a5f8, `FlowValidator.RESERVED_FLOW_IDS` removed).
//!
//! ## Why
//! Kestra validates these patterns when the flow is saved.
//!
//! ## Example
//! ```yaml
//! id: my#flow
//! namespace: MY$NAMESPACE
//! ```
//!
//! ## Fix
//! Rename with allowed characters: `id: my_flow`, `namespace: my.namespace`.

use kflow_syntax::model::{Named, PluginKind};

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "invalid-id";
pub const SEVERITY: Severity = Severity::Error;

/// `FlowValidator.RESERVED_FLOW_IDS` up to Kestra 1.3.
const RESERVED_FLOW_IDS: &[&str] = &[
    "pause",
    "resume",
    "force-run",
    "change-status",
    "kill",
    "executions",
    "search",
    "source",
    "disable",
    "enable",
];

struct Pattern {
    what: &'static str,
    first: fn(char) -> bool,
    rest: fn(char) -> bool,
    allowed: &'static str,
    max: usize,
}

const FLOW_ID: Pattern = Pattern {
    what: "flow id",
    first: |c| c.is_ascii_alphanumeric(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'),
    allowed: "letters, digits, `.`, `_` and `-`, starting with a letter or digit",
    max: 100,
};
const NAMESPACE: Pattern = Pattern {
    what: "namespace",
    first: |c| c.is_ascii_lowercase() || c.is_ascii_digit(),
    rest: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'),
    allowed: "lower-case letters, digits, `.`, `_` and `-`",
    max: 150,
};
const TASK_ID: Pattern = Pattern {
    what: "id",
    first: |c| c.is_ascii_alphanumeric(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'),
    allowed: "letters, digits, `_` and `-` (no dots), starting with a letter or digit",
    max: 256,
};
const INPUT_ID: Pattern = Pattern {
    what: "input id",
    first: |c| c.is_ascii_alphanumeric(),
    rest: |c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'),
    allowed: "letters, digits, `.`, `_` and `-`, starting with a letter or digit",
    max: 256,
};

fn check_one(named: &Named, p: &Pattern, out: &mut Vec<Finding>) {
    let v = named.name.as_str();
    if v.contains("{{") {
        return;
    }
    let ok = v.chars().next().is_some_and(p.first) && v.chars().skip(1).all(p.rest);
    if !ok {
        let message = if v.is_empty() {
            format!("the {} is empty", p.what)
        } else {
            format!("`{v}` is not a valid {}: use {}", p.what, p.allowed)
        };
        out.push(Finding::new(ID, named.span, message));
    } else if v.chars().count() > p.max {
        out.push(Finding::new(
            ID,
            named.span,
            format!("the {} is longer than {} characters", p.what, p.max),
        ));
    }
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    if let Some(id) = &flow.id {
        check_one(id, &FLOW_ID, out);
        let reserved = cx.config.kestra_version < crate::version::Version::V2_0;
        if reserved && RESERVED_FLOW_IDS.contains(&id.name.as_str()) {
            out.push(Finding::new(
                ID,
                id.span,
                format!("`{}` is a reserved word and cannot be a flow id", id.name),
            ));
        }
    }
    if let Some(ns) = &flow.namespace {
        check_one(ns, &NAMESPACE, out);
    }
    for plugin in &flow.plugins {
        if matches!(plugin.kind, PluginKind::Task | PluginKind::Trigger) {
            if let Some(id) = &plugin.id {
                check_one(id, &TASK_ID, out);
            }
        }
    }
    for input in &flow.inputs {
        if let Some(id) = &input.id {
            check_one(id, &INPUT_ID, out);
        }
    }
}
