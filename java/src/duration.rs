//! Java's `Duration`: `Duration.parse` (ISO-8601 `PnDTnHnMn.nS`, case-insensitive, signed parts)
//! and `Duration.toString`. Hand-written: Kestra reads every duration property with it, and
//! no crate reproduces Java's accepted forms and printing exactly.

use crate::digits;

/// A Java `Duration`: seconds plus a non-negative nanosecond part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JavaDuration {
    pub secs: i64,
    pub nanos: u32,
}

impl JavaDuration {
    pub const ZERO: JavaDuration = JavaDuration { secs: 0, nanos: 0 };

    pub fn from_std(d: std::time::Duration) -> JavaDuration {
        JavaDuration {
            secs: d.as_secs().min(i64::MAX as u64) as i64,
            nanos: d.subsec_nanos(),
        }
    }

    pub fn is_negative(&self) -> bool {
        self.secs < 0
    }

    /// `None` when negative.
    pub fn to_std(&self) -> Option<std::time::Duration> {
        (self.secs >= 0).then(|| std::time::Duration::new(self.secs as u64, self.nanos))
    }

    fn from_total_nanos(total: i128) -> Option<JavaDuration> {
        let secs = total.div_euclid(1_000_000_000);
        let nanos = total.rem_euclid(1_000_000_000) as u32;
        Some(JavaDuration {
            secs: i64::try_from(secs).ok()?,
            nanos,
        })
    }

    fn total_nanos(&self) -> i128 {
        self.secs as i128 * 1_000_000_000 + self.nanos as i128
    }

    /// Java's `Duration.parse`: `[±]P[nD][T[nH][nM][n[.f]S]]`, case-insensitive, each number
    /// may carry a sign.
    pub fn parse(text: &str) -> Result<JavaDuration, String> {
        let bad = || format!("'{text}' is not an ISO-8601 duration (e.g. PT30S, PT1H30M, P1D)");
        let upper = text.to_ascii_uppercase();
        let (negate, rest) = match upper.as_bytes().first() {
            Some(b'-') => (true, &upper[1..]),
            Some(b'+') => (false, &upper[1..]),
            _ => (false, upper.as_str()),
        };
        let rest = rest.strip_prefix('P').ok_or_else(bad)?;
        let (day_part, time_part) = match rest.split_once('T') {
            Some((d, t)) => {
                if t.is_empty() {
                    return Err(bad());
                }
                (d, Some(t))
            }
            None => (rest, None),
        };
        if day_part.is_empty() && time_part.is_none() {
            return Err(bad());
        }
        let mut total: i128 = 0;
        if !day_part.is_empty() {
            let days = day_part.strip_suffix('D').ok_or_else(bad)?;
            total += signed_int(days).ok_or_else(bad)? * 86_400 * 1_000_000_000;
        }
        if let Some(mut t) = time_part {
            for (unit, factor) in [('H', 3600i128), ('M', 60)] {
                if let Some(at) = t.find(unit) {
                    total += signed_int(&t[..at]).ok_or_else(bad)? * factor * 1_000_000_000;
                    t = &t[at + 1..];
                }
            }
            if !t.is_empty() {
                let secs = t.strip_suffix('S').ok_or_else(bad)?;
                total += signed_seconds(secs).ok_or_else(bad)?;
            }
        }
        if negate {
            total = -total;
        }
        JavaDuration::from_total_nanos(total).ok_or_else(bad)
    }

    /// Java's `Duration.toString()`: `PT0S`, `PT30S`, `PT1H30M`, `PT48H`, `PT0.5S`, `PT-0.5S`.
    pub fn to_iso(&self) -> String {
        if self.secs == 0 && self.nanos == 0 {
            return "PT0S".to_string();
        }
        // Java works on the seconds rounded towards zero when a negative value has nanos.
        let effective = if self.secs < 0 && self.nanos > 0 {
            self.secs + 1
        } else {
            self.secs
        };
        let hours = effective / 3600;
        let minutes = (effective % 3600) / 60;
        let secs = effective % 60;
        let mut out = String::from("PT");
        if hours != 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes != 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if secs == 0 && self.nanos == 0 && out.len() > 2 {
            return out;
        }
        if self.secs < 0 && self.nanos > 0 {
            if secs == 0 {
                out.push_str("-0");
            } else {
                out.push_str(&secs.to_string());
            }
        } else {
            out.push_str(&secs.to_string());
        }
        if self.nanos > 0 {
            let nanos = if self.secs < 0 {
                1_000_000_000 - self.nanos
            } else {
                self.nanos
            };
            let digits = format!("{nanos:09}");
            out.push('.');
            out.push_str(digits.trim_end_matches('0'));
        }
        out.push('S');
        out
    }
}

impl std::ops::Neg for JavaDuration {
    type Output = JavaDuration;
    fn neg(self) -> JavaDuration {
        JavaDuration::from_total_nanos(-self.total_nanos()).unwrap_or(self)
    }
}

fn signed_int(text: &str) -> Option<i128> {
    let (sign, body) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    Some(sign * digits::<i128>(body)?)
}

fn signed_seconds(text: &str) -> Option<i128> {
    let (sign, body) = match text.as_bytes().first() {
        Some(b'-') => (-1, &text[1..]),
        Some(b'+') => (1, &text[1..]),
        _ => (1, text),
    };
    let (whole, frac) = match body.split_once(['.', ',']) {
        Some((w, f)) => (w, f),
        None => (body, ""),
    };
    let whole: i128 = digits(whole)?;
    let frac_nanos: i128 = if frac.is_empty() {
        0
    } else if frac.len() <= 9 {
        digits::<i128>(frac)? * 10i128.pow(9 - frac.len() as u32)
    } else {
        return None;
    };
    Some(sign * (whole * 1_000_000_000 + frac_nanos))
}
