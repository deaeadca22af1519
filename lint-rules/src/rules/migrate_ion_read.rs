//! Under Kestra 2.0: `read()` of an ION file, which 2.0 stores as binary.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports `read(outputs.<task>.uri)` not wrapped in
//! `fromIon(…)` when the task writes an ION file there: a serdes `…ToIon` conversion, a
//! `FileTransform`, a query task storing its rows (`fetchType: STORE` or `store: true`), a
//! `storage.Write` or `Concat` with the `.ion` extension. The editor offers
//! `fromIon(read(…), allRows=true)`, which gives the rows as a list of maps; it is not applied by
//! `kflow migrate`, since what the expression does with the text is for its author to adapt.
//!
//! Source: Kestra's 2.0 migration guide (kestra-io/docs, `migration-guide/v2.0.0/
//! ion-binary-format`; kestra commit `66f239b3e`, "switch ION serialization to binary format":
//! `read()` returns the bytes of an ION file) and Kestra's migration program's change list
//! ("ION output files are now binary", which names the tasks above).
//!
//! ## Why
//! In 1.x `read()` gave an ION file's text, and expressions searched or printed it; in 2.0 it
//! gives bytes, and the same expression fails or compares nothing.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: to_ion
//!     type: io.kestra.plugin.serdes.csv.CsvToIon
//!     from: "{{ inputs.file }}"
//!   - id: check
//!     type: io.kestra.plugin.core.log.Log
//!     message: "{{ read(outputs.to_ion.uri) }}"
//! ```
//!
//! ## Fix
//! `{{ fromIon(read(outputs.to_ion.uri), allRows=true) }}`, or read the rows another way
//! (`fromIon(…)` alone gives the first row).

use kflow_syntax::model::{Flow, TaskIdx};
use kflow_syntax::pebble::{self, CallKind};

use crate::context::Context;
use crate::finding::{Applicability, Edit, Finding, Severity};

pub const ID: &str = "migrate-ion-read";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for r in cx.output_reads() {
        if r.file_function != Some("read") || r.output.map(|(o, _)| o) != Some("uri") {
            continue;
        }
        let Some(what) = flow
            .tasks_named(r.task)
            .find_map(|t| writes_ion(cx, flow, t))
        else {
            continue;
        };
        // The `read(…)` around the path, and whether `fromIon(…)` takes it already.
        let calls = pebble::template_calls(&r.expr.template);
        let Some(read) = calls.iter().find(|c| {
            c.kind == CallKind::Function
                && c.name == "read"
                && c.span.start <= r.span.start
                && r.span.end <= c.span.end
        }) else {
            continue;
        };
        let wrapped = calls.iter().any(|c| {
            c.name == "fromIon"
                && c.args.is_some_and(|a| {
                    a.positional
                        .first()
                        .is_some_and(|p| p.span.start <= read.span.start && read.span.end <= p.span.end)
                })
        });
        if wrapped {
            continue;
        }
        let at = r.file_span(read.span);
        let f = Finding::new(
            ID,
            at,
            format!(
                "`{}` is an ION file ({what}): Kestra 2.0 stores ION as binary and `read()` gives \
                 its bytes, not its text; not migrated automatically: `fromIon(read(…), \
                 allRows=true)` gives the rows, and what the expression does with them is its \
                 author's to adapt",
                cx.text(r.file_span(r.span))
            ),
        );
        let call = cx.text(at);
        out.push(f.fix(
            "Read the rows with `fromIon(…, allRows=true)`",
            vec![Edit {
                span: at,
                new_text: format!("fromIon({call}, allRows=true)"),
            }],
            Applicability::Unsafe,
        ));
    }
}

/// What makes the task's `uri` an ION file, if it is one.
fn writes_ion(cx: &Context, flow: &Flow, t: TaskIdx) -> Option<&'static str> {
    let task = flow.task(t);
    let name = cx.task_type(t)?;
    let short = name.rsplit('.').next().unwrap_or(name);
    let prop = |key: &str| cx.tree.get_str(task.node, key);
    let ion_extension = || prop("extension").is_some_and(|e| e.trim_start_matches('.') == "ion");
    if name.starts_with("io.kestra.plugin.serdes.") && short.ends_with("ToIon") {
        Some("a conversion to ION")
    } else if short == "FileTransform" {
        Some("`FileTransform` writes ION")
    } else if matches!(short, "Query" | "Queries")
        && (prop("fetchType") == Some("STORE") || prop("store") == Some("true"))
    {
        Some("a query storing its rows")
    } else if matches!(
        name,
        "io.kestra.plugin.core.storage.Write" | "io.kestra.plugin.core.storage.Concat"
    ) && ion_extension()
    {
        Some("written with the `.ion` extension")
    } else {
        None
    }
}

