//! Under Kestra 2.0: a property 2.0 removed, rewritten when 1.x forwarded it to a kept one.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports each property of a task, trigger, input or nested
//! object that Kestra 2.0 no longer has (from the catalog, read off Kestra's 1.3 and 2.0
//! sources). The fix, where 1.3 only forwarded the old property to a new one:
//!
//! - `retry.maxAttempt` → `maxAttempts`, Pause's `delay` → `pauseDuration`, a trigger's
//!   `minLogLevel` → `logLevel`, a MULTISELECT input's `options` → `values` (1.3's setters wrote
//!   the new property);
//! - HTTP `options.readIdleTimeout`, `connectionPoolIdleTimeout` and `maxContentLength`: removed
//!   (1.3 ignored them);
//! - PurgeKV's `expiredOnly: X` → `behavior: {type: key, expiredOnly: X}` (2.0's purge
//!   behaviour for the same keys);
//! - Pause's `tasks` (1.3 ran them once the execution was resumed): moved after the Pause, in
//!   the same list, when the Pause has no `errors` or `finally` of its own;
//! - HTTP `options` (core tasks and every plugin using Kestra's HTTP client):
//!   `connectTimeout` / `readTimeout` → `timeout.connectTimeout` / `readIdleTimeout`, `proxy*` →
//!   `proxy.*`, `basicAuthUser` / `basicAuthPassword` → `auth: {type: BASIC, username,
//!   password}`, `logLevel` → the `logs` 1.3 derived from it; a task's `allowFailed` →
//!   `options.allowFailed` — each when the object it moves into is not written too (1.3 applied
//!   them in key order).
//!
//! Reported with the reason, not rewritten: a Schedule's `backfill` (the editor offers to remove
//! it; a new deployment would no longer backfill: start one from the UI or API), a FILE input's
//! `extension` (offered too: 2.0 keeps the uploaded file's own name), Subflow's `outputs`
//! (declare them in the subflow), and `sslOptions` (move it to `options.ssl`).
//! `conditions`, `scheduleConditions`, `preconditions`, `workerGroup` and plugin defaults have
//! their own migration rules.
//!
//! Source: Kestra's sources at the 1.3 and 2.0 lines (`AbstractRetry`, `Pause`,
//! `AbstractTrigger.setMinLogLevel`, `MultiselectInput`, `HttpConfiguration`, `PurgeKV`,
//! `KvPurgeBehavior`) and Kestra's migration program's change list (kestra-io/kestra2-flow-migration,
//! `flows-changes.md`: "Retry property renamed", "`Pause.delay` and `Pause.tasks` removed",
//! "`MultiselectInput.options` removed", "`AbstractTrigger.minLogLevel` removed",
//! "`Schedule.backfills` removed", "`PurgeKV.expiredOnly` deprecated → `behavior`").
//!
//! ## Why
//! Kestra 2.0 reads flows strictly: a property it does not know makes it refuse the flow.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: wait
//!     type: io.kestra.plugin.core.flow.Pause
//!     delay: PT1M
//! ```
//!
//! ## Fix
//! `pauseDuration: PT1M` (`kflow migrate --to 2.0` does it).

use kflow_syntax::yaml::{Entry, NodeId};
use kflow_syntax::Span;

use crate::context::Context;
use crate::edits::{
    comments_in, entry_lines, last_content_offset, line_end, line_start, own_line_indent,
    remove_entry,
};
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::props::Issue;
use crate::source::Source;

mod http_options;

pub const ID: &str = "migrate-property";
pub const SEVERITY: Severity = Severity::Error;

/// Removed properties another migration rule reports where it migrates them; `unknown-property`
/// reports them as removed everywhere else.
pub const OWNED_ELSEWHERE: &[&str] = &[
    "conditions",
    "scheduleConditions",
    "preconditions",
    "workerGroup",
    "pluginDefaults",
    "taskDefaults",
    "forced",
];

/// HTTP options 1.3 accepted and ignored.
const IGNORED: &[&str] = &["readIdleTimeout", "connectionPoolIdleTimeout", "maxContentLength"];

