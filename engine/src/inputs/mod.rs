//! Flow inputs at execution creation: `--input key=value` strings typed and validated as
//! Kestra does (`FlowInputOutput.parseType` and each input class's `validate`), defaults,
//! required, FILE inputs uploaded to storage, dotted ids nested.

mod convert;
mod decl;
mod yaml;

pub use decl::{declarations, InputDecl, InputType};
pub use yaml::{node_to_json, parse_yaml};

use crate::storage::{ExecutionKey, Storage};

/// One input problem: which input and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub id: String,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "input '{}': {}", self.id, self.message)
    }
}

impl std::error::Error for InputError {}

/// The typed inputs, ready for `inputs.*` in expressions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResolvedInputs {
    /// Dotted ids become nested maps (`request.name` → `{"request": {"name": …}}`).
    pub values: serde_json::Map<String, serde_json::Value>,
    /// Values of SECRET inputs, to mask in logs and records.
    pub secrets: Vec<String>,
}

/// Types and validates the provided values (`key=value` pairs from the command line) against
/// the declarations; missing values take `defaults` (already rendered by the caller).
/// Every problem is reported, not just the first.
pub async fn resolve(
    declarations: &[InputDecl],
    provided: &[(String, String)],
    storage: &Storage,
    execution: &ExecutionKey,
) -> Result<ResolvedInputs, Vec<InputError>> {
    let mut errors = Vec::new();
    for (key, _) in provided {
        if !declarations.iter().any(|d| &d.id == key) {
            errors.push(InputError {
                id: key.clone(),
                message: "no input with this id is declared by the flow".into(),
            });
        }
    }
    let mut resolved = ResolvedInputs::default();
    for decl in declarations {
        let given = provided
            .iter()
            .rev()
            .find(|(k, _)| *k == decl.id)
            .map(|(_, v)| v);
        let raw = match (given, &decl.defaults) {
            (Some(text), _) => Some(serde_json::Value::String(text.clone())),
            (None, Some(default)) if !default.is_null() => Some(default.clone()),
            _ => None,
        };
        let value = match raw {
            None if decl.required => {
                errors.push(InputError {
                    id: decl.id.clone(),
                    message: "missing required input".into(),
                });
                continue;
            }
            None => serde_json::Value::Null,
            Some(raw) => match convert::typed(decl, &raw, storage, execution).await {
                Ok(value) => value,
                Err(message) => {
                    errors.push(InputError {
                        id: decl.id.clone(),
                        message,
                    });
                    continue;
                }
            },
        };
        if decl.type_ == InputType::Secret {
            if let Some(secret) = value.as_str().filter(|s| !s.is_empty()) {
                resolved.secrets.push(secret.to_string());
            }
        }
        insert_dotted(&mut resolved.values, &decl.id, value);
    }
    if errors.is_empty() {
        Ok(resolved)
    } else {
        Err(errors)
    }
}

fn insert_dotted(
    map: &mut serde_json::Map<String, serde_json::Value>,
    id: &str,
    value: serde_json::Value,
) {
    match id.split_once('.') {
        None => {
            map.insert(id.to_string(), value);
        }
        Some((head, rest)) => {
            let entry = map
                .entry(head.to_string())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            if !entry.is_object() {
                *entry = serde_json::Value::Object(Default::default());
            }
            if let serde_json::Value::Object(inner) = entry {
                insert_dotted(inner, rest, value);
            }
        }
    }
}

/// Splits `key=value` (the first `=`), as given to `--input`.
pub fn parse_assignment(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("'{text}' is not of the form key=value")),
    }
}

#[cfg(test)]
mod tests;
