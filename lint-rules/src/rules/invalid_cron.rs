//! Reports a Schedule `cron` that Kestra cannot parse.
//!
//! ## What it does
//! Checks the cron expression of Schedule triggers: five fields (minute, hour, day of month,
//! month, day of week), six with `withSeconds: true`, or a nickname (`@daily`, `@hourly`…); each
//! field made of `*`, numbers within range, names (`JAN`, `MON`), lists, ranges and steps.
//!
//! ## Why
//! A wrong cron is only refused when the flow is saved, or fires at times nobody intended.
//!
//! ## Example
//! ```yaml
//! triggers:
//!   - id: nightly
//!     type: io.kestra.plugin.core.trigger.Schedule
//!     cron: "0 25 * * *"
//! ```
//!
//! ## Fix
//! Keep each field within its range (`0 2 * * *` for 02:00 every day).

use kflow_syntax::yaml::NodeId;

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "invalid-cron";
pub const SEVERITY: Severity = Severity::Error;

const NICKNAMES: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
    "@reboot",
];
const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// Value of the first name (JAN = 1, SUN = 0).
    names_from: u32,
}

const SECONDS: Field = Field {
    name: "second",
    min: 0,
    max: 59,
    names: &[],
    names_from: 0,
};
const MINUTES: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
    names_from: 0,
};
const HOURS: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
    names_from: 0,
};
const DOM: Field = Field {
    name: "day of month",
    min: 1,
    max: 31,
    names: &[],
    names_from: 0,
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: MONTHS,
    names_from: 1,
};
const DOW: Field = Field {
    name: "day of week",
    min: 0,
    max: 7,
    names: DAYS,
    names_from: 0,
};

fn value(field: &Field, s: &str) -> Result<u32, String> {
    if let Some(i) = field.names.iter().position(|n| n.eq_ignore_ascii_case(s)) {
        return Ok(i as u32 + field.names_from);
    }
    let n: u32 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a valid {}", field.name))?;
    if n < field.min || n > field.max {
        return Err(format!(
            "{} `{n}` is out of range {}-{}",
            field.name, field.min, field.max
        ));
    }
    Ok(n)
}

fn check_field(field: &Field, text: &str) -> Result<(), String> {
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(s) if s > 0 => {}
                _ => {
                    return Err(format!(
                        "`{step}` is not a valid step for the {}",
                        field.name
                    ))
                }
            }
        }
        // Quartz-style `L`/`W` markers that cron-utils accepts after a day number.
        let day_field = field.min == 1 && field.max == 31 || field.names == DAYS;
        let stripped = range.trim_end_matches(['L', 'W']);
        let range = if day_field && stripped.bytes().all(|b| b.is_ascii_digit()) {
            stripped
        } else {
            range
        };
        if matches!(range, "*" | "?" | "") && !part.is_empty() {
            continue;
        }
        let range = range.split('#').next().unwrap_or(range);
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (value(field, a)?, value(field, b)?);
                if a > b && field.name != "day of week" {
                    return Err(format!(
                        "range `{range}` of the {} goes backwards",
                        field.name
                    ));
                }
            }
            None => {
                value(field, range)?;
            }
        }
    }
    Ok(())
}

pub fn validate(cron: &str, with_seconds: bool) -> Result<(), String> {
    let cron = cron.trim();
    if cron.starts_with('@') {
        return if NICKNAMES.contains(&cron) {
            Ok(())
        } else {
            Err(format!(
                "`{cron}` is not a known nickname ({})",
                NICKNAMES.join(", ")
            ))
        };
    }
    let fields: Vec<&str> = cron.split_whitespace().collect();
    let layout: &[&Field] = if with_seconds {
        &[&SECONDS, &MINUTES, &HOURS, &DOM, &MONTH, &DOW]
    } else {
        &[&MINUTES, &HOURS, &DOM, &MONTH, &DOW]
    };
    if fields.len() != layout.len() {
        return Err(format!(
            "expected {} fields ({}), found {}",
            layout.len(),
            layout.iter().map(|f| f.name).collect::<Vec<_>>().join(", "),
            fields.len()
        ));
    }
    for (field, text) in layout.iter().zip(fields) {
        check_field(field, text)?;
    }
    Ok(())
}

fn is_schedule(name: &str) -> bool {
    name.ends_with(".Schedule")
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let tree = cx.tree;
    for (plugin, _) in cx.plugins() {
        if !plugin.type_.as_ref().is_some_and(|t| is_schedule(&t.name)) {
            continue;
        }
        let node: NodeId = plugin.node;
        let Some(cron) = tree.get_value(node, "cron") else {
            continue;
        };
        let Some(text) = tree.str(cron) else { continue };
        if text.contains("{{") {
            continue;
        }
        let with_seconds = tree.get_str(node, "withSeconds") == Some("true");
        if let Err(why) = validate(text, with_seconds) {
            out.push(Finding::new(
                ID,
                tree.span(cron),
                format!("invalid cron `{text}`: {why}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_real_schedules() {
        for ok in [
            "0 2 * * *",
            "*/15 * * * *",
            "0 9 * * MON-FRI",
            "0 0 1 JAN,JUL *",
            "@daily",
            "0 0 * * 7",
            "0 0 L * ?",
        ] {
            assert!(validate(ok, false).is_ok(), "{ok}");
        }
        assert!(validate("*/10 * * * * *", true).is_ok());
    }

    #[test]
    fn rejects_out_of_range_and_wrong_arity() {
        assert!(validate("0 25 * * *", false)
            .unwrap_err()
            .contains("hour `25`"));
        assert!(validate("* * * *", false)
            .unwrap_err()
            .contains("expected 5 fields"));
        assert!(validate("*/0 * * * *", false).is_err());
        assert!(validate("@sometimes", false).is_err());
        assert!(validate("0 0 * FOO *", false).is_err());
    }
}
