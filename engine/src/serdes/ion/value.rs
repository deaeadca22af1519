//! The Ion data model, for the subset of Ion text Kestra writes and reads.

use crate::time::{Date, DateTime, Instant};

#[derive(Clone, Debug, PartialEq)]
pub enum Ion {
    /// `null` and typed nulls (`null.string`…), which Kestra reads as Java `null`.
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Decimal(Decimal),
    Timestamp(Timestamp),
    String(String),
    Symbol(String),
    Blob(Vec<u8>),
    Clob(Vec<u8>),
    List(Vec<Ion>),
    Sexp(Vec<Ion>),
    /// Field order is kept (Kestra's maps are insertion-ordered).
    Struct(Vec<(String, Ion)>),
    /// `a::b::value`. Kestra annotates typed strings (`LocalDateTime::"…"`).
    Annotated(Vec<String>, Box<Ion>),
}

/// An exact decimal: `(-1)^negative × coefficient × 10^exponent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    /// Decimal digits of the coefficient, without leading zeros (`"0"` for zero).
    pub coefficient: String,
    pub exponent: i64,
}

impl Decimal {
    /// Java's `BigDecimal.toString()` (used when Kestra turns a decimal into text or JSON).
    pub fn to_java_string(&self) -> String {
        let sign = if self.negative && self.coefficient != "0" {
            "-"
        } else {
            ""
        };
        let digits = &self.coefficient;
        let scale = -self.exponent;
        let adjusted = -scale + digits.len() as i64 - 1;
        if scale >= 0 && adjusted >= -6 {
            let scale = scale as usize;
            if scale == 0 {
                return format!("{sign}{digits}");
            }
            if digits.len() > scale {
                let (int, frac) = digits.split_at(digits.len() - scale);
                format!("{sign}{int}.{frac}")
            } else {
                format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
            }
        } else {
            let mantissa = if digits.len() > 1 {
                format!("{}.{}", &digits[..1], &digits[1..])
            } else {
                digits.clone()
            };
            let exp_sign = if adjusted >= 0 { "+" } else { "" };
            format!("{sign}{mantissa}E{exp_sign}{adjusted}")
        }
    }

    pub fn to_f64(&self) -> f64 {
        let text = format!(
            "{}{}e{}",
            if self.negative { "-" } else { "" },
            self.coefficient,
            self.exponent
        );
        text.parse().unwrap_or(f64::NAN)
    }
}

/// An Ion timestamp, kept as its canonical text (precision matters when printed back).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timestamp {
    pub text: String,
}

/// How Kestra's Ion parser hands a timestamp to Java (`IonParser.getEmbeddedObject`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JavaTemporal {
    /// Midnight UTC (or unknown offset): a `LocalDate`.
    Date(Date),
    /// UTC or unknown offset: an `Instant`.
    Instant(Instant),
    /// Another offset: a `ZonedDateTime` at that offset.
    Zoned(Instant, i32),
}

impl Timestamp {
    /// A day-precision timestamp (`2024-01-31`), as Kestra writes a `LocalDate`.
    pub fn from_date(date: Date) -> Timestamp {
        Timestamp {
            text: date.to_iso(),
        }
    }

    /// Millisecond precision in UTC, as Kestra writes an `Instant` (`Timestamp.forDateZ`).
    pub fn from_instant(instant: Instant) -> Timestamp {
        Timestamp {
            text: instant.to_iso_millis(),
        }
    }

    /// Parses Ion timestamp text: `2007T`, `2007-02T`, `2007-02-23`, `2007-02-23T12:14Z`,
    /// `2007-02-23T12:14:33.079-08:00`, `-00:00` for an unknown offset.
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        Self::fields(text)?;
        Ok(Timestamp {
            text: text.to_string(),
        })
    }

    /// (date, time if any, offset minutes if known).
    fn fields(text: &str) -> Result<(Date, Option<DateTime>, Option<i32>), String> {
        let bad = || format!("invalid Ion timestamp '{text}'");
        let trimmed = text.strip_suffix(['T', 't']).unwrap_or(text);
        let (date_text, time_text) = match trimmed.split_once(['T', 't']) {
            Some((d, t)) => (d, Some(t)),
            None => (trimmed, None),
        };
        let date = match date_text.len() {
            4 => Date::parse(&format!("{date_text}-01-01")),
            7 => Date::parse(&format!("{date_text}-01")),
            _ => Date::parse(date_text),
        }
        .map_err(|_| bad())?;
        let Some(time_text) = time_text else {
            return Ok((date, None, None));
        };
        if date_text.len() != 10 {
            return Err(bad());
        }
        let unknown = time_text.ends_with("-00:00");
        let dt = DateTime::parse(&format!("{date_text}T{time_text}")).map_err(|_| bad())?;
        if dt.offset_minutes.is_none() {
            return Err(bad()); // Ion requires an offset once there is a time
        }
        let offset = if unknown { None } else { dt.offset_minutes };
        Ok((date, Some(dt), offset))
    }

    /// The Java value Kestra's parser produces for this timestamp.
    pub fn to_java(&self) -> JavaTemporal {
        let Ok((date, time, offset)) = Self::fields(&self.text) else {
            return JavaTemporal::Instant(Instant { secs: 0, nanos: 0 });
        };
        let instant = match time {
            Some(dt) => dt.instant(),
            None => Instant {
                secs: date.days() * 86_400,
                nanos: 0,
            },
        };
        match offset {
            Some(minutes) if minutes != 0 => JavaTemporal::Zoned(instant, minutes),
            _ if instant.nanos == 0 && instant.secs.rem_euclid(86_400) == 0 => {
                JavaTemporal::Date(Date::from_days(instant.secs.div_euclid(86_400)))
            }
            _ => JavaTemporal::Instant(instant),
        }
    }
}

impl Ion {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Ion::String(s) | Ion::Symbol(s) => Some(s),
            Ion::Annotated(_, inner) => inner.as_str(),
            _ => None,
        }
    }
}
