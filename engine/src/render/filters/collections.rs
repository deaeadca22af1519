//! List and map filters.

use std::cmp::Ordering;
use std::rc::Rc;

use kflow_syntax::Span;

use super::super::args::Bound;
use super::super::error::{fail, EResult};
use super::super::limits::MAX_COLLECTION;
use super::super::text::{utf16_len, utf16_slice};
use super::super::value::{java_equals, java_hash_map, Val};
use super::{cast_error, cast_long, cast_str};

pub fn apply<'c>(name: &str, v: Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    if name == "merge" {
        return merge(v, args.val("items"), span);
    }
    if name == "distinct" && v.is_null() {
        // Kestra's `distinct` returns the string "null" for a null input.
        return Ok(Val::str("null"));
    }
    if v.is_null() {
        return Ok(Val::Null);
    }
    match name {
        "first" | "last" => first_last(name == "first", &v, span),
        "join" => {
            let Some(list) = v.as_list() else {
                return fail(
                    "The 'join' filter expects that the input is either a collection or an array.",
                    span,
                );
            };
            let glue = match args.val("separator") {
                Val::Null => String::new(),
                s => cast_str(&s, span)?.to_string(),
            };
            let mut out = String::new();
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    out.push_str(&glue);
                }
                out.push_str(&item.to_java_string());
                if out.len() > super::super::limits::MAX_OUTPUT {
                    return fail(super::super::exec::output_too_large(), span);
                }
            }
            Ok(Val::str(out))
        }
        "reverse" => {
            let list = want_list(&v, span)?;
            let mut items = list;
            items.reverse();
            Ok(Val::list(items))
        }
        "sort" | "rsort" => {
            let mut items = want_list(&v, span)?;
            let mut failure = None;
            items.sort_by(|a, b| {
                compare(a, b).unwrap_or_else(|e| {
                    failure.get_or_insert(e);
                    Ordering::Equal
                })
            });
            if let Some(e) = failure {
                return fail(e, span);
            }
            if name == "rsort" {
                items.reverse();
            }
            Ok(Val::list(items))
        }
        "slice" => slice(&v, args, span),
        "chunk" => {
            if !args.has("size") {
                return fail("'chunk' filter expects an argument 'size'.", span);
            }
            let Some(list) = v.as_list() else {
                return fail(
                    format!(
                        "'chunk' filter can only be applied to List. Actual type was: {}",
                        v.java_class()
                    ),
                    span,
                );
            };
            let size = cast_long(&args.val("size"), "chunk", "size", span)?;
            if size <= 0 {
                return fail(format!("size must be greater than 0 but was {size}"), span);
            }
            let items = list.to_vec();
            Ok(Val::list(
                items
                    .chunks(size.min(i64::from(u32::MAX)) as usize)
                    .map(|c| Val::list(c.to_vec()))
                    .collect(),
            ))
        }
        "distinct" => {
            let Some(list) = v.as_list() else {
                return fail(
                    format!("Input must be a list, but received : {}", v.java_class()),
                    span,
                );
            };
            let mut out: Vec<Val<'c>> = Vec::new();
            for item in list.iter() {
                if !out.iter().any(|x| java_equals(x, &item)) {
                    out.push(item);
                }
            }
            Ok(Val::list(out))
        }
        "flatten" => {
            let Some(list) = v.as_list() else {
                return fail("The 'flatten' filter can only be applied to lists.", span);
            };
            let mut out = Vec::new();
            for item in list.iter() {
                match item.as_list() {
                    Some(inner) => out.extend(inner.iter()),
                    None => out.push(item),
                }
                if out.len() > MAX_COLLECTION {
                    return fail("list too large", span);
                }
            }
            Ok(Val::list(out))
        }
        "keys" => {
            if let Some(map) = v.as_true_map() {
                return Ok(Val::list(map.iter().map(|(k, _)| Val::str(&*k)).collect()));
            }
            if let Some(list) = v.as_list() {
                return Ok(Val::list((0..list.len() as i64).map(Val::Int).collect()));
            }
            fail(
                format!(
                    "'keys' filter can only be applied to List, Map, Array. Actual type was: {}",
                    v.java_class()
                ),
                span,
            )
        }
        "values" => match v.as_true_map() {
            Some(map) => Ok(Val::list(map.iter().map(|(_, x)| x).collect())),
            None => fail(
                format!(
                    "'values' filter can only be applied to Map. Actual type was: {}",
                    v.java_class()
                ),
                span,
            ),
        },
        _ => fail(format!("Filter [{name}] does not exist."), span),
    }
}

fn want_list<'c>(v: &Val<'c>, span: Span) -> EResult<Vec<Val<'c>>> {
    v.as_list()
        .map(|l| l.to_vec())
        .ok_or_else(|| cast_error(v, "java.util.List", span))
}

/// `first` / `last`: an element of a list, or a character of a string.
fn first_last<'c>(first: bool, v: &Val<'c>, span: Span) -> EResult<Val<'c>> {
    if let Val::Str(s) = v {
        let c = if first {
            s.chars().next()
        } else {
            s.chars().last()
        };
        return match c {
            Some(c) => Ok(Val::str(c.to_string())),
            None => fail("Index 0 out of bounds for length 0", span),
        };
    }
    let Some(list) = v.as_list() else {
        return Err(cast_error(v, "java.util.Collection", span));
    };
    let i = if first { 0 } else { list.len().wrapping_sub(1) };
    Ok(list.get(i).unwrap_or(Val::Null))
}

