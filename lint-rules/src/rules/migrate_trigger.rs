//! Under Kestra 2.0: trigger `conditions` are gone; rewrites them as a `when` expression, and a
//! Flow trigger's conditions and `preconditions` as `dependsOn` entries.
//!
//! ## What it does
//! Under `kestra-version = "2.0"`, reports `conditions` (and Schedule's `scheduleConditions`)
//! on triggers and `preconditions` on Flow triggers. The fix writes:
//!
//! - on any trigger but Flow, one `when:` expression, the conditions joined with `and`:
//!   `Expression` / `Variable` → their expression, `DayWeek` → `dayOfWeek(trigger.date) ==
//!   'MONDAY'`, `DayWeekInMonth` → `isDayWeekInMonth(trigger.date, 'MONDAY', 'FIRST')`,
//!   `Weekend` → `isWeekend(trigger.date)`, `PublicHoliday` → `isPublicHoliday(trigger.date,
//!   …)`, `DateTimeBetween` → `(trigger.date | timestampMilli) > ('…' | timestampMilli)` (and
//!   `<` for `before`; 1.x compared instants strictly), `Not` → `not (…)` (its inner list is an
//!   `and`, as in 1.x), `Or` → `(…) or (…)`;
//! - on a Flow trigger, `dependsOn` entries: `ExecutionFlow` gives `namespace` and `flowId`,
//!   `ExecutionStatus` gives `states` (`in`), `ExecutionLabels` gives `labels`, an exact
//!   `ExecutionNamespace` gives `namespace`; the others become the entry's `when`, which 2.0
//!   renders with the upstream execution's variables (`FlowTriggerService`,
//!   `runContextFactory.of(null, execution)`): a prefix or suffix `ExecutionNamespace` →
//!   `flow.namespace | startsWith('…')` (`startsWith` is a filter), `ExecutionOutputs` → its
//!   expression with `trigger.outputs` read as `execution.outputs` (no outputs still fails it),
//!   `Not` around one of these (or an `ExecutionFlow`: `flow.namespace == '…' and flow.id ==
//!   '…'`) → `not (…)`, `Or` of them → `(…) or (…)`; `MultipleCondition` gives one entry per
//!   upstream flow (the other conditions shared by each) and its `window` (with no advance) a
//!   `window: {lookback: …}`; `preconditions` give one entry per upstream flow, a
//!   `DAILY_TIME_DEADLINE` time window becoming `window: {deadline: …}`. The trigger's own
//!   `states` stays: 2.0 keeps it with the same meaning.
//!
//! The block's comments stay where it was. Not automated, with the reason in the message: a
//! condition with no such equivalent (`HasRetryAttempt`: 2.0 gives a Flow trigger's `when` no
//! variable about retries; an `ExecutionOutputs` expression reading more than
//! `trigger.outputs`; `TimeBetween`: 1.x compared times of day with their offsets, strictly,
//! which `hourOfDay()` does not; a `DateTimeBetween` bound that is an expression; a `date` other
//! than `trigger.date`, an `ExecutionStatus` with `notIn`, a `MultipleCondition` whose window
//! advances…), `preconditions` with `where` filters, another window type or `resetOnSuccess:
//! false`, and a Flow trigger with both `conditions` and `preconditions`.
//!
//! Source: Kestra's 2.0 migration guide (kestra-io/docs, `migration-guide/v2.0.0/
//! trigger-conditions-redesign`) and Kestra's migration program's change list and fixtures
//! (kestra-io/kestra2-flow-migration: "Trigger conditions → `when` / `dependsOn`").
//!
//! ## Why
//! Kestra 2.0 refuses a flow whose triggers still have them.
//!
//! ## Example
//! ```yaml
//! # kflow.toml: kestra-version = "2.0"
//! id: hello
//! namespace: company.team
//! tasks:
//!   - id: log
//!     type: io.kestra.plugin.core.log.Log
//!     message: hi
//! triggers:
//!   - id: on_failure
//!     type: io.kestra.plugin.core.trigger.Flow
//!     conditions:
//!       - type: io.kestra.plugin.core.condition.ExecutionStatus
//!         in: [FAILED]
//! ```
//!
//! ## Fix
//! `dependsOn: [{states: [FAILED]}]`, written as a block list (`kflow migrate --to 2.0` does
//! it).

