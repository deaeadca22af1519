//! Kestra's date filters (`date`, `dateAdd`, `timestamp*`) and `now()`, with Java
//! `DateTimeFormatter` patterns and named formats. The server's default time zone is taken to
//! be UTC (`Etc/UTC`, as in Kestra's official images).

mod format;

pub(crate) use format::{format_local_date, format_pattern};
mod parse;

use jiff::tz::{Offset, TimeZone};
use jiff::{Span as JSpan, Timestamp, Zoned};
use kflow_syntax::Span;

use super::args::Bound;
use super::error::{fail, EResult, EvalError};
use super::filters::cast_str;
use super::value::Val;

/// A Java `ZoneId`: the rules, and the id as Java prints it.
#[derive(Clone, Debug)]
pub struct Zone {
    pub tz: TimeZone,
    pub id: String,
    /// A `ZoneOffset` (printed without `[id]` by the ISO zoned formats).
    pub is_offset: bool,
}

impl Zone {
    pub fn default_zone() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            id: "Etc/UTC".into(),
            is_offset: false,
        }
    }

    fn fixed(seconds: i32) -> Result<Zone, String> {
        let offset = Offset::from_seconds(seconds).map_err(|e| e.to_string())?;
        Ok(Zone {
            tz: TimeZone::fixed(offset),
            id: offset_id(seconds),
            is_offset: true,
        })
    }

    /// Java `ZoneId.of`.
    pub fn of(id: &str) -> Result<Zone, String> {
        if id == "Z" {
            return Zone::fixed(0);
        }
        if id.starts_with(['+', '-']) {
            let secs = parse::parse_offset_id(id)
                .ok_or_else(|| format!("Invalid ID for ZoneOffset, invalid format: {id}"))?;
            return Zone::fixed(secs);
        }
        for prefix in ["UTC", "GMT", "UT"] {
            if let Some(rest) = id.strip_prefix(prefix) {
                if rest.is_empty() {
                    return Ok(Zone {
                        tz: TimeZone::UTC,
                        id: id.to_string(),
                        is_offset: false,
                    });
                }
                if rest.starts_with(['+', '-']) {
                    let secs = parse::parse_offset_id(rest)
                        .ok_or_else(|| format!("Invalid ID for offset-based ZoneId: {id}"))?;
                    let mut z = Zone::fixed(secs)?;
                    z.id = if secs == 0 {
                        prefix.to_string()
                    } else {
                        format!("{prefix}{}", offset_id(secs))
                    };
                    z.is_offset = false;
                    return Ok(z);
                }
            }
        }
        match TimeZone::get(id) {
            Ok(tz) => Ok(Zone {
                id: tz.iana_name().unwrap_or(id).to_string(),
                tz,
                is_offset: false,
            }),
            Err(_) => Err(format!("Unknown time-zone ID: {id}")),
        }
    }
}

/// Java `ZoneOffset.getId()`: `Z`, `+02:00`, `-05:30`, `+01:02:03`.
pub fn offset_id(seconds: i32) -> String {
    if seconds == 0 {
        return "Z".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// A date-time in its own zone (what Java's `ZonedDateTime` carries).
#[derive(Clone, Debug)]
pub struct DateTime {
    pub zoned: Zoned,
    pub zone: Zone,
}

impl DateTime {
    /// The instant `secs`.`nanos` after the epoch, at a fixed UTC offset.
    pub fn at_offset(secs: i64, nanos: u32, offset_seconds: i32) -> Result<DateTime, String> {
        let zone = Zone::fixed(offset_seconds)?;
        let instant = jiff::Timestamp::new(secs, nanos as i32).map_err(|e| e.to_string())?;
        Ok(DateTime {
            zoned: instant.to_zoned(zone.tz.clone()),
            zone,
        })
    }

    pub fn in_zone(&self, zone: &Zone) -> DateTime {
        DateTime {
            zoned: self.zoned.with_time_zone(zone.tz.clone()),
            zone: zone.clone(),
        }
    }
}

fn zone_arg(args: &Bound, span: Span) -> EResult<Zone> {
    match args.val("timeZone") {
        Val::Null => Ok(Zone::default_zone()),
        v => Zone::of(cast_str(&v, span)?).map_err(|e| EvalError::other(e, span)),
    }
}

fn opt_str_arg(args: &Bound, name: &str, span: Span) -> EResult<Option<String>> {
    match args.val(name) {
        Val::Null => Ok(None),
        v => Ok(Some(cast_str(&v, span)?.to_string())),
    }
}

/// Kestra's `AbstractDate.convert`: numbers are epoch seconds, milliseconds, microseconds or
/// nanoseconds depending on their number of digits; strings are ISO zoned date-times, else
/// local date-times in `zone`, else dates (start of day), or follow `existing_format`.
pub fn convert(v: &Val, zone: &Zone, existing_format: Option<&str>) -> Result<DateTime, String> {
    match v {
        Val::Int(n) => {
            let ts = epoch(*n).ok_or_else(|| format!("Invalid epoch value {n}"))?;
            Ok(DateTime {
                zoned: ts.to_zoned(zone.tz.clone()),
                zone: zone.clone(),
            })
        }
        Val::Str(s) => parse::parse_date(s, zone, existing_format),
        other => Err(format!(
            "class {} cannot be cast to class java.lang.String",
            other.java_class()
        )),
    }
}

/// Epoch number by digit count: up to 10 digits seconds, 11–13 milliseconds, 14–16
/// microseconds, 17–19 nanoseconds. A 19-digit value whose sub-second part has fewer than 7
/// significant digits is read as seconds followed by microseconds (the format older
/// `timestampMicro` versions produced), matching Kestra's tests.
fn epoch(n: i64) -> Option<Timestamp> {
    let digits = n.unsigned_abs().to_string().len();
    let (secs, nanos) = match digits {
        0..=10 => (n, 0),
        11..=13 => (n.div_euclid(1000), n.rem_euclid(1000) * 1_000_000),
        14..=16 => (n.div_euclid(1_000_000), n.rem_euclid(1_000_000) * 1000),
        _ => {
            let (s, rest) = (n.div_euclid(1_000_000_000), n.rem_euclid(1_000_000_000));
            if rest % 1000 != 0 && rest < 1_000_000 {
                (s, rest * 1000)
            } else {
                (s, rest)
            }
        }
    };
    Timestamp::new(secs, nanos as i32).ok()
}

/// Formats with a named format (`iso`, `sql`, `iso_local_date`…), a style (`short`…) or a
/// Java pattern, in `zone`.
pub fn format_in(dt: &DateTime, format: &str, zone: &Zone) -> Result<String, String> {
    format::format(&dt.in_zone(zone), format)
}

pub fn filter<'c>(name: &str, v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    if v.is_null() {
        return Ok(Val::Null);
    }
    let err = |m: String| EvalError::other(m, span);
    let zone = zone_arg(args, span)?;
    let existing = opt_str_arg(args, "existingFormat", span)?;
    let dt = convert(v, &zone, existing.as_deref()).map_err(err)?;
    let ts = dt.zoned.timestamp();
    match name {
        "date" => {
            let fmt = opt_str_arg(args, "format", span)?.unwrap_or_else(|| "iso".into());
            format_in(&dt, &fmt, &zone).map(Val::str).map_err(err)
        }
        "dateAdd" => {
            let amount = match args.val("amount") {
                Val::Int(i) => i,
                Val::Null => {
                    return fail("The 'dateAdd' filter expects an argument 'amount'.", span)
                }
                other => return Err(super::filters::cast_error(&other, "java.lang.Long", span)),
            };
            let unit = match args.val("unit") {
                Val::Null => return fail("The 'dateAdd' filter expects an argument 'unit'.", span),
                u => cast_str(&u, span)?.to_string(),
            };
            let added = add(&dt, amount, &unit).map_err(err)?;
            let fmt = opt_str_arg(args, "format", span)?.unwrap_or_else(|| "iso".into());
            format_in(&added, &fmt, &zone).map(Val::str).map_err(err)
        }
        "timestamp" => Ok(Val::Int(ts.as_second())),
        "timestampMilli" => Ok(Val::Int(ts.as_millisecond())),
        "timestampMicro" => Ok(Val::str(ts.as_microsecond().to_string())),
        _ => Ok(Val::str(ts.as_nanosecond().to_string())),
    }
}

