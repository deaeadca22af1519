//! Conversion of one raw value to its declared type, then validation, with Kestra's rules
//! and messages.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value;

use super::decl::{InputDecl, InputType};
use super::yaml::parse_yaml;
use crate::serdes::java_fmt::float_to_string;
use crate::storage::uri::file_uri;
use crate::storage::{ExecutionKey, Storage};
use crate::time::{Date, Instant, JavaDuration, Time};

/// Kestra's `URI_PATTERN`.
const URI_PATTERN: &str = r"^[a-z]+://(?:www\.)?[-a-zA-Z0-9@:%._\+~#=]{1,256}\.[a-zA-Z0-9()]{1,6}\b(?:[-a-zA-Z0-9()@:%_\+.~#?&/=]*)$";
/// Kestra's `EMAIL_PATTERN` (empty allowed).
const EMAIL_PATTERN: &str = r"^$|^[a-zA-Z0-9_!#$%&’*+/=?`{|}~^.-]+@[a-zA-Z0-9.-]+$";

/// Compiles a constant pattern once (`false` if it ever failed to compile).
fn matches_const(cell: &'static OnceLock<Option<Regex>>, source: &str, text: &str) -> bool {
    cell.get_or_init(|| Regex::new(source).ok())
        .as_ref()
        .is_some_and(|re| re.is_match(text))
}

pub async fn typed(
    decl: &InputDecl,
    raw: &Value,
    storage: &Storage,
    execution: &ExecutionKey,
) -> Result<Value, String> {
    if decl.type_ == InputType::File {
        let text = as_text(raw);
        return file(decl, &text, storage, execution).await;
    }
    let value = parse(decl.type_, decl.item_type, raw)?;
    validate(decl, &value)?;
    Ok(value)
}

