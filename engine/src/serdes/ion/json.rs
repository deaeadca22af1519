//! JSON ↔ Ion the way Kestra's Jackson mappers convert them: JSON read in document order
//! (ints stay ints, other numbers become doubles), Ion written to JSON with Java's number and
//! date printing.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::value::{Ion, JavaTemporal};
use crate::serdes::java_fmt::double_to_string;

impl<'de> Deserialize<'de> for Ion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Ion, D::Error> {
        deserializer.deserialize_any(IonVisitor)
    }
}

struct IonVisitor;

impl<'de> Visitor<'de> for IonVisitor {
    type Value = Ion;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Ion, E> {
        Ok(Ion::Null)
    }
    fn visit_none<E>(self) -> Result<Ion, E> {
        Ok(Ion::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Ion, E> {
        Ok(Ion::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Ion, E> {
        Ok(Ion::Int(v as i128))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Ion, E> {
        Ok(Ion::Int(v as i128))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Ion, E> {
        Ok(Ion::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Ion, E> {
        Ok(Ion::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Ion, E> {
        Ok(Ion::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ion, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Ion::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ion, A::Error> {
        let mut fields: Vec<(String, Ion)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Ion>()? {
            // A repeated key replaces the earlier value in place (LinkedHashMap semantics).
            match fields.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => fields.push((key, value)),
            }
        }
        Ok(Ion::Struct(fields))
    }
}

/// Parses one JSON document into Ion, keeping object key order.
pub fn from_json(text: &str) -> Result<Ion, serde_json::Error> {
    serde_json::from_str(text)
}

/// Options of the JSON output.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonStyle {
    /// Offset (minutes) that zoned date-times are converted to (`timeZoneId`).
    pub zone_offset_minutes: i32,
}

/// Compact JSON text of an Ion value, as Jackson writes the Java objects Kestra reads from Ion.
pub fn to_json(value: &Ion, style: &JsonStyle) -> String {
    let mut out = String::new();
    write_json(&mut out, value, style);
    out
}

fn write_json(out: &mut String, value: &Ion, style: &JsonStyle) {
    match value {
        Ion::Null => out.push_str("null"),
        Ion::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Ion::Int(i) => out.push_str(&i.to_string()),
        Ion::Float(f) if f.is_finite() => out.push_str(&double_to_string(*f)),
        // Jackson quotes non-finite numbers by default.
        Ion::Float(f) => json_string(out, &double_to_string(*f)),
        Ion::Decimal(d) => out.push_str(&d.to_java_string()),
        Ion::Timestamp(t) => {
            let text = match t.to_java() {
                JavaTemporal::Date(d) => d.to_iso(),
                JavaTemporal::Instant(i) => i.to_iso(),
                JavaTemporal::Zoned(i, _) => i.to_iso_with_offset(style.zone_offset_minutes),
            };
            json_string(out, &text);
        }
        Ion::String(s) | Ion::Symbol(s) => json_string(out, s),
        Ion::Blob(b) | Ion::Clob(b) => {
            let text = super::write::to_text(&Ion::Blob(b.clone()));
            json_string(out, text.trim_start_matches("{{").trim_end_matches("}}"));
        }
        Ion::List(items) | Ion::Sexp(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item, style);
            }
            out.push(']');
        }
        Ion::Struct(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, k);
                out.push(':');
                write_json(out, v, style);
            }
            out.push('}');
        }
        // Kestra's typed strings (`LocalDateTime::"…"`) come out as their text.
        Ion::Annotated(_, inner) => write_json(out, inner, style),
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

/// An Ion value as a `serde_json::Value` (for task outputs and KV values).
pub fn to_json_value(value: &Ion) -> serde_json::Value {
    serde_json::from_str(&to_json(value, &JsonStyle::default())).unwrap_or(serde_json::Value::Null)
}

/// A `serde_json::Value` as Ion (integers stay ints, other numbers doubles).
pub fn from_json_value(value: &serde_json::Value) -> Ion {
    match value {
        serde_json::Value::Null => Ion::Null,
        serde_json::Value::Bool(b) => Ion::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Ion::Int(i as i128),
            (_, Some(u)) => Ion::Int(u as i128),
            _ => Ion::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Ion::String(s.clone()),
        serde_json::Value::Array(items) => Ion::List(items.iter().map(from_json_value).collect()),
        serde_json::Value::Object(map) => Ion::Struct(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json_value(v)))
                .collect(),
        ),
    }
}