use kflow_syntax::model::PluginKind;
use kflow_syntax::yaml::NodeId;
use kflow_syntax::Span;

use crate::context::Context;
use crate::edits::{comments_in, entry_lines, entry_text, line_start};
use crate::finding::{Applicability, Edit, Finding, Severity};
use crate::source::Source;

pub const ID: &str = "migrate-trigger";
pub const SEVERITY: Severity = Severity::Error;

const FLOW_TRIGGER: &str = "io.kestra.plugin.core.trigger.Flow";

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.config.kestra_version < crate::version::Version::V2_0 {
        return;
    }
    for (plugin, def) in cx.plugins() {
        if plugin.kind != PluginKind::Trigger {
            continue;
        }
        let is_flow = def.is_some_and(|d| d.name == FLOW_TRIGGER);
        let node = plugin.node;
        let keys = ["conditions", "scheduleConditions", "preconditions"];
        let present: Vec<&str> = keys
            .into_iter()
            .filter(|k| cx.tree.get(node, k).is_some())
            .collect();
        let Some(&first) = present.first() else {
            continue;
        };
        let span = cx.key_span(node, first).unwrap_or_else(|| cx.object_span(node));
        let message = format!("a trigger's `{first}` was removed in Kestra 2.0");
        let f = Finding::new(ID, span, message.clone());
        let planned = if present.len() > 1 {
            Err(format!("it has both `{}`", present.join("` and `")))
        } else if is_flow {
            depends_on(cx, node, first)
        } else if first == "preconditions" {
            Err("`preconditions` belong to Flow triggers".into())
        } else {
            when(cx, node, first)
        };
        out.push(match planned {
            Ok(edit) => f.fix(
                if is_flow { "Write `dependsOn`" } else { "Write `when`" },
                vec![edit],
                Applicability::Safe,
            ),
            Err(reason) => {
                let mut f = f;
                f.message = format!("{message}; not rewritten automatically: {reason}");
                f
            }
        });
    }
}

/// The short name of a condition's type, aliases resolved.
fn condition_name(cx: &Source, item: NodeId) -> Option<String> {
    let type_ = cx.tree.get_value(item, "type").and_then(|t| cx.tree.str(t))?;
    let full = cx.catalog.canonical(type_);
    Some(full.rsplit('.').next().unwrap_or(full).to_string())
}

/// A scalar property of a condition, as a string.
fn string<'a>(cx: &Source<'a>, item: NodeId, key: &str) -> Option<&'a str> {
    cx.tree.get_value(item, key).and_then(|v| cx.tree.str(v))
}

/// The replacement of the entry `key` of the trigger `node`, at the key's indentation, the
/// entry's comments following.
fn replace_entry(cx: &Source, node: NodeId, key: &str, lines: &[String]) -> Option<Edit> {
    let entry = cx.tree.get(node, key)?;
    let text = &cx.doc.text;
    let at = cx.tree.span(entry.key).start as usize;
    let indent = " ".repeat(at - line_start(text, at));
    if !text[line_start(text, at)..at].trim().is_empty() {
        return None;
    }
    let span = entry_lines(cx, entry.key, entry.value);
    // A comment on the key's line stays at the end of the first new line.
    let key_line = Span::new(at, crate::edits::line_end(text, at));
    let on_key = comments_in(cx, key_line, &[]);
    let on_key = on_key.lines().next();
    let mut new_text = String::new();
    for (i, l) in lines.iter().enumerate() {
        match on_key.filter(|_| i == 0) {
            Some(c) => new_text.push_str(&format!("{indent}{l} {c}\n")),
            None => new_text.push_str(&format!("{indent}{l}\n")),
        }
    }
    // Comments the new lines carry already (copied with their value) are not repeated.
    for c in comments_in(cx, span, &[]).lines() {
        if !new_text.contains(c) {
            new_text.push_str(&format!("{indent}{c}\n"));
        }
    }
    Some(Edit { span, new_text })
}

