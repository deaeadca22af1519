//! The flow's core HTTP Request tasks, with what the fetch-pattern rules ask of them.

use kflow_syntax::model::TaskIdx;

use crate::source::Source;

pub const REQUEST: &str = "io.kestra.plugin.core.http.Request";

/// Request tasks (by canonical type, aliases included) and their literal `uri`.
pub fn requests<'a>(cx: &Source<'a>) -> Vec<(TaskIdx, Option<&'a str>)> {
    let Some(flow) = cx.flow else {
        return Vec::new();
    };
    flow.task_indices()
        .filter(|&t| cx.catalog.canonical(flow.task(t).type_name()) == REQUEST)
        .map(|t| (t, cx.tree.get_str(flow.task(t).node, "uri")))
        .collect()
}

/// Whether `task_id` names a Request task.
pub fn is_request(cx: &Source, task_id: &str) -> bool {
    let Some(flow) = cx.flow else { return false };
    flow.tasks_named(task_id)
        .next()
        .is_some_and(|t| cx.catalog.canonical(flow.task(t).type_name()) == REQUEST)
}

/// The URL's path without query or fragment, lower-cased.
pub fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Query parameter names of a URL, lower-cased.
pub fn query_keys(url: &str) -> Vec<String> {
    let Some((_, query)) = url.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .map(|k| k.trim().to_ascii_lowercase())
        .filter(|k| !k.is_empty())
        .collect()
}
