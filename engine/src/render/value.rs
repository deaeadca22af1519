//! Runtime values. Context data (`serde_json::Value`) is borrowed, not copied: a variable
//! lookup wraps a reference (`JList`/`JMap`), so `{{ outputs.big.uri }}` costs nothing even
//! when `outputs` is large. Values built while rendering are owned and reference-counted.
//! Integers (Pebble `Long`) and doubles are kept apart, as Pebble does.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value};

#[derive(Clone, Debug)]
pub enum Val<'c> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A `java.lang.Float` (the `number` filter's FLOAT): it prints as `Float.toString` and
    /// widens to a double in arithmetic and comparisons, as in Java.
    Float32(f32),
    /// `Rc<String>` rather than `Rc<str>`: a string made once (a file `read()`, a rendered
    /// value) moves in and out without a copy when nothing else holds it.
    Str(Rc<String>),
    List(Rc<VList<'c>>),
    Map(Rc<ValMap<'c>>),
    /// A list borrowed from the render context.
    JList(&'c [Value]),
    /// A map borrowed from the render context.
    JMap(&'c Map<String, Value>),
    /// A `Map.Entry` produced by iterating a map (`.key` / `.value`).
    Entry(Rc<(Val<'c>, Val<'c>)>),
}

/// An owned list; `depth` is its nesting depth (1 for a flat list), cached so that building
/// ever deeper values in a loop can be refused in constant time (dropping or printing a value
/// nested millions of levels deep would overflow the stack).
#[derive(Clone, Debug, Default)]
pub struct VList<'c> {
    pub items: Vec<Val<'c>>,
    depth: u32,
}

impl<'c> VList<'c> {
    pub fn new(items: Vec<Val<'c>>) -> Self {
        let depth = 1 + items.iter().map(Val::nest_depth).max().unwrap_or(0);
        VList { items, depth }
    }
}

/// An insertion-ordered map (Java `LinkedHashMap`), with a hash index for lookups.
#[derive(Clone, Debug, Default)]
pub struct ValMap<'c> {
    entries: Vec<(Rc<str>, Val<'c>)>,
    index: HashMap<Rc<str>, usize>,
    depth: u32,
}

impl<'c> ValMap<'c> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Inserts or replaces (a replaced key keeps its position, like `LinkedHashMap`).
    pub fn insert(&mut self, key: impl Into<Rc<str>>, value: Val<'c>) {
        let key = key.into();
        self.depth = self.depth.max(1 + value.nest_depth());
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val<'c>> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Rc<str>, &Val<'c>)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Reorders the entries the way a Java `HashMap` with `cap` buckets iterates them.
    fn reorder_for_table(mut self, cap: usize) -> Self {
        let mut keyed: Vec<(usize, usize, (Rc<str>, Val<'c>))> = self
            .entries
            .drain(..)
            .enumerate()
            .map(|(i, e)| (java_bucket(&e.0, cap), i, e))
            .collect();
        keyed.sort_by_key(|(b, i, _)| (*b, *i));
        let mut out = ValMap::new();
        for (_, _, (k, v)) in keyed {
            out.insert(k, v);
        }
        out
    }
}

/// Java `String.hashCode` over UTF-16 code units.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// Bucket of a key in a Java `HashMap` table of `cap` (a power of two) buckets.
fn java_bucket(key: &str, cap: usize) -> usize {
    let h = java_string_hash(key) as u32;
    let spread = h ^ (h >> 16);
    (spread as usize) & (cap - 1)
}

/// Capacity Pebble's `MapExpression` gives its `HashMap`: `ceil(n / 0.75)`.
pub fn literal_map_capacity(n: usize) -> usize {
    (n * 4).div_ceil(3)
}

/// The entries in the order a Java `HashMap` created with `new HashMap<>(initial)` and then
/// filled with them iterates them: Pebble and Kestra build map literals, `merge` results and a
/// few others as `HashMap`s, and Kestra prints them in that order.
pub fn java_hash_map<'c>(
    entries: impl IntoIterator<Item = (Rc<str>, Val<'c>)>,
    initial: usize,
) -> ValMap<'c> {
    let mut map = ValMap::new();
    for (k, v) in entries {
        map.insert(k, v);
    }
    // `tableSizeFor(initial)`, then doubling whenever 0.75 of the table is filled.
    let mut cap = initial.max(1).next_power_of_two();
    while map.len() > cap * 3 / 4 && cap < (1 << 30) {
        cap *= 2;
    }
    map.reorder_for_table(cap)
}

/// A read-only view of any list value.
#[derive(Clone, Copy)]
pub enum ListRef<'a, 'c> {
    Own(&'a [Val<'c>]),
    Json(&'c [Value]),
}

impl<'a, 'c> ListRef<'a, 'c> {
    pub fn len(&self) -> usize {
        match self {
            ListRef::Own(v) => v.len(),
            ListRef::Json(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<Val<'c>> {
        match self {
            ListRef::Own(v) => v.get(i).cloned(),
            ListRef::Json(v) => v.get(i).map(Val::from_json),
        }
    }

    pub fn iter(self) -> Box<dyn Iterator<Item = Val<'c>> + 'a>
    where
        'c: 'a,
    {
        match self {
            ListRef::Own(v) => Box::new(v.iter().cloned()),
            ListRef::Json(v) => Box::new(v.iter().map(Val::from_json)),
        }
    }

    pub fn to_vec(self) -> Vec<Val<'c>>
    where
        'c: 'a,
    {
        self.iter().collect()
    }
}

/// A read-only view of any map value.
#[derive(Clone, Copy)]
pub enum MapRef<'a, 'c> {
    Own(&'a ValMap<'c>),
    Json(&'c Map<String, Value>),
    /// A `Map.Entry` seen as a one-entry map (for JSON output).
    Entry(&'a Val<'c>, &'a Val<'c>),
}

impl<'a, 'c> MapRef<'a, 'c> {
    pub fn len(&self) -> usize {
        match self {
            MapRef::Own(m) => m.len(),
            MapRef::Json(m) => m.len(),
            MapRef::Entry(..) => 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, key: &str) -> Option<Val<'c>> {
        match self {
            MapRef::Own(m) => m.get(key).cloned(),
            MapRef::Json(m) => m.get(key).map(Val::from_json),
            MapRef::Entry(k, v) => (k.to_java_string() == key).then(|| (*v).clone()),
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        match self {
            MapRef::Own(m) => m.get(key).is_some(),
            MapRef::Json(m) => m.contains_key(key),
            MapRef::Entry(k, _) => k.to_java_string() == key,
        }
    }

    pub fn iter(self) -> Box<dyn Iterator<Item = (Cow<'a, str>, Val<'c>)> + 'a>
    where
        'c: 'a,
    {
        match self {
            MapRef::Own(m) => Box::new(m.iter().map(|(k, v)| (Cow::Borrowed(&**k), v.clone()))),
            MapRef::Json(m) => Box::new(
                m.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Val::from_json(v))),
            ),
            MapRef::Entry(k, v) => {
                Box::new(std::iter::once((Cow::Owned(k.to_java_string()), v.clone())))
            }
        }
    }
}

impl<'c> Val<'c> {
    pub fn str(s: impl AsRef<str>) -> Self {
        Val::Str(Rc::new(s.as_ref().to_string()))
    }

    /// A string value that takes `s` as it is: a file read whole is not copied.
    pub fn string(s: String) -> Self {
        Val::Str(Rc::new(s))
    }

    pub fn list(v: Vec<Val<'c>>) -> Self {
        Val::List(Rc::new(VList::new(v)))
    }

    /// Nesting depth of owned collections (context values count as flat: their depth is
    /// bounded by whoever built the context).
    pub fn nest_depth(&self) -> u32 {
        match self {
            Val::List(l) => l.depth,
            Val::Map(m) => m.depth,
            Val::Entry(e) => 1 + e.0.nest_depth().max(e.1.nest_depth()),
            _ => 0,
        }
    }

    pub fn map(m: ValMap<'c>) -> Self {
        Val::Map(Rc::new(m))
    }

    /// Wraps a context value without copying it.
    pub fn from_json(v: &'c Value) -> Self {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => number_val(n),
            Value::String(s) => Val::str(s),
            Value::Array(a) => Val::JList(a),
            Value::Object(o) => Val::JMap(o),
        }
    }

    /// Deep copy into a `serde_json::Value` (non-finite doubles become strings, as JSON has
    /// no representation for them).
    pub fn to_json(&self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(i) => Value::from(*i),
            Val::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(crate::render::print::java_double(*f))),
            // Jackson writes a Float with its own shortest digits.
            Val::Float32(f) => {
                let text = crate::render::print::java_float(*f);
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or(Value::String(text))
            }
            Val::Str(s) => Value::String(s.to_string()),
            Val::JList(_) | Val::List(_) => Value::Array(
                self.as_list()
                    .map(|l| l.iter().map(|v| v.to_json()).collect())
                    .unwrap_or_default(),
            ),
            Val::JMap(m) => Value::Object((*m).clone()),
            Val::Map(_) | Val::Entry(_) => {
                let mut out = Map::new();
                if let Some(m) = self.as_map() {
                    for (k, v) in m.iter() {
                        out.insert(k.into_owned(), v.to_json());
                    }
                }
                Value::Object(out)
            }
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    pub fn as_list(&self) -> Option<ListRef<'_, 'c>> {
        match self {
            Val::List(v) => Some(ListRef::Own(&v.items)),
            Val::JList(v) => Some(ListRef::Json(v)),
            _ => None,
        }
    }

    /// Maps, and map entries seen as one-entry maps.
    pub fn as_map(&self) -> Option<MapRef<'_, 'c>> {
        match self {
            Val::Map(m) => Some(MapRef::Own(m)),
            Val::JMap(m) => Some(MapRef::Json(m)),
            Val::Entry(e) => Some(MapRef::Entry(&e.0, &e.1)),
            _ => None,
        }
    }

    /// Maps only (not entries).
    pub fn as_true_map(&self) -> Option<MapRef<'_, 'c>> {
        match self {
            Val::Entry(_) => None,
            _ => self.as_map(),
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Val::Int(_) | Val::Float(_) | Val::Float32(_))
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            Val::Float32(f) => Some(f64::from(*f)),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            Val::Float(f) if f.is_finite() => Some(*f as i64),
            Val::Float32(f) if f.is_finite() => Some(*f as i64),
            _ => None,
        }
    }

    /// Java class name, as Kestra's `className` filter and Pebble's error messages show it.
    /// Integers are `Integer` when they fit (Jackson's choice when reading JSON), else `Long`.
    pub fn java_class(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "java.lang.Boolean",
            Val::Int(i) if i32::try_from(*i).is_ok() => "java.lang.Integer",
            Val::Int(_) => "java.lang.Long",
            Val::Float(_) => "java.lang.Double",
            Val::Float32(_) => "java.lang.Float",
            Val::Str(_) => "java.lang.String",
            Val::List(_) | Val::JList(_) => "java.util.ArrayList",
            Val::Map(_) | Val::JMap(_) => "java.util.LinkedHashMap",
            Val::Entry(_) => "java.util.HashMap$Node",
        }
    }

    /// Short type name for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Int(_) => "integer",
            Val::Float(_) | Val::Float32(_) => "number",
            Val::Str(_) => "string",
            Val::List(_) | Val::JList(_) => "list",
            Val::Map(_) | Val::JMap(_) => "map",
            Val::Entry(_) => "map entry",
        }
    }

    /// Java `toString()` (`String.valueOf` for null): what `~`, `+`, `join` and string
    /// conversions use. Lists print as `[a, b]` and maps as `{k=v}`, unlike `{{ }}` output.
    pub fn to_java_string(&self) -> String {
        let mut out = String::new();
        self.write_java_string(&mut out, 0);
        out
    }

    fn write_java_string(&self, out: &mut String, depth: usize) {
        if depth > crate::render::limits::MAX_VALUE_DEPTH {
            out.push_str("...");
            return;
        }
        match self {
            Val::Null => out.push_str("null"),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Int(i) => out.push_str(&i.to_string()),
            Val::Float(f) => out.push_str(&crate::render::print::java_double(*f)),
            Val::Float32(f) => out.push_str(&crate::render::print::java_float(*f)),
            Val::Str(s) => out.push_str(s),
            Val::List(_) | Val::JList(_) => {
                out.push('[');
                if let Some(l) = self.as_list() {
                    for (i, v) in l.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        v.write_java_string(out, depth + 1);
                    }
                }
                out.push(']');
            }
            Val::Map(_) | Val::JMap(_) => {
                out.push('{');
                if let Some(m) = self.as_map() {
                    for (i, (k, v)) in m.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&k);
                        out.push('=');
                        v.write_java_string(out, depth + 1);
                    }
                }
                out.push('}');
            }
            Val::Entry(e) => {
                e.0.write_java_string(out, depth + 1);
                out.push('=');
                e.1.write_java_string(out, depth + 1);
            }
        }
    }
}

