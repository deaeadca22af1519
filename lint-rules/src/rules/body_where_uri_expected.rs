//! Reports a Request's `body` given where a file URI is expected.
//!
//! ## What it does
//! Flags `outputs.ID.body` of a Request task used as a file: the `from` of a conversion or storage
//! task, an item of `files` or `items`, or the argument of `read()`, `fileSize()`,
//! `fileExists()`, `isFileEmpty()`. (A value of `inputFiles` is not flagged: Kestra writes
//! inline content there as the file's text, which works.)
//!
//! ## Why
//! Those properties take a `kestra://` URI of a file in internal storage; a response body is the
//! content itself. The task fails at run time.
//!
//! ## Example
//! ```yaml
//! - id: report
//!   type: io.kestra.plugin.core.http.Request
//!   uri: https://api.example.com/v1/report
//! - id: convert
//!   type: io.kestra.plugin.serdes.csv.CsvToIon
//!   from: "{{ outputs.report.body }}"
//! ```
//!
//! Better:
//! ```yaml
//! - id: report
//!   type: io.kestra.plugin.core.http.Download
//!   uri: https://api.example.com/v1/report
//!   headers:
//!     Accept: text/csv
//! - id: convert
//!   type: io.kestra.plugin.serdes.csv.CsvToIon
//!   from: "{{ outputs.report.uri }}"
//! ```
//!
//! ## Fix
//! Fetch with a Download task and pass its `uri`: `from: "{{ outputs.report.uri }}"`.

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "body-where-uri-expected";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for r in cx.request_body_reads() {
        if !r.as_file {
            continue;
        }
        let place = match (r.file_function, r.key) {
            (Some(function), _) => format!("`{function}()`"),
            (None, Some(key)) => format!("`{key}`"),
            (None, None) => "here".to_string(),
        };
        out.push(Finding::new(
            ID,
            r.file_span(r.span),
            format!(
                "{place} expects a file URI, but `outputs.{}.body` is the response text: fetch with a Download task and use its `uri`",
                r.task
            ),
        ));
    }
}
