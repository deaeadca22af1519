//! Reading date strings: ISO forms (what `ZonedDateTime.parse`, `LocalDateTime.parse` and
//! `LocalDate.parse` accept) and Java patterns given as `existingFormat`, resolved like Java's
//! SMART resolver (a date-time with an offset or zone, else a local date-time in the requested
//! zone, else a date at the start of the day).

use jiff::civil::{Date, DateTime as CivilDateTime};

use super::format::{month_name, tokenize, Tok, DAYS};
use super::{DateTime, Zone};

#[derive(Default, Debug)]
struct Parsed {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    day_of_year: Option<i64>,
    hour: Option<i64>,
    hour12: Option<i64>,
    pm: Option<bool>,
    minute: Option<i64>,
    second: Option<i64>,
    nano: Option<i64>,
    offset: Option<i32>,
    zone: Option<Zone>,
    weekday: Option<i64>,
}

/// `+HH`, `+HHMM`, `+HH:MM`, `+HH:MM:SS` (also `-`), as seconds.
pub fn parse_offset_id(s: &str) -> Option<i32> {
    let mut c = Cur::new(s);
    let secs = c.offset(false)?;
    c.at_end().then_some(secs)
}

struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str) -> Self {
        Cur { s, i: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn eat_ci(&mut self, c: char) -> bool {
        match self.rest().chars().next() {
            Some(x) if x.eq_ignore_ascii_case(&c) => {
                self.i += x.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn digit_run(&self) -> usize {
        self.rest().bytes().take_while(u8::is_ascii_digit).count()
    }

    /// Between `min` and `max` ASCII digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let n = self.digit_run().min(max);
        if n < min || n == 0 {
            return None;
        }
        let v = self.rest()[..n].parse::<i64>().ok()?;
        self.i += n;
        Some(v)
    }

    /// An offset: `Z` (when `allow_z`), `+HH`, `+HHMM`, `+HH:MM`, `+HH:MM:SS`.
    fn offset(&mut self, allow_z: bool) -> Option<i32> {
        if allow_z && self.eat_ci('Z') {
            return Some(0);
        }
        let start = self.i;
        let sign = if self.eat("+") {
            1
        } else if self.eat("-") {
            -1
        } else {
            return None;
        };
        let Some(h) = self.digits(2, 2) else {
            self.i = start;
            return None;
        };
        let colon = self.eat(":");
        let m = self.digits(2, 2);
        if colon && m.is_none() {
            self.i = start;
            return None;
        }
        let s = if m.is_some() && (!colon || self.eat(":")) {
            self.digits(2, 2)
        } else {
            None
        };
        let total = h * 3600 + m.unwrap_or(0) * 60 + s.unwrap_or(0);
        if h > 18 || m.unwrap_or(0) > 59 || s.unwrap_or(0) > 59 {
            self.i = start;
            return None;
        }
        Some(sign * total as i32)
    }
}

fn iso_date(c: &mut Cur, p: &mut Parsed) -> Option<()> {
    let neg = c.eat("-");
    let plus = !neg && c.eat("+");
    let year = if neg || plus {
        c.digits(4, 10)?
    } else {
        c.digits(4, 4)?
    };
    p.year = Some(if neg { -year } else { year });
    c.eat("-").then_some(())?;
    p.month = Some(c.digits(2, 2)?);
    c.eat("-").then_some(())?;
    p.day = Some(c.digits(2, 2)?);
    Some(())
}

fn iso_time(c: &mut Cur, p: &mut Parsed) -> Option<()> {
    p.hour = Some(c.digits(2, 2)?);
    c.eat(":").then_some(())?;
    p.minute = Some(c.digits(2, 2)?);
    if c.eat(":") {
        p.second = Some(c.digits(2, 2)?);
        if c.eat(".") || c.eat(",") {
            let n = c.digit_run();
            if n == 0 || n > 9 {
                return None;
            }
            let frac = &c.rest()[..n];
            p.nano = Some(format!("{frac:0<9}").parse().ok()?);
            c.i += n;
        }
    }
    Some(())
}

/// Which ISO shape a string has: `(parsed, has_time, has_offset)`; `None` if none fits.
fn parse_iso(s: &str) -> Option<Parsed> {
    let mut p = Parsed::default();
    let mut c = Cur::new(s);
    iso_date(&mut c, &mut p)?;
    if c.at_end() {
        return Some(p);
    }
    c.eat_ci('T').then_some(())?;
    iso_time(&mut c, &mut p)?;
    if c.at_end() {
        return Some(p);
    }
    // ZonedDateTime.parse: an offset is required, a `[zone]` may follow.
    p.offset = Some(c.offset(true)?);
    if c.eat("[") {
        let end = c.rest().find(']')?;
        let id = &c.rest()[..end];
        p.zone = Some(Zone::of(id).ok()?);
        c.i += end + 1;
    }
    c.at_end().then_some(p)
}

fn parse_rfc_1123(s: &str) -> Option<Parsed> {
    let mut p = Parsed::default();
    let mut c = Cur::new(s);
    // Optional "Tue, ".
    for (i, d) in (1..=7).zip(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]) {
        if c.eat(d) {
            c.eat(",").then_some(())?;
            c.eat(" ").then_some(())?;
            p.weekday = Some(i);
            break;
        }
    }
    p.day = Some(c.digits(1, 2)?);
    c.eat(" ").then_some(())?;
    let month = (1..=12).find(|&m| c.eat(&month_name(m as i8)[..3]))?;
    p.month = Some(month);
    c.eat(" ").then_some(())?;
    p.year = Some(c.digits(4, 4)?);
    c.eat(" ").then_some(())?;
    p.hour = Some(c.digits(2, 2)?);
    c.eat(":").then_some(())?;
    p.minute = Some(c.digits(2, 2)?);
    if c.eat(":") {
        p.second = Some(c.digits(2, 2)?);
    }
    c.eat(" ").then_some(())?;
    p.offset = Some(if c.eat("GMT") { 0 } else { c.offset(false)? });
    c.at_end().then_some(p)
}

/// Reads a date string, following `existing` (a Kestra format name or a Java pattern) when
/// given.
pub fn parse_date(s: &str, zone: &Zone, existing: Option<&str>) -> Result<DateTime, String> {
    let unparsable = || format!("Text '{s}' could not be parsed at index 0");
    let parsed = match existing {
        None => parse_iso(s).ok_or_else(unparsable)?,
        Some(
            "iso_date_time"
            | "iso_zoned_date_time"
            | "iso_offset_date_time"
            | "iso_local_date_time"
            | "iso_local_date"
            | "iso_date"
            | "iso_instant",
        ) => parse_iso(s).ok_or_else(unparsable)?,
        Some("rfc_1123_date_time") => parse_rfc_1123(s).ok_or_else(unparsable)?,
        Some(name) => {
            let pattern = match name {
                "iso" => "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX",
                "iso_milli" => "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
                "iso_sec" => "yyyy-MM-dd'T'HH:mm:ssXXX",
                "sql" => "yyyy-MM-dd HH:mm:ss.SSSSSS",
                "sql_milli" => "yyyy-MM-dd HH:mm:ss.SSS",
                "sql_sec" | "sql_seq" => "yyyy-MM-dd HH:mm:ss",
                "full" | "long" | "medium" | "short" | "iso_time" | "iso_local_time"
                | "iso_offset_time" | "iso_ordinal_date" | "iso_week_date" => {
                    return Err(format!(
                        "parsing with the '{name}' format is not supported by kflow's renderer"
                    ))
                }
                p => p,
            };
            parse_pattern(s, pattern)?
        }
    };
    resolve(parsed, zone, s)
}

fn resolve(p: Parsed, zone: &Zone, text: &str) -> Result<DateTime, String> {
    let invalid = |what: &str| format!("Text '{text}' could not be parsed: {what}");
    let date = match (p.year, p.month, p.day, p.day_of_year) {
        (Some(y), Some(m), Some(d), _) => Some(
            Date::new(
                i16::try_from(y).map_err(|_| invalid("year out of range"))?,
                m as i8,
                d as i8,
            )
            .map_err(|e| invalid(&e.to_string()))?,
        ),
        (Some(y), _, _, Some(doy)) => Some(
            Date::new(
                i16::try_from(y).map_err(|_| invalid("year out of range"))?,
                1,
                1,
            )
            .and_then(|d| d.with().day_of_year(doy as i16).build())
            .map_err(|e| invalid(&e.to_string()))?,
        ),
        _ => None,
    };
    let Some(date) = date else {
        return Err(invalid(
            "Unable to obtain ZonedDateTime from TemporalAccessor",
        ));
    };
    if let Some(w) = p.weekday {
        if date.weekday().to_monday_one_offset() as i64 != w {
            return Err(invalid("Conflict found: day of week differs from the date"));
        }
    }
    let hour = match (p.hour, p.hour12, p.pm) {
        (Some(h), _, _) => Some(h),
        (None, Some(h), Some(pm)) => Some(h % 12 + if pm { 12 } else { 0 }),
        _ => None,
    };
    let Some(hour) = hour else {
        // A date alone: the start of that day in the requested zone.
        let dt = date.to_datetime(jiff::civil::Time::midnight());
        return at_zone(dt, zone, text);
    };
    let dt = CivilDateTime::new(
        date.year(),
        date.month(),
        date.day(),
        hour as i8,
        p.minute.unwrap_or(0) as i8,
        p.second.unwrap_or(0) as i8,
        p.nano.unwrap_or(0) as i32,
    )
    .map_err(|e| invalid(&e.to_string()))?;
    match (&p.zone, p.offset) {
        (Some(z), _) => at_zone(dt, z, text),
        (None, Some(off)) => {
            let fixed = Zone::fixed(off).map_err(|e| invalid(&e))?;
            at_zone(dt, &fixed, text)
        }
        (None, None) => at_zone(dt, zone, text),
    }
}

fn at_zone(dt: CivilDateTime, zone: &Zone, text: &str) -> Result<DateTime, String> {
    let zoned = zone
        .tz
        .to_ambiguous_zoned(dt)
        .compatible()
        .map_err(|e| format!("Text '{text}' could not be parsed: {e}"))?;
    Ok(DateTime {
        zoned,
        zone: zone.clone(),
    })
}

/// True for pattern letters read as numbers (with the count given).
fn numeric(c: char, n: usize) -> bool {
    matches!(
        c,
        'y' | 'u'
            | 'Y'
            | 'd'
            | 'D'
            | 'H'
            | 'h'
            | 'K'
            | 'k'
            | 'm'
            | 's'
            | 'S'
            | 'n'
            | 'N'
            | 'A'
            | 'w'
            | 'W'
            | 'F'
    ) || (matches!(c, 'M' | 'L' | 'Q' | 'q' | 'e' | 'c') && n <= 2)
}

/// Fixed width of a numeric field, `None` when variable.
fn fixed_width(c: char, n: usize) -> Option<usize> {
    match (c, n) {
        ('y' | 'u' | 'Y', 2) => Some(2),
        ('y' | 'u' | 'Y', _) => None,
        ('D', 2) => None,
        (_, 1) => None,
        (_, n) => Some(n),
    }
}

fn parse_pattern(s: &str, pattern: &str) -> Result<Parsed, String> {
    let toks = tokenize(pattern)?;
    let mut p = Parsed::default();
    let mut c = Cur::new(s);
    parse_seq(&toks, &mut c, &mut p)
        .map_err(|at| format!("Text '{s}' could not be parsed at index {at}"))?;
    if !c.at_end() {
        return Err(format!(
            "Text '{s}' could not be parsed, unparsed text found at index {}",
            c.i
        ));
    }
    Ok(p)
}

/// Parses `toks` at the cursor; on failure returns the index where it failed.
fn parse_seq(toks: &[Tok], c: &mut Cur, p: &mut Parsed) -> Result<(), usize> {
    let mut k = 0;
    while k < toks.len() {
        match &toks[k] {
            Tok::Lit(l) => {
                if !c.eat(l) {
                    return Err(c.i);
                }
            }
            Tok::OptStart => {
                // Find the matching `]` and try the section.
                let mut depth = 0;
                let mut end = k + 1;
                while end < toks.len() {
                    match toks[end] {
                        Tok::OptStart => depth += 1,
                        Tok::OptEnd if depth == 0 => break,
                        Tok::OptEnd => depth -= 1,
                        _ => {}
                    }
                    end += 1;
                }
                let save = c.i;
                let mut trial = Parsed::default();
                std::mem::swap(&mut trial, p);
                let ok = parse_seq(&toks[k + 1..end.min(toks.len())], c, &mut trial).is_ok();
                std::mem::swap(&mut trial, p);
                if ok {
                    merge(p, trial);
                } else {
                    c.i = save;
                }
                k = end + 1;
                continue;
            }
            Tok::OptEnd => {}
            Tok::Field(ch, n) => {
                let (ch, n) = (*ch, *n);
                if numeric(ch, n) {
                    // Adjacent value parsing: leave room for the fixed-width numeric fields
                    // that immediately follow.
                    let reserved: usize = toks[k + 1..]
                        .iter()
                        .map_while(|t| match t {
                            Tok::Field(c2, n2) if numeric(*c2, *n2) => fixed_width(*c2, *n2),
                            _ => None,
                        })
                        .sum();
                    let (min, max) = match fixed_width(ch, n) {
                        Some(w) => (w, w),
                        None if matches!(ch, 'y' | 'u' | 'Y') => (n.max(1), 19),
                        None => (1, 19),
                    };
                    let available = c.digit_run().saturating_sub(reserved);
                    let take = available.min(max);
                    if take < min {
                        return Err(c.i);
                    }
                    let start = c.i;
                    let v = c.digits(take, take).ok_or(start)?;
                    set_numeric(p, ch, n, v, take).ok_or(start)?;
                } else {
                    text_field(ch, n, c, p).ok_or(c.i)?;
                }
            }
        }
        k += 1;
    }
    Ok(())
}

fn merge(p: &mut Parsed, t: Parsed) {
    macro_rules! take {
        ($($f:ident),*) => { $( if t.$f.is_some() { p.$f = t.$f; } )* };
    }
    take!(
        year,
        month,
        day,
        day_of_year,
        hour,
        hour12,
        pm,
        minute,
        second,
        nano,
        offset,
        weekday
    );
    if t.zone.is_some() {
        p.zone = t.zone;
    }
}

fn set_numeric(p: &mut Parsed, c: char, n: usize, v: i64, width: usize) -> Option<()> {
    match c {
        // Two-digit years are in 2000–2099, as Java's reduced base.
        'y' | 'u' | 'Y' if n == 2 => p.year = Some(2000 + v),
        'y' | 'u' | 'Y' => p.year = Some(v),
        'M' | 'L' => p.month = Some(v),
        'd' => p.day = Some(v),
        'D' => p.day_of_year = Some(v),
        'H' => p.hour = Some(v),
        'k' => p.hour = Some(v % 24),
        'h' => p.hour12 = Some(v),
        'K' => p.hour12 = Some(v),
        'm' => p.minute = Some(v),
        's' => p.second = Some(v),
        'S' => p.nano = Some(v * 10i64.pow(9u32.checked_sub(width as u32)?)),
        'n' => p.nano = Some(v),
        'e' | 'c' => p.weekday = Some((v + 5).rem_euclid(7) + 1),
        // Fields that do not contribute to the date (week numbers, quarters…).
        _ => {}
    }
    Some(())
}

fn text_field(ch: char, n: usize, c: &mut Cur, p: &mut Parsed) -> Option<()> {
    match ch {
        'M' | 'L' => {
            let m = (1..=12).find(|&m| {
                let name = month_name(m as i8);
                let want = match n {
                    3 => &name[..3],
                    4 => name,
                    _ => &name[..1],
                };
                c.eat(want)
            })?;
            p.month = Some(m);
        }
        'E' | 'e' | 'c' => {
            let d = DAYS.iter().position(|name| {
                let want = match n {
                    4 => name,
                    5 => &name[..1],
                    _ => &name[..3],
                };
                c.eat(want)
            })?;
            p.weekday = Some(d as i64 + 1);
        }
        'a' => {
            p.pm = Some(if c.eat("AM") {
                false
            } else if c.eat("PM") {
                true
            } else {
                return None;
            });
        }
        'G' => {
            if !(c.eat("AD") || c.eat("Anno Domini")) {
                return None;
            }
        }
        'X' | 'x' | 'Z' => p.offset = Some(c.offset(ch != 'x')?),
        'O' => {
            c.eat("GMT").then_some(())?;
            p.offset = Some(c.offset(false).unwrap_or(0));
        }
        'V' | 'z' | 'v' => {
            let len = c
                .rest()
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || "/_+-".contains(ch)))
                .unwrap_or(c.rest().len());
            let id = &c.rest()[..len];
            let zone = match id {
                "Z" => Zone::fixed(0).ok()?,
                _ => Zone::of(id).ok().or_else(|| abbreviation_zone(id))?,
            };
            c.i += len;
            p.zone = Some(zone);
        }
        _ => return None,
    }
    Some(())
}

/// Zones for common abbreviations (Java resolves `z` names through its locale data).
fn abbreviation_zone(abbr: &str) -> Option<Zone> {
    let id = match abbr {
        "CET" | "CEST" => "Europe/Paris",
        "EET" | "EEST" => "Europe/Athens",
        "WET" | "WEST" => "Europe/Lisbon",
        "BST" => "Europe/London",
        "EST" | "EDT" => "America/New_York",
        "CST" | "CDT" => "America/Chicago",
        "MST" | "MDT" => "America/Denver",
        "PST" | "PDT" => "America/Los_Angeles",
        "JST" => "Asia/Tokyo",
        _ => return None,
    };
    Zone::of(id).ok()
}