fn number_val<'c>(n: &serde_json::Number) -> Val<'c> {
    if let Some(i) = n.as_i64() {
        Val::Int(i)
    } else {
        Val::Float(n.as_f64().unwrap_or(0.0))
    }
}

/// Java `equals` for values inside collections (`contains`, `distinct`, list equality):
/// numbers of different classes (Long vs Double) are different.
pub fn java_equals(a: &Val, b: &Val) -> bool {
    java_equals_depth(a, b, 0)
}

fn java_equals_depth(a: &Val, b: &Val, depth: usize) -> bool {
    if depth > crate::render::limits::MAX_VALUE_DEPTH {
        return false;
    }
    match (a, b) {
        (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Int(x), Val::Int(y)) => x == y,
        (Val::Float(x), Val::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (Val::Float32(x), Val::Float32(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Entry(x), Val::Entry(y)) => {
            java_equals_depth(&x.0, &y.0, depth + 1) && java_equals_depth(&x.1, &y.1, depth + 1)
        }
        _ => {
            if let (Some(x), Some(y)) = (a.as_list(), b.as_list()) {
                return x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|(p, q)| java_equals_depth(&p, &q, depth + 1));
            }
            if let (Some(x), Some(y)) = (a.as_true_map(), b.as_true_map()) {
                return x.len() == y.len()
                    && x.iter().all(|(k, v)| {
                        y.get(&k)
                            .is_some_and(|w| java_equals_depth(&v, &w, depth + 1))
                    });
            }
            false
        }
    }
}
