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
        // Removed in the targeted version: `unknown-task-type` says so, with its replacement.
        if def
            .removed_in
            .is_some_and(|removed| removed <= cx.config.kestra_version)
        {
            continue;
        }
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

#[cfg(test)]
mod tests {
    use crate::{check, is_rule, Config};

    fn rules_at(version: &str) -> Vec<&'static str> {
        let flow = "id: f\nnamespace: t\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.EachSequential\n    value: [a]\n    tasks:\n      - id: log\n        type: io.kestra.plugin.core.log.Log\n        message: hi\n";
        let config = Config::parse(&format!("kestra-version = \"{version}\"\n"), is_rule).unwrap();
        check(&kflow_syntax::parse(flow), &config)
            .into_iter()
            .map(|f| f.rule)
            .filter(|r| *r == super::ID || *r == "unknown-task-type")
            .collect()
    }

    #[test]
    fn a_type_the_target_removed_is_reported_as_removed_only() {
        assert_eq!(rules_at("1.3"), [super::ID]);
        assert_eq!(rules_at("2.0"), ["unknown-task-type"]);
    }
}
