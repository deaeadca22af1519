//! Under Kestra 2.0: `read()` and `fileURI()` name a namespace file's revision `revision=`, not
//! `version=`.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports the `version=` argument of `read()` and `fileURI()`
//! in the flow's expressions; the fix renames it `revision=`. Only parsed Pebble calls are
//! touched, so a `read(` that happens to sit in a script's own code is left alone.
//!
//! Source: Kestra's migration program's change list (kestra-io/kestra2-flow-migration,
//! `flows-changes.md`: "Pebble `read()` / `fileURI()` named argument `version` removed", kestra
//! PR #16699, no alias), which reports these without rewriting them.
//!
//! ## Why
//! On 2.0 the expression fails when rendered.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: "{{ read('notes.txt', version=2) }}"
//! ```
//!
//! ## Fix
//! `read('notes.txt', revision=2)` (`kflow migrate --to 2.0` does it).

use kflow_syntax::pebble::{self, CallKind};

use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};

pub const ID: &str = "migrate-file-revision";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    for rendered in cx.rendered_expressions() {
        let e = rendered.expr;
        for call in pebble::template_calls(&e.template) {
            if call.kind != CallKind::Function || !matches!(call.name, "read" | "fileURI") {
                continue;
            }
            let Some(args) = call.args else { continue };
            for arg in args.named.iter().filter(|a| a.name.name == "version") {
                let span = e.file_span(arg.name.span);
                let f = Finding::new(
                    ID,
                    span,
                    format!(
                        "`{}()`'s `version` argument was removed in Kestra 2.0; use `revision`",
                        call.name
                    ),
                );
                out.push(if cx.text(span) == "version" {
                    f.replace("Rename to `revision`", span, "revision", Applicability::Safe)
                } else {
                    f
                });
            }
        }
    }
}
