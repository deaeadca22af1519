//! The rule registry. A rule is one file here: its `//!` doc (What it does / Why / Example /
//! Fix), `ID`, default `SEVERITY` and `check`; adding one touches that file and the list below.

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub struct RuleDef {
    pub id: &'static str,
    pub severity: Severity,
    pub check: fn(&Context, &mut Vec<Finding>),
}

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

macro_rules! registry {
    ($($rule:ident),* $(,)?) => {
        $(pub(crate) mod $rule;)*
        /// Every rule, in the order they run.
        pub const ALL: &[RuleDef] = &[$(RuleDef {
            id: $rule::ID,
            severity: $rule::SEVERITY,
            check: $rule::check,
        }),*];
    };
}

registry! {
    syntax,
    unknown_task_type,
    unchecked_plugin,
    deprecated_type,
    unknown_property,
    missing_property,
    deprecated_property,
    invalid_property_type,
    invalid_id,
    duplicate_id,
    invalid_cron,
    invalid_duration,
    invalid_dag,
    recursive_subflow,
    empty_branch,
    reserved_label,
    missing_input_default,
    enterprise_only,
    invalid_input,
    working_directory_child,
    expression_syntax,
    undefined_reference,
    conditional_reference,
    dashed_reference,
    unknown_function,
    prefer_dedicated_plugin,
    script_single_download,
    script_single_request,
    request_file_payload,
    body_where_uri_expected,
    large_payload_in_outputs,
    script_missing_output_files,
    script_undeclared_dependency,
    long_inline_script,
    request_pagination_loop,
    unknown_output,
    insecure_tls,
    credentials_over_http,
    secret_exposure,
    template_injection,
    hardcoded_secret,
    migrate_plugin_defaults,
    migrate_loop,
    migrate_when,
    migrate_inputs,
    migrate_task,
    migrate_file_revision,
    migrate_trigger,
    migrate_script_runner,
    migrate_local_files,
    migrate_api_auth,
    migrate_worker_group,
    migrate_trigger_outputs,
    migrate_property,
    migrate_output_type,
    migrate_ion_read,
}

/// Security rules and their `security-severity` (the 0–10 scale GitHub code scanning reads
/// from SARIF): the `security` group of `kflow rules --group security`.
pub const SECURITY: &[(&str, &str)] = &[
    ("insecure-tls", "7.4"),
    ("credentials-over-http", "7.5"),
    ("secret-exposure", "6.5"),
    ("template-injection", "8.8"),
    ("hardcoded-secret", "7.5"),
];

/// The rule's `security-severity`, when it is a security rule.
pub fn security_severity(id: &str) -> Option<&'static str> {
    SECURITY.iter().find(|(r, _)| *r == id).map(|(_, s)| *s)
}

pub fn get(id: &str) -> Option<&'static RuleDef> {
    ALL.iter().find(|r| r.id == id)
}

/// The rule's documentation, from its source file's `//!` comment.
pub fn doc(id: &str) -> &'static str {
    docs::DOCS
        .iter()
        .find(|(rule, _)| *rule == id)
        .map_or("", |(_, doc)| doc)
}

/// The first line of the rule's documentation.
pub fn summary(id: &str) -> &'static str {
    doc(id).lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_in_the_fixed_shape() {
        for rule in ALL {
            let doc = doc(rule.id);
            assert!(
                !doc.is_empty(),
                "{} has no doc (is its file named after its id?)",
                rule.id
            );
            for section in ["## What it does", "## Why", "## Example", "## Fix"] {
                assert!(doc.contains(section), "{}: missing `{section}`", rule.id);
            }
        }
    }
}
