//! Reports a long inline script that leaves no output artifact behind.
//!
//! ## What it does
//! Flags a `script` longer than `max-script-lines` (kflow.toml, default 50) whose task declares no
//! `outputFiles` and emits no outputs (`::{"outputs": …}::`, `Kestra.outputs`). Reported on the
//! `script` key.
//!
//! ## Why
//! The fetch-pattern guide warns against "hiding complex integration logic in a long inline
//! script without clear output artifacts": the flow no longer says what the step produces, the
//! code cannot be tested or reviewed on its own, and downstream tasks have nothing to consume.
//!
//! ## Example
//! ```yaml
//! - id: crunch
//!   type: io.kestra.plugin.scripts.python.Script
//!   script: |
//!     # … 60 lines of code, printing a total at the end
//! ```
//!
//! Better (the code in a namespace file, the result as a file):
//! ```yaml
//! - id: crunch
//!   type: io.kestra.plugin.scripts.python.Commands
//!   namespaceFiles:
//!     enabled: true
//!   outputFiles:
//!     - total.json
//!   commands:
//!     - python crunch.py
//! ```
//!
//! ## Fix
//! Move the code to a namespace file (`namespaceFiles: {enabled: true}` and run
//! `python crunch.py`), and make the step emit its result as a file (`outputFiles`) or outputs.

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "long-inline-script";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let max = cx.config.max_script_lines;
    for st in cx.script_tasks() {
        if st.property != "script" {
            continue;
        }
        let lines = st.line_count();
        if lines <= max || !st.output_globs(cx).is_empty() || !st.facts.kestra_outputs.is_empty() {
            continue;
        }
        let Some(key) = cx.key_span(st.node, "script") else {
            continue;
        };
        out.push(Finding::new(
            ID,
            key,
            format!(
                "this inline script has {lines} lines (more than {max}) and no output files or outputs: move it to a namespace file and emit its result with `outputFiles`"
            ),
        ));
    }
}