/// How a removed property is migrated.
#[derive(Clone, Copy)]
enum Change {
    /// 1.3's setter wrote this property instead.
    Rename(&'static str),
    /// 1.3 ignored it.
    Drop,
    /// The editor offers to remove it; not applied by `kflow migrate`, for this reason.
    DropOffered(&'static str),
    /// PurgeKV's `expiredOnly` into a `behavior`.
    PurgeBehavior,
    /// Pause's child tasks after the Pause.
    TasksAfterPause,
    /// Into the object 1.3's builder put it in (HTTP options).
    Move,
    /// HTTP `options.logLevel` into `logs`.
    LogLevel,
    /// Not rewritten, for this reason.
    Manual(&'static str),
}

fn change(owner: &str, name: &str) -> Change {
    if http_options::target(owner, name).is_some() {
        return Change::Move;
    }
    match (owner, name) {
        (o, "logLevel") if o.ends_with(".options") => Change::LogLevel,
        (_, "maxAttempt") => Change::Rename("maxAttempts"),
        ("Pause", "delay") => Change::Rename("pauseDuration"),
        (_, "minLogLevel") => Change::Rename("logLevel"),
        ("MULTISELECT input", "options") => Change::Rename("values"),
        (_, name) if IGNORED.contains(&name) => Change::Drop,
        ("PurgeKV", "expiredOnly") => Change::PurgeBehavior,
        ("Pause", "tasks") => Change::TasksAfterPause,
        ("Schedule", "backfill") => Change::DropOffered(
            "a first deployment on 2.0 would no longer backfill; start a backfill from the UI or API",
        ),
        ("FILE input", "extension") => Change::DropOffered(
            "2.0 stores an uploaded file under its own name; check the tasks that need this extension",
        ),
        ("Subflow", "outputs") => Change::Manual(
            "declare the outputs in the subflow's `outputs` and read `outputs.<task>.outputs.<id>`",
        ),
        _ => Change::Manual("move it where the message says"),
    }
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for issue in cx.prop_issues() {
        let Issue::Removed {
            map,
            entry,
            name,
            owner,
            removed_in,
            advice,
        } = issue
        else {
            continue;
        };
        if OWNED_ELSEWHERE.contains(&name.as_str()) {
            continue;
        }
        let key = cx.tree.span(entry.key);
        let mut message = format!("`{owner}.{name}` was removed in Kestra {removed_in}");
        let plan = change(owner, name);
        let moved = match plan {
            Change::Move => http_options::target(owner, name).map(|(c, k)| http_options::advice(c, k)),
            Change::LogLevel => Some("use `logs`".to_string()),
            _ => None,
        };
        if let Some(advice) = moved.or_else(|| advice.clone()).filter(|a| !a.is_empty()) {
            message.push_str(&format!(": {}", advice.trim_end_matches('.')));
        }
        let f = Finding::new(ID, key, message.clone());
        let planned = match plan {
            Change::Rename(to) => rename(cx, *map, *entry, to),
            Change::Drop => drop_ignored(cx, *map, *entry),
            Change::DropOffered(why) => {
                let f = match remove_entry(cx, *map, *entry) {
                    Ok(e) => f.fix(format!("Remove `{name}`"), vec![e], Applicability::Unsafe),
                    Err(_) => f,
                };
                out.push(not_migrated(f, &message, why));
                continue;
            }
            Change::PurgeBehavior => purge_behavior(cx, *map, *entry),
            Change::TasksAfterPause => tasks_after_pause(cx, *map, *entry),
            Change::Move => http_options::moved(cx, *map, owner, *entry),
            Change::LogLevel => http_options::log_level(cx, *map, *entry),
            Change::Manual(why) => Err(why.to_string()),
        };
        out.push(match planned {
            Ok((edits, applicability)) => f.fix(title(name), edits, applicability),
            Err(why) => not_migrated(f, &message, &why),
        });
    }
}

fn title(name: &str) -> String {
    format!("Migrate `{name}` to Kestra 2.0")
}

fn not_migrated(mut f: Finding, message: &str, why: &str) -> Finding {
    f.message = format!("{message}; not migrated automatically: {why}");
    f
}

pub(crate) type Planned = Result<(Vec<Edit>, Applicability), String>;

fn rename(cx: &Source, map: NodeId, entry: Entry, to: &str) -> Planned {
    if cx.tree.get(map, to).is_some() {
        return Err(format!("`{to}` is set too; keep one of them"));
    }
    let edit = Edit {
        span: cx.tree.span(entry.key),
        new_text: to.to_string(),
    };
    Ok((vec![edit], Applicability::Safe))
}

/// Removes an ignored property, unless the mapping would be left empty (a `null` in its place
/// is not what an absent object means).
fn drop_ignored(cx: &Source, map: NodeId, entry: Entry) -> Planned {
    let others = cx.tree.entries(map).unwrap_or_default().iter().any(|e| {
        cx.tree
            .str(e.key)
            .is_none_or(|k| !IGNORED.contains(&k))
    });
    if others {
        return Ok((vec![remove_entry(cx, map, entry)?], Applicability::Safe));
    }
    // Nothing else in the mapping: it goes too (`options:` left empty would be a null, not the
    // default object an absent one gives).
    let (parent, holder) = cx.holder(map).ok_or("it is not the value of a property")?;
    Ok((vec![remove_entry(cx, parent, holder)?], Applicability::Safe))
}

fn purge_behavior(cx: &Source, map: NodeId, entry: Entry) -> Planned {
    if cx.tree.get(map, "behavior").is_some() {
        return Err("`behavior` is set too; 1.3 let `expiredOnly` override it".into());
    }
    let indent = own_line_indent(cx, map, entry)?;
    let value = cx.text(cx.tree.span(entry.value)).trim();
    if value.is_empty() || value.contains(['\n', '\r']) {
        return Err("its value is not on one line".into());
    }
    let span = entry_lines(cx, entry.key, entry.value);
    // A comment at the end of the line stays with the value it was about.
    let comment = comments_in(cx, span, &[]);
    let comment = match comment.lines().collect::<Vec<_>>()[..] {
        [] => String::new(),
        [one] => format!(" {one}"),
        _ => return Err("comments are written among its lines".into()),
    };
    let new_text = format!(
        "{indent}behavior:\n{indent}  type: key\n{indent}  expiredOnly: {value}{comment}\n"
    );
    Ok((vec![Edit { span, new_text }], Applicability::Safe))
}

/// Pause's `tasks` out of the Pause, after it in the same list: 1.3 ran them once the execution
/// was resumed, in order, and 2.0 runs the Pause's next siblings then.
fn tasks_after_pause(cx: &Source, map: NodeId, entry: Entry) -> Planned {
    let tree = cx.tree;
    let text = &cx.doc.text;
    for own in ["errors", "finally"] {
        if tree.get(map, own).is_some() {
            return Err(format!(
                "the Pause has its own `{own}`, which covered its child tasks in 1.x"
            ));
        }
    }
    let children = tree.items(entry.value).ok_or("its value is not a list")?;
    if tree.node(entry.value).flow_style || children.is_empty() {
        return Err("it is not a block list of tasks".into());
    }
    let key_indent = own_line_indent(cx, map, entry)?;
    // The Pause is a `- ` item of a block list: its own dash gives the column the children take.
    let pause_at = tree.span(map).start as usize;
    let pause_line = line_start(text, pause_at);
    let before = &text[pause_line..pause_at];
    let Some(dash) = before.rfind('-') else {
        return Err("the Pause is not an item of a block list".into());
    };
    if !before[..dash].trim().is_empty() || !before[dash + 1..].trim().is_empty() {
        return Err("the Pause's `- ` shares its line with something else".into());
    }
    let first = tree.span(children[0]).start as usize;
    let child_line = line_start(text, first);
    let child_dash = text[child_line..first]
        .rfind('-')
        .ok_or("its tasks are not a block list")?;
    // The children's lines, from their first `- ` to the end of the list, shifted left.
    let span = entry_lines(cx, entry.key, entry.value);
    let list_start = line_start(text, first);
    if list_start < span.start as usize {
        return Err("its first task shares the line of `tasks:`".into());
    }
    let shift = child_dash
        .checked_sub(dash)
        .ok_or("its tasks are indented less than the Pause")?;
    let mut moved = String::new();
    for line in text[list_start..span.end as usize].split_inclusive('\n') {
        let lead = line.len() - line.trim_start_matches(' ').len();
        if line.trim().is_empty() {
            moved.push_str(line.trim_start_matches(' '));
        } else if lead < shift {
            return Err("a line of its tasks is indented less than its list".into());
        } else {
            moved.push_str(&line[shift..]);
        }
    }
    if !moved.ends_with('\n') {
        moved.push('\n');
    }
    // What stays of the `tasks:` entry: the comments written between the key and its list.
    let kept: String = comments_in(cx, Span::new(span.start as usize, list_start), &[])
        .lines()
        .map(|c| format!("{key_indent}{c}\n"))
        .collect();
    let pause_end = line_end(text, last_content_offset(cx, map));
    if pause_end != span.end as usize {
        // Keys after `tasks:` stay with the Pause; the children go after the whole Pause.
        let edits = vec![
            Edit {
                span,
                new_text: kept,
            },
            Edit {
                span: Span::empty(pause_end),
                new_text: moved,
            },
        ];
        return Ok((edits, Applicability::Safe));
    }
    Ok((
        vec![Edit {
            span,
            new_text: format!("{kept}{moved}"),
        }],
        Applicability::Safe,
    ))
}
