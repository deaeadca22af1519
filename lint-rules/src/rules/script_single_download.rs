//! Reports a script task whose only work is downloading one file: a Download task does it.
//!
//! ## What it does
//! Reads Python, shell and Node scripts as code. When the script's only substantial work is one
//! HTTP(S) GET (requests, httpx, urllib, aiohttp; curl, wget; fetch, axios, https.get) whose
//! response is written to one file, the task is reported at its `type`. A URL in a comment or in
//! a log line does not count; a script that paginates, signs requests or transforms the data is
//! real client logic and is left alone.
//!
//! ## Why
//! The fetch-pattern guide: "If you are fetching a file, start with Download." A Download task
//! streams the body straight into Kestra's internal storage and returns its `uri`, without a
//! container image, an interpreter, a dependency install or an `outputFiles` declaration.
//!
//! ## Example
//! ```yaml
//! - id: get_orders
//!   type: io.kestra.plugin.scripts.python.Script
//!   dependencies: [requests]
//!   outputFiles: [orders.csv]
//!   script: |
//!     import requests
//!     r = requests.get("https://example.com/data/orders.csv", timeout=30)
//!     with open("orders.csv", "wb") as f:
//!         f.write(r.content)
//! ```
//! Better:
//! ```yaml
//! - id: get_orders
//!   type: io.kestra.plugin.core.http.Download
//!   uri: https://example.com/data/orders.csv
//! ```
//!
//! ## Fix
//! Replace the task by a Download with the same id and URL, and read `outputs.get_orders.uri`
//! where `outputs.get_orders.outputFiles['orders.csv']` was read. `kflow lint --fix
//! --unsafe-fixes` does both when the URL is literal (another task type: review the diff).

use crate::context::Context;
use crate::edits::replace_task;
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::script_tasks::Verdict;

pub const ID: &str = "script-single-download";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for st in cx.script_tasks() {
        let Verdict::Download(d) = st.verdict() else {
            continue;
        };
        let task = flow.task(st.task);
        let (Some(id), Some(type_)) = (&task.id, &task.type_) else {
            continue;
        };
        let url = d.url.as_ref().map(|u| u.value.clone());
        let what = url
            .as_deref()
            .map_or("one file".to_string(), |u| format!("`{u}`"));
        let also = if d.also_outputs {
            " (and also passes the response to Kestra outputs, which keeps it in the execution: read the file's `uri` downstream instead)"
        } else {
            ""
        };
        let mut f = Finding::new(
            ID,
            type_.span,
            format!(
                "this script only downloads {what} with {}{also}: use an `io.kestra.plugin.core.http.Download` task, which streams the file to storage and returns its `uri`",
                d.client
            ),
        )
        .related(st.file_span(d.call_span), "the download");
        // With outputs read downstream, the rewrite needs a human: no automatic fix.
        let literal_url = d.url.as_ref().is_some_and(|u| u.literal) && !d.also_outputs;
        if let (Some(url), true) = (url, literal_url) {
            let mut edits: Vec<Edit> = Vec::new();
            let lines = vec![
                format!("id: {}", cx.text(id.span)),
                "type: io.kestra.plugin.core.http.Download".to_string(),
                format!("uri: {}", yaml_scalar(&url)),
            ];
            if let Some(e) = replace_task(cx, st.node, &lines) {
                edits.push(e);
                for read in cx.output_reads().iter().filter(|r| r.task == id.name) {
                    if let Some((_, span)) = &read.file_key {
                        edits.push(Edit {
                            span: read.file_span(*span),
                            new_text: ".uri".into(),
                        });
                    }
                }
                f = f.fix(
                    format!("Replace `{}` by a Download task", id.name),
                    edits,
                    Applicability::Unsafe,
                );
            }
        }
        out.push(f);
    }
}

/// A URL as a YAML value: plain when safe, double-quoted otherwise.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.starts_with([
            '{', '[', '*', '&', '!', '|', '>', '\'', '"', '%', '@', '`', '#',
        ])
        && !s.contains("{{");
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}
