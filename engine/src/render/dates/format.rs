//! Java `DateTimeFormatter` output: patterns (`yyyy-MM-dd HH:mm:ss.SSSXXX`…), Kestra's named
//! formats and the predefined ISO / RFC 1123 formatters, in the `en_US` locale. The engine's one
//! Java date formatter: the `date` filters and the serdes writers' `dateFormat` /
//! `dateTimeFormat` both print through it.

use jiff::civil::{Date, Weekday};

use super::{offset_id, DateTime};

/// English month names (Java's default locale for `MMM`/`MMMM`).
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// One element of a pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A pattern letter repeated `n` times.
    Field(char, usize),
    Lit(String),
    OptStart,
    OptEnd,
}

const LETTERS: &str = "GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZp";

/// Splits a pattern into fields and literals (`'…'` quoting, `''` for a quote).
pub fn tokenize(pattern: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() {
            if !LETTERS.contains(c) {
                return Err(format!("Unknown pattern letter: {c}"));
            }
            let mut n = 1;
            while chars.get(i + n) == Some(&c) {
                n += 1;
            }
            toks.push(Tok::Field(c, n));
            i += n;
            continue;
        }
        match c {
            '\'' => {
                let mut lit = String::new();
                i += 1;
                if chars.get(i) == Some(&'\'') {
                    toks.push(Tok::Lit("'".into()));
                    i += 1;
                    continue;
                }
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(format!(
                                "Pattern ends with an incomplete string literal: {pattern}"
                            ))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            lit.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            lit.push(ch);
                            i += 1;
                        }
                    }
                }
                toks.push(Tok::Lit(lit));
                continue;
            }
            '[' => toks.push(Tok::OptStart),
            ']' => toks.push(Tok::OptEnd),
            '{' | '}' | '#' => return Err(format!("Pattern includes reserved character: '{c}'")),
            _ => toks.push(Tok::Lit(c.to_string())),
        }
        i += 1;
    }
    Ok(toks)
}

pub const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub fn month_name(m: i8) -> &'static str {
    MONTHS[(m as usize).clamp(1, 12) - 1]
}

pub fn day_name(w: Weekday) -> &'static str {
    DAYS[w.to_monday_zero_offset() as usize]
}

/// Formats with a Kestra name, a style or a pattern.
pub fn format(dt: &DateTime, format: &str) -> Result<String, String> {
    let pattern = match format {
        "iso" => "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
        "iso_milli" => "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        "iso_sec" => "yyyy-MM-dd'T'HH:mm:ssXXX",
        "sql" => "yyyy-MM-dd HH:mm:ss.SSSSSS",
        "sql_milli" => "yyyy-MM-dd HH:mm:ss.SSS",
        "sql_sec" | "sql_seq" => "yyyy-MM-dd HH:mm:ss",
        // Java 21 (CLDR 42) en_US styles; a narrow no-break space precedes AM/PM.
        "short" => "M/d/yy, h:mm\u{202f}a",
        "medium" => "MMM d, y, h:mm:ss\u{202f}a",
        "long" => "MMMM d, y 'at' h:mm:ss\u{202f}a z",
        "full" => "EEEE, MMMM d, y 'at' h:mm:ss\u{202f}a zzzz",
        "iso_date_time" => return Ok(iso_date_time(dt, true)),
        "iso_zoned_date_time" => return Ok(iso_date_time(dt, !dt.zone.is_offset)),
        "iso_offset_date_time" => return Ok(iso_date_time(dt, false)),
        "iso_date" => return Ok(format!("{}{}", iso_date(dt), offset_id(secs(dt)))),
        "iso_time" | "iso_offset_time" => {
            return Ok(format!("{}{}", iso_time(dt), offset_id(secs(dt))))
        }
        "iso_local_date" => return Ok(iso_date(dt)),
        "iso_local_time" => return Ok(iso_time(dt)),
        "iso_local_date_time" => return Ok(format!("{}T{}", iso_date(dt), iso_time(dt))),
        "iso_instant" => return Ok(iso_instant(dt)),
        "iso_ordinal_date" => {
            return Ok(format!(
                "{}-{:03}{}",
                year4(dt.zoned.year() as i64),
                dt.zoned.day_of_year(),
                offset_id(secs(dt))
            ))
        }
        "iso_week_date" => {
            let w = dt.zoned.date().iso_week_date();
            return Ok(format!(
                "{}-W{:02}-{}{}",
                year4(w.year() as i64),
                w.week(),
                w.weekday().to_monday_one_offset(),
                offset_id(secs(dt))
            ));
        }
        "rfc_1123_date_time" => return Ok(rfc_1123(dt)),
        other => other,
    };
    format_pattern(dt, pattern)
}

