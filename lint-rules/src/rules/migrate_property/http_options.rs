//! HTTP properties Kestra 2.0 removed from `HttpConfiguration` (a task's `options`) and from the
//! HTTP tasks themselves, moved where 1.3's builder put them: `connectTimeout` →
//! `timeout.connectTimeout`, `proxyType` → `proxy.type`, `basicAuthUser` → `auth` (type
//! `BASIC`) `username`…, `logLevel` → `logs`, and a task's `allowFailed` → `options.allowFailed`
//! (`HttpConfiguration.HttpConfigurationBuilder`, `AbstractHttp.setAllowFailed` at the 1.3 line).
//!
//! Only when the object they move into is not written yet: 1.3 applied them in the order Jackson
//! met the keys, so beside an explicit `timeout:` (or `options:`) which one won depends on it.

use kflow_syntax::yaml::{Entry, NodeId};

use super::Planned;
use crate::edits::{own_line_indent, remove_entry};
use crate::finding::Applicability;
use crate::source::Source;

/// Where a removed property goes: (the object it moves into, its key there).
pub(super) fn target(owner: &str, name: &str) -> Option<(&'static str, &'static str)> {
    if !owner.ends_with(".options") {
        return (name == "allowFailed").then_some(("options", "allowFailed"));
    }
    Some(match name {
        "connectTimeout" => ("timeout", "connectTimeout"),
        "readTimeout" => ("timeout", "readIdleTimeout"),
        "proxyType" => ("proxy", "type"),
        "proxyAddress" => ("proxy", "address"),
        "proxyPort" => ("proxy", "port"),
        "proxyUsername" => ("proxy", "username"),
        "proxyPassword" => ("proxy", "password"),
        "basicAuthUser" => ("auth", "username"),
        "basicAuthPassword" => ("auth", "password"),
        _ => return None,
    })
}

/// The advice for a moved property.
pub(super) fn advice(container: &str, key: &str) -> String {
    if container == "auth" {
        format!("use `auth: {{type: BASIC, {key}: …}}`")
    } else {
        format!("use `{container}.{key}`")
    }
}

/// Moves every property of `map` going into the same object as `entry`, in one fix: the new
/// object takes the place of the first of them.
pub(super) fn moved(cx: &Source, map: NodeId, owner: &str, entry: Entry) -> Planned {
    let tree = cx.tree;
    let name = tree.str(entry.key).unwrap_or_default();
    let (container, _) = target(owner, name).ok_or("it has no new place")?;
    if tree.get(map, container).is_some() {
        return Err(format!(
            "`{container}` is written too, and 1.3 let whichever came last win"
        ));
    }
    let group: Vec<(Entry, &str)> = tree
        .entries(map)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let k = tree.str(e.key)?;
            target(owner, k)
                .filter(|(c, _)| *c == container)
                .map(|(_, new)| (*e, new))
        })
        .collect();
    let indent = own_line_indent(cx, map, group[0].0)?;
    let mut block = format!("{indent}{container}:\n");
    if container == "auth" {
        block.push_str(&format!("{indent}  type: BASIC\n"));
    }
    for (e, new) in &group {
        let value = cx.text(tree.span(e.value)).trim();
        if value.is_empty() || value.contains(['\n', '\r']) {
            return Err("a value is not on one line".into());
        }
        block.push_str(&format!("{indent}  {new}: {value}\n"));
    }
    let mut edits = Vec::new();
    for (i, (e, _)) in group.iter().enumerate() {
        let mut edit = remove_entry(cx, map, *e)?;
        if i == 0 {
            edit.new_text = format!("{block}{}", edit.new_text);
        }
        edits.push(edit);
    }
    Ok((edits, Applicability::Safe))
}

/// `options.logLevel` → `logs`: 1.3 logged request and response headers and bodies at TRACE,
/// both headers at DEBUG, the response headers at INFO, and nothing otherwise.
pub(super) fn log_level(cx: &Source, map: NodeId, entry: Entry) -> Planned {
    if cx.tree.get(map, "logs").is_some() {
        return Err("`logs` is written too".into());
    }
    let level = cx.tree.str(entry.value).ok_or("its value is not a plain level")?;
    let logs = match level {
        "TRACE" => "[REQUEST_HEADERS, REQUEST_BODY, RESPONSE_HEADERS, RESPONSE_BODY]",
        "DEBUG" => "[REQUEST_HEADERS, RESPONSE_HEADERS]",
        "INFO" => "[RESPONSE_HEADERS]",
        _ if level.contains("{{") => return Err("its value is an expression".into()),
        _ => return Ok((vec![remove_entry(cx, map, entry)?], Applicability::Safe)),
    };
    let indent = own_line_indent(cx, map, entry)?;
    let mut edit = remove_entry(cx, map, entry)?;
    edit.new_text = format!("{indent}logs: {logs}\n{}", edit.new_text);
    Ok((vec![edit], Applicability::Safe))
}

#[cfg(test)]
mod tests {
    use super::target;

    #[test]
    fn only_options_fields_and_the_tasks_allow_failed_move() {
        assert_eq!(target("Request.options", "proxyPort"), Some(("proxy", "port")));
        assert_eq!(target("Request", "allowFailed"), Some(("options", "allowFailed")));
        assert_eq!(target("Request", "proxyPort"), None);
        assert_eq!(target("Request.options", "logLevel"), None);
    }
}
