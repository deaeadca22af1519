//! String filters.

use std::rc::Rc;

use kflow_syntax::Span;

use super::super::args::Bound;
use super::super::decimal_format;
use super::super::error::{fail, EResult, EvalError};
use super::super::java_regex;
use super::super::limits::MAX_OUTPUT;
use super::super::predicates::{is_empty, java_trim};
use super::super::text::{
    is_java_whitespace, strip_accents, substring_after, substring_after_last, substring_before,
    substring_before_last, title_char, utf16_len, utf16_slice,
};
use super::super::value::{java_hash_map, Val};
use super::{cast_error, cast_long, cast_str};

pub fn apply<'c>(name: &str, v: Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    // `default` is the only one that looks at null inputs; most others return null for null.
    if name == "default" {
        return Ok(if is_empty(&v) { args.val("default") } else { v });
    }
    if name == "length" {
        return Ok(Val::Int(match &v {
            Val::Str(s) => utf16_len(s) as i64,
            _ => v
                .as_list()
                .map(|l| l.len())
                .or_else(|| v.as_true_map().map(|m| m.len()))
                .unwrap_or(0) as i64,
        }));
    }
    if name == "abs" {
        return match v {
            Val::Null => fail("Can not pass null value to \"abs\" filter.", span),
            Val::Int(i) => Ok(Val::Int(i.wrapping_abs())),
            Val::Float(f) => Ok(Val::Float(f.abs())),
            Val::Float32(f) => Ok(Val::Float32(f.abs())),
            _ => fail("The 'abs' filter does require as input a number.", span),
        };
    }
    if name == "startsWith" || name == "endsWith" {
        // Kestra's implementation calls `toString()` on both without null checks.
        if v.is_null() || !args.has("value") || args.val("value").is_null() {
            return fail(
                format!("The '{name}' filter needs a non-null input and argument 'value'."),
                span,
            );
        }
        let s = v.to_java_string();
        let p = args.val("value").to_java_string();
        return Ok(Val::Bool(if name == "startsWith" {
            s.starts_with(&p)
        } else {
            s.ends_with(&p)
        }));
    }
    if v.is_null() {
        return Ok(Val::Null);
    }
    let out = match name {
        "abbreviate" => abbreviate(cast_str(&v, span)?, args, span)?,
        "capitalize" => capitalize(cast_str(&v, span)?),
        "title" => title(cast_str(&v, span)?),
        "trim" => java_trim(cast_str(&v, span)?).to_string(),
        "lower" => v.to_java_string().to_lowercase(),
        "upper" => v.to_java_string().to_uppercase(),
        "nl2br" => match &v {
            Val::Str(s) => s.replace("\r\n", "<br />").replace(['\r', '\n'], "<br />"),
            _ => return fail("nl2br filters only supports String input.", span),
        },
        "slugify" => slugify(&v.to_java_string()),
        "substringBefore" | "substringBeforeLast" | "substringAfter" | "substringAfterLast" => {
            if !args.has("separator") {
                return fail(
                    format!("The '{name}' filter expects an argument 'separator'."),
                    span,
                );
            }
            let s = v.to_java_string();
            let sep = args.val("separator");
            // Apache commons: a null separator gives the whole string (or empty for *After*).
            let Val::Str(sep) = sep else {
                return Ok(Val::str(if name.starts_with("substringAfter") {
                    ""
                } else {
                    &s
                }));
            };
            match name {
                "substringBefore" => substring_before(&s, &sep),
                "substringBeforeLast" => substring_before_last(&s, &sep),
                "substringAfter" => substring_after(&s, &sep),
                _ => substring_after_last(&s, &sep),
            }
            .to_string()
        }
        "indent" | "nindent" => indent(name, &v.to_java_string(), args, span)?,
        "escapeChar" => return escape_char(&v, args, span),
        "replace" => return replace(&v, args, span),
        "split" => return split(&v, args, span),
        "numberFormat" => {
            if !v.is_number() {
                return fail(
                    "The input for the 'NumberFormat' filter has to be a number.",
                    span,
                );
            }
            let pattern = match args.val("format") {
                Val::Null => "#,##0.###".to_string(),
                f => cast_str(&f, span)?.to_string(),
            };
            decimal_format::format(&v, &pattern).map_err(|e| EvalError::other(e, span))?
        }
        _ => return fail(format!("Filter [{name}] does not exist."), span),
    };
    Ok(Val::str(out))
}

