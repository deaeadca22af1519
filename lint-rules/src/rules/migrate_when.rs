//! Under Kestra 2.0: a task's `runIf` and a flow check's `condition` are spelt `when`.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports `runIf:` on a task and `condition:` on an item of the
//! flow's `checks`; the fix renames the key to `when:` and keeps its value as written. A task or
//! check that already has a `when:` is reported without a fix.
//!
//! Source: Kestra's 2.0 migration guide (kestra-io/docs, `migration-guide/v2.0.0`,
//! "Rename Check.condition to when"): 2.0 writes conditional execution `when` on tasks,
//! triggers and checks; a check's `condition` is a deprecated alias in 2.0.0, to be removed
//! later. Kestra's migration program (kestra-io/kestra2-flow-migration, `flows-changes.md`)
//! renames checks the same way and leaves `runIf` alone.
//!
//! A warning: 2.0.0 still reads the old spellings, which are on their way out.
//!
//! ## Why
//! One spelling for every condition, before the aliases are dropped.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     runIf: "{{ inputs.verbose }}"
//!     message: hi
//! ```
//!
//! ## Fix
//! `when: "{{ inputs.verbose }}"` (`kflow migrate --to 2.0` does it).

use kflow_syntax::yaml::NodeId;

use crate::context::Context;
use crate::finding::{Applicability, Finding, Severity};

pub const ID: &str = "migrate-when";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    let tasks = flow.tasks.iter().map(|t| (t.node, "runIf", "a task's"));
    let checks = cx
        .tree
        .get_value(flow.root, "checks")
        .and_then(|c| cx.tree.items(c))
        .unwrap_or_default()
        .iter()
        .map(|&c| (c, "condition", "a check's"));
    for (map, key, whose) in tasks.chain(checks) {
        rename(cx, map, key, whose, out);
    }
}

fn rename(cx: &Context, map: NodeId, key: &str, whose: &str, out: &mut Vec<Finding>) {
    let Some(span) = cx.key_span(map, key) else {
        return;
    };
    let message = format!("{whose} `{key}` is spelt `when` in Kestra 2.0");
    let f = Finding::new(ID, span, message);
    out.push(if cx.tree.get(map, "when").is_some() {
        let mut f = f;
        f.message.push_str("; it also has a `when`: merge them by hand");
        f
    } else if cx.text(span) == key {
        f.replace("Rename to `when`", span, "when", Applicability::Safe)
    } else {
        f
    });
}
