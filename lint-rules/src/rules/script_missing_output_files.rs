//! Reports a script that writes files later tasks read, without declaring them in `outputFiles`.
//!
//! ## What it does
//! Reads the script as code for the files it writes (`open(…, "w")`, `to_csv`, `json.dump`,
//! shell `>` and `-o`, `fs.writeFileSync`…), and the flow for reads of
//! `outputs.ID.outputFiles['name']`. A file that is both written and read downstream, but
//! matched by no `outputFiles` glob, is reported.
//!
//! ## Why
//! Kestra deletes the working directory when the task ends: only files matched by `outputFiles`
//! are kept in internal storage. The reading task fails with "Unable to find `report.json`".
//!
//! ## Example
//! ```yaml
//! - id: build_report
//!   type: io.kestra.plugin.scripts.python.Script
//!   script: |
//!     with open("report.json", "w") as f:
//!         f.write("{}")
//! - id: show
//!   type: io.kestra.plugin.core.log.Log
//!   message: "{{ read(outputs.build_report.outputFiles['report.json']) }}"
//! ```
//!
//! Better:
//! ```yaml
//! - id: build_report
//!   type: io.kestra.plugin.scripts.python.Script
//!   outputFiles:
//!     - report.json
//!   script: |
//!     with open("report.json", "w") as f:
//!         f.write("{}")
//! ```
//!
//! ## Fix
//! Declare the files: `outputFiles: [report.json]` (`kflow lint --fix` adds it).

use crate::context::Context;
use crate::edits::{append_list_item, insert_list_property};
use crate::finding::{Applicability, Finding, Severity};
use crate::script;
use crate::script_tasks::{output_files_matcher, Verdict};

pub const ID: &str = "script-missing-output-files";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let reads = cx.output_reads();
    for st in cx.script_tasks() {
        if matches!(st.verdict(), Verdict::Download(_)) {
            continue; // script-single-download replaces the whole task
        }
        let task = flow.task(st.task);
        let (Some(id), Some(type_)) = (&task.id, &task.type_) else {
            continue;
        };
        let written = script::written_files(&st.facts);
        let globs = st.output_globs(cx);
        let collected = output_files_matcher(&globs);
        let mut missing: Vec<String> = Vec::new();
        for r in reads.iter().filter(|r| r.task == id.name) {
            let Some((key, _)) = &r.file_key else {
                continue;
            };
            let declared = collected(key);
            if written.iter().any(|w| w == key) && !declared && !missing.contains(key) {
                missing.push(key.clone());
            }
        }
        if missing.is_empty() {
            continue;
        }
        let names = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut f = Finding::new(
            ID,
            type_.span,
            format!("the script writes {names}, which later tasks read, but `outputFiles` does not declare it: the file is lost when the task ends"),
        );
        let edits = match cx.tree.get_value(task.node, "outputFiles") {
            Some(list) => missing
                .iter()
                .map(|m| append_list_item(cx, list, m))
                .collect::<Option<Vec<_>>>(),
            None => insert_list_property(cx, task.node, st.property, "outputFiles", &missing)
                .map(|e| vec![e]),
        };
        if let Some(edits) = edits.filter(|e| !e.is_empty()) {
            f = f.fix(format!("Declare {names} in `outputFiles`"), edits, Applicability::Safe);
        }
        out.push(f);
    }
}