fn when(cx: &Source, node: NodeId, key: &str) -> Result<Edit, String> {
    let list = cx.tree.get_value(node, key).ok_or("no value")?;
    let expr = all_of(cx, list)?;
    let line = format!("when: {}", quoted(&format!("{{{{ {expr} }}}}")));
    replace_entry(cx, node, key, &[line]).ok_or_else(|| "its layout is unusual".into())
}

/// The conditions of a list, joined with `and`.
fn all_of(cx: &Source, list: NodeId) -> Result<String, String> {
    let items = cx.tree.items(list).ok_or("the conditions are not a list")?;
    let parts: Vec<String> = items
        .iter()
        .map(|&i| condition(cx, i))
        .collect::<Result<_, _>>()?;
    Ok(match parts.len() {
        0 => return Err("the list is empty".into()),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => parts
            .iter()
            .map(|p| format!("({p})"))
            .collect::<Vec<_>>()
            .join(" and "),
    })
}

/// One condition as a Pebble expression (without `{{ }}`).
fn condition(cx: &Source, item: NodeId) -> Result<String, String> {
    let name = condition_name(cx, item).ok_or("a condition has no type")?;
    // Before 0.20 the names ended in `Condition`.
    let base = name.strip_suffix("Condition").unwrap_or(&name);
    let literal = |key: &str| -> Result<String, String> {
        let v = string(cx, item, key).ok_or_else(|| format!("`{name}` has no `{key}`"))?;
        if v.contains(['\'', '\\', '{']) {
            return Err(format!("`{name}`'s `{key}` is not a plain value"));
        }
        Ok(format!("'{v}'"))
    };
    if !matches!(base, "Expression" | "Variable" | "Not" | "Or") {
        if let Some(date) = string(cx, item, "date") {
            let inner = date.trim().trim_start_matches("{{").trim_end_matches("}}").trim();
            if inner != "trigger.date" {
                return Err(format!("`{name}` reads its own `date`"));
            }
        }
    }
    Ok(match base {
        "Expression" | "Variable" => single_expression(cx, item)?,
        "DayWeek" => format!("dayOfWeek(trigger.date) == {}", literal("dayOfWeek")?),
        "DayWeekInMonth" => format!(
            "isDayWeekInMonth(trigger.date, {}, {})",
            literal("dayOfWeek")?,
            literal("dayInMonth")?
        ),
        "Weekend" => "isWeekend(trigger.date)".into(),
        "PublicHoliday" => {
            let mut args = vec!["trigger.date".to_string()];
            if string(cx, item, "country").is_some() {
                args.push(literal("country")?);
            }
            if string(cx, item, "subDivision").is_some() {
                args.push(literal("subDivision")?);
            }
            format!("isPublicHoliday({})", args.join(", "))
        }
        "Not" => {
            let list = cx.tree.get_value(item, "conditions").ok_or("`Not` is empty")?;
            format!("not ({})", all_of(cx, list)?)
        }
        "Or" => {
            let list = cx.tree.get_value(item, "conditions").ok_or("`Or` is empty")?;
            let items = cx.tree.items(list).ok_or("`Or` holds no list")?;
            let parts: Vec<String> = items
                .iter()
                .map(|&i| condition(cx, i).map(|p| format!("({p})")))
                .collect::<Result<_, _>>()?;
            parts.join(" or ")
        }
        // 1.x compared instants, strictly (`isAfter` / `isBefore`); `timestampMilli` turns both
        // sides into epoch milliseconds (Schedule dates are whole seconds).
        "DateTimeBetween" => {
            let bound = |key: &str, op: &str| -> Result<Option<String>, String> {
                match string(cx, item, key) {
                    None => Ok(None),
                    Some(v) if is_zoned_date_time(v) => Ok(Some(format!(
                        "(trigger.date | timestampMilli) {op} ('{v}' | timestampMilli)"
                    ))),
                    Some(_) => Err(format!(
                        "`{name}`'s `{key}` is not a plain date-time with its zone"
                    )),
                }
            };
            let parts: Vec<String> = [bound("after", ">")?, bound("before", "<")?]
                .into_iter()
                .flatten()
                .collect();
            if parts.is_empty() {
                return Err(format!("`{name}` has neither `after` nor `before`"));
            }
            parts.join(" and ")
        }
        "TimeBetween" => {
            return Err(format!(
                "`{name}` compared times of day with their offsets, strictly (08:00 is not after \
                 08:00); 2.0's `hourOfDay()` differs at the boundary"
            ))
        }
        _ => return Err(format!("`{name}` has no `when` equivalent kflow writes")),
    })
}