/// Java `Comparable.compareTo` between list elements (`sort`): same-class values only.
fn compare(a: &Val, b: &Val) -> Result<Ordering, String> {
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => Ok(x.cmp(y)),
        (Val::Float(x), Val::Float(y)) => Ok(x.total_cmp(y)),
        (Val::Float32(x), Val::Float32(y)) => Ok(x.total_cmp(y)),
        (Val::Str(x), Val::Str(y)) => Ok(x.encode_utf16().cmp(y.encode_utf16())),
        (Val::Bool(x), Val::Bool(y)) => Ok(x.cmp(y)),
        (Val::Null, _) | (_, Val::Null) => Err("Cannot sort a list containing null".into()),
        (x, y) if std::mem::discriminant(x) == std::mem::discriminant(y) && x.is_number() => {
            Ok(Ordering::Equal)
        }
        (x, y) => Err(format!(
            "class {} cannot be cast to class {}",
            x.java_class(),
            comparable_target(y)
        )),
    }
}

fn comparable_target(v: &Val) -> &'static str {
    match v {
        Val::Int(_) | Val::Float(_) | Val::Float32(_) | Val::Str(_) | Val::Bool(_) => {
            v.java_class()
        }
        _ => "java.lang.Comparable",
    }
}

/// Pebble's `slice(fromIndex, toIndex)` on lists and strings (UTF-16 indices).
fn slice<'c>(v: &Val<'c>, args: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
    let from = match args.val("fromIndex") {
        Val::Null => 0,
        Val::Int(i) => i,
        Val::Float(f) => f as i64,
        Val::Float32(f) => f as i64,
        other => {
            return fail(
                format!(
                    "Argument fromIndex must be a number. Actual type: {}",
                    other.java_class()
                ),
                span,
            )
        }
    };
    if from < 0 {
        return fail("fromIndex must be greater than 0", span);
    }
    let to_arg = match args.val("toIndex") {
        Val::Null => None,
        Val::Int(i) => Some(i),
        Val::Float(f) => Some(f as i64),
        Val::Float32(f) => Some(f as i64),
        other => {
            return fail(
                format!(
                    "Argument toIndex must be a number. Actual type: {}",
                    other.java_class()
                ),
                span,
            )
        }
    };
    let len = match v {
        Val::Str(s) => utf16_len(s) as i64,
        _ => match v.as_list() {
            Some(l) => l.len() as i64,
            None => {
                return fail(
                    format!(
                        "Slice filter can only be applied to String, List and array inputs. Actual type was: {}",
                        v.java_class()
                    ),
                    span,
                )
            }
        },
    };
    let to = match to_arg {
        Some(to) if to > len => {
            return fail(
                format!("toIndex must be smaller than input size: {len}"),
                span,
            )
        }
        Some(to) if from >= to => return fail("toIndex must be greater than fromIndex", span),
        Some(to) => to,
        None => len,
    };
    if from > to {
        return fail(format!("fromIndex({from}) > toIndex({to})"), span);
    }
    match v {
        Val::Str(s) => Ok(Val::str(utf16_slice(s, from, to).unwrap_or(""))),
        _ => {
            let list = v.as_list().expect("a list");
            Ok(Val::list(
                list.iter()
                    .skip(from as usize)
                    .take((to - from) as usize)
                    .collect(),
            ))
        }
    }
}

/// Pebble's `merge`: maps merge into a new `HashMap` (right wins), lists concatenate; a list
/// merged into a map maps each element to itself, a map merged into a list appends entries.
fn merge<'c>(v: Val<'c>, items: Val<'c>, span: Span) -> EResult<Val<'c>> {
    match (v.is_null(), items.is_null()) {
        (true, true) => return fail("The two arguments to be merged are null", span),
        (true, false) => return Ok(items),
        (false, true) => return Ok(v),
        _ => {}
    }
    if let Some(map) = v.as_true_map() {
        let mut pairs: Vec<(Rc<str>, Val<'c>)> =
            map.iter().map(|(k, x)| (Rc::from(&*k), x)).collect();
        let extra = if let Some(other) = items.as_true_map() {
            pairs.extend(other.iter().map(|(k, x)| (Rc::from(&*k), x)));
            other.len()
        } else if let Some(list) = items.as_list() {
            pairs.extend(list.iter().map(|x| (Rc::from(x.to_java_string()), x)));
            list.len()
        } else {
            return fail(
                format!(
                    "Currently, only Maps and Lists can be merged with a Map. Arg2: {}",
                    items.java_class()
                ),
                span,
            );
        };
        if pairs.len() > MAX_COLLECTION {
            return fail("map too large", span);
        }
        let capacity = map.len() + extra + 16;
        return Ok(Val::map(java_hash_map(pairs, capacity)));
    }
    if let Some(list) = v.as_list() {
        let mut out = list.to_vec();
        if let Some(other) = items.as_list() {
            out.extend(other.iter());
        } else if let Some(other) = items.as_true_map() {
            out.extend(
                other
                    .iter()
                    .map(|(k, x)| Val::Entry(Rc::new((Val::str(&*k), x)))),
            );
        } else {
            return fail(
                format!(
                    "Currently, only Maps and Lists can be merged with a List. Arg2: {}",
                    items.java_class()
                ),
                span,
            );
        }
        if out.len() > MAX_COLLECTION {
            return fail("list too large", span);
        }
        return Ok(Val::list(out));
    }
    fail("The object being filtered is not a Map/List/Array", span)
}
