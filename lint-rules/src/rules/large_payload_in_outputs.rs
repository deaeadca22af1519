//! Reports a whole response body copied into task or flow outputs.
//!
//! ## What it does
//! Flags `{{ outputs.ID.body }}` of a Request task, copied whole (also through `fromJson(…)` or
//! `| toJson`) into an OutputValues `values` entry, a Return `format`, a SetVariables value or a
//! flow-level output `value`; a field taken out of it (`fromJson(outputs.ID.body).total`) is
//! fine. Also flags scripts that pass a whole HTTP response body (`r.json()`, `r.text`) to
//! `Kestra.outputs(…)`.
//!
//! ## Why
//! The fetch-pattern guide: avoid "storing large API payloads in task outputs when a file-based
//! pattern would scale better". Outputs live in the execution record: every copy of a payload is
//! kept, shipped and rendered again. Keep the part you need (`| jq('.count') | first`), or keep
//! the payload as a file.
//!
//! ## Example
//! ```yaml
//! - id: all_events
//!   type: io.kestra.plugin.core.http.Request
//!   uri: https://api.example.com/v1/events?limit=100000
//! - id: keep
//!   type: io.kestra.plugin.core.output.OutputValues
//!   values:
//!     events: "{{ outputs.all_events.body }}"
//! ```
//!
//! Better (keep the payload as a file, and only a figure as output):
//! ```yaml
//! - id: all_events
//!   type: io.kestra.plugin.core.http.Download
//!   uri: https://api.example.com/v1/events?limit=100000
//! - id: keep
//!   type: io.kestra.plugin.core.output.OutputValues
//!   values:
//!     events_file: "{{ outputs.all_events.uri }}"
//!     bytes: "{{ outputs.all_events.length }}"
//! ```
//!
//! ## Fix
//! Fetch with Download and pass the `uri`, write the data to a file (`outputFiles`, Write), or
//! extract only the fields you need.

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::script_tasks::Verdict;
use crate::refs::is_whole_value;

pub const ID: &str = "large-payload-in-outputs";
pub const SEVERITY: Severity = Severity::Warning;

/// (type suffix, property) holding outputs.
const OUTPUT_HOLDERS: &[(&str, &str)] = &[
    (".output.OutputValues", "values"),
    (".debug.Return", "format"),
    (".execution.SetVariables", "variables"),
];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    scripts_emitting_bodies(cx, out);
    let Some(flow) = cx.flow else { return };
    for r in cx.request_body_reads() {
        if !is_whole_value(cx, r.expr, r.span) {
            continue;
        }
        let at = cx.tree.span(r.expr.node).start as usize;
        let holder = match r.owner {
            Some(owner) => {
                let task = flow.task(owner);
                let canonical = cx.catalog.canonical(task.type_name());
                let property = cx.property_at(task.node, at);
                OUTPUT_HOLDERS
                    .iter()
                    .find(|(suffix, prop)| canonical.ends_with(suffix) && property == Some(prop))
                    .map(|(suffix, _)| {
                        suffix
                            .trim_start_matches('.')
                            .rsplit('.')
                            .next()
                            .unwrap_or("")
                            .to_string()
                    })
            }
            None => (cx.property_at(flow.root, at) == Some("outputs"))
                .then(|| "the flow's outputs".to_string()),
        };
        let Some(holder) = holder else { continue };
        out.push(Finding::new(
            ID,
            r.file_span(r.span),
            format!(
                "the whole response body of `{}` is copied into outputs ({holder}): keep it as a file (Download and its `uri`) or extract only what you need",
                r.task
            ),
        ));
    }
}

/// Scripts that pass a whole HTTP response body to `Kestra.outputs(…)`. (A script that also
/// saves it to a file is reported by script-single-download, which says so.)
fn scripts_emitting_bodies(cx: &Context, out: &mut Vec<Finding>) {
    for st in cx.script_tasks() {
        if matches!(st.verdict(), Verdict::Download(_)) {
            continue;
        }
        for &(span, _) in &st.facts.kestra_outputs_http {
            out.push(Finding::new(
                ID,
                st.file_span(span),
                "the whole HTTP response body is passed to Kestra outputs, which keep it in the execution: write it to a file declared in `outputFiles` (or use a Download task) and output only what you need",
            ));
        }
    }
}
