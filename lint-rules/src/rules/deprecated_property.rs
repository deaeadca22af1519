//! Reports a deprecated property, with what replaces it.
//!
//! ## What it does
//! Flags properties Kestra marks deprecated, such as `retry.maxAttempt` (now `maxAttempts`),
//! Request's top-level `allowFailed` (now `options.allowFailed`) or Pause's `delay`.
//!
//! ## Why
//! Deprecated properties are removed in a later major version; moving early keeps the flow
//! loading after an upgrade.
//!
//! ## Example
//! ```yaml
//! retry:
//!   type: constant
//!   interval: PT10S
//!   maxAttempt: 3
//! ```
//!
//! ## Fix
//! Use the replacement named in the message (`maxAttempts: 3`).

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::props::Issue;

pub const ID: &str = "deprecated-property";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for issue in cx.prop_issues() {
        if let Issue::Deprecated { key, name, advice } = issue {
            let mut message = format!("`{name}` is deprecated");
            if !advice.is_empty() {
                message.push_str(&format!(": {}", advice.trim_end_matches('.')));
            }
            out.push(Finding::new(ID, *key, message));
        }
    }
}
