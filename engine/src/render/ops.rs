//! Operators, following Pebble's `OperatorUtils` and expression classes.

use kflow_syntax::pebble::BinaryOp;
use kflow_syntax::Span;

use super::error::{fail, EResult};
use super::exec::simple_class;
use super::limits::{MAX_COLLECTION, MAX_OUTPUT};
use super::value::{java_equals, Val};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl Arith {
    fn name(self) -> &'static str {
        match self {
            Arith::Add => "ADD",
            Arith::Sub => "SUBTRACT",
            Arith::Mul => "MULTIPLICATION",
            Arith::Div => "DIVISION",
            Arith::Mod => "MODULUS",
        }
    }
}

/// Numeric operation with Java's widening: two integers give an integer (division truncates,
/// overflow wraps), otherwise doubles.
pub fn arith<'c>(op: Arith, l: &Val<'c>, r: &Val<'c>, span: Span) -> EResult<Val<'c>> {
    match (l, r) {
        (Val::Int(a), Val::Int(b)) => {
            let (a, b) = (*a, *b);
            let v = match op {
                Arith::Add => a.wrapping_add(b),
                Arith::Sub => a.wrapping_sub(b),
                Arith::Mul => a.wrapping_mul(b),
                Arith::Div | Arith::Mod if b == 0 => return fail("/ by zero", span),
                Arith::Div => a.wrapping_div(b),
                Arith::Mod => a.wrapping_rem(b),
            };
            Ok(Val::Int(v))
        }
        _ => match (l.as_f64(), r.as_f64()) {
            (Some(a), Some(b)) => Ok(Val::Float(match op {
                Arith::Add => a + b,
                Arith::Sub => a - b,
                Arith::Mul => a * b,
                Arith::Div => a / b,
                Arith::Mod => a % b,
            })),
            _ => fail(
                format!(
                    "invalid operands for mathematical operation [{}]",
                    op.name()
                ),
                span,
            ),
        },
    }
}

/// `+`: string concatenation when either side is a string, list append when the left side is
/// a list, else numeric addition.
pub fn add<'c>(l: &Val<'c>, r: &Val<'c>, span: Span) -> EResult<Val<'c>> {
    if matches!(l, Val::Str(_)) || matches!(r, Val::Str(_)) {
        return concat_strings(l.to_java_string(), r.to_java_string(), span);
    }
    if let Some(list) = l.as_list() {
        let mut items = list.to_vec();
        match r.as_list() {
            Some(more) => items.extend(more.iter()),
            None => items.push(r.clone()),
        }
        if items.len() > MAX_COLLECTION {
            return fail("list too large", span);
        }
        return Ok(Val::list(items));
    }
    arith(Arith::Add, l, r, span)
}

/// `-`: removal from a list (all of a list, or the first occurrence of a value), else numeric.
pub fn sub<'c>(l: &Val<'c>, r: &Val<'c>, span: Span) -> EResult<Val<'c>> {
    if let Some(list) = l.as_list() {
        let mut items = list.to_vec();
        match r.as_list() {
            Some(remove) => {
                let remove = remove.to_vec();
                items.retain(|x| !remove.iter().any(|y| java_equals(x, y)));
            }
            None => {
                if let Some(i) = items.iter().position(|x| java_equals(x, r)) {
                    items.remove(i);
                }
            }
        }
        return Ok(Val::list(items));
    }
    arith(Arith::Sub, l, r, span)
}

/// `~`: `toString()` of both sides, nulls skipped.
pub fn concat<'c>(l: &Val<'c>, r: &Val<'c>, span: Span) -> EResult<Val<'c>> {
    let a = if l.is_null() {
        String::new()
    } else {
        l.to_java_string()
    };
    let b = if r.is_null() {
        String::new()
    } else {
        r.to_java_string()
    };
    concat_strings(a, b, span)
}

fn concat_strings<'c>(mut a: String, b: String, span: Span) -> EResult<Val<'c>> {
    if a.len() + b.len() > MAX_OUTPUT {
        return fail(super::exec::output_too_large(), span);
    }
    a.push_str(&b);
    Ok(Val::str(a))
}

/// `==`: numbers compare numerically (`1 == 1.0`), everything else with Java `equals`
/// (so `'1' == 1` is false). Kestra context enums are plain strings here.
pub fn equals(l: &Val, r: &Val) -> bool {
    match (l.as_f64(), r.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => java_equals(l, r),
    }
}

