//! Reports a duration that is not ISO-8601 (`PT30S`, `PT5M`, `P1D`).
//!
//! ## What it does
//! Checks every property the catalog types as a duration (`timeout`, retry `interval`,
//! `maxDuration`, Sleep `duration`, Pause `pauseDuration`…) when it is written literally.
//!
//! ## Why
//! Kestra reads durations with Java's `Duration.parse`: `30s`, `5 minutes` or `1h` fail when the
//! flow is saved or, for dynamic properties, when the task runs.
//!
//! ## Example
//! ```yaml
//! timeout: 5m
//! ```
//!
//! ## Fix
//! Write the ISO-8601 form: `PT5M` (5 minutes), `PT30S`, `PT1H30M`, `P1D`.

use std::collections::BTreeMap;

use kflow_syntax::yaml::{NodeId, Tree};

use crate::catalog::{Prop, PropType};
use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};

pub const ID: &str = "invalid-duration";
pub const SEVERITY: Severity = Severity::Error;

/// Whether Java's `Duration.parse` reads it (YAML already trimmed plain scalars).
pub fn is_iso_duration(s: &str) -> bool {
    kflow_java::duration::JavaDuration::parse(s.trim()).is_ok()
}

fn is_duration(prop: &Prop) -> bool {
    prop.types.iter().all(|t| *t == PropType::Duration) && !prop.types.is_empty()
}

fn visit(tree: &Tree, node: NodeId, props: &BTreeMap<String, Prop>, out: &mut Vec<Finding>) {
    for entry in tree.entries(node).unwrap_or_default() {
        let Some(name) = tree.str(entry.key) else {
            continue;
        };
        let Some(prop) = props.get(name) else {
            continue;
        };
        if is_duration(prop) {
            if let Some(s) = tree.scalar(entry.value) {
                let v = s.value.trim();
                let numeric = s.value.parse::<f64>().is_ok();
                if !v.is_empty() && !v.contains("{{") && !numeric && !is_iso_duration(v) {
                    let f = Finding::new(
                        ID,
                        tree.span(entry.value),
                        format!("`{name}`: `{v}` is not an ISO-8601 duration such as PT30S, PT5M or P1D"),
                    );
                    out.push(match suggest(v) {
                        Some(iso) => {
                            f.replace(format!("Use `{iso}`"), tree.span(entry.value), iso, Applicability::Unsafe)
                        }
                        None => f,
                    });
                }
            }
        } else if let Some(fields) = &prop.fields {
            visit(tree, entry.value, fields, out);
        }
    }
}

/// `30s` → `PT30S`, `5m` → `PT5M`, `2h` → `PT2H`, `1d` → `P1D`.
fn suggest(v: &str) -> Option<String> {
    let v = v.trim().to_ascii_lowercase();
    let split = v.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = v.split_at(split);
    if n.is_empty() {
        return None;
    }
    match unit.trim() {
        "s" | "sec" | "secs" | "second" | "seconds" => Some(format!("PT{n}S")),
        "m" | "min" | "mins" | "minute" | "minutes" => Some(format!("PT{n}M")),
        "h" | "hour" | "hours" => Some(format!("PT{n}H")),
        "d" | "day" | "days" => Some(format!("P{n}D")),
        _ => None,
    }
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (plugin, def) in cx.plugins() {
        if let Some(def) = def {
            visit(cx.tree, plugin.node, &def.properties, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_iso_duration, suggest};

    #[test]
    fn java_durations() {
        for ok in [
            "PT30S", "PT5M", "P1D", "PT1H30M", "PT0.5S", "P2DT3H", "-PT6H", "pt1m",
        ] {
            assert!(is_iso_duration(ok), "{ok}");
        }
        for bad in [
            "30s", "P", "PT", "P1H", "PT1M1H", "P1W", "1 minute", "PT1.5M",
        ] {
            assert!(!is_iso_duration(bad), "{bad}");
        }
        assert_eq!(suggest("5m").as_deref(), Some("PT5M"));
        assert_eq!(suggest("10 seconds").as_deref(), Some("PT10S"));
    }
}
