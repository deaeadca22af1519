//! Record dates: held as instants (16 bytes, no allocation: a loop of 200,000 iterations keeps
//! two or four per task run) and written as Kestra writes them, Java's `Instant.toString()` at
//! millisecond precision (see [`super::now`]).

use serde::{Deserialize, Deserializer, Serializer};

use crate::time::Instant;

pub fn serialize<S: Serializer>(date: &Instant, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date.to_iso())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Instant, D::Error> {
    let text = String::deserialize(d)?;
    Instant::parse(&text).map_err(serde::de::Error::custom)
}

/// The same for an optional date (`endDate` of what is still running).
pub mod optional {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Option<Instant>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => super::serialize(date, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Instant>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => Instant::parse(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}