fn secs(dt: &DateTime) -> i32 {
    dt.zoned.offset().seconds()
}

fn year4(y: i64) -> String {
    if y > 9999 {
        format!("+{y}")
    } else if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

fn iso_date(dt: &DateTime) -> String {
    format!(
        "{}-{:02}-{:02}",
        year4(dt.zoned.year() as i64),
        dt.zoned.month(),
        dt.zoned.day()
    )
}

/// `HH:mm:ss` plus the fraction without trailing zeros.
fn iso_time(dt: &DateTime) -> String {
    let z = &dt.zoned;
    let mut s = format!("{:02}:{:02}:{:02}", z.hour(), z.minute(), z.second());
    let nanos = z.subsec_nanosecond();
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s
}

fn iso_date_time(dt: &DateTime, with_region: bool) -> String {
    let mut s = format!("{}T{}{}", iso_date(dt), iso_time(dt), offset_id(secs(dt)));
    if with_region && !dt.zone.is_offset {
        s.push('[');
        s.push_str(&dt.zone.id);
        s.push(']');
    }
    s
}

/// `ISO_INSTANT`: UTC, fraction in groups of three digits.
fn iso_instant(dt: &DateTime) -> String {
    let utc = dt.zoned.with_time_zone(jiff::tz::TimeZone::UTC);
    let mut s = format!(
        "{}-{:02}-{:02}T{:02}:{:02}:{:02}",
        year4(utc.year() as i64),
        utc.month(),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    );
    let nanos = utc.subsec_nanosecond();
    if nanos > 0 {
        let frac = format!("{nanos:09}");
        let digits = if nanos % 1_000_000 == 0 {
            3
        } else if nanos % 1000 == 0 {
            6
        } else {
            9
        };
        s.push('.');
        s.push_str(&frac[..digits]);
    }
    s.push('Z');
    s
}

fn rfc_1123(dt: &DateTime) -> String {
    let z = &dt.zoned;
    let off = secs(dt);
    let zone = if off == 0 {
        "GMT".to_string()
    } else {
        let a = off.unsigned_abs();
        format!(
            "{}{:02}{:02}",
            if off < 0 { '-' } else { '+' },
            a / 3600,
            a / 60 % 60
        )
    };
    format!(
        "{}, {} {} {} {:02}:{:02}:{:02} {}",
        &day_name(z.weekday())[..3],
        z.day(),
        &month_name(z.month())[..3],
        z.year(),
        z.hour(),
        z.minute(),
        z.second(),
        zone
    )
}

fn pad(n: i64, width: usize) -> String {
    if n < 0 {
        format!("-{:0width$}", -n, width = width)
    } else {
        format!("{n:0width$}")
    }
}

fn text(name: &str, n: usize) -> String {
    match n {
        4 => name.to_string(),
        5 => name[..1].to_string(),
        _ => name[..3].to_string(),
    }
}

/// Week numbering with Sunday as first day and 1 minimal day (`WeekFields.of(Locale.US)`).
fn start_of_week_offset(day: i64, dow: i64) -> i64 {
    let week_start = (day - dow).rem_euclid(7);
    if week_start + 1 > 1 {
        7 - week_start
    } else {
        -week_start
    }
}

fn compute_week(offset: i64, day: i64) -> i64 {
    (7 + offset + (day - 1)) / 7
}

fn us_dow(d: Date) -> i64 {
    d.weekday().to_sunday_zero_offset() as i64 + 1
}

fn week_of_month(d: Date) -> i64 {
    let offset = start_of_week_offset(d.day() as i64, us_dow(d));
    compute_week(offset, d.day() as i64)
}

/// (week-based-year, week-of-week-based-year) in the US convention.
fn week_based(d: Date) -> (i64, i64) {
    let doy = d.day_of_year() as i64;
    let offset = start_of_week_offset(doy, us_dow(d));
    let week = compute_week(offset, doy);
    if week == 0 {
        // Belongs to the last week of the previous year.
        let prev = d.first_of_year().yesterday().unwrap_or(d);
        return week_based(prev);
    }
    let days_in_year = d.days_in_year() as i64;
    let new_year_week = compute_week(offset, days_in_year + 1);
    if week >= new_year_week {
        return (d.year() as i64 + 1, week - new_year_week + 1);
    }
    (d.year() as i64, week)
}

/// Short zone name (`z`), as Java prints it for common zones.
fn zone_short(dt: &DateTime) -> String {
    if dt.zone.is_offset {
        return dt.zone.id.clone();
    }
    if matches!(
        dt.zone.id.as_str(),
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Universal" | "Zulu"
    ) {
        return "UTC".into();
    }
    if matches!(dt.zone.id.as_str(), "GMT" | "Etc/GMT" | "UT") {
        return dt.zone.id.clone();
    }
    let info = dt.zone.tz.to_offset_info(dt.zoned.timestamp());
    let abbr = info.abbreviation();
    if abbr.starts_with(['+', '-']) {
        // tzdb has no abbreviation: Java prints "GMT+03:00".
        return gmt_offset(secs(dt), true);
    }
    abbr.to_string()
}

/// Long zone name (`zzzz`) for the common zones, else the zone id.
fn zone_long(dt: &DateTime) -> String {
    let short = zone_short(dt);
    let name = match short.as_str() {
        "UTC" => "Coordinated Universal Time",
        "GMT" => "Greenwich Mean Time",
        "CET" => "Central European Standard Time",
        "CEST" => "Central European Summer Time",
        "EET" => "Eastern European Standard Time",
        "EEST" => "Eastern European Summer Time",
        "WET" => "Western European Standard Time",
        "WEST" => "Western European Summer Time",
        "BST" => "British Summer Time",
        "EST" => "Eastern Standard Time",
        "EDT" => "Eastern Daylight Time",
        "CST" => "Central Standard Time",
        "CDT" => "Central Daylight Time",
        "MST" => "Mountain Standard Time",
        "MDT" => "Mountain Daylight Time",
        "PST" => "Pacific Standard Time",
        "PDT" => "Pacific Daylight Time",
        "JST" => "Japan Standard Time",
        "IST" => "India Standard Time",
        _ => {
            return if dt.zone.is_offset {
                short
            } else {
                dt.zone.id.clone()
            }
        }
    };
    name.to_string()
}

/// `GMT+2` (short) or `GMT+02:00` (long); plain `GMT` for zero.
fn gmt_offset(s: i32, long: bool) -> String {
    if s == 0 {
        return "GMT".into();
    }
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, a / 60 % 60, a % 60);
    let mut out = if long {
        format!("GMT{sign}{h:02}:{m:02}")
    } else if m == 0 && sec == 0 {
        format!("GMT{sign}{h}")
    } else {
        format!("GMT{sign}{h}:{m:02}")
    };
    if sec != 0 {
        out.push_str(&format!(":{sec:02}"));
    }
    out
}

