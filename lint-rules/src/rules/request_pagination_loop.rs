//! Reports a Request inside a loop that walks pages or offsets.
//!
//! ## What it does
//! Flags a Request task nested in a ForEach, EachSequential, EachParallel, LoopUntil or Loop
//! whose URL or `params` carry paging parameters (`page`, `offset`, `skip`, `cursor`,
//! `pageToken`…) — one task run, one set of outputs and one body in the execution per page.
//!
//! ## Why
//! The fetch-pattern guide: use a script for "cursor-based or token-based pagination" and
//! "combining multiple responses into one normalized output", then persist the result with
//! `outputFiles`. A loop of Requests multiplies task runs and keeps every page in the execution.
//!
//! ## Example
//! ```yaml
//! - id: pages
//!   type: io.kestra.plugin.core.flow.ForEach
//!   values: [0, 100, 200]
//!   tasks:
//!     - id: page
//!       type: io.kestra.plugin.core.http.Request
//!       uri: "https://api.example.com/v1/items?offset={{ taskrun.value }}&limit=100"
//! ```
//!
//! Better (one task paginates and emits one file):
//! ```yaml
//! - id: fetch_all_items
//!   type: io.kestra.plugin.scripts.python.Script
//!   dependencies: [requests]
//!   outputFiles: [items.json]
//!   script: |
//!     import json, requests
//!     items, offset = [], 0
//!     while True:
//!         page = requests.get("https://api.example.com/v1/items",
//!                             params={"offset": offset, "limit": 100}, timeout=30).json()
//!         if not page:
//!             break
//!         items.extend(page)
//!         offset += 100
//!     json.dump(items, open("items.json", "w"))
//! ```
//!
//! ## Fix
//! One script task that paginates and writes one file (see the guide's `fetch_all_products`
//! example), declared in `outputFiles`.

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::http_tasks::{query_keys, requests};

pub const ID: &str = "request-pagination-loop";
pub const SEVERITY: Severity = Severity::Warning;

const LOOPS: &[&str] = &[
    ".flow.ForEach",
    ".flow.EachSequential",
    ".flow.EachParallel",
    ".flow.LoopUntil",
    ".flow.WaitFor",
    ".flow.Loop",
];
const PAGING: &[&str] = &[
    "page",
    "offset",
    "skip",
    "cursor",
    "start",
    "starting_after",
    "pagetoken",
    "page_token",
    "next",
    "nexttoken",
    "next_token",
    "continuation",
    "after",
    "before",
    "page_number",
    "pagenumber",
];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    for (t, uri) in requests(cx) {
        let Some(loop_task) = flow.ancestors(t).find(|&a| {
            let canonical = cx.catalog.canonical(flow.task(a).type_name());
            LOOPS.iter().any(|s| canonical.ends_with(s))
        }) else {
            continue;
        };
        let task = flow.task(t);
        let mut keys = uri.map(query_keys).unwrap_or_default();
        if let Some(params) = tree
            .get_value(task.node, "params")
            .and_then(|p| tree.entries(p))
        {
            keys.extend(
                params
                    .iter()
                    .filter_map(|e| tree.str(e.key))
                    .map(str::to_ascii_lowercase),
            );
        }
        let Some(param) = keys.iter().find(|k| PAGING.contains(&k.as_str())) else {
            continue;
        };
        let Some(type_) = &task.type_ else { continue };
        let loop_id = flow
            .task(loop_task)
            .id
            .as_ref()
            .map_or("the loop", |n| n.name.as_str());
        out.push(Finding::new(
            ID,
            type_.span,
            format!(
                "this Request pages through results (`{param}`) inside `{loop_id}`: one script task that paginates and writes one file scales better"
            ),
        ));
    }
}
