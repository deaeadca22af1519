//! Reports a `type` that Kestra does not know, inside a namespace kflow's catalog covers.
//!
//! ## What it does
//! Checks the `type` of every task, trigger, condition and task runner against the catalog. A
//! name under a covered namespace (such as `io.kestra.plugin.core`) that the catalog lacks is an
//! error, with the closest known name suggested. Types that the targeted Kestra version does not
//! have yet (or no longer has, e.g. `ForEach` in 2.0) are reported too. A missing `type` is
//! reported by `missing-property`.
//!
//! ## Why
//! Kestra refuses to save a flow whose task type it cannot resolve.
//!
//! ## Example
//! ```yaml
//! tasks:
//!   - id: hello
//!     type: io.kestra.plugin.core.log.Logg
//! ```
//!
//! ## Fix
//! Use the suggested type (`io.kestra.plugin.core.log.Log`), or install the plugin that provides
//! the type.

use crate::catalog::Lookup;
use crate::context::Context;
use crate::suggest::closest_type;
use crate::finding::{Applicability, Finding, Severity};

pub const ID: &str = "unknown-task-type";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let target = cx.config.kestra_version;
    for (plugin, _) in cx.plugins() {
        let Some(type_) = &plugin.type_ else { continue };
        match cx.catalog.lookup(&type_.name) {
            Lookup::Unknown => {
                let mut f = Finding::new(ID, type_.span, format!("unknown type `{}`", type_.name));
                if let Some(near) = closest_type(&type_.name, cx.catalog.names()) {
                    f.message.push_str(&format!("; did you mean `{near}`?"));
                    f = f.replace(format!("Use `{near}`"), type_.span, near, Applicability::Unsafe);
                }
                out.push(f);
            }
            Lookup::Known { def, .. } => {
                if let Some(removed) = def.removed_in.filter(|&r| r <= target) {
                    let mut message = format!(
                        "`{}` was removed in Kestra {removed} (target: {target})",
                        def.short_name()
                    );
                    // Follow replacements that the target removed too (EachSequential →
                    // ForEach → Loop under 2.0).
                    let mut replacement = def.replacement.as_deref();
                    for _ in 0..4 {
                        let next = replacement
                            .and_then(|r| cx.catalog.get(r))
                            .filter(|d| d.removed_in.is_some_and(|r| r <= target));
                        match next {
                            Some(d) => replacement = d.replacement.as_deref(),
                            None => break,
                        }
                    }
                    if let Some(r) = replacement {
                        message.push_str(&format!("; use `{r}`"));
                    }
                    out.push(Finding::new(ID, type_.span, message));
                } else if let Some(since) = def.since.filter(|&s| s > target) {
                    out.push(Finding::new(
                        ID,
                        type_.span,
                        format!(
                            "`{}` only exists from Kestra {since} on (target: {target}; set `kestra-version` in kflow.toml)",
                            def.short_name()
                        ),
                    ));
                }
            }
            Lookup::Uncovered => {}
        }
    }
}