/// `X`/`x` offsets: `n` selects the shape, `z_for_zero` prints `Z` for a zero offset.
fn offset_x(s: i32, n: usize, z_for_zero: bool) -> String {
    if s == 0 && z_for_zero {
        return "Z".into();
    }
    let sign = if s < 0 { '-' } else { '+' };
    let a = s.unsigned_abs();
    let (h, m, sec) = (a / 3600, a / 60 % 60, a % 60);
    match n {
        1 if m == 0 => format!("{sign}{h:02}"),
        1 | 2 => format!("{sign}{h:02}{m:02}"),
        3 => format!("{sign}{h:02}:{m:02}"),
        4 if sec != 0 => format!("{sign}{h:02}{m:02}{sec:02}"),
        4 => format!("{sign}{h:02}{m:02}"),
        _ if sec != 0 => format!("{sign}{h:02}:{m:02}:{sec:02}"),
        _ => format!("{sign}{h:02}:{m:02}"),
    }
}

fn too_many(c: char) -> String {
    format!("Too many pattern letters: {c}")
}

pub fn format_pattern(dt: &DateTime, pattern: &str) -> Result<String, String> {
    format_tokens(dt, tokenize(pattern)?)
}

/// Pattern letters a `LocalDate` has (era, years, months, quarters, days, weeks, weekdays).
const DATE_LETTERS: &str = "GuyYMLQqdDwWFEec";

