//! Reports a property that the object's type does not have.
//!
//! ## What it does
//! Checks every key of a task, trigger, condition or task runner (and of their known nested
//! objects such as `options` or `retry`) against the catalog, and every flow-level key. Suggests
//! the closest property name. Properties that the targeted Kestra version lacks are reported too.
//!
//! ## Why
//! Kestra parses flows strictly: an unknown property is a save-time error, and a typo in an
//! optional property (`levle: WARN`) would otherwise be silently dropped by tools that are lenient.
//!
//! ## Example
//! ```yaml
//! - id: log
//!   type: io.kestra.plugin.core.log.Log
//!   message: hello
//!   levle: WARN
//! ```
//!
//! ## Fix
//! Rename the key to the suggested property (`level`), or remove it.

use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};
use crate::props::Issue;

pub const ID: &str = "unknown-property";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for issue in cx.prop_issues() {
        // A removed property is `migrate-property`'s, unless another migration rule owns it.
        if let Issue::Removed {
            entry,
            name,
            owner,
            removed_in,
            ..
        } = issue
        {
            if crate::rules::migrate_property::OWNED_ELSEWHERE.contains(&name.as_str()) {
                let target = cx.config.kestra_version;
                let message =
                    format!("`{owner}.{name}` removed in Kestra {removed_in} (target: {target})");
                out.push(Finding::new(ID, cx.tree.span(entry.key), message));
            }
            continue;
        }
        let Issue::Unknown {
            key,
            name,
            owner,
            suggestion,
            note,
        } = issue
        else {
            continue;
        };
        let mut message = format!("`{owner}` has no property `{name}`");
        if let Some(note) = note {
            message = format!("`{owner}.{name}` {note}");
        }
        let mut f = Finding::new(ID, *key, message);
        if let Some(s) = suggestion {
            f.message.push_str(&format!("; did you mean `{s}`?"));
            f = f.replace(format!("Rename to `{s}`"), *key, s.clone(), Applicability::Unsafe);
        }
        out.push(f);
    }
}
