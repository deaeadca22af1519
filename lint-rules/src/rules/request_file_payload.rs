//! Reports a Request task that fetches a file or a large payload: a Download task does it.
//!
//! ## What it does
//! Flags `io.kestra.plugin.core.http.Request` tasks with evidence that the response is a file:
//! the URL names one (`.csv`, `.tsv`, `.zip`, `.gz`, `.tar`, `.parquet`, `.avro`, `.xlsx`,
//! `.pdf`, images…) or asks for one in its query (`format=csv`, `alt=media`), the `Accept`
//! header asks for a file type (`text/csv`, `application/zip`, `application/octet-stream`…), or
//! the `body` is read downstream as a file URI (`from`, `files`, `read()`). A JSON API call
//! whose body is only passed on (`inputFiles`, a `Log`) is not one.
//!
//! ## Why
//! The fetch-pattern guide: "Prefer Download instead when the response is really a file or a
//! large payload." Request keeps the whole body in memory and in the execution's outputs (Kestra
//! 1.3 fails bodies over 19 MiB); Download streams it to internal storage and returns a `uri`
//! that downstream tasks read as a file.
//!
//! ## Example
//! ```yaml
//! - id: export
//!   type: io.kestra.plugin.core.http.Request
//!   uri: https://example.com/exports/2026/orders.csv
//! ```
//! Better:
//! ```yaml
//! - id: export
//!   type: io.kestra.plugin.core.http.Download
//!   uri: https://example.com/exports/2026/orders.csv
//! ```
//!
//! ## Fix
//! Change the type to `io.kestra.plugin.core.http.Download` (Request-only properties are dropped)
//! and read `outputs.ID.uri` where the body was used as a file. `kflow lint --fix --unsafe-fixes`
//! does it when the body is not read in any other way (another task type: review the diff).

use kflow_syntax::model::TaskIdx;

use crate::context::Context;
use crate::edits::{line_end, line_start};
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::http_tasks::{requests, url_path};
use crate::script::plugin_for_url;

pub const ID: &str = "request-file-payload";
pub const SEVERITY: Severity = Severity::Warning;

const FILE_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "zip", "gz", "tgz", "tar", "bz2", "xz", "7z", "parquet", "avro", "orc",
    "feather", "arrow", "xlsx", "xls", "pdf", "png", "jpg", "jpeg", "gif", "webp", "tif", "tiff",
    "jsonl", "ndjson", "sqlite", "db", "bin", "iso", "mp3", "mp4",
];
/// Query parameters that ask for a file: `format=csv`, `alt=media` (Google APIs).
const FILE_QUERY_KEYS: &[&str] = &["format", "output", "outputformat", "filetype", "export"];
const FILE_MEDIA: &[&str] = &[
    "text/csv",
    "text/tab-separated-values",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "application/pdf",
    "application/x-parquet",
    "application/vnd.apache.parquet",
    "application/avro",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/x-tar",
    "application/x-ndjson",
    "image/",
];
/// Request properties a Download does not have.
const REQUEST_ONLY: &[&str] = &["encryptBody"];

/// Why the URL looks like a file, if it does.
fn file_url(url: &str) -> Option<String> {
    let path = url_path(url);
    let last = path.rsplit('/').next().unwrap_or("");
    if let Some((_, ext)) = last.rsplit_once('.') {
        if FILE_EXTENSIONS.contains(&ext) {
            return Some(format!("its URL names a `.{ext}` file"));
        }
    }
    let query = url.split_once('?').map_or("", |(_, q)| q).split('#').next().unwrap_or("");
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        let (k, v) = (k.to_ascii_lowercase(), v.to_ascii_lowercase());
        let asks = (FILE_QUERY_KEYS.contains(&k.as_str()) && FILE_EXTENSIONS.contains(&v.as_str()))
            || (k == "alt" && v == "media");
        asks.then(|| format!("its URL asks for `{k}={v}`"))
    })
}

fn file_accept(cx: &Context, task: kflow_syntax::yaml::NodeId) -> Option<String> {
    let headers = cx.tree.get_value(task, "headers")?;
    let entry = cx.tree.entries(headers)?.iter().find(|e| {
        cx.tree
            .str(e.key)
            .is_some_and(|k| k.eq_ignore_ascii_case("accept"))
    })?;
    let value = cx.tree.str(entry.value)?.to_ascii_lowercase();
    FILE_MEDIA
        .iter()
        .find(|m| value.contains(*m))
        .map(|_| format!("it asks for `{value}`"))
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let reads = cx.output_reads();
    for (t, uri) in requests(cx) {
        let task = flow.task(t);
        let (Some(id), Some(type_)) = (&task.id, &task.type_) else {
            continue;
        };
        if uri.is_some_and(|u| plugin_for_url(u).is_some()) {
            continue; // prefer-dedicated-plugin is more specific
        }
        let body_reads: Vec<_> = reads
            .iter()
            .filter(|r| r.task == id.name && r.output.is_some_and(|(o, _)| o == "body"))
            .collect();
        let why = uri
            .and_then(file_url)
            .or_else(|| file_accept(cx, task.node))
            .or_else(|| {
                body_reads
                    .iter()
                    .any(|r| r.as_file)
                    .then(|| "its body is read as a file downstream".to_string())
            });
        let Some(why) = why else { continue };
        let mut f = Finding::new(
            ID,
            type_.span,
            format!(
                "this Request fetches a file ({why}): use `io.kestra.plugin.core.http.Download`, which streams it to storage and returns a `uri`"
            ),
        );
        // Safe when every read of the body is as a file: those become `.uri`.
        if body_reads.iter().all(|r| r.as_file) {
            if let Some(edits) = to_download(cx, t, &body_reads) {
                f = f.fix("Change to a Download task", edits, Applicability::Unsafe);
            }
        }
        out.push(f);
    }
}

fn to_download(
    cx: &Context,
    t: TaskIdx,
    body_reads: &[&crate::refs::OutputRead],
) -> Option<Vec<Edit>> {
    let flow = cx.flow?;
    let task = flow.task(t);
    let type_ = task.type_.as_ref()?;
    let at = cx.exact_value_span(type_.span, &type_.name)?;
    let mut edits = vec![Edit {
        span: at,
        new_text: "io.kestra.plugin.core.http.Download".into(),
    }];
    for key in REQUEST_ONLY {
        if let Some(e) = cx.tree.get(task.node, key) {
            let text = &cx.doc.text;
            let start = line_start(text, cx.tree.span(e.key).start as usize);
            let end = line_end(text, cx.tree.span(e.value).end.max(1) as usize - 1);
            edits.push(Edit {
                span: kflow_syntax::Span::new(start, end),
                new_text: String::new(),
            });
        }
    }
    for r in body_reads {
        let (_, span) = r.output?;
        edits.push(Edit {
            span: r.file_span(span),
            new_text: "uri".into(),
        });
    }
    Some(edits)
}
