//! Serdes specs from rendered task properties.

use serde_json::{Map, Value};

use super::csv::QuoteMode;
use super::{CsvToIonSpec, IonToCsvSpec, IonToJsonSpec, JsonToIonSpec, OnBadLines, OnEmptyHeader};
use crate::props::Props;
use crate::task::TaskError;

/// `timeZoneId` as a fixed offset: `UTC`, `Z`, `GMT`, `+02:00`, `UTC+2`… (kflow has no zone
/// database; named zones such as `Europe/Paris` are refused with a clear message).
pub fn zone_offset_minutes(p: &Props, key: &str) -> Result<i32, TaskError> {
    let Some(zone) = p.string(key)? else {
        return Ok(0);
    };
    let upper = zone.trim().to_ascii_uppercase();
    let rest = ["UTC", "GMT", "UT", "Z"]
        .iter()
        .find_map(|prefix| upper.strip_prefix(prefix))
        .unwrap_or(&upper);
    if rest.is_empty() {
        return Ok(0);
    }
    let bad = || {
        p.error(
            key,
            format!("'{zone}' is not supported: use UTC or a fixed offset like +02:00"),
        )
    };
    let sign = match rest.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(bad()),
    };
    let body = &rest[1..];
    let (h, m) = match body.split_once(':') {
        Some((h, m)) => (h, m),
        None if body.len() == 4 => (&body[..2], &body[2..]),
        None => (body, "0"),
    };
    let h: i32 = h.parse().map_err(|_| bad())?;
    let m: i32 = m.parse().map_err(|_| bad())?;
    if h > 18 || m > 59 {
        return Err(bad());
    }
    Ok(sign * (h * 60 + m))
}

impl CsvToIonSpec {
    pub fn from_properties(map: &Map<String, Value>) -> Result<CsvToIonSpec, TaskError> {
        let p = Props::new(map);
        let d = CsvToIonSpec::default();
        Ok(CsvToIonSpec {
            from: p.required_string("from")?,
            header: p.boolean("header", d.header)?,
            field_separator: p.character("fieldSeparator", d.field_separator)?,
            text_delimiter: p.character("textDelimiter", d.text_delimiter)?,
            skip_empty_rows: p.boolean("skipEmptyRows", d.skip_empty_rows)?,
            on_bad_lines: match p.string("onBadLines")?.as_deref() {
                None | Some("ERROR") => OnBadLines::Error,
                Some("WARN") => OnBadLines::Warn,
                Some("SKIP") => OnBadLines::Skip,
                Some(other) => {
                    return Err(p.error(
                        "onBadLines",
                        format!("'{other}' is not one of ERROR, WARN, SKIP"),
                    ))
                }
            },
            on_empty_header: match p.string("onEmptyHeader")?.as_deref() {
                None | Some("DROP") => OnEmptyHeader::Drop,
                Some("RENAME") => OnEmptyHeader::Rename,
                Some(other) => {
                    return Err(p.error(
                        "onEmptyHeader",
                        format!("'{other}' is not one of DROP, RENAME"),
                    ))
                }
            },
            skip_rows: p
                .integer("skipRows")?
                .map(|n| u64::try_from(n).map_err(|_| p.error("skipRows", "must be >= 0")))
                .transpose()?
                .unwrap_or(0),
            charset: p.string("charset")?.unwrap_or(d.charset),
            max_field_size: p
                .integer("maxFieldSize")?
                .map(|n| n.max(1) as usize)
                .unwrap_or(d.max_field_size),
            allow_extra_chars_after_closing_quote: p
                .boolean("allowExtraCharsAfterClosingQuote", false)?,
        })
    }
}

impl IonToCsvSpec {
    pub fn from_properties(map: &Map<String, Value>) -> Result<IonToCsvSpec, TaskError> {
        let p = Props::new(map);
        let d = IonToCsvSpec::default();
        Ok(IonToCsvSpec {
            from: p.required_string("from")?,
            header: p.boolean("header", d.header)?,
            field_separator: p.character("fieldSeparator", d.field_separator)?,
            text_delimiter: p.character("textDelimiter", d.text_delimiter)?,
            line_delimiter: p.string("lineDelimiter")?.unwrap_or(d.line_delimiter),
            quote_mode: p
                .string("quoteMode")?
                .map(|m| QuoteMode::parse(&m).map_err(|e| p.error("quoteMode", e)))
                .transpose()?,
            always_delimit_text: p.boolean("alwaysDelimitText", false)?,
            charset: p.string("charset")?.unwrap_or(d.charset),
            date_format: p.string("dateFormat")?.unwrap_or(d.date_format),
            time_format: p.string("timeFormat")?.unwrap_or(d.time_format),
            date_time_format: p.string("dateTimeFormat")?.unwrap_or(d.date_time_format),
            zone_offset_minutes: zone_offset_minutes(&p, "timeZoneId")?,
        })
    }
}

impl JsonToIonSpec {
    pub fn from_properties(map: &Map<String, Value>) -> Result<JsonToIonSpec, TaskError> {
        let p = Props::new(map);
        Ok(JsonToIonSpec {
            from: p.required_string("from")?,
            charset: p.string("charset")?.unwrap_or_else(|| "UTF-8".into()),
            new_line: p.boolean("newLine", true)?,
        })
    }
}

impl IonToJsonSpec {
    pub fn from_properties(map: &Map<String, Value>) -> Result<IonToJsonSpec, TaskError> {
        let p = Props::new(map);
        Ok(IonToJsonSpec {
            from: p.required_string("from")?,
            charset: p.string("charset")?.unwrap_or_else(|| "UTF-8".into()),
            new_line: p.boolean("newLine", true)?,
            zone_offset_minutes: zone_offset_minutes(&p, "timeZoneId")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serdes_properties() {
        let m = json!({"from": "kestra:///a.csv", "fieldSeparator": ";", "onBadLines": "WARN", "skipRows": "2"});
        let spec = CsvToIonSpec::from_properties(m.as_object().unwrap()).unwrap();
        assert_eq!(
            (spec.field_separator, spec.on_bad_lines, spec.skip_rows),
            (';', OnBadLines::Warn, 2)
        );
        let m = json!({"from": "x", "fieldSeparator": ";;"});
        let err = CsvToIonSpec::from_properties(m.as_object().unwrap()).unwrap_err();
        assert!(err.message.starts_with("property 'fieldSeparator'"));
        let m = json!({"from": "x", "timeZoneId": "UTC+02:00", "quoteMode": "ALWAYS"});
        let spec = IonToCsvSpec::from_properties(m.as_object().unwrap()).unwrap();
        assert_eq!(
            (spec.zone_offset_minutes, spec.quote_mode),
            (120, Some(QuoteMode::Always))
        );
        let m = json!({"from": "x", "timeZoneId": "Europe/Paris"});
        assert!(IonToJsonSpec::from_properties(m.as_object().unwrap()).is_err());
        let m = json!({"from": "x", "newLine": false});
        assert!(
            !JsonToIonSpec::from_properties(m.as_object().unwrap())
                .unwrap()
                .new_line
        );
    }
}
