//! Reports credentials sent to a plain `http://` URL.
//!
//! ## What it does
//! Flags an HTTP Request or Download task whose literal `uri` is `http://` and that sends
//! credentials (an `Authorization` or API-key header, `options.auth`, or any `secret(…)` in
//! the task), and a script's HTTP call with credentials (`auth=`, an `Authorization` header,
//! `curl -u`…) to a literal `http://` URL. Loopback hosts (`localhost`, `127.0.0.1`, `[::1]`,
//! Docker's `host.docker.internal`) and single-label host names (a container's service name such
//! as `http://kestra:8080`, on the same host or private network) are not reported.
//!
//! ## Why
//! Over plain HTTP, a password, token or API key travels in clear text: anyone on the network
//! path can read and reuse it.
//!
//! ## Example
//! ```yaml
//! - id: api
//!   type: io.kestra.plugin.core.http.Request
//!   uri: http://api.example.com/v1/orders
//!   headers:
//!     Authorization: "Bearer {{ secret('API_TOKEN') }}"
//! ```
//!
//! ## Fix
//! Use `https://` (and, for a private certificate authority, trust it rather than turning
//! checks off).

use kflow_syntax::yaml::{NodeId, Tree, Value};

use crate::context::{first_visit, Context};
use crate::finding::{Finding, Severity};
/// Core HTTP tasks that take a `uri`.
const HTTP_TASKS: &[&str] = &[
    "io.kestra.plugin.core.http.Request",
    "io.kestra.plugin.core.http.Download",
];

pub const ID: &str = "credentials-over-http";
pub const SEVERITY: Severity = Severity::Warning;

const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "apikey",
    "x-auth-token",
];

/// The host of a literal `http://` URL that leaves the machine, if it is one.
fn remote_http_host(url: &str) -> Option<&str> {
    let url = url.trim();
    let plain_http = url
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    if url.contains("{{") || !plain_http {
        return None;
    }
    let host = crate::script::url_host(url)?;
    let host_lower = host.to_ascii_lowercase();
    let loopback = host_lower == "localhost"
        || host_lower.ends_with(".localhost")
        || host_lower.starts_with("127.")
        || host_lower == "::1"
        || host_lower == "0.0.0.0"
        // Docker's names for the machine a container runs on.
        || host_lower == "host.docker.internal"
        || host_lower == "gateway.docker.internal";
    let single_label = !host.contains('.') && !host.contains(':');
    (!host.is_empty() && !loopback && !single_label).then_some(host)
}

/// Whether the task mapping sends credentials.
fn sends_credentials(tree: &Tree, task: NodeId) -> bool {
    let header = tree
        .get_value(task, "headers")
        .and_then(|h| tree.entries(h))
        .unwrap_or_default()
        .iter()
        .any(|e| {
            tree.str(e.key)
                .is_some_and(|k| CREDENTIAL_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
        });
    let auth = tree
        .get_value(task, "options")
        .is_some_and(|o| tree.get_value(o, "auth").is_some());
    let mut seen = vec![false; tree.nodes.len()];
    header || auth || mentions_secret(tree, task, &mut seen)
}

/// Each node once (YAML aliases can make paths exponential).
fn mentions_secret(tree: &Tree, node: NodeId, seen: &mut [bool]) -> bool {
    if !first_visit(seen, node) {
        return false;
    }
    match tree.value(node) {
        Value::Scalar(s) => s.value.contains("secret("),
        Value::Map(entries) => entries
            .iter()
            .any(|e| mentions_secret(tree, e.value, seen)),
        Value::Seq(items) => items.iter().any(|&i| mentions_secret(tree, i, seen)),
        _ => false,
    }
}

fn message(host: &str) -> String {
    format!(
        "credentials are sent over plain http:// to `{host}`: anyone on the network path can read them; use https://"
    )
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    for task in &flow.tasks {
        let http_task = HTTP_TASKS.contains(&cx.catalog.canonical(task.type_name()));
        let uri = tree.get_str(task.node, "uri");
        let Some(host) = uri.filter(|_| http_task).and_then(remote_http_host) else {
            continue;
        };
        if !sends_credentials(tree, task.node) {
            continue;
        }
        let at = tree
            .get_value(task.node, "uri")
            .map(|v| tree.span(v))
            .unwrap_or_else(|| cx.object_span(task.node));
        out.push(Finding::new(ID, at, message(host)));
    }
    for st in cx.script_tasks() {
        for call in st.facts.http_calls.iter().filter(|c| c.has_auth) {
            let Some(url) = call.url.as_ref().filter(|u| u.literal) else {
                continue;
            };
            if let Some(host) = remote_http_host(&url.value) {
                out.push(Finding::new(ID, st.file_span(call.span), message(host)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::remote_http_host;

    #[test]
    fn remote_hosts_only() {
        assert_eq!(remote_http_host("http://api.example.com/v1"), Some("api.example.com"));
        assert_eq!(remote_http_host("HTTP://user:pw@10.0.0.5:8080/x"), Some("10.0.0.5"));
        for local in [
            "http://localhost:8080/api",
            "http://127.0.0.1/x",
            "http://[::1]:80/",
            "http://kestra:8080/api/v1",
            "http://host.docker.internal:8080/api/v1/executions",
            "https://api.example.com",
            "http://{{ inputs.host }}/x",
            // Not a char boundary at byte 7: no URL, and no panic.
            "ab€€",
        ] {
            assert_eq!(remote_http_host(local), None, "{local}");
        }
    }
}
