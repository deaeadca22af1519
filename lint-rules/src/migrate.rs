//! Moving a flow to a newer Kestra line (`kflow migrate --to 2.0`): the migration rules' safe
//! fixes applied with the one fix applier ([`crate::fixes`]), to a fixed point, each change
//! named by its rule; then what the target line removed and no fix could move, with its reason.
//!
//! The migration rules are ordinary rules that report only when the targeted line removed what
//! they find; their fixes are text edits, so comments, key order, quoting and line breaks stay.

use kflow_syntax::Document;

use crate::config::Config;
use crate::finding::Finding;
use crate::fixes::{self, Change, Mode};
use crate::version::Version;

/// The Kestra line flows are migrated to.
pub const TO: Version = Version::V2_0;

/// The rules whose safe fixes migrating applies: the migration rules, the renames of types and
/// Pebble built-ins the 2.0 line dropped (`deprecated-type` renames old aliases,
/// `unknown-function` renames removed built-ins; both mark those fixes safe), and
/// `invalid-input`'s removal of `required: false` beside a default, which 2.0 refuses as 1.3 did.
pub const RULES: &[&str] = &[
    crate::rules::migrate_plugin_defaults::ID,
    crate::rules::migrate_loop::ID,
    crate::rules::migrate_when::ID,
    crate::rules::migrate_inputs::ID,
    crate::rules::migrate_task::ID,
    crate::rules::migrate_file_revision::ID,
    crate::rules::migrate_trigger::ID,
    crate::rules::migrate_script_runner::ID,
    crate::rules::migrate_local_files::ID,
    crate::rules::migrate_worker_group::ID,
    crate::rules::migrate_property::ID,
    crate::rules::migrate_output_type::ID,
    crate::rules::invalid_input::ID,
    crate::rules::deprecated_type::ID,
    crate::rules::unknown_function::ID,
];

/// Whether a finding says the targeted line refuses the flow as it is: a migration rule's
/// finding, a type, property or built-in the catalog marks removed, or a check 2.0's validation
/// adds (`missing-input-default`: "Kestra 2.0 rejects the flow").
pub fn is_removal(f: &Finding) -> bool {
    f.rule.starts_with("migrate-")
        || f.message.contains("removed in Kestra ")
        || f.message.contains("Kestra 2.0 rejects the flow")
}

/// `config` targeting `to` instead of its own line.
pub fn config_for(config: &Config, to: Version) -> Config {
    let mut config = config.clone();
    config.kestra_version = to;
    config
}

/// What migrating one file gives.
#[derive(Debug)]
pub struct Migrated {
    pub text: String,
    /// Each change with its rule, located in the text before migrating.
    pub changes: Vec<Change>,
    /// What the target line removed and is still in `text`, with why it was not migrated.
    pub left: Vec<Finding>,
    /// The migrated text, parsed.
    pub doc: Document,
}

impl Migrated {
    /// The rules that made a change, each once, sorted.
    pub fn rules(&self) -> Vec<&'static str> {
        let mut rules: Vec<&'static str> = self.changes.iter().map(|c| c.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }
}

/// Migrates `text` to the line `config` targets (see [`config_for`]).
pub fn migrate(text: &str, config: &Config) -> Migrated {
    let migrations = |doc: &Document| -> Vec<Finding> {
        crate::check(doc, config)
            .into_iter()
            .filter(|f| f.rule == crate::rules::syntax::ID || RULES.contains(&f.rule))
            .collect()
    };
    let findings = migrations(&kflow_syntax::parse(text));
    let fixed = fixes::fix_all(text, &findings, Mode::SafeOnly, |t| {
        migrations(&kflow_syntax::parse(t))
    });
    let doc = kflow_syntax::parse(&fixed.text);
    let mut left: Vec<Finding> = crate::check(&doc, config)
        .into_iter()
        .filter(is_removal)
        .collect();
    // A migration rule's finding says why it did not migrate: the generic one at the same place
    // (`unknown-task-type` on the same type) adds nothing.
    let explained: Vec<_> = left
        .iter()
        .filter(|f| f.rule.starts_with("migrate-"))
        .map(|f| f.span)
        .collect();
    left.retain(|f| f.rule.starts_with("migrate-") || !explained.contains(&f.span));
    Migrated {
        text: fixed.text,
        changes: fixed.changes,
        left,
        doc,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrated(text: &str) -> Migrated {
        migrate(text, &config_for(&Config::default(), TO))
    }

    #[test]
    fn a_second_run_changes_nothing() {
        let flow = "id: f\nnamespace: t\ntasks:\n  - id: log # kept\n    type: io.kestra.core.tasks.log.Log\n    runIf: \"{{ true }}\"\n    message: \"{{ json('[1]') }}\"\n";
        let once = migrated(flow);
        assert_ne!(once.text, flow);
        assert!(once.text.contains("# kept"));
        assert!(once.left.is_empty(), "{:?}", once.left);
        let twice = migrated(&once.text);
        assert_eq!(twice.text, once.text);
        assert!(twice.changes.is_empty());
    }
}
