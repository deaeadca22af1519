//! Reports a scheduled flow with an input that nothing fills.
//!
//! ## What it does
//! A flow with a Schedule trigger runs without anyone to type inputs: every required input
//! (inputs are required unless `required: false`) needs `defaults` or a value in the trigger's
//! `inputs`. Under `kestra-version = "2.0"`, Webhook triggers are held to the same rule.
//!
//! Source: Kestra's migration program's change list (kestra-io/kestra2-flow-migration,
//! `flows-changes.md`, "Schedule and Webhook triggers must supply every *required* input
//! lacking a `defaults`": `FlowValidator.findMissingInputsForTriggers` on the v2.0.0 tag, an
//! input needs a trigger value when it has no `defaults` and is not `required: false`, checked
//! for `Schedule` and webhook triggers; the `required: false` exemption shipped in 2.0.0-rc12).
//!
//! ## Why
//! Kestra 2.0 rejects the flow when it is saved ("Missing inputs for Schedule Trigger …"); under
//! 1.3 the flow is saved, and every scheduled execution fails on the missing input.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   - id: user
//!     type: STRING
//! triggers:
//!   - id: hourly
//!     type: io.kestra.plugin.core.trigger.Schedule
//!     cron: "0 * * * *"
//! ```
//!
//! ## Fix
//! Give the input `defaults`, set it in the trigger's `inputs` (keyed by the input's id), or
//! make it `required: false`. Not automated: kflow cannot invent the value.

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::version::Version;

pub const ID: &str = "missing-input-default";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    // Kestra 2.0's FlowValidator also checks webhook triggers, and rejects the flow.
    let strict = cx.config.kestra_version >= Version { major: 2, minor: 0 };
    for &t in &flow.triggers {
        let trigger = &flow.plugins[t];
        let Some(kind) = trigger.type_.as_ref().and_then(|n| {
            if n.name.ends_with(".Schedule") {
                Some("Schedule")
            } else if strict && n.name.ends_with(".Webhook") {
                Some("Webhook")
            } else {
                None
            }
        }) else {
            continue;
        };
        let given = tree.get_value(trigger.node, "inputs");
        for input in &flow.inputs {
            let Some(id) = &input.id else { continue };
            let required = tree.get_str(input.node, "required") != Some("false");
            let has_default = tree
                .get_value(input.node, "defaults")
                .is_some_and(|d| !tree.is_null(d));
            let passed = given.is_some_and(|g| tree.get(g, &id.name).is_some());
            if has_default || passed || !required {
                continue;
            }
            let message = if strict {
                format!(
                    "input `{}` is required, has no default and the {kind} trigger does not set it: Kestra 2.0 rejects the flow",
                    id.name
                )
            } else {
                format!(
                    "input `{}` is required and has no default, but the flow runs on a schedule: scheduled executions fail",
                    id.name
                )
            };
            let here = if kind == "Schedule" { "scheduled here" } else { "triggered here" };
            out.push(
                Finding::new(ID, id.span, message).related(cx.object_span(trigger.node), here),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{check, is_rule, Config};

    fn inputs_reported(version: &str) -> Vec<String> {
        let flow = "id: f\nnamespace: t\ninputs:\n  - id: a\n    type: STRING\n  - id: b\n    type: STRING\n    required: false\n  - id: c\n    type: STRING\n    defaults: x\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: hook\n    type: io.kestra.plugin.core.trigger.Webhook\n    key: k\n";
        let config = Config::parse(&format!("kestra-version = \"{version}\"\n"), is_rule).unwrap();
        check(&kflow_syntax::parse(flow), &config)
            .into_iter()
            .filter(|f| f.rule == super::ID)
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn webhooks_must_fill_required_inputs_under_2_0_only() {
        assert!(inputs_reported("1.3").is_empty());
        let reported = inputs_reported("2.0");
        assert_eq!(reported.len(), 1, "{reported:?}");
        assert!(reported[0].starts_with("input `a` is required, has no default and the Webhook trigger"));
    }
}