/// A condition's `expression` when it is one `{{ … }}`, without the braces.
fn single_expression(cx: &Source, item: NodeId) -> Result<String, String> {
    let e = string(cx, item, "expression").ok_or("an expression condition is empty")?;
    let inner = e
        .trim()
        .strip_prefix("{{")
        .and_then(|r| r.strip_suffix("}}"))
        .filter(|i| !i.contains("{{") && !i.contains("}}"))
        .ok_or("an expression condition is not one `{{ … }}` expression")?;
    Ok(inner.trim().to_string())
}

/// A condition about the upstream execution as one `when` test (inside `Not` or `Or`, where it
/// cannot become a `dependsOn` field).
fn flow_test(cx: &Source, item: NodeId) -> Result<String, String> {
    let name = condition_name(cx, item).unwrap_or_default();
    Ok(match name.strip_suffix("Condition").unwrap_or(&name) {
        "ExecutionNamespace" => match namespace_test(cx, item)? {
            Some(test) => test,
            None => format!("flow.namespace == {}", quoted_literal(cx, item, "namespace")?),
        },
        "ExecutionFlow" => format!(
            "flow.namespace == {} and flow.id == {}",
            quoted_literal(cx, item, "namespace")?,
            quoted_literal(cx, item, "flowId")?
        ),
        "ExecutionOutputs" => outputs_test(cx, item)?,
        _ => return Err(format!("`{name}` inside `Not` or `Or` has no equivalent kflow writes")),
    })
}

/// `ExecutionOutputs`' expression for a Flow trigger's `when`: 1.x rendered it with the
/// upstream's flow outputs as `trigger.outputs` and was false when there were none; 2.0 renders
/// `when` with the upstream execution's variables, where they are `execution.outputs`.
fn outputs_test(cx: &Source, item: NodeId) -> Result<String, String> {
    let expr = single_expression(cx, item)?;
    let rewritten = expr.replace("trigger.outputs", "execution.outputs");
    // Every other name is the upstream execution's in 2.0 too, but not necessarily in 1.x.
    let bare_outputs = rewritten.matches("outputs").count() != rewritten.matches("execution.outputs").count();
    if rewritten.contains("trigger") || bare_outputs || rewritten.contains(['\'', '"']) {
        return Err(
            "`ExecutionOutputs` reads more than `trigger.outputs` (or quotes text); rewrite it \
             with `execution.outputs`"
                .into(),
        );
    }
    Ok(format!(
        "(execution.outputs is not empty) and ({rewritten})"
    ))
}

/// `2025-12-31T23:59:59Z` or with an offset: what Java's `ZonedDateTime.parse` reads the same way
/// on both sides (no zone name, no expression).
fn is_zoned_date_time(v: &str) -> bool {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let date = b.len() > 16
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16);
    if !date {
        return false;
    }
    let rest = &v[16..];
    let (time, zone) = match rest.find(['Z', '+', '-']) {
        Some(i) => rest.split_at(i),
        None => return false,
    };
    let time_ok = time.is_empty()
        || time.strip_prefix(':').is_some_and(|t| {
            let (sec, frac) = t.split_once('.').unwrap_or((t, "0"));
            sec.len() == 2
                && sec.bytes().all(|c| c.is_ascii_digit())
                && !frac.is_empty()
                && frac.len() <= 9
                && frac.bytes().all(|c| c.is_ascii_digit())
        });
    let zone_ok = zone == "Z" || {
        let z = zone.as_bytes();
        z.len() == 6 && z[3] == b':' && z[1..3].iter().chain(&z[4..6]).all(u8::is_ascii_digit)
    };
    time_ok && zone_ok
}