/// The field Java names when a `LocalDate` is asked for a time or zone letter.
fn unsupported(letter: char) -> String {
    let field = match letter {
        'a' => "AmPmOfDay",
        'h' => "ClockHourOfAmPm",
        'K' => "HourOfAmPm",
        'k' => "ClockHourOfDay",
        'H' => "HourOfDay",
        'm' => "MinuteOfHour",
        's' => "SecondOfMinute",
        'S' | 'n' => "NanoOfSecond",
        'A' => "MilliOfDay",
        'N' => "NanoOfDay",
        'X' | 'x' | 'Z' | 'O' => "OffsetSeconds",
        _ => {
            return format!(
                "Unable to extract ZoneId from temporal (a date without a zone: {letter})"
            )
        }
    };
    format!("Unsupported field: {field}")
}

/// A `LocalDate` through a pattern, as `DateTimeFormatter.format(LocalDate)`: a time or zone
/// letter fails, unless it sits in an `[optional]` section, which is then left out whole.
pub fn format_local_date(date: Date, pattern: &str) -> Result<String, String> {
    // Sections being read, innermost last: their tokens and whether one lacks a field.
    let mut sections: Vec<(Vec<Tok>, bool)> = vec![(Vec::new(), false)];
    for tok in tokenize(pattern)? {
        match tok {
            Tok::OptStart => sections.push((Vec::new(), false)),
            Tok::OptEnd if sections.len() > 1 => {
                let (toks, missing) = sections.pop().unwrap_or_default();
                if !missing {
                    if let Some((outer, _)) = sections.last_mut() {
                        outer.extend(toks);
                    }
                }
            }
            Tok::Field(c, _) if !DATE_LETTERS.contains(c) => {
                if sections.len() == 1 {
                    return Err(unsupported(c));
                }
                if let Some((_, missing)) = sections.last_mut() {
                    *missing = true;
                }
            }
            tok => {
                if let Some((toks, _)) = sections.last_mut() {
                    toks.push(tok);
                }
            }
        }
    }
    let (toks, _) = sections.swap_remove(0);
    // Only date fields remain: any time of that day, in any zone, prints the same.
    let midnight = date
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| e.to_string())?;
    let dt = DateTime {
        zoned: midnight,
        zone: super::Zone::default_zone(),
    };
    format_tokens(&dt, toks)
}

