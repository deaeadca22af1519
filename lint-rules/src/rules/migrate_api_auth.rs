//! Under Kestra 2.0: tasks that call the Kestra API through a required `auth` block are refused
//! without one.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports the tasks whose `auth` (the Kestra API credentials)
//! 2.0 requires, written without it: `io.kestra.plugin.git.SyncFlow`, `TenantSync` and the
//! Enterprise git tasks (`io.kestra.plugin.ee.git.SyncApps`, `PushBlueprints`…).
//! The fix, shown in the editor and never applied on its own, inserts an `auth:` block to
//! complete: credentials cannot be guessed.
//!
//! Tasks whose `auth` is optional (`SyncFlows`, `PushFlows`, the `io.kestra.plugin.kestra.*`
//! tasks) are not reported: 2.0 saves them and takes credentials from the namespace, the tenant
//! or the server configuration, which a flow file cannot show. Nor is `NamespaceSync`: the
//! open-source plugin's `auth` is optional, while the Enterprise Edition ships a class of the
//! same name that requires it, and a flow file does not say which edition runs it.
//!
//! Source: Kestra's migration program's change list (kestra-io/kestra2-flow-migration,
//! `flows-changes.md`, "Tasks calling the Kestra API now require SDK authentication": `auth` is
//! `@NotNull` on `AbstractKestraTask`, which these tasks extend, in plugin-git 4.0.0 and
//! plugin-ee-git 2.2.0) and the 2.0 migration guide's `sdk-authentication` page.
//!
//! ## Why
//! Kestra 2.0 refuses to save the flow.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: sync
//!     type: io.kestra.plugin.git.SyncFlow
//!     url: https://github.com/acme/flows
//!     branch: main
//!     targetNamespace: company.team
//!     flowPath: flows/hello.yaml
//! ```
//!
//! ## Fix
//! Add `auth: {url: …, apiToken: "{{ secret('KESTRA_API_TOKEN') }}"}` (written as a block).

use kflow_syntax::Span;

use crate::context::Context;
use crate::edits::{key_indent, line_end};
use crate::finding::{Applicability, Edit, Finding, Severity};

pub const ID: &str = "migrate-api-auth";
pub const SEVERITY: Severity = Severity::Error;

/// Types whose `auth` 2.0 requires.
const REQUIRED: &[&str] = &[
    "io.kestra.plugin.git.SyncFlow",
    "io.kestra.plugin.git.TenantSync",
];

/// The Enterprise git tasks that extend the same base class (`Clone` moves to the open-source
/// `git.Clone`: `migrate-task`).
const EE_GIT: &str = "io.kestra.plugin.ee.git.";

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    let Some(flow) = cx.flow else { return };
    for task in &flow.tasks {
        let Some(type_) = &task.type_ else { continue };
        let name = cx.catalog.canonical(&type_.name);
        let required = REQUIRED.contains(&name)
            || (name.starts_with(EE_GIT) && name != "io.kestra.plugin.ee.git.Clone");
        if !required || cx.tree.get(task.node, "auth").is_some() {
            continue;
        }
        let short = name.rsplit('.').next().unwrap_or(name);
        let message = format!(
            "`{short}` needs an `auth:` block (Kestra API credentials) in Kestra 2.0, which rejects the flow without it; not automated: kflow cannot invent credentials, set them by hand"
        );
        let mut f = Finding::new(ID, type_.span, message);
        if let Some(indent) = key_indent(cx, task.node) {
            let indent = " ".repeat(indent);
            let at = line_end(&cx.doc.text, type_.span.end as usize);
            if cx.doc.text[..at].ends_with(['\n', '\r']) {
                let block = format!(
                    "{indent}auth:\n{indent}  url: http://localhost:8080\n{indent}  apiToken: \"{{{{ secret('KESTRA_API_TOKEN') }}}}\"\n"
                );
                f = f.fix(
                    "Add an `auth:` block to complete",
                    vec![Edit {
                        span: Span::empty(at),
                        new_text: block,
                    }],
                    Applicability::DisplayOnly,
                );
            }
        }
        out.push(f);
    }
}
