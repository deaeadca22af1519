//! Attribute access (`a.b`, `a['b']`, `list[0]`) and the Java methods Pebble lets templates
//! call on values (`s.toUpperCase()`, `list.size()`…). Pebble resolves `a.b` on a map as a key,
//! on a list as an index, and otherwise through Java getters; only a whitelist of methods is
//! supported here.

use std::rc::Rc;

use kflow_syntax::pebble::{Expr, ExprKind, Ident};
use kflow_syntax::Span;

use super::error::{fail, EResult, EvalError};
use super::exec::Renderer;
use super::java_regex;
use super::text::{utf16_len, utf16_slice};
use super::value::{java_equals, Val};

/// Java `Integer.parseInt`.
pub fn parse_java_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok().map(i64::from)
}

impl<'c, 't> Renderer<'c, 't> {
    pub fn get_attr(
        &mut self,
        obj: Val<'c>,
        key: &Val<'c>,
        object_expr: &Expr,
        span: Span,
    ) -> EResult<Val<'c>> {
        let name = key.to_java_string();
        let missing = || Err(EvalError::undefined(name.clone(), span));
        match &obj {
            Val::Null => {
                // Pebble names the variable when the null object is a plain variable.
                let who = match &object_expr.kind {
                    ExprKind::Var(v) => v.clone(),
                    _ => name.clone(),
                };
                Err(EvalError::undefined(who, span))
            }
            Val::Map(_) | Val::JMap(_) => {
                if key.is_number() {
                    return fail(
                        format!("type class java.lang.String not supported for key {name}"),
                        span,
                    );
                }
                let map = obj.as_true_map().expect("a map");
                match map.get(&name) {
                    Some(v) => Ok(v),
                    None => missing(),
                }
            }
            Val::Entry(e) => match name.as_str() {
                "key" => Ok(e.0.clone()),
                "value" => Ok(e.1.clone()),
                _ => missing(),
            },
            Val::List(_) | Val::JList(_) => {
                let list = obj.as_list().expect("a list");
                match parse_java_int(&name) {
                    Some(i) if i >= 0 && (i as usize) < list.len() => {
                        Ok(list.get(i as usize).unwrap_or(Val::Null))
                    }
                    Some(_) => missing(),
                    None => match name.as_str() {
                        "size" => Ok(Val::Int(list.len() as i64)),
                        "empty" => Ok(Val::Bool(list.is_empty())),
                        _ => missing(),
                    },
                }
            }
            Val::Str(s) => match name.as_str() {
                "length" => Ok(Val::Int(utf16_len(s) as i64)),
                "empty" => Ok(Val::Bool(s.is_empty())),
                "blank" => Ok(Val::Bool(s.trim().is_empty())),
                _ => missing(),
            },
            _ => missing(),
        }
    }

    /// `object.name(args)`.
    pub fn call_method(
        &mut self,
        obj: Val<'c>,
        object_expr: &Expr,
        name: &Ident,
        args: Vec<Val<'c>>,
        span: Span,
    ) -> EResult<Val<'c>> {
        let m = name.name.as_str();
        if obj.is_null() {
            let who = match &object_expr.kind {
                ExprKind::Var(v) => v.clone(),
                _ => m.to_string(),
            };
            return Err(EvalError::undefined(who, name.span));
        }
        let result = match &obj {
            Val::Str(s) => string_method(s, m, &args, span)?,
            Val::List(_) | Val::JList(_) => list_method(&obj, m, &args, span)?,
            Val::Map(_) | Val::JMap(_) => map_method(&obj, m, &args)?,
            Val::Entry(e) => match (m, args.len()) {
                ("getKey", 0) => Some(e.0.clone()),
                ("getValue", 0) => Some(e.1.clone()),
                ("toString", 0) => Some(Val::str(obj.to_java_string())),
                _ => None,
            },
            Val::Int(_) | Val::Float(_) | Val::Float32(_) => number_method(&obj, m, &args),
            Val::Bool(b) => match (m, args.len()) {
                ("toString", 0) => Some(Val::str(b.to_string())),
                ("booleanValue", 0) => Some(Val::Bool(*b)),
                _ => None,
            },
            Val::Null => None,
        };
        match result {
            Some(v) => Ok(v),
            None => fail(
                format!(
                    "method `{m}()` with {} argument(s) is not supported on a {} \
                     (kflow supports: {})",
                    args.len(),
                    obj.type_name(),
                    supported_methods(&obj)
                ),
                name.span,
            ),
        }
    }
}