fn as_text(raw: &Value) -> String {
    match raw {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn expected(type_: InputType, raw: &Value, why: impl std::fmt::Display) -> String {
    format!(
        "Expected `{}` but received `{}`: {why}",
        type_name(type_),
        as_text(raw)
    )
}

fn type_name(type_: InputType) -> &'static str {
    match type_ {
        InputType::String => "STRING",
        InputType::Enum => "ENUM",
        InputType::Select => "SELECT",
        InputType::Multiselect => "MULTISELECT",
        InputType::Int => "INT",
        InputType::Float => "FLOAT",
        InputType::Bool => "BOOL",
        InputType::Datetime => "DATETIME",
        InputType::Date => "DATE",
        InputType::Time => "TIME",
        InputType::Duration => "DURATION",
        InputType::File => "FILE",
        InputType::Json => "JSON",
        InputType::Yaml => "YAML",
        InputType::Uri => "URI",
        InputType::Secret => "SECRET",
        InputType::Array => "ARRAY",
        InputType::Email => "EMAIL",
    }
}

/// `parseType`: the value as Kestra converts it. Values already of the right JSON type (from
/// YAML defaults) are kept.
fn parse(type_: InputType, item_type: Option<InputType>, raw: &Value) -> Result<Value, String> {
    let text = as_text(raw);
    Ok(match type_ {
        InputType::String
        | InputType::Enum
        | InputType::Select
        | InputType::Email
        | InputType::Secret => Value::String(text),
        InputType::Int => match raw {
            Value::Number(n) if n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()) => raw.clone(),
            _ => {
                let digits = text.strip_prefix('+').unwrap_or(&text);
                let value: i32 = digits
                    .parse()
                    .map_err(|_| expected(type_, raw, "not a 32-bit integer"))?;
                Value::from(value)
            }
        },
        InputType::Float => {
            // Kestra keeps a Java `Float`: 32-bit precision, printed the Java way.
            let value: f32 = text
                .trim()
                .trim_end_matches(['f', 'F', 'd', 'D'])
                .replace("Infinity", "inf")
                .parse()
                .map_err(|_| expected(type_, raw, "not a number"))?;
            let shown: f64 = float_to_string(value).parse().unwrap_or(value as f64);
            serde_json::Number::from_f64(shown)
                .map(Value::Number)
                .ok_or_else(|| expected(type_, raw, "not a finite number"))?
        }
        InputType::Bool => match raw {
            Value::Bool(_) => raw.clone(),
            // Java's Boolean.valueOf: "true" in any case is true, anything else false.
            _ => Value::Bool(text.eq_ignore_ascii_case("true")),
        },
        InputType::Datetime => Value::String(
            Instant::parse(&text)
                .map_err(|e| expected(type_, raw, e))?
                .to_iso(),
        ),
        InputType::Date => Value::String(
            Date::parse(&text)
                .map_err(|e| expected(type_, raw, e))?
                .to_iso(),
        ),
        InputType::Time => Value::String(
            Time::parse(&text)
                .map_err(|e| expected(type_, raw, e))?
                .to_iso(),
        ),
        InputType::Duration => Value::String(
            JavaDuration::parse(&text)
                .map_err(|e| expected(type_, raw, e))?
                .to_iso(),
        ),
        InputType::Json => match raw {
            Value::String(s) => serde_json::from_str(s).map_err(|e| expected(type_, raw, e))?,
            other => other.clone(),
        },
        InputType::Yaml => match raw {
            Value::String(s) => parse_yaml(s).map_err(|e| expected(type_, raw, e))?,
            other => other.clone(),
        },
        InputType::Uri => {
            static RE: OnceLock<Option<Regex>> = OnceLock::new();
            if !matches_const(&RE, URI_PATTERN, &text) {
                return Err(format!("Expected `URI` but received `{text}`"));
            }
            Value::String(text)
        }
        InputType::Array | InputType::Multiselect => {
            let items = match raw {
                Value::Array(items) => items.clone(),
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(Value::Array(items)) => items,
                    _ => {
                        return Err(expected(
                            type_,
                            raw,
                            "expected a JSON array such as [\"a\", \"b\"]",
                        ))
                    }
                },
                _ => return Err(expected(type_, raw, "expected a list")),
            };
            match item_type {
                Some(item) if item != InputType::File => Value::Array(
                    items
                        .iter()
                        .map(|element| {
                            parse(item, None, element).map_err(|e| {
                                format!(
                                    "Unable to parse array element as `{}` on `{}`: {e}",
                                    type_name(item),
                                    as_text(element)
                                )
                            })
                        })
                        .collect::<Result<_, _>>()?,
                ),
                _ => Value::Array(items),
            }
        }
        // Files are uploaded by `file`; inside an ARRAY the path is kept as text.
        InputType::File => Value::String(text),
    })
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn duration_bound(v: &Option<Value>) -> Result<Option<JavaDuration>, String> {
    v.as_ref()
        .map(|b| JavaDuration::parse(&as_text(b)).map_err(|e| format!("invalid bound: {e}")))
        .transpose()
}

