//! Reports a deprecated type, or an old alias of a type, with its replacement.
//!
//! ## What it does
//! Flags types written under a legacy name (`io.kestra.core.tasks.log.Log` for
//! `io.kestra.plugin.core.log.Log`) and types Kestra deprecated (`EachSequential`, `Echo`,
//! `Template`…). Old aliases get a safe fix that renames them.
//!
//! ## Why
//! Aliases and deprecated types keep working for a while, then disappear in a major version
//! (Kestra 2.0 removed many); renaming early avoids a broken flow on upgrade.
//!
//! ## Example
//! ```yaml
//! - id: log
//!   type: io.kestra.core.tasks.log.Log
//! ```
//!
//! ## Fix
//! Use the current name: `type: io.kestra.plugin.core.log.Log` (`kflow lint --fix` does it).

use crate::catalog::Lookup;
use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};

pub const ID: &str = "deprecated-type";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (plugin, _) in cx.plugins() {
        let Some(type_) = &plugin.type_ else { continue };
        let Lookup::Known { def, alias } = cx.catalog.lookup(&type_.name) else {
            continue;
        };
        if alias {
            let message = format!("`{}` is an old name of `{}`", type_.name, def.name);
            let f = Finding::new(ID, type_.span, message);
            let title = format!("Rename to `{}`", def.name);
            out.push(match cx.exact_value_span(type_.span, &type_.name) {
                Some(at) => f.replace(title, at, def.name.clone(), Applicability::Safe),
                None => f,
            });
        } else if let Some(advice) = &def.deprecated {
            let mut message = format!("`{}` is deprecated", def.short_name());
            if !advice.is_empty() {
                message.push_str(&format!(": {}", advice.trim_end_matches('.')));
            } else if let Some(r) = &def.replacement {
                message.push_str(&format!("; use `{r}`"));
            }
            out.push(Finding::new(ID, type_.span, message));
        }
    }
}
