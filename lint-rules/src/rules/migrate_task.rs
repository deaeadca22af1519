//! Under Kestra 2.0: tasks removed with a direct replacement, and values spelt differently;
//! rewrites them.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports:
//!
//! - `Echo` (removed): the fix makes it a `Log` and renames `format` to `message` (`Log` has no
//!   `format`; `level` is shared).
//! - `log.Fetch` (moved to the Kestra plugin as `io.kestra.plugin.kestra.logs.Fetch`): offered as
//!   an unsafe fix, not applied by `kflow migrate`, because tasks calling the Kestra API need
//!   credentials in 2.0 (an `auth:` block or server-side ones) that a flow file cannot show.
//! - `ee.git.Clone` (removed from the Enterprise git plugin): the open-source `git.Clone`; for an
//!   SSH `url` only in the editor, since the Enterprise copy checked the server's host key and
//!   the open-source task (plugin-git at the 2.0 line) does not.
//! - the state `CANCELED` in a core task, trigger or condition (`Exit`'s `state`,
//!   `PurgeExecutions`' and Flow triggers' `states`, a `dependsOn` entry's `states`,
//!   `ExecutionStatus`' `in`): 2.0 has only the `CANCELLED` spelling (not `KILLED`, which also
//!   stops running tasks).
//!
//! - the state tasks (`state.Get`, `Set`, `Delete`): reported with the KV key 1.3 kept the state
//!   under (`<flow slug>_states_tasks-states_<name>`, `StateStore.statePrefix`); `Delete`
//!   becomes `kv.Delete` of that key. `Get` and `Set` are left: `kv.Set` replaces the value where
//!   `state.Set` merged into it, and `kv.Get` gives the stored text, not the map.
//!
//! `Count`, `Resume`, `Toggle` and `Template` have no drop-in replacement: `unknown-task-type`
//! reports them with what to use instead.
//!
//! Source: Kestra's 2.0 migration guide (kestra-io/docs, `migration-guide/v2.0.0`) and Kestra's
//! migration program's change list (kestra-io/kestra2-flow-migration, `flows-changes.md`:
//! "`Echo` task removed", "Log Fetch task moved to kestra plugin", "`Exit.ExitState.CANCELED`
//! removed", "Tasks calling the Kestra API now require SDK authentication").
//!
//! ## Why
//! Kestra 2.0 refuses a flow that still uses them.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: say
//!     type: io.kestra.plugin.core.debug.Echo
//!     format: hi
//! ```
//!
//! ## Fix
//! `type: io.kestra.plugin.core.log.Log` and `message: hi` (`kflow migrate --to 2.0` does it).

use kflow_syntax::Span;

mod state_store;

use crate::context::Context;
use crate::finding::{Applicability, Edit, Finding, Severity};

pub const ID: &str = "migrate-task";
pub const SEVERITY: Severity = Severity::Error;

/// A removed task type with its 2.0 replacement.
struct Replacement {
    old: &'static str,
    new: &'static str,
    /// Properties renamed on the way.
    renames: &'static [(&'static str, &'static str)],
    /// Why it is not applied without review, if it is not.
    caution: Option<&'static str>,
}

const REPLACEMENTS: &[Replacement] = &[
    Replacement {
        old: "io.kestra.plugin.core.debug.Echo",
        new: "io.kestra.plugin.core.log.Log",
        renames: &[("format", "message")],
        caution: None,
    },
    Replacement {
        old: "io.kestra.plugin.ee.git.Clone",
        new: "io.kestra.plugin.git.Clone",
        renames: &[],
        caution: None,
    },
    Replacement {
        old: "io.kestra.plugin.core.log.Fetch",
        new: "io.kestra.plugin.kestra.logs.Fetch",
        renames: &[],
        caution: Some("it calls the Kestra API, which needs credentials in 2.0 (`auth:` or server-side)"),
    },
];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for (plugin, def) in cx.plugins() {
        let Some(def) = def.filter(|d| d.name.starts_with("io.kestra.plugin.core.")) else {
            continue;
        };
        canceled(cx, plugin.node, |key| def.properties.contains_key(key), out);
        // A Flow trigger's `dependsOn` entries filter on states too.
        let depends_on = cx.tree.get_value(plugin.node, "dependsOn");
        for &entry in depends_on.and_then(|d| cx.tree.items(d)).unwrap_or_default() {
            canceled(cx, entry, |key| key == "states", out);
        }
    }
    for t in flow.task_indices() {
        let task = flow.task(t);
        let Some(type_) = &task.type_ else { continue };
        let full = cx.catalog.canonical(&type_.name);
        state_store::check(cx, flow, t, full, out);
        let Some(r) = REPLACEMENTS.iter().find(|r| r.old == full) else {
            continue;
        };
        let short = |n: &'static str| n.rsplit('.').next().unwrap_or(n);
        let mut message = format!(
            "`{}` was removed in Kestra 2.0; use `{}`",
            short(r.old),
            r.new
        );
        let Some(at) = cx.exact_value_span(type_.span, &type_.name) else {
            out.push(Finding::new(ID, type_.span, message));
            continue;
        };
        let mut edits = vec![Edit {
            span: at,
            new_text: r.new.to_string(),
        }];
        for (from, to) in r.renames {
            if let Some(k) = cx.key_span(task.node, from) {
                edits.push(Edit {
                    span: k,
                    new_text: (*to).to_string(),
                });
            }
        }
        // The Enterprise copy checked SSH host keys; the open-source task kflow's catalog
        // describes (plugin-git at the 2.0 line) turns the check off (`SshTransportConfigCallback`).
        let url = cx.tree.get_str(task.node, "url").unwrap_or_default();
        let ssh = r.old == "io.kestra.plugin.ee.git.Clone"
            && (url.starts_with("git@") || url.starts_with("ssh://"));
        let caution = r.caution.or(ssh.then_some(
            "the Enterprise Clone checked the SSH server's host key, the open-source one does not",
        ));
        let applicability = match caution {
            Some(why) => {
                message.push_str(&format!("; not applied automatically: {why}"));
                Applicability::Unsafe
            }
            None => Applicability::Safe,
        };
        let title = format!("Use `{}`", short(r.new));
        out.push(Finding::new(ID, type_.span, message).fix(title, edits, applicability));
    }
}

/// `CANCELED` in the states a core task, trigger or condition names (Exit's `state`,
/// PurgeExecutions' and Flow triggers' `states`, ExecutionStatus' `in` / `notIn`).
fn canceled(
    cx: &Context,
    node: kflow_syntax::yaml::NodeId,
    has: impl Fn(&str) -> bool,
    out: &mut Vec<Finding>,
) {
    for key in ["state", "states", "in", "notIn"].into_iter().filter(|k| has(k)) {
        let Some(value) = cx.tree.get_value(node, key) else {
            continue;
        };
        let values = match cx.tree.items(value) {
            Some(items) => items.to_vec(),
            None => vec![value],
        };
        for v in values {
            if cx.tree.str(v) != Some("CANCELED") {
                continue;
            }
            let span: Span = cx.tree.span(v);
            let f = Finding::new(
                ID,
                span,
                "the state `CANCELED` was removed in Kestra 2.0; use `CANCELLED`",
            );
            out.push(match cx.exact_value_span(span, "CANCELED") {
                Some(at) => f.replace("Use `CANCELLED`", at, "CANCELLED", Applicability::Safe),
                None => f,
            });
        }
    }
}
