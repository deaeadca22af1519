//! Dates, times and durations in the ISO-8601 shapes Java prints and parses (`Instant.parse`,
//! `LocalDate.parse`, `LocalTime.parse`, `Duration.parse` and their `toString`). Hand-written
//! for Java compatibility: `jiff` (in the tree for the Pebble date functions, with zones) covers
//! the years -9999..=9999, while a Java `Instant` spans a billion years each way and prints
//! `+10000-01-01T00:00:00Z`; these conversions need only the proleptic Gregorian calendar and
//! fixed offsets. Zoned arithmetic and patterns live in `render::dates`, on jiff.

use std::time::{SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A point on the UTC time line (Java `Instant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    pub secs: i64,
    pub nanos: u32,
}

impl Instant {
    pub fn now() -> Instant {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => Instant {
                secs: d.as_secs() as i64,
                nanos: d.subsec_nanos(),
            },
            Err(_) => Instant { secs: 0, nanos: 0 },
        }
    }

    pub fn from_millis(millis: i64) -> Instant {
        Instant {
            secs: millis.div_euclid(1000),
            nanos: (millis.rem_euclid(1000) * 1_000_000) as u32,
        }
    }

    pub fn plus(self, d: &JavaDuration) -> Instant {
        let mut secs = self.secs.saturating_add(d.secs);
        let mut nanos = self.nanos + d.nanos;
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000;
            secs = secs.saturating_add(1);
        }
        Instant { secs, nanos }
    }

    /// Java's `Instant.toString()` (`DateTimeFormatter.ISO_INSTANT`): `2024-01-31T10:00:00Z`,
    /// with 3, 6 or 9 fraction digits only when needed.
    pub fn to_iso(self) -> String {
        self.to_iso_with_offset(0)
    }

    /// The local date-time at `offset_minutes` followed by the offset (`Z` when zero).
    pub fn to_iso_with_offset(self, offset_minutes: i32) -> String {
        let local = self.secs + offset_minutes as i64 * 60;
        let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
        let sod = local.rem_euclid(86_400);
        format!(
            "{}T{:02}:{:02}:{:02}{}{}",
            format_year_date(y, mo, d),
            sod / 3600,
            (sod % 3600) / 60,
            sod % 60,
            fraction(self.nanos),
            format_offset(offset_minutes)
        )
    }

    /// Millisecond precision, always 3 digits, as Ion timestamps written from a `java.util.Date`.
    pub fn to_iso_millis(self) -> String {
        let (y, mo, d) = civil_from_days(self.secs.div_euclid(86_400));
        let sod = self.secs.rem_euclid(86_400);
        format!(
            "{}T{:02}:{:02}:{:02}.{:03}Z",
            format_year_date(y, mo, d),
            sod / 3600,
            (sod % 3600) / 60,
            sod % 60,
            self.nanos / 1_000_000
        )
    }

    /// Java's `Instant.parse` (JDK ≥ 12): `2024-01-31T10:00:00Z`, `…+02:00`, optional fraction.
    pub fn parse(text: &str) -> Result<Instant, String> {
        let dt = DateTime::parse(text)?;
        match dt.offset_minutes {
            Some(_) => Ok(dt.instant()),
            None => Err(format!(
                "'{text}' has no offset (expected e.g. 2024-01-31T10:00:00Z)"
            )),
        }
    }
}

/// A date-time with an optional UTC offset, as read from ISO text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    pub date: Date,
    pub time: Time,
    pub offset_minutes: Option<i32>,
}

impl DateTime {
    pub fn parse(text: &str) -> Result<DateTime, String> {
        let (date_part, rest) = text
            .split_once(['T', 't'])
            .ok_or_else(|| format!("'{text}' is not an ISO date-time (missing 'T')"))?;
        let date = Date::parse(date_part)?;
        let (time_part, offset_minutes) =
            split_offset(rest).ok_or_else(|| format!("'{text}' has an invalid offset"))?;
        let time = Time::parse(time_part).map_err(|e| format!("'{text}': {e}"))?;
        Ok(DateTime {
            date,
            time,
            offset_minutes,
        })
    }

    /// The instant, reading a missing offset as UTC.
    pub fn instant(&self) -> Instant {
        let days = days_from_civil(self.date.year, self.date.month, self.date.day);
        let local = days * 86_400 + self.time.seconds_of_day() as i64;
        Instant {
            secs: local - self.offset_minutes.unwrap_or(0) as i64 * 60,
            nanos: self.time.nanos,
        }
    }
}

fn split_offset(rest: &str) -> Option<(&str, Option<i32>)> {
    if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        return Some((time, Some(0)));
    }
    match rest.rfind(['+', '-']) {
        Some(at) => {
            let offset = &rest[at + 1..];
            let sign = if rest.as_bytes()[at] == b'-' { -1 } else { 1 };
            let (h, m) = match offset.len() {
                2 => (offset, "00"),
                4 => (&offset[..2], &offset[2..]),
                5 if offset.as_bytes()[2] == b':' => (&offset[..2], &offset[3..]),
                _ => return None,
            };
            let h: i32 = digits(h)?;
            let m: i32 = digits(m)?;
            if h > 18 || m > 59 {
                return None;
            }
            Some((&rest[..at], Some(sign * (h * 60 + m))))
        }
        None => Some((rest, None)),
    }
}

use kflow_java::digits;

/// A calendar date (Java `LocalDate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `LocalDate.parse`: `yyyy-MM-dd` (years beyond 9999 need a sign).
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("'{text}' is not a date (expected yyyy-MM-dd)");
        let (sign, body) = match text.as_bytes().first() {
            Some(b'+') => (1, &text[1..]),
            Some(b'-') => (-1, &text[1..]),
            _ => (1, text),
        };
        let mut parts = body.splitn(3, '-');
        let (y, m, d) = (parts.next(), parts.next(), parts.next());
        let (Some(y), Some(m), Some(d)) = (y, m, d) else {
            return Err(bad());
        };
        if y.len() < 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let year: i64 = digits(y).ok_or_else(bad)?;
        let month: u32 = digits(m).ok_or_else(bad)?;
        let day: u32 = digits(d).ok_or_else(bad)?;
        let year = sign * year;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(format!("'{text}' is not a valid calendar date"));
        }
        Ok(Date { year, month, day })
    }

    pub fn to_iso(self) -> String {
        format_year_date(self.year, self.month, self.day)
    }

    pub fn days(self) -> i64 {
        days_from_civil(self.year, self.month, self.day)
    }

    pub fn from_days(days: i64) -> Date {
        let (year, month, day) = civil_from_days(days);
        Date { year, month, day }
    }
}

