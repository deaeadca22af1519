//! Serialisation and conversion filters: `toJson`, `yaml`, `toIon`, `number`, `string`,
//! `className`, `jq`.

use kflow_syntax::Span;

use super::super::args::Bound;
use super::super::error::{fail, EResult, EvalError};
use super::super::jq;
use super::super::print::{java_double, to_json_string, write_json_str};
use super::super::value::Val;
use super::super::yaml_write;
use super::cast_str;

pub fn apply<'c>(name: &str, v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let err = |m: String| EvalError::other(m, span);
    match name {
        "toJson" | "json" => match v {
            Val::Null => Ok(Val::str("null")),
            _ => to_json_string(v).map(Val::str).map_err(err),
        },
        "yaml" => match v {
            Val::Null => Ok(Val::str("null")),
            _ => yaml_write::to_yaml(v).map(Val::str).map_err(err),
        },
        "toIon" => to_ion(v, 0).map(Val::str).map_err(err),
        "className" => Ok(match v {
            Val::Null => Val::Null,
            _ => Val::str(v.java_class()),
        }),
        "string" => Ok(match v {
            Val::Null => Val::Null,
            _ => Val::str(v.to_java_string()),
        }),
        "number" => number(v, args, span),
        _ => fail(format!("Filter [{name}] does not exist."), span),
    }
}

/// Kestra's `number(type)`: parses a string (commons-lang `NumberUtils`); without a type the
/// kind is inferred (integers, else decimals).
fn number<'c>(v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let s = match v {
        Val::Null => return Ok(Val::Null),
        Val::Str(s) => s.to_string(),
        other => {
            return fail(
                format!(
                    "'number' filter can only be applied to String. Actual type was: {}",
                    other.java_class()
                ),
                span,
            )
        }
    };
    let kind = match args.val("type") {
        Val::Null => String::new(),
        t => cast_str(&t, span)?.to_string(),
    };
    let bad = || EvalError::other(format!("For input string: \"{s}\""), span);
    let text = s.as_str();
    let int = || parse_integer(text).ok_or_else(bad);
    let float = || {
        let t = text.trim_end_matches(['f', 'F', 'd', 'D']);
        if t.is_empty() || t.contains(char::is_whitespace) {
            return Err(bad());
        }
        t.parse::<f64>().map_err(|_| bad())
    };
    Ok(match kind.as_str() {
        "INT" => {
            let i = int()?;
            if i32::try_from(i).is_err() {
                return Err(bad());
            }
            Val::Int(i)
        }
        "LONG" | "BIGINTEGER" => match int() {
            Ok(i) => Val::Int(i),
            Err(e) if kind == "BIGINTEGER" => Val::Float(float().map_err(|_| e)?),
            Err(e) => return Err(e),
        },
        "FLOAT" => Val::Float32(float()? as f32),
        "DOUBLE" => Val::Float(float()?),
        "BIGDECIMAL" => match int() {
            Ok(i) => Val::Int(i),
            Err(_) => Val::Float(float()?),
        },
        "" => {
            let t = text.trim_end_matches(['l', 'L']);
            match parse_integer(t) {
                Some(i) => Val::Int(i),
                None => decimal_number(text, float()?),
            }
        }
        other => {
            return fail(
                format!("Unknown number type '{other}': expected INT, FLOAT, LONG, DOUBLE, BIGDECIMAL or BIGINTEGER"),
                span,
            )
        }
    })
}

/// The class commons-lang's `NumberUtils.createNumber` picks for a decimal: an `f` suffix or
/// at most 7 digits after the point make a Float, a `d` suffix or at most 16 a Double (either
/// only when it neither overflows nor underflows to zero), anything else a BigDecimal (a double
/// here).
fn decimal_number<'c>(text: &str, value: f64) -> Val<'c> {
    let last = text.chars().last().unwrap_or(' ');
    if matches!(last, 'd' | 'D') {
        return Val::Float(value);
    }
    let float = value as f32;
    if matches!(last, 'f' | 'F') {
        return Val::Float32(float);
    }
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len());
    let zero_by_underflow = |zero: bool| zero && mantissa.bytes().any(|b| matches!(b, b'1'..=b'9'));
    if decimals <= 7 && !float.is_infinite() && !zero_by_underflow(float == 0.0) {
        Val::Float32(float)
    } else {
        Val::Float(value)
    }
}

/// Decimal, `0x` hexadecimal and leading-zero octal integers (`Integer.decode`).
fn parse_integer(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() {
        return None;
    }
    let value = if let Some(hex) = body
        .strip_prefix("0x")
        .or_else(|| body.strip_prefix("0X"))
        .or_else(|| body.strip_prefix('#'))
    {
        i64::from_str_radix(hex, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else if body.bytes().all(|b| b.is_ascii_digit()) {
        body.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -value } else { value })
}

/// Amazon Ion text, as Jackson's Ion mapper writes simple values.
fn to_ion(v: &Val, depth: usize) -> Result<String, String> {
    if depth > super::super::limits::MAX_VALUE_DEPTH {
        return Err("value nested too deeply".into());
    }
    Ok(match v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Float(f) => ion_float(*f),
        Val::Float32(f) => ion_float(v.to_json().as_f64().unwrap_or(f64::from(*f))),
        Val::Str(s) => {
            let mut out = String::new();
            write_json_str(s, &mut out);
            out
        }
        Val::List(_) | Val::JList(_) => {
            let items: Result<Vec<String>, String> = v
                .as_list()
                .map(|l| l.iter().map(|x| to_ion(&x, depth + 1)).collect())
                .unwrap_or_else(|| Ok(Vec::new()));
            format!("[{}]", items?.join(","))
        }
        Val::Map(_) | Val::JMap(_) | Val::Entry(_) => {
            let mut parts = Vec::new();
            if let Some(m) = v.as_map() {
                for (k, x) in m.iter() {
                    parts.push(format!("{}:{}", ion_symbol(&k), to_ion(&x, depth + 1)?));
                }
            }
            format!("{{{}}}", parts.join(","))
        }
    })
}

fn ion_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+inf" } else { "-inf" }.into();
    }
    // Ion writes doubles as `<digits>e<exp>` with Java's shortest digits.
    let java = java_double(f);
    match java.split_once('E') {
        Some((m, e)) => format!("{m}e{e}"),
        None => format!("{java}e0"),
    }
}

fn ion_symbol(k: &str) -> String {
    let plain = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !matches!(k, "null" | "true" | "false" | "nan");
    if plain {
        k.to_string()
    } else {
        format!("'{}'", k.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// `x | jq(expression)`: the list of all results.
pub fn jq<'c>(v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    if v.is_null() {
        return Ok(Val::Null);
    }
    if !args.has("expression") {
        return fail("The 'jq' filter expects an argument 'expression'.", span);
    }
    let program = cast_str(&args.val("expression"), span)?.to_string();
    jq::run(&program, v).map_err(|e| EvalError::other(e, span))
}
