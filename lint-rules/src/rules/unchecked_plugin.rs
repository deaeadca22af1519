//! Notes a plugin type outside the namespaces kflow describes: its properties go unchecked.
//!
//! ## What it does
//! Kestra has hundreds of plugin types; kflow's catalog describes the core, script, serdes and
//! task-runner namespaces completely. A type elsewhere (say `io.kestra.plugin.aws.s3.Upload`) is
//! not an error: this info finding only says that its properties and outputs are not checked.
//!
//! ## Why
//! So that a clean lint run is not mistaken for a checked one.
//!
//! ## Example
//! ```yaml
//! tasks:
//!   - id: upload
//!     type: io.kestra.plugin.aws.s3.Upload
//! ```
//!
//! ## Fix
//! Nothing to fix. Turn the rule off in `kflow.toml` (`unchecked-plugin = "off"`) to hide it.

use crate::catalog::Lookup;
use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "unchecked-plugin";
pub const SEVERITY: Severity = Severity::Info;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (plugin, _) in cx.plugins() {
        let Some(type_) = &plugin.type_ else { continue };
        if matches!(cx.catalog.lookup(&type_.name), Lookup::Uncovered) && !type_.name.contains("{{")
        {
            out.push(Finding::new(
                ID,
                type_.span,
                format!(
                    "`{}` is not in kflow's catalog: its properties are not checked",
                    type_.name
                ),
            ));
        }
    }
}
