//! Reports a property value of the wrong shape or outside its allowed values.
//!
//! ## What it does
//! Compares each value with the catalog's type for the property: a list where a string is
//! expected, text where a number or boolean is expected, a value outside an enum (`level: WARNING`
//! for Log, which takes `WARN`). Values that are Pebble expressions are checked at run time
//! instead, so they pass.
//!
//! ## Why
//! Kestra converts property values when the flow is saved or when the task runs; a wrong shape
//! fails then, far from where it was written.
//!
//! ## Example
//! ```yaml
//! - id: log
//!   type: io.kestra.plugin.core.log.Log
//!   message: hello
//!   level: WARNING
//! ```
//!
//! ## Fix
//! Use a value of the expected type (`level: WARN`).

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::props::Issue;

pub const ID: &str = "invalid-property-type";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for issue in cx.prop_issues() {
        if let Issue::BadType { at, message } = issue {
            out.push(Finding::new(ID, *at, message.clone()));
        }
    }
}