fn format_tokens(dt: &DateTime, toks: Vec<Tok>) -> Result<String, String> {
    let z = &dt.zoned;
    let date = z.date();
    let year = z.year() as i64;
    let mut out = String::new();
    for tok in toks {
        let (c, n) = match tok {
            Tok::Lit(s) => {
                out.push_str(&s);
                continue;
            }
            Tok::OptStart | Tok::OptEnd => continue,
            Tok::Field(c, n) => (c, n),
        };
        let hour = z.hour() as i64;
        let s = match c {
            'G' => match n {
                1..=3 => if year > 0 { "AD" } else { "BC" }.to_string(),
                4 => if year > 0 {
                    "Anno Domini"
                } else {
                    "Before Christ"
                }
                .to_string(),
                5 => if year > 0 { "A" } else { "B" }.to_string(),
                _ => return Err(too_many(c)),
            },
            'y' | 'u' | 'Y' => {
                let y = match c {
                    'y' if year <= 0 => 1 - year,
                    'Y' => week_based(date).0,
                    _ => year,
                };
                if n == 2 {
                    pad(y.rem_euclid(100), 2)
                } else if n == 4 && y > 9999 {
                    format!("+{y}")
                } else {
                    pad(y, n)
                }
            }
            'M' | 'L' => match n {
                1 | 2 => pad(z.month() as i64, n),
                3..=5 => text(month_name(z.month()), n),
                _ => return Err(too_many(c)),
            },
            'Q' | 'q' => {
                let q = (z.month() as i64 - 1) / 3 + 1;
                match n {
                    1 | 2 => pad(q, n),
                    3 => format!("Q{q}"),
                    4 => format!("{q}{} quarter", ["st", "nd", "rd", "th"][(q - 1) as usize]),
                    5 => q.to_string(),
                    _ => return Err(too_many(c)),
                }
            }
            'd' if n <= 2 => pad(z.day() as i64, n),
            'D' if n <= 3 => pad(z.day_of_year() as i64, n),
            'w' if n <= 2 => pad(week_based(date).1, n),
            'W' if n == 1 => week_of_month(date).to_string(),
            'F' if n == 1 => ((z.day() as i64 - 1) / 7 + 1).to_string(),
            'E' => match n {
                1..=5 => text(day_name(z.weekday()), n),
                _ => return Err(too_many(c)),
            },
            'e' | 'c' => match n {
                1 | 2 if !(c == 'c' && n == 2) => pad(us_dow(date), n),
                3..=5 => text(day_name(z.weekday()), n),
                _ => return Err(too_many(c)),
            },
            'a' if n == 1 => if hour < 12 { "AM" } else { "PM" }.to_string(),
            'h' if n <= 2 => pad(if hour % 12 == 0 { 12 } else { hour % 12 }, n),
            'K' if n <= 2 => pad(hour % 12, n),
            'k' if n <= 2 => pad(if hour == 0 { 24 } else { hour }, n),
            'H' if n <= 2 => pad(hour, n),
            'm' if n <= 2 => pad(z.minute() as i64, n),
            's' if n <= 2 => pad(z.second() as i64, n),
            'S' if n <= 9 => format!("{:09}", z.subsec_nanosecond())[..n].to_string(),
            'A' => pad(
                hour * 3_600_000
                    + z.minute() as i64 * 60_000
                    + z.second() as i64 * 1000
                    + z.subsec_nanosecond() as i64 / 1_000_000,
                n,
            ),
            'n' => pad(z.subsec_nanosecond() as i64, n),
            'N' => pad(
                (hour * 3600 + z.minute() as i64 * 60 + z.second() as i64) * 1_000_000_000
                    + z.subsec_nanosecond() as i64,
                n,
            ),
            'V' if n == 2 => dt.zone.id.clone(),
            'v' if n == 1 || n == 4 => dt.zone.id.clone(),
            'z' => match n {
                1..=3 => zone_short(dt),
                4 => zone_long(dt),
                _ => return Err(too_many(c)),
            },
            'O' => match n {
                1 => gmt_offset(secs(dt), false),
                4 => gmt_offset(secs(dt), true),
                _ => return Err(format!("Pattern letter count must be 1 or 4: {c}")),
            },
            'X' | 'x' if n <= 5 => offset_x(secs(dt), n, c == 'X'),
            'Z' => match n {
                1..=3 => offset_x(secs(dt), 2, false),
                4 => gmt_offset(secs(dt), true),
                5 => offset_x(secs(dt), 3, true),
                _ => return Err(too_many(c)),
            },
            'B' | 'p' => {
                return Err(format!(
                    "pattern letter '{c}' is not supported by kflow's renderer"
                ))
            }
            _ => return Err(too_many(c)),
        };
        out.push_str(&s);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serdes_default_patterns_on_instants_and_zoned_values() {
        // 2024-01-31T10:05:07.120Z
        let utc = DateTime::at_offset(1_706_695_507, 120_000_000, 0).unwrap();
        assert_eq!(
            format_pattern(&utc, "yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]").unwrap(),
            "2024-01-31T10:05:07.120Z"
        );
        let paris = DateTime::at_offset(1_706_695_507, 0, 3600).unwrap();
        assert_eq!(format_pattern(&paris, "HH:mm[XXX]").unwrap(), "11:05+01:00");
        assert_eq!(
            format_pattern(&paris, "dd MMM yyyy").unwrap(),
            "31 Jan 2024"
        );
    }

    #[test]
    fn a_local_date_drops_optional_time_and_fails_on_required_time() {
        let date = Date::new(2024, 1, 31).unwrap();
        assert_eq!(format_local_date(date, "yyyy-MM-dd").unwrap(), "2024-01-31");
        assert_eq!(
            format_local_date(date, "yyyy-MM-dd['T'HH:mm][XXX]").unwrap(),
            "2024-01-31"
        );
        assert_eq!(
            format_local_date(date, "EEEE d MMMM uuuu[ (Q)]").unwrap(),
            "Wednesday 31 January 2024 (1)"
        );
        assert_eq!(
            format_local_date(date, "yyyy-MM-dd HH:mm").unwrap_err(),
            "Unsupported field: HourOfDay"
        );
        assert_eq!(
            format_local_date(date, "yyyy XXX").unwrap_err(),
            "Unsupported field: OffsetSeconds"
        );
    }
}
