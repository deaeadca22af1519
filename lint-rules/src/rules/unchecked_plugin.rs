//! Notes a plugin type nobody described: its properties go unchecked.
//!
//! ## What it does
//! kflow's catalog describes Kestra's core and every official plugin; a project can describe
//! its own plugins (`plugins` in `kflow.toml`). A type outside all of these (say a company's
//! `com.acme.warehouse.Load`) is not an error: this info finding only says that its properties
//! and outputs are not checked.
//!
//! ## Why
//! So that a clean lint run is not mistaken for a checked one.
//!
//! ## Example
//! ```yaml
//! tasks:
//!   - id: load
//!     type: com.acme.warehouse.Load
//! ```
//!
//! ## Fix
//! Describe the plugin: export its JSON Schema (`kestra plugins doc --schema DIR`, or the
//! server's `GET /api/v1/plugins/schemas/flow`) and name the file or folder in `kflow.toml`
//! (`plugins = ["kestra-plugins/"]`). Or turn the rule off (`unchecked-plugin = "off"`).

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
                    "`{}` is not in kflow's catalog: its properties are not checked (describe it with `plugins` in kflow.toml)",
                    type_.name
                ),
            ));
        }
    }
}