/// A YAML scalar holding `s`: double-quoted when that needs no escape, else single-quoted.
fn quoted(s: &str) -> String {
    if !s.contains(['"', '\\']) {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// One `dependsOn` entry.
#[derive(Default)]
struct Dependency {
    namespace: Option<String>,
    flow_id: Option<String>,
    states: Option<String>,
    /// A quoted `{{ … }}` expression.
    when: Option<String>,
    /// `labels:` and its mapping as written, its lines after the first unindented.
    labels: Option<String>,
}

impl Dependency {
    fn lines(&self) -> Vec<String> {
        let fields = [
            ("namespace", &self.namespace),
            ("flowId", &self.flow_id),
            ("states", &self.states),
            ("when", &self.when),
        ];
        let mut out: Vec<String> = Vec::new();
        let dash = |out: &Vec<String>| if out.is_empty() { "  - " } else { "    " };
        for (key, value) in fields {
            if let Some(v) = value {
                out.push(format!("{}{key}: {v}", dash(&out)));
            }
        }
        if let Some(labels) = &self.labels {
            for (i, line) in labels.lines().enumerate() {
                let lead = if i == 0 { dash(&out) } else { "    " };
                out.push(format!("{lead}{line}"));
            }
        }
        if out.is_empty() {
            out.push("  - {}".into());
        }
        out
    }
}

/// A scalar's text as written (quotes kept).
fn raw(cx: &Source, node: NodeId) -> Option<String> {
    cx.tree.str(node)?;
    Some(cx.text(cx.tree.span(node)).to_string())
}

/// A list of states as a flow list of the values as written.
fn states(cx: &Source, list: NodeId) -> Result<String, String> {
    let items = cx.tree.items(list).ok_or("`states` is not a list")?;
    let names: Vec<String> = items
        .iter()
        .map(|&i| raw(cx, i).ok_or_else(|| "a state is not a plain value".to_string()))
        .collect::<Result<_, _>>()?;
    Ok(format!("[{}]", names.join(", ")))
}

fn depends_on(cx: &Source, node: NodeId, key: &str) -> Result<Edit, String> {
    let value = cx.tree.get_value(node, key).ok_or("no value")?;
    let mut lines = vec!["dependsOn:".to_string()];
    if key == "preconditions" {
        let (deps, window) = preconditions(cx, value)?;
        for d in deps {
            lines.extend(d.lines());
        }
        if let Some(deadline) = window {
            lines.push("window:".into());
            lines.push(format!("  deadline: {deadline}"));
        }
    } else {
        let (deps, window) = from_conditions(cx, value)?;
        for d in deps {
            lines.extend(d.lines());
        }
        lines.extend(window);
    }
    replace_entry(cx, node, key, &lines).ok_or_else(|| "its layout is unusual".into())
}

/// What a Flow trigger's conditions say: the dependencies and the window's lines.
type Dependencies = (Vec<Dependency>, Vec<String>);

fn from_conditions(cx: &Source, list: NodeId) -> Result<Dependencies, String> {
    let items = cx.tree.items(list).ok_or("the conditions are not a list")?;
    let mut shared = Dependency::default();
    let mut whens: Vec<String> = Vec::new();
    let mut multiple: Option<Dependencies> = None;
    let set = |slot: &mut Option<String>, v: String, what: &str| -> Result<(), String> {
        match slot {
            Some(old) if *old != v => Err(format!("two conditions set the {what}")),
            _ => {
                *slot = Some(v);
                Ok(())
            }
        }
    };
    for &item in items {
        let name = condition_name(cx, item).ok_or("a condition has no type")?;
        let base = name.strip_suffix("Condition").unwrap_or(&name);
        let field = |key: &str| {
            cx.tree
                .get_value(item, key)
                .and_then(|v| raw(cx, v))
                .ok_or_else(|| format!("`{name}` has no plain `{key}`"))
        };
        match base {
            "ExecutionFlow" => {
                set(&mut shared.namespace, field("namespace")?, "namespace")?;
                set(&mut shared.flow_id, field("flowId")?, "flow")?;
            }
            "ExecutionNamespace" => match namespace_test(cx, item)? {
                None => set(&mut shared.namespace, field("namespace")?, "namespace")?,
                Some(test) => whens.push(test),
            },
            "ExecutionStatus" => {
                if cx.tree.get(item, "notIn").is_some() {
                    return Err("`ExecutionStatus` has `notIn`".into());
                }
                let list = cx.tree.get_value(item, "in").ok_or("`ExecutionStatus` has no `in`")?;
                set(&mut shared.states, states(cx, list)?, "states")?;
            }
            "Not" => {
                let inner = cx
                    .tree
                    .get_value(item, "conditions")
                    .and_then(|l| cx.tree.items(l))
                    .filter(|l| l.len() == 1)
                    .ok_or("`Not` does not hold exactly one condition")?;
                whens.push(format!("not ({})", flow_test(cx, inner[0])?));
            }
            "Or" => {
                let inner = cx
                    .tree
                    .get_value(item, "conditions")
                    .and_then(|l| cx.tree.items(l))
                    .filter(|l| !l.is_empty())
                    .ok_or("`Or` holds no conditions")?;
                let parts: Vec<String> = inner
                    .iter()
                    .map(|&i| flow_test(cx, i).map(|t| format!("({t})")))
                    .collect::<Result<_, _>>()?;
                whens.push(parts.join(" or "));
            }
            "ExecutionLabels" if shared.labels.is_none() => {
                let entry = cx.tree.get(item, "labels").ok_or("`ExecutionLabels` has no `labels`")?;
                if cx.tree.entries(entry.value).is_none() {
                    return Err("`ExecutionLabels`' labels are not a mapping".into());
                }
                shared.labels = Some(entry_text(cx, item, entry.key, entry.value)?.0);
            }
            "Multiple" if multiple.is_none() => multiple = Some(multiple_condition(cx, item)?),
            "HasRetryAttempt" => {
                return Err(format!(
                    "`{name}`: 2.0 renders a Flow trigger's `when` with the upstream execution's \
                     variables, which say nothing of retries"
                ))
            }
            "ExecutionOutputs" => whens.push(outputs_test(cx, item)?),
            _ => return Err(format!("`{name}` has no `dependsOn` equivalent kflow writes")),
        }
    }
    if !whens.is_empty() {
        let joined = if whens.len() == 1 {
            whens.remove(0)
        } else {
            whens.iter().map(|w| format!("({w})")).collect::<Vec<_>>().join(" and ")
        };
        shared.when = Some(quoted(&format!("{{{{ {joined} }}}}")));
    }
    let Some((flows, window)) = multiple else {
        return Ok((vec![shared], Vec::new()));
    };
    if shared.namespace.is_some() || shared.flow_id.is_some() {
        return Err("an upstream flow is named both inside and beside `MultipleCondition`".into());
    }
    let deps = flows
        .into_iter()
        .map(|f| Dependency {
            states: shared.states.clone(),
            when: shared.when.clone(),
            labels: shared.labels.clone(),
            ..f
        })
        .collect();
    Ok((deps, window))
}

/// A condition's property as a single-quoted Pebble string.
fn quoted_literal(cx: &Source, item: NodeId, key: &str) -> Result<String, String> {
    let v = string(cx, item, key).ok_or_else(|| format!("no plain `{key}`"))?;
    if v.contains(['\'', '\\', '{']) {
        return Err(format!("`{key}` is not a plain value"));
    }
    Ok(format!("'{v}'"))
}

/// An `ExecutionNamespace` that is not an exact match, as a test on the upstream execution's
/// namespace. In 2.0 a Flow trigger's `when` and its `dependsOn` entries' `when` render with the
/// upstream execution's variables, where `flow` is that execution's flow (`FlowTriggerService`
/// builds the context with `runContextFactory.of(null, execution)`, and `RunVariables` then
/// takes `flow` from the execution); `startsWith` / `endsWith` are filters, not operators.
fn namespace_test(cx: &Source, item: NodeId) -> Result<Option<String>, String> {
    let comparison = string(cx, item, "comparison");
    let prefix = string(cx, item, "prefix") == Some("true");
    let op = match (comparison, prefix) {
        (None | Some("EQUALS"), false) => return Ok(None),
        (Some("PREFIX"), _) | (None, true) => "startsWith",
        (Some("SUFFIX"), _) => "endsWith",
        _ => return Err("`ExecutionNamespace` has an unusual comparison".into()),
    };
    Ok(Some(format!(
        "flow.namespace | {op}({})",
        quoted_literal(cx, item, "namespace")?
    )))
}

/// `MultipleCondition`: one dependency per upstream flow, its window as a lookback.
fn multiple_condition(cx: &Source, item: NodeId) -> Result<Dependencies, String> {
    let advance = string(cx, item, "windowAdvance");
    if advance.is_some_and(|a| !matches!(a, "P0D" | "PT0S" | "PT0M" | "PT0H")) {
        return Err("`MultipleCondition` advances its window".into());
    }
    let window = string(cx, item, "window").ok_or("`MultipleCondition` has no `window`")?;
    let map = cx
        .tree
        .get_value(item, "conditions")
        .ok_or("`MultipleCondition` has no conditions")?;
    let entries = cx.tree.entries(map).ok_or("`MultipleCondition`'s conditions are not a mapping")?;
    let mut deps = Vec::new();
    for e in entries {
        let inner = e.value;
        let name = condition_name(cx, inner).unwrap_or_default();
        if name.strip_suffix("Condition").unwrap_or(&name) != "ExecutionFlow" {
            return Err(format!("`MultipleCondition` holds `{name}`"));
        }
        let get = |k: &str| cx.tree.get_value(inner, k).and_then(|v| raw(cx, v));
        deps.push(Dependency {
            namespace: Some(get("namespace").ok_or("an upstream flow has no namespace")?),
            flow_id: Some(get("flowId").ok_or("an upstream flow has no flowId")?),
            ..Dependency::default()
        });
    }
    Ok((deps, vec!["window:".into(), format!("  lookback: {window}")]))
}

/// `preconditions` as dependencies and a deadline.
fn preconditions(
    cx: &Source,
    map: NodeId,
) -> Result<(Vec<Dependency>, Option<String>), String> {
    let entries = cx.tree.entries(map).ok_or("`preconditions` is not a mapping")?;
    let mut deps = Vec::new();
    let mut deadline = None;
    for e in entries {
        match cx.tree.str(e.key).unwrap_or_default() {
            "id" => {}
            "resetOnSuccess" if cx.tree.str(e.value) == Some("true") => {}
            "flows" => {
                let items = cx.tree.items(e.value).ok_or("`flows` is not a list")?;
                for &f in items {
                    let get = |k: &str| cx.tree.get_value(f, k).and_then(|v| raw(cx, v));
                    let states = match cx.tree.get_value(f, "states") {
                        Some(s) => Some(states(cx, s)?),
                        None => None,
                    };
                    let keys = cx.tree.entries(f).ok_or("a flow is not a mapping")?;
                    if keys.iter().any(|k| {
                        !matches!(
                            cx.tree.str(k.key),
                            Some("namespace" | "flowId" | "states")
                        )
                    }) {
                        return Err("an upstream flow has more than namespace, flowId and states".into());
                    }
                    deps.push(Dependency {
                        namespace: get("namespace"),
                        flow_id: get("flowId"),
                        states,
                        ..Dependency::default()
                    });
                }
            }
            "timeWindow" => {
                let kind = string(cx, e.value, "type");
                let at = cx.tree.get_value(e.value, "deadline").and_then(|v| raw(cx, v));
                match (kind, at) {
                    (Some("DAILY_TIME_DEADLINE"), Some(at)) => deadline = Some(at),
                    _ => return Err("its time window is not a daily deadline".into()),
                }
            }
            other => return Err(format!("`preconditions.{other}` has no equivalent kflow writes")),
        }
    }
    if deps.is_empty() {
        return Err("`preconditions` names no upstream flow".into());
    }
    Ok((deps, deadline))
}

#[cfg(test)]
mod tests {
    use super::is_zoned_date_time;

    #[test]
    fn zoned_date_times_are_the_plain_iso_ones() {
        for ok in ["2025-12-31T23:59:59Z", "2026-06-30T23:59:59+02:00", "2026-01-01T00:00Z", "2026-01-01T00:00:00.5-05:00"] {
            assert!(is_zoned_date_time(ok), "{ok}");
        }
        for bad in ["2025-12-31", "2025-12-31T23:59:59", "2025-12-31T23:59:59[Europe/Paris]", "{{ now() }}", "2025-12-31T23:59:59+2"] {
            assert!(!is_zoned_date_time(bad), "{bad}");
        }
    }
}