/// `<`, `>`, `<=`, `>=`: numeric only; false when either side is null.
pub fn compare(op: BinaryOp, l: &Val, r: &Val, span: Span) -> EResult<bool> {
    if l.is_null() || r.is_null() {
        return Ok(false);
    }
    let name = match op {
        BinaryOp::Lt => "LESS_THAN",
        BinaryOp::Gt => "GREATER_THAN",
        BinaryOp::Le => "LESS_THAN_EQUALS",
        _ => "GREATER_THAN_EQUALS",
    };
    let (Some(a), Some(b)) = (l.as_f64(), r.as_f64()) else {
        return fail(
            format!("invalid operands for mathematical comparison [{name}]"),
            span,
        );
    };
    Ok(match op {
        BinaryOp::Lt => a < b,
        BinaryOp::Gt => a > b,
        BinaryOp::Le => a <= b,
        _ => a >= b,
    })
}

/// `contains`: element (or all elements of a list) of a list, key of a map, substring.
pub fn contains(l: &Val, r: &Val, span: Span) -> EResult<bool> {
    if let Some(list) = l.as_list() {
        let items = list.to_vec();
        let has = |x: &Val| items.iter().any(|y| java_equals(y, x));
        return Ok(match r.as_list() {
            Some(wanted) => wanted.iter().all(|x| has(&x)),
            None => has(r),
        });
    }
    if let Some(map) = l.as_true_map() {
        return Ok(match r {
            Val::Str(k) => map.contains_key(k),
            _ => false,
        });
    }
    match l {
        Val::Str(s) => Ok(s.contains(&*r.to_java_string())),
        Val::Null => Ok(false),
        other => fail(
            format!(
                "Contains operator can only be used on Collections, Maps and arrays. Actual type was: {}",
                other.java_class()
            ),
            span,
        ),
    }
}

/// Kestra's `isIn`: compares `toString()` forms; element of a collection, or key or value of
/// a map; false when either side is null.
pub fn is_in(l: &Val, r: &Val, span: Span) -> EResult<bool> {
    if l.is_null() || r.is_null() {
        return Ok(false);
    }
    let needle = l.to_java_string();
    if let Some(list) = r.as_list() {
        for item in list.iter() {
            if item.is_null() {
                return fail("isIn: the collection contains a null element", span);
            }
            if item.to_java_string() == needle {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if let Some(map) = r.as_true_map() {
        for (k, v) in map.iter() {
            if v.is_null() && *k != needle {
                return fail("isIn: the map contains a null value", span);
            }
            if *k == needle || v.to_java_string() == needle {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Pebble's `TypeUtils.compatibleCast(x, Boolean.class)` for `and`/`or`: booleans, numbers
/// (≠ 0), strings (non-empty). Null is an error under strict variables, and collections cannot
/// be cast.
pub fn logic_truth(v: &Val, span: Span) -> EResult<bool> {
    match v {
        Val::Null => fail(
            "null value used in and operator and strict variables is set to true",
            span,
        ),
        _ => cast_bool(v, span),
    }
}

/// `not x`.
pub fn not(v: &Val, span: Span) -> EResult<bool> {
    match v {
        Val::Null => fail(
            "null value given to not() and strict variables is set to true",
            span,
        ),
        Val::Bool(_) | Val::Int(_) | Val::Float(_) | Val::Float32(_) | Val::Str(_) => {
            Ok(!cast_bool(v, span)?)
        }
        other => fail(
            format!(
                "Unsupported value type {}. Expected Boolean, String, Number in \"if\" statement",
                simple_class(other)
            ),
            span,
        ),
    }
}

/// Ternary condition: null is false; otherwise the same cast as `and`/`or`.
pub fn ternary_truth(v: &Val, span: Span) -> EResult<bool> {
    match v {
        Val::Null => Ok(false),
        _ => cast_bool(v, span),
    }
}

fn cast_bool(v: &Val, span: Span) -> EResult<bool> {
    match v {
        Val::Bool(b) => Ok(*b),
        Val::Int(i) => Ok(*i != 0),
        Val::Float(f) => Ok(!f.is_nan() && *f != 0.0),
        Val::Float32(f) => Ok(!f.is_nan() && *f != 0.0),
        Val::Str(s) => Ok(!s.is_empty()),
        Val::Null => Ok(false),
        other => fail(
            format!(
                "class {} cannot be cast to class java.lang.Boolean",
                other.java_class()
            ),
            span,
        ),
    }
}
