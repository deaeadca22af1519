//! Parsing and generating functions: `fromJson`/`json`, `yaml`, `loopOutputs`, `uuid`, `id`,
//! `ksuid`, `nanoId`, `randomInt`, `randomPort`.

use std::time::{SystemTime, UNIX_EPOCH};

use kflow_syntax::Span;

use super::super::args::Bound;
use super::super::error::{fail, EResult, EvalError};
use super::super::json_read::parse_json;
use super::super::random;
use super::super::value::Val;
use super::super::yaml_read::parse_yaml;

pub fn from_json<'c>(n: &str, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    if !a.has("json") {
        return fail(
            format!("The '{n}' function expects an argument 'json'."),
            span,
        );
    }
    match a.val("json") {
        Val::Null => Ok(Val::Null),
        Val::Str(s) => {
            parse_json(&s).map_err(|e| EvalError::other(format!("Invalid json: {e}"), span))
        }
        _ => fail(
            format!("The '{n}' function expects an argument 'json' with type string."),
            span,
        ),
    }
}

/// Kestra's `fromIon(ion, allRows=false)` (`FromIonFunction`): the first value of an Ion text,
/// or the list of all of them, as `FileSerde.readAll` reads them (through the serdes tasks'
/// Ion-to-JSON mapping).
pub fn from_ion<'c>(a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    use crate::serdes::ion;
    if !a.has("ion") {
        return fail("The 'fromIon' function expects an argument 'ion'.", span);
    }
    let text = match a.val("ion") {
        Val::Null => return Ok(Val::Null),
        Val::Str(s) => s,
        _ => {
            return fail(
                "The 'fromIon' function expects an argument 'ion' with type string.",
                span,
            )
        }
    };
    let all = match a.val("allRows") {
        Val::Null => false,
        Val::Bool(b) => b,
        _ => {
            return fail(
                "The 'fromIon' function expects 'allRows' to be a boolean.",
                span,
            )
        }
    };
    // Value by value: without `allRows`, Kestra takes the first one and reads no further.
    let values = ion::IonReader::new(text.as_bytes()).take(if all { usize::MAX } else { 1 });
    let mut rows = Vec::new();
    for value in values {
        let value = value.map_err(|e| EvalError::other(format!("Invalid ion: {e}"), span))?;
        let json = ion::to_json(&value, &ion::JsonStyle::default());
        rows.push(
            parse_json(&json).map_err(|e| EvalError::other(format!("Invalid ion: {e}"), span))?,
        );
    }
    Ok(if all {
        Val::list(rows)
    } else {
        rows.into_iter().next().unwrap_or(Val::Null)
    })
}

pub fn yaml<'c>(a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    match a.val("yaml") {
        Val::Str(s) => parse_yaml(&s).map_err(|e| EvalError::other(e, span)),
        _ => fail(
            "The 'yaml' function expects an argument 'yaml' with type string.",
            span,
        ),
    }
}

const NANO_ID_ALPHABET: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// Identifiers and random values.
pub fn generated<'c>(n: &str, a: &Bound<'c>, now: SystemTime, span: Span) -> EResult<Val<'c>> {
    Ok(match n {
        "uuid" => Val::str(random::uuid_v4()),
        "id" => Val::str(random::short_id()),
        "ksuid" => {
            let secs = now
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            Val::str(random::ksuid(secs))
        }
        "nanoId" => {
            // Kestra ignores a length that is not an integer literal, and an alphabet that is
            // not a string.
            let length = match a.val("length") {
                Val::Int(l) if l > 1000 => {
                    return fail(
                        "The 'nanoId()' function field 'length' must be lower than: 1000",
                        span,
                    )
                }
                Val::Int(l) if l < 0 => return fail(format!("Negative nanoId length {l}"), span),
                Val::Int(l) => l as usize,
                _ => 21,
            };
            let alphabet: Vec<char> = match a.val("alphabet") {
                Val::Str(s) => s.chars().collect(),
                _ => NANO_ID_ALPHABET.chars().collect(),
            };
            if alphabet.is_empty() {
                return fail("The 'nanoId()' function needs a non-empty 'alphabet'", span);
            }
            Val::str(random::nano_id(length, &alphabet))
        }
        "randomInt" => {
            let get = |name: &str| -> EResult<i64> {
                match a.get(name) {
                    None | Some(Val::Null) => fail(
                        format!("The 'GenerateRandomNumber' function expects an argument {name}"),
                        span,
                    ),
                    Some(Val::Int(i)) => Ok(*i),
                    Some(_) => fail(
                        format!(
                            "The 'GenerateRandomNumber' function expects an argument {name}with type Integer."
                        ),
                        span,
                    ),
                }
            };
            let (lower, upper) = (get("lower")?, get("upper")?);
            if upper < lower {
                return fail("In 'GenerateRandomNumber' upper is less than lower", span);
            }
            Val::Int(random::int_between(lower, upper))
        }
        _ => std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|addr| Val::Int(addr.port() as i64))
            .map_err(|e| EvalError::other(format!("Unable to find a free port: {e}"), span))?,
    })
}

/// Kestra 2.0's `loopOutputs(outputs, name)` (`LoopOutputsFunction`): the output `name` of each
/// iteration of a Loop's `outputs` list (`[{item, outputs}]`), null where an entry has none.
pub fn loop_outputs<'c>(a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let outputs = a.val("outputs");
    if outputs.is_null() {
        return fail(
            "The 'loopOutputs' function expects a non-null argument 'outputs'.",
            span,
        );
    }
    let Some(list) = outputs.as_list() else {
        return fail(
            "The 'loopOutputs' function expects 'outputs' to be a list.",
            span,
        );
    };
    let key = match a.val("name") {
        Val::Null => {
            return fail(
                "The 'loopOutputs' function expects a non-null argument 'name'.",
                span,
            )
        }
        Val::Str(s) => s,
        _ => {
            return fail(
                "The 'loopOutputs' function expects 'name' to be a string.",
                span,
            )
        }
    };
    let picked = list
        .iter()
        .map(|entry| {
            entry
                .as_true_map()
                .and_then(|m| m.get("outputs"))
                .and_then(|o| o.as_true_map().and_then(|m| m.get(&key)))
                .unwrap_or(Val::Null)
        })
        .collect();
    Ok(Val::list(picked))
}