/// Pebble's `abbreviate` (lengths in UTF-16 units, as Java).
fn abbreviate(s: &str, args: &Bound, span: Span) -> EResult<String> {
    let max = cast_long(&args.val("length"), "abbreviate", "length", span)?;
    if max < 0 {
        return fail(
            "Invalid argument to abbreviate filter; must be greater than zero",
            span,
        );
    }
    let len = utf16_len(s) as i64;
    if len < max || len <= 3 {
        return Ok(s.to_string());
    }
    if max <= 3 {
        return Ok(utf16_slice(s, 0, max).unwrap_or(s).to_string());
    }
    Ok(format!("{}...", utf16_slice(s, 0, max - 3).unwrap_or(s)))
}

/// First non-whitespace character in title case; the rest untouched.
fn capitalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut done = false;
    for c in s.chars() {
        if done || is_java_whitespace(c) {
            out.push(c);
        } else {
            out.push_str(&title_char(c));
            done = true;
        }
    }
    out
}

/// Title case after each whitespace; other letters untouched.
fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut next_upper = true;
    for c in s.chars() {
        if is_java_whitespace(c) {
            next_upper = true;
            out.push(c);
        } else if next_upper {
            out.push_str(&title_char(c));
            next_upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Kestra's `Slugify.of`: whitespace to `-`, accents dropped, only `[A-Za-z0-9_-]` kept,
/// `_` to `-`, dashes collapsed and trimmed, lower case.
pub fn slugify(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_whitespace() || c == '\u{b}' {
                '-'
            } else {
                c
            }
        })
        .collect();
    let ascii: String = strip_accents(&spaced)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .map(|c| if c == '_' { '-' } else { c })
        .collect();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    out.trim_matches('-').to_ascii_lowercase()
}

/// Kestra's `indent` / `nindent`: the line separator is the first of CRLF, LFCR, LF, CR found
/// in the input (LF when none).
fn indent(name: &str, s: &str, args: &Bound, span: Span) -> EResult<String> {
    if s.is_empty() {
        return Ok(String::new());
    }
    if !args.has("amount") {
        return fail(
            format!("The '{name}' filter expects an integer as argument 'amount'."),
            span,
        );
    }
    let amount = cast_long(&args.val("amount"), name, "amount", span)?;
    if amount < 0 {
        return fail(
            format!("The '{name}' filter expects a positive integer >=0 as argument 'amount'."),
            span,
        );
    }
    let prefix = match args.get("prefix") {
        Some(p) => cast_str(p, span)?.to_string(),
        None => " ".to_string(),
    };
    let nl = if s.contains("\r\n") {
        "\r\n"
    } else if s.contains("\n\r") {
        "\n\r"
    } else if s.contains('\r') && !s.contains('\n') {
        "\r"
    } else {
        "\n"
    };
    let pad_len = prefix.len().saturating_mul(amount as usize);
    let lines = s.matches(nl).count() + 1;
    if pad_len.saturating_mul(lines) + s.len() > MAX_OUTPUT {
        return fail(super::super::exec::output_too_large(), span);
    }
    let replacement = format!("{nl}{}", prefix.repeat(amount as usize));
    Ok(if name == "indent" {
        s.replace(nl, &replacement)
    } else {
        format!("{nl}{s}").replace(nl, &replacement)
    })
}

fn escape_char<'c>(v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    if !args.has("type") {
        return fail("The 'escapeChar' filter expects an argument 'type'.", span);
    }
    let kind = cast_str(&args.val("type"), span)?.to_ascii_lowercase();
    let (from, to) = match kind.as_str() {
        "single" => ("'", "\\'"),
        "double" => ("\"", "\\\""),
        "shell" => ("'", "'\\''"),
        _ => {
            return fail(
                format!(
                    "Invalid type '{kind}' for the 'escapeChar' filter: expected one of single, \
                     double, shell."
                ),
                span,
            )
        }
    };
    map_strings(v, 0, &mut |s| Ok(s.replace(from, to)), span)
}

