//! Reports a script task whose only work is one API call: a Request task does it.
//!
//! ## What it does
//! Reads the script as code; when it makes exactly one HTTP call, not in a loop, without request
//! signing, pagination or aggregation, and only prints or returns what it got, the task is
//! reported at its `type`.
//!
//! ## Why
//! The fetch-pattern guide: "Do not hide simple one-request logic inside a script when Request is
//! enough." A Request task exposes `code`, `headers` and `body` as outputs, handles auth and
//! retries declaratively, and needs no interpreter or dependency.
//!
//! ## Example
//! ```yaml
//! - id: call_api
//!   type: io.kestra.plugin.scripts.python.Script
//!   dependencies: [requests]
//!   script: |
//!     import requests
//!     r = requests.get("https://api.example.com/v1/status", timeout=10)
//!     print(r.status_code, r.json()["state"])
//! ```
//! Better:
//! ```yaml
//! - id: call_api
//!   type: io.kestra.plugin.core.http.Request
//!   uri: https://api.example.com/v1/status
//! - id: log_state
//!   type: io.kestra.plugin.core.log.Log
//!   message: "{{ outputs.call_api.code }} {{ outputs.call_api.body | jq('.state') | first }}"
//! ```
//!
//! ## Fix
//! Replace the script by a Request task and read `outputs.ID.code` / `outputs.ID.body` downstream.

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::script_tasks::Verdict;

pub const ID: &str = "script-single-request";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for st in cx.script_tasks() {
        let Verdict::Request(r) = st.verdict() else {
            continue;
        };
        let Some(type_) = &flow.task(st.task).type_ else {
            continue;
        };
        let target = r
            .url
            .as_ref()
            .map_or(String::new(), |u| format!(" to `{}`", u.value));
        out.push(
            Finding::new(
                ID,
                type_.span,
                format!(
                    "this script only makes one {} call{target}: use an `io.kestra.plugin.core.http.Request` task and read its `code` and `body` outputs",
                    r.method
                ),
            )
            .related(st.file_span(r.call_span), "the call"),
        );
    }
}