/// A wall-clock time (Java `LocalTime`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time {
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
}

impl Time {
    /// `LocalTime.parse`: `HH:mm`, `HH:mm:ss`, `HH:mm:ss.f…` (up to 9 fraction digits).
    pub fn parse(text: &str) -> Result<Time, String> {
        let bad = || format!("'{text}' is not a time (expected HH:mm[:ss[.SSS]])");
        let (main, frac) = match text.split_once(['.', ',']) {
            Some((main, frac)) => (main, Some(frac)),
            None => (text, None),
        };
        let parts: Vec<&str> = main.split(':').collect();
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.len() != 2) {
            return Err(bad());
        }
        let hour: u32 = digits(parts[0]).ok_or_else(bad)?;
        let minute: u32 = digits(parts[1]).ok_or_else(bad)?;
        let second: u32 = match parts.get(2) {
            Some(s) => digits(s).ok_or_else(bad)?,
            None if frac.is_some() => return Err(bad()),
            None => 0,
        };
        let nanos = match frac {
            Some(f) if !f.is_empty() && f.len() <= 9 => {
                let value: u32 = digits(f).ok_or_else(bad)?;
                value * 10u32.pow(9 - f.len() as u32)
            }
            Some(_) => return Err(bad()),
            None => 0,
        };
        if hour > 23 || minute > 59 || second > 59 {
            return Err(format!("'{text}' is out of range"));
        }
        Ok(Time {
            hour,
            minute,
            second,
            nanos,
        })
    }

    pub fn seconds_of_day(self) -> u32 {
        self.hour * 3600 + self.minute * 60 + self.second
    }

    /// `LocalTime.toString()`: `10:15`, `10:15:30`, `10:15:30.500`.
    pub fn to_iso(self) -> String {
        let mut out = format!("{:02}:{:02}", self.hour, self.minute);
        if self.second > 0 || self.nanos > 0 {
            out.push_str(&format!(":{:02}", self.second));
            out.push_str(&fraction(self.nanos));
        }
        out
    }
}