fn supported_methods(v: &Val) -> &'static str {
    match v {
        Val::Str(_) => {
            "length, isEmpty, isBlank, toUpperCase, toLowerCase, trim, strip, contains, \
             startsWith, endsWith, indexOf, lastIndexOf, split, substring, replace, replaceAll, \
             matches, equals, equalsIgnoreCase, concat, charAt, toString"
        }
        Val::List(_) | Val::JList(_) => "size, isEmpty, get, contains, indexOf, subList, toString",
        Val::Map(_) | Val::JMap(_) => {
            "size, isEmpty, get, getOrDefault, containsKey, containsValue, keySet, values, \
             entrySet, toString"
        }
        Val::Entry(_) => "getKey, getValue, toString",
        Val::Int(_) | Val::Float(_) | Val::Float32(_) => {
            "intValue, longValue, doubleValue, toString"
        }
        _ => "toString, booleanValue",
    }
}

fn str_arg(args: &[Val], i: usize) -> Option<String> {
    args.get(i).map(|v| v.to_java_string())
}

fn int_arg(args: &[Val], i: usize) -> Option<i64> {
    args.get(i).and_then(Val::as_i64)
}

fn string_method<'c>(
    s: &Rc<String>,
    m: &str,
    args: &[Val<'c>],
    span: Span,
) -> EResult<Option<Val<'c>>> {
    let n = args.len();
    let v = match (m, n) {
        ("length", 0) => Val::Int(utf16_len(s) as i64),
        ("isEmpty", 0) => Val::Bool(s.is_empty()),
        ("isBlank", 0) => Val::Bool(s.trim().is_empty()),
        ("toUpperCase", 0) => Val::str(s.to_uppercase()),
        ("toLowerCase", 0) => Val::str(s.to_lowercase()),
        // Java `trim()` strips every char <= U+0020.
        ("trim", 0) => Val::str(s.trim_matches(|c: char| c <= ' ')),
        ("strip", 0) => Val::str(s.trim()),
        ("toString", 0) => Val::Str(s.clone()),
        ("contains", 1) => Val::Bool(s.contains(&*str_arg(args, 0).unwrap_or_default())),
        ("startsWith", 1) => Val::Bool(s.starts_with(&*str_arg(args, 0).unwrap_or_default())),
        ("endsWith", 1) => Val::Bool(s.ends_with(&*str_arg(args, 0).unwrap_or_default())),
        ("equals", 1) => Val::Bool(matches!(&args[0], Val::Str(o) if o == s)),
        ("equalsIgnoreCase", 1) => {
            Val::Bool(matches!(&args[0], Val::Str(o) if o.to_lowercase() == s.to_lowercase()))
        }
        ("concat", 1) => Val::str(format!("{s}{}", str_arg(args, 0).unwrap_or_default())),
        ("indexOf", 1) | ("lastIndexOf", 1) => {
            let needle = str_arg(args, 0).unwrap_or_default();
            let found = if m == "indexOf" {
                s.find(&*needle)
            } else {
                s.rfind(&*needle)
            };
            Val::Int(found.map_or(-1, |i| utf16_len(&s[..i]) as i64))
        }
        ("charAt", 1) => {
            let i = int_arg(args, 0).unwrap_or(-1);
            match utf16_slice(s, i, i + 1) {
                Some(c) => Val::str(c),
                None => return index_error(i, i + 1, s, span),
            }
        }
        ("substring", 1) | ("substring", 2) => {
            let from = int_arg(args, 0).unwrap_or(-1);
            let to = if n == 2 {
                int_arg(args, 1).unwrap_or(-1)
            } else {
                utf16_len(s) as i64
            };
            match utf16_slice(s, from, to) {
                Some(sub) => Val::str(sub),
                None => return index_error(from, to, s, span),
            }
        }
        ("replace", 2) => Val::str(s.replace(
            &*str_arg(args, 0).unwrap_or_default(),
            &str_arg(args, 1).unwrap_or_default(),
        )),
        ("replaceAll", 2) | ("replaceFirst", 2) => {
            let re = java_regex::compile(&str_arg(args, 0).unwrap_or_default())
                .map_err(|e| EvalError::other(e, span))?;
            let repl = str_arg(args, 1).unwrap_or_default();
            let out = java_regex::replace(s, &re, &repl, m == "replaceAll")
                .map_err(|e| EvalError::other(e, span))?;
            Val::str(out)
        }
        ("matches", 1) => {
            let re = java_regex::compile_anchored(&str_arg(args, 0).unwrap_or_default())
                .map_err(|e| EvalError::other(e, span))?;
            Val::Bool(re.is_match(s))
        }
        ("split", 1) | ("split", 2) => {
            let re = java_regex::compile(&str_arg(args, 0).unwrap_or_default())
                .map_err(|e| EvalError::other(e, span))?;
            let limit = if n == 2 {
                int_arg(args, 1).unwrap_or(0)
            } else {
                0
            };
            Val::list(
                java_regex::split(s, &re, limit)
                    .map_err(|e| EvalError::other(e, span))?
                    .into_iter()
                    .map(Val::str)
                    .collect(),
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn index_error<'c>(from: i64, to: i64, s: &str, span: Span) -> EResult<Option<Val<'c>>> {
    fail(
        format!("begin {from}, end {to}, length {}", utf16_len(s)),
        span,
    )
}

fn list_method<'c>(
    obj: &Val<'c>,
    m: &str,
    args: &[Val<'c>],
    span: Span,
) -> EResult<Option<Val<'c>>> {
    let list = obj.as_list().expect("a list");
    let v = match (m, args.len()) {
        ("size", 0) => Val::Int(list.len() as i64),
        ("isEmpty", 0) => Val::Bool(list.is_empty()),
        ("toString", 0) => Val::str(obj.to_java_string()),
        ("contains", 1) => Val::Bool(list.iter().any(|x| java_equals(&x, &args[0]))),
        ("indexOf", 1) => Val::Int(
            list.iter()
                .position(|x| java_equals(&x, &args[0]))
                .map_or(-1, |i| i as i64),
        ),
        ("get", 1) => {
            let i = int_arg(args, 0).unwrap_or(-1);
            match usize::try_from(i).ok().and_then(|i| list.get(i)) {
                Some(v) => v,
                None => {
                    return fail(
                        format!("Index {i} out of bounds for length {}", list.len()),
                        span,
                    )
                }
            }
        }
        ("subList", 2) => {
            let (a, b) = (
                int_arg(args, 0).unwrap_or(-1),
                int_arg(args, 1).unwrap_or(-1),
            );
            if a < 0 || b < a || b as usize > list.len() {
                return fail(
                    format!("fromIndex: {a}, toIndex: {b}, size: {}", list.len()),
                    span,
                );
            }
            Val::list(
                list.iter()
                    .skip(a as usize)
                    .take((b - a) as usize)
                    .collect(),
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn map_method<'c>(obj: &Val<'c>, m: &str, args: &[Val<'c>]) -> EResult<Option<Val<'c>>> {
    let map = obj.as_true_map().expect("a map");
    let key = |i: usize| match args.get(i) {
        Some(Val::Str(s)) => Some(s.to_string()),
        _ => None,
    };
    let v = match (m, args.len()) {
        ("size", 0) => Val::Int(map.len() as i64),
        ("isEmpty", 0) => Val::Bool(map.is_empty()),
        ("toString", 0) => Val::str(obj.to_java_string()),
        ("get", 1) => key(0).and_then(|k| map.get(&k)).unwrap_or(Val::Null),
        ("getOrDefault", 2) => key(0)
            .and_then(|k| map.get(&k))
            .unwrap_or_else(|| args[1].clone()),
        ("containsKey", 1) => Val::Bool(key(0).is_some_and(|k| map.contains_key(&k))),
        ("containsValue", 1) => Val::Bool(map.iter().any(|(_, v)| java_equals(&v, &args[0]))),
        ("keySet", 0) => Val::list(map.iter().map(|(k, _)| Val::str(&*k)).collect()),
        ("values", 0) => Val::list(map.iter().map(|(_, v)| v).collect()),
        ("entrySet", 0) => Val::list(
            map.iter()
                .map(|(k, v)| Val::Entry(Rc::new((Val::str(&*k), v))))
                .collect(),
        ),
        _ => return Ok(None),
    };
    Ok(Some(v))
}

fn number_method<'c>(obj: &Val<'c>, m: &str, args: &[Val<'c>]) -> Option<Val<'c>> {
    if !args.is_empty() {
        return None;
    }
    Some(match m {
        "toString" => Val::str(obj.to_java_string()),
        "intValue" => Val::Int(obj.as_i64()? as i32 as i64),
        "longValue" => Val::Int(obj.as_i64()?),
        "doubleValue" => Val::Float(obj.as_f64()?),
        _ => return None,
    })
}