/// `ZonedDateTime.plus(amount, ChronoUnit.valueOf(unit))`.
fn add(dt: &DateTime, amount: i64, unit: &str) -> Result<DateTime, String> {
    let bad = |e: jiff::Error| format!("Unable to add {amount} {unit}: {e}");
    let calendar = |years: i64, months: i64, days: i64| -> Result<JSpan, String> {
        JSpan::new()
            .try_years(years)
            .and_then(|s| s.try_months(months))
            .and_then(|s| s.try_days(days))
            .map_err(bad)
    };
    let span = match unit {
        "NANOS" => JSpan::new().try_nanoseconds(amount).map_err(bad)?,
        "MICROS" => JSpan::new().try_microseconds(amount).map_err(bad)?,
        "MILLIS" => JSpan::new().try_milliseconds(amount).map_err(bad)?,
        "SECONDS" => JSpan::new().try_seconds(amount).map_err(bad)?,
        "MINUTES" => JSpan::new().try_minutes(amount).map_err(bad)?,
        "HOURS" => JSpan::new().try_hours(amount).map_err(bad)?,
        "HALF_DAYS" => JSpan::new()
            .try_hours(amount.checked_mul(12).ok_or("overflow")?)
            .map_err(bad)?,
        "DAYS" => calendar(0, 0, amount)?,
        "WEEKS" => calendar(0, 0, amount.checked_mul(7).ok_or("overflow")?)?,
        "MONTHS" => calendar(0, amount, 0)?,
        "YEARS" => calendar(amount, 0, 0)?,
        "DECADES" => calendar(amount.checked_mul(10).ok_or("overflow")?, 0, 0)?,
        "CENTURIES" => calendar(amount.checked_mul(100).ok_or("overflow")?, 0, 0)?,
        "MILLENNIA" => calendar(amount.checked_mul(1000).ok_or("overflow")?, 0, 0)?,
        "ERAS" | "FOREVER" => return Err(format!("Unsupported unit: {}", title_unit(unit))),
        other => {
            return Err(format!(
                "No enum constant java.time.temporal.ChronoUnit.{other}"
            ))
        }
    };
    let zoned = dt.zoned.checked_add(span).map_err(bad)?;
    Ok(DateTime {
        zoned,
        zone: dt.zone.clone(),
    })
}

fn title_unit(unit: &str) -> String {
    let lower = unit.to_ascii_lowercase();
    let mut c = lower.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// `now(format, timeZone, existingFormat, locale)`.
pub fn now<'c>(now: std::time::SystemTime, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let zone = zone_arg(args, span)?;
    let ts = Timestamp::try_from(now).map_err(|e| EvalError::other(e.to_string(), span))?;
    let dt = DateTime {
        zoned: ts.to_zoned(Zone::default_zone().tz),
        zone: Zone::default_zone(),
    };
    let fmt = opt_str_arg(args, "format", span)?.unwrap_or_else(|| "iso".into());
    format_in(&dt, &fmt, &zone)
        .map(Val::str)
        .map_err(|e| EvalError::other(e, span))
}
