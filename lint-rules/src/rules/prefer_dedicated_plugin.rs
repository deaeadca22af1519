//! Reports a script or Request talking to a system Kestra has a plugin for, naming the plugin.
//!
//! ## What it does
//! Recognises, in scripts read as code, SDK clients and CLIs (boto3 / `aws s3`, google-cloud,
//! azure-storage, psycopg2 / pymysql / snowflake / bigquery / pymongo clients, kafka, paramiko /
//! ftplib, `git clone`…) and, in scripts and Request tasks, URLs of such systems (S3, GCS and
//! Azure Blob URLs, Slack / Discord / Teams webhooks, the GitHub, GitLab, Jira, Google Sheets
//! and HubSpot APIs, hosts plugins such as Airbyte, Fivetran or dbt Cloud call). Reports the task
//! at its `type` with the plugin task to use; a test keeps every recommended task present and
//! not deprecated in the catalog.
//!
//! ## Why
//! The fetch-pattern guide: "Start with dedicated plugins." They model the system, handle
//! credentials and pagination, validate properties and give typed outputs; custom code must be
//! maintained by you.
//!
//! ## Example
//! ```yaml
//! - id: notify
//!   type: io.kestra.plugin.core.http.Request
//!   uri: https://hooks.slack.com/services/T000/B000/XXXX
//!   method: POST
//!   body: '{"text": "done"}'
//! ```
//! Better:
//! ```yaml
//! - id: notify
//!   type: io.kestra.plugin.slack.SlackIncomingWebhook
//!   url: https://hooks.slack.com/services/T000/B000/XXXX
//!   payload: '{"text": "done"}'
//! ```
//!
//! ## Fix
//! Use the named plugin task. If it lacks what you need, keep the custom code and tell the
//! plugin's maintainers (a GitHub issue on the plugin's repository).

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::http_tasks::requests;
use crate::script::plugin_for_url;
use crate::script_tasks::Verdict;

pub const ID: &str = "prefer-dedicated-plugin";
pub const SEVERITY: Severity = Severity::Warning;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for st in cx.script_tasks() {
        let Verdict::Plugin(hint) = st.verdict() else {
            continue;
        };
        let Some(type_) = &flow.task(st.task).type_ else {
            continue;
        };
        out.push(
            Finding::new(
                ID,
                type_.span,
                format!(
                    "this script {}: use the `{}` plugin task",
                    hint.reason, hint.plugin_type
                ),
            )
            .related(
                st.file_span(hint.span),
                format!("here: `{}`", hint.evidence),
            ),
        );
    }
    for (t, uri) in requests(cx) {
        let Some((plugin, reason)) = uri.and_then(plugin_for_url) else {
            continue;
        };
        let Some(type_) = &flow.task(t).type_ else {
            continue;
        };
        out.push(Finding::new(
            ID,
            type_.span,
            format!("this Request {reason}: use the `{plugin}` plugin task"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalog;

    /// The plugins the rule recommends exist, and are not deprecated (the standalone Slack,
    /// Discord, Opsgenie… plugins replaced the `notifications` ones).
    #[test]
    fn recommended_plugins_exist_and_are_current() {
        // In plugin-azure, but their base classes live in a repository the catalog generator
        // could not read: they are not in the catalog.
        const UNREADABLE: &[&str] = &[
            "io.kestra.plugin.azure.storage.blob.",
            "io.kestra.plugin.azure.storage.table.",
            "io.kestra.plugin.azure.servicebus.",
        ];
        let catalog = Catalog::builtin();
        let mut problems = Vec::new();
        for t in crate::script::named_plugin_types() {
            if UNREADABLE.iter().any(|p| t.starts_with(p)) {
                continue;
            }
            match catalog.get(t) {
                None => problems.push(format!("{t}: not in the catalog")),
                Some(def) if def.deprecated.is_some() => {
                    problems.push(format!("{t}: deprecated ({:?})", def.deprecated))
                }
                Some(_) => {}
            }
        }
        problems.sort();
        problems.dedup();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
