//! JSON text to values, keeping object keys in document order (Jackson reads objects into
//! `LinkedHashMap`s; `serde_json::Value` would sort them unless `preserve_order` is on).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::value::{Val, ValMap};

struct ValVisitor;

impl<'de> Visitor<'de> for ValVisitor {
    type Value = Val<'static>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Val::Null)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Val::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Val::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Val::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        // Beyond Long: Jackson would use BigInteger; a double is the closest we have.
        Ok(i64::try_from(v).map_or(Val::Float(v as f64), Val::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Val::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Val::str(v))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Val::Str(v.into()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed)? {
            items.push(v);
        }
        Ok(Val::list(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = ValMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed)?;
            out.insert(key, value);
        }
        Ok(Val::map(out))
    }
}

struct Seed;

impl<'de> de::DeserializeSeed<'de> for Seed {
    type Value = Val<'static>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ValVisitor)
    }
}

/// Parses the first JSON value of `text`; like Jackson's `readValue`, trailing content after
/// a complete value is ignored.
pub fn parse_json(text: &str) -> Result<Val<'static>, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    de::DeserializeSeed::deserialize(Seed, &mut de).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::parse_json;
    use crate::render::print::to_json_string;

    #[test]
    fn keeps_key_order_and_number_kinds() {
        let v = parse_json(r#"{"b": 1, "a": [1.0, 2, "x", null, true], "c": {}}"#).unwrap();
        assert_eq!(
            to_json_string(&v).unwrap(),
            r#"{"b":1,"a":[1.0,2,"x",null,true],"c":{}}"#
        );
        assert!(parse_json("{not: json}").is_err());
        assert!(parse_json("[1, 2] trailing").is_ok());
    }
}