fn format_year_date(year: i64, month: u32, day: u32) -> String {
    if (0..=9999).contains(&year) {
        format!("{year:04}-{month:02}-{day:02}")
    } else if year > 9999 {
        format!("+{year}-{month:02}-{day:02}")
    } else {
        format!("-{:04}-{month:02}-{day:02}", -year)
    }
}

/// Java's fraction printing: nothing, or 3, 6 or 9 digits.
fn fraction(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let mut digits = format!("{nanos:09}");
    while digits.len() > 3 && digits.ends_with("000") {
        digits.truncate(digits.len() - 3);
    }
    format!(".{digits}")
}

pub fn format_offset(offset_minutes: i32) -> String {
    if offset_minutes == 0 {
        return "Z".to_string();
    }
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let abs = offset_minutes.abs();
    format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
}

pub use kflow_java::duration::JavaDuration;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-719_468, -1, 0, 1, 19_723, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    }

    #[test]
    fn instants() {
        let i = Instant::parse("2024-01-01T10:00:00Z").unwrap();
        assert_eq!(i.to_iso(), "2024-01-01T10:00:00Z");
        let j = Instant::parse("2024-01-01T12:00:00+02:00").unwrap();
        assert_eq!(i, j);
        let k = Instant::parse("2024-01-01T10:00:00.5Z").unwrap();
        assert_eq!(k.to_iso(), "2024-01-01T10:00:00.500Z");
        assert_eq!(k.to_iso_millis(), "2024-01-01T10:00:00.500Z");
        assert!(Instant::parse("2024-01-01T10:00:00").is_err());
        assert!(Instant::parse("2024-02-30T10:00:00Z").is_err());
        assert_eq!(i.to_iso_with_offset(120), "2024-01-01T12:00:00+02:00");
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_iso(), "2024-02-29");
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2024-2-1").is_err());
        assert_eq!(Time::parse("10:15").unwrap().to_iso(), "10:15");
        assert_eq!(Time::parse("10:15:30").unwrap().to_iso(), "10:15:30");
        assert_eq!(Time::parse("10:15:30.5").unwrap().to_iso(), "10:15:30.500");
        assert!(Time::parse("24:00").is_err());
    }

    #[test]
    fn durations_like_java() {
        let d = |s: &str| JavaDuration::parse(s).unwrap();
        assert_eq!(d("PT30S").secs, 30);
        assert_eq!(d("PT1H30M").to_iso(), "PT1H30M");
        assert_eq!(d("P2D").to_iso(), "PT48H");
        assert_eq!(d("pt0.5s").to_iso(), "PT0.5S");
        assert_eq!(d("-PT0.5S").to_iso(), "PT-0.5S");
        assert_eq!(d("PT-1H").to_iso(), "PT-1H");
        assert_eq!(d("PT90S").to_iso(), "PT1M30S");
        assert_eq!(d("PT0S").to_iso(), "PT0S");
        for bad in ["", "P", "PT", "1H", "P1H", "PT1D", "PTS"] {
            assert!(JavaDuration::parse(bad).is_err(), "{bad}");
        }
    }
}
