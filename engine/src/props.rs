//! Reading a task's rendered properties (a JSON object) into typed specs, with errors that
//! name the property. Kestra's `Property<T>` accepts a literal or a rendered string parsed into
//! T, so a string `"true"`, `"5"` or `"[\"a\"]"` is accepted where a bool, number or list is
//! expected.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::task::TaskError;
use crate::time::JavaDuration;

pub struct Props<'a> {
    map: &'a Map<String, Value>,
    /// Dotted path of this object (`options.timeout`), for messages.
    path: String,
}

impl<'a> Props<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Props<'a> {
        Props {
            map,
            path: String::new(),
        }
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn error(&self, key: &str, why: impl std::fmt::Display) -> TaskError {
        TaskError::new(format!("property '{}': {why}", self.name(key)))
    }

    /// The value, `None` when absent or null.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A nested object (`options`, `options.timeout`).
    pub fn object(&self, key: &str) -> Result<Option<Props<'a>>, TaskError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Props {
                map,
                path: self.name(key),
            })),
            Some(_) => Err(self.error(key, "expected an object")),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, TaskError> {
        Ok(match self.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
            // Kestra sends a YAML map/list given to a string property as its JSON text.
            Some(v) => Some(v.to_string()),
        })
    }

    pub fn required_string(&self, key: &str) -> Result<String, TaskError> {
        self.string(key)?
            .ok_or_else(|| self.error(key, "is required"))
    }

    pub fn boolean(&self, key: &str, default: bool) -> Result<bool, TaskError> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(self.error(key, format!("expected true or false, got {v}"))),
        }
    }

    pub fn integer(&self, key: &str) -> Result<Option<i64>, TaskError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(Value::String(s)) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.error(key, format!("expected an integer, got '{s}'"))),
            Some(v) => Err(self.error(key, format!("expected an integer, got {v}"))),
        }
    }

    pub fn duration(&self, key: &str) -> Result<Option<Duration>, TaskError> {
        let Some(text) = self.string(key)? else {
            return Ok(None);
        };
        let d = JavaDuration::parse(&text).map_err(|e| self.error(key, e))?;
        d.to_std()
            .map(Some)
            .ok_or_else(|| self.error(key, "a duration cannot be negative"))
    }

    /// A single character (`fieldSeparator`, `textDelimiter`).
    pub fn character(&self, key: &str, default: char) -> Result<char, TaskError> {
        match self.string(key)? {
            None => Ok(default),
            Some(s) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(c),
                    _ => Err(self.error(key, format!("expected a single character, got '{s}'"))),
                }
            }
        }
    }

    /// A list (or a rendered JSON array).
    pub fn list(&self, key: &str) -> Result<Vec<Value>, TaskError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Array(items)) => Ok(items),
                _ => Ok(vec![Value::String(s.clone())]),
            },
            Some(v) => Err(self.error(key, format!("expected a list, got {v}"))),
        }
    }

    pub fn string_list(&self, key: &str) -> Result<Vec<String>, TaskError> {
        Ok(self
            .list(key)?
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect())
    }

    /// A map (or a rendered JSON object), entries in order.
    pub fn entries(&self, key: &str) -> Result<Vec<(String, Value)>, TaskError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Object(map)) => {
                Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            }
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(map)) => Ok(map.into_iter().collect()),
                _ => Err(self.error(key, "expected a map (or a JSON object)")),
            },
            Some(v) => Err(self.error(key, format!("expected a map, got {v}"))),
        }
    }

    pub fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, TaskError> {
        Ok(self
            .entries(key)?
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect())
    }
}