/// Each input class's `validate`, with Kestra's wording.
fn validate(decl: &InputDecl, value: &Value) -> Result<(), String> {
    let text = value.as_str().unwrap_or_default();
    match decl.type_ {
        InputType::String | InputType::Secret => {
            if let Some(validator) = &decl.validator {
                let re = Regex::new(&format!("^(?:{validator})$"))
                    .map_err(|e| format!("invalid validator `{validator}`: {e}"))?;
                if !re.is_match(text) {
                    return Err(format!("it must match the pattern `{validator}`"));
                }
            }
        }
        InputType::Int | InputType::Float => {
            let v = number(value).unwrap_or(f64::NAN);
            if let Some(min) = decl.min.as_ref().and_then(number) {
                if v < min {
                    return Err(format!(
                        "it must be more than `{}`",
                        as_text(decl.min.as_ref().unwrap_or(&Value::Null))
                    ));
                }
            }
            if let Some(max) = decl.max.as_ref().and_then(number) {
                if v > max {
                    return Err(format!(
                        "it must be less than `{}`",
                        as_text(decl.max.as_ref().unwrap_or(&Value::Null))
                    ));
                }
            }
        }
        InputType::Duration => {
            let v = JavaDuration::parse(text).map_err(|e| e.to_string())?;
            if let Some(min) = duration_bound(&decl.min)? {
                if v < min {
                    return Err(format!("It must be more than `{}`", min.to_iso()));
                }
            }
            if let Some(max) = duration_bound(&decl.max)? {
                if v > max {
                    return Err(format!("It must be less than `{}`", max.to_iso()));
                }
            }
        }
        InputType::Datetime => {
            let v = Instant::parse(text)?;
            if let Some(after) = &decl.after {
                if v < Instant::parse(after).map_err(|e| format!("invalid `after`: {e}"))? {
                    return Err(format!("it must be after `{after}`"));
                }
            }
            if let Some(before) = &decl.before {
                if v > Instant::parse(before).map_err(|e| format!("invalid `before`: {e}"))? {
                    return Err(format!("it must be before `{before}`"));
                }
            }
        }
        InputType::Date => {
            let v = Date::parse(text)?;
            if let Some(after) = &decl.after {
                if v < Date::parse(after).map_err(|e| format!("invalid `after`: {e}"))? {
                    return Err(format!("it must be after `{after}`"));
                }
            }
            if let Some(before) = &decl.before {
                if v > Date::parse(before).map_err(|e| format!("invalid `before`: {e}"))? {
                    return Err(format!("it must be before `{before}`"));
                }
            }
        }
        InputType::Time => {
            let v = Time::parse(text)?;
            if let Some(after) = &decl.after {
                if v < Time::parse(after).map_err(|e| format!("invalid `after`: {e}"))? {
                    return Err(format!("it must be after `{after}`"));
                }
            }
            if let Some(before) = &decl.before {
                if v > Time::parse(before).map_err(|e| format!("invalid `before`: {e}"))? {
                    return Err(format!("it must be before `{before}`"));
                }
            }
        }
        InputType::Select | InputType::Enum
            if !decl.values.iter().any(|v| v == text) && !decl.allow_custom_value =>
        {
            return Err(format!("it must match the values `{:?}`", decl.values));
        }
        InputType::Multiselect if !decl.allow_custom_value => {
            for item in value.as_array().into_iter().flatten() {
                let item = as_text(item);
                if !decl.values.contains(&item) {
                    return Err(format!(
                        "it must match the values `{:?}` (got `{item}`)",
                        decl.values
                    ));
                }
            }
        }
        InputType::Email => {
            static RE: OnceLock<Option<Regex>> = OnceLock::new();
            if !matches_const(&RE, EMAIL_PATTERN, text) {
                return Err("The input must be a valid email".into());
            }
        }
        _ => {}
    }
    Ok(())
}

/// FILE: a `kestra://` URI is kept; a local path is uploaded to
/// `kestra:///<ns>/<flow>/executions/<id>/inputs/<input id>/<file name>`.
async fn file(
    decl: &InputDecl,
    text: &str,
    storage: &Storage,
    execution: &ExecutionKey,
) -> Result<Value, String> {
    if text.starts_with("kestra://") {
        storage.path_of(text).map_err(|e| e.to_string())?;
        return Ok(Value::String(text.to_string()));
    }
    if text.starts_with("nsfile://") {
        return Err(
            "nsfile:// defaults are not supported by kflow yet: pass a local file path".into(),
        );
    }
    let path = std::path::PathBuf::from(text.strip_prefix("file://").unwrap_or(text));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("`{text}` is not a file path"))?;
    if !decl.allowed_file_extensions.is_empty()
        && !decl.allowed_file_extensions.iter().any(|ext| {
            let ext = ext.trim_start_matches('.').to_ascii_lowercase();
            name.to_ascii_lowercase().ends_with(&format!(".{ext}"))
        })
    {
        return Err(format!(
            "the file `{name}` does not have one of the allowed extensions {:?}",
            decl.allowed_file_extensions
        ));
    }
    let meta =
        std::fs::metadata(&path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("`{}` is not a regular file", path.display()));
    }
    let uri = file_uri(&execution.input_prefix(&decl.id), &name);
    storage
        .copy_file(&uri, &path)
        .await
        .map_err(|e| format!("cannot upload `{}`: {e}", path.display()))?;
    Ok(Value::String(uri))
}