/// Applies `f` to a string, or recursively to the values of a map or list (Kestra's
/// `escapeChar` and `replace` do this; they rebuild maps as `HashMap`s). Non-string scalars
/// are converted with `toString()`.
fn map_strings<'c>(
    v: &Val<'c>,
    depth: usize,
    f: &mut dyn FnMut(&str) -> Result<String, String>,
    span: Span,
) -> EResult<Val<'c>> {
    if depth > super::super::limits::MAX_VALUE_DEPTH {
        return fail("value nested too deeply", span);
    }
    if let Some(list) = v.as_list() {
        let mut out = Vec::with_capacity(list.len());
        for item in list.iter() {
            out.push(map_strings(&item, depth + 1, f, span)?);
        }
        return Ok(Val::list(out));
    }
    if let Some(map) = v.as_true_map() {
        let mut pairs: Vec<(Rc<str>, Val<'c>)> = Vec::with_capacity(map.len());
        for (k, item) in map.iter() {
            pairs.push((Rc::from(&*k), map_strings(&item, depth + 1, f, span)?));
        }
        return Ok(Val::map(java_hash_map(pairs, 16)));
    }
    if v.is_null() {
        // Kestra calls `toString()` on nested values: a null inside a structure fails.
        return fail(
            "Cannot invoke \"Object.toString()\" because \"value\" is null",
            span,
        );
    }
    f(&v.to_java_string())
        .map(Val::str)
        .map_err(|e| EvalError::other(e, span))
}

/// Kestra's `replace(replace_pairs, regexp=false)`.
fn replace<'c>(v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let pairs = args.val("replace_pairs");
    if pairs.is_null() {
        return fail("The argument 'replace_pairs' is required.", span);
    }
    let regexp = match args.val("regexp") {
        Val::Null => false,
        Val::Bool(b) => b,
        other => return Err(cast_error(&other, "java.lang.Boolean", span)),
    };
    let Some(map) = pairs.as_true_map() else {
        return Err(cast_error(&pairs, "java.util.Map", span));
    };
    let mut rules = Vec::new();
    for (k, to) in map.iter() {
        if to.is_null() {
            return fail("a replacement value is null", span);
        }
        let to = to.to_java_string();
        let re = if regexp {
            Some(java_regex::compile(&k).map_err(|e| EvalError::other(e, span))?)
        } else {
            None
        };
        rules.push((k.into_owned(), re, to));
    }
    map_strings(
        v,
        0,
        &mut |s| {
            let mut data = s.to_string();
            for (from, re, to) in &rules {
                data = match re {
                    Some(re) => java_regex::replace(&data, re, to, true)?,
                    None => {
                        let grown = data.len() + data.matches(from.as_str()).count() * to.len();
                        if grown > MAX_OUTPUT {
                            return Err(super::super::exec::output_too_large());
                        }
                        data.replace(from.as_str(), to)
                    }
                };
            }
            Ok(data)
        },
        span,
    )
}

/// Pebble's `split(delimiter, limit)`: Java `String.split`, so the delimiter is a regex.
fn split<'c>(v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let delimiter = match args.val("delimiter") {
        Val::Null => return fail("missing delimiter parameter in split filter", span),
        d => cast_str(&d, span)?.to_string(),
    };
    let limit = match args.val("limit") {
        Val::Null => 0,
        l => l
            .as_i64()
            .ok_or_else(|| cast_error(&l, "java.lang.Number", span))?,
    };
    let s = cast_str(v, span)?;
    let re = java_regex::compile(&delimiter).map_err(|e| EvalError::other(e, span))?;
    Ok(Val::list(
        java_regex::split(s, &re, limit)
            .map_err(|e| EvalError::other(e, span))?
            .into_iter()
            .map(Val::str)
            .collect(),
    ))
}
