//! The spanned YAML tree: an arena of nodes, each with its byte span.

use crate::span::Span;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
pub struct Scalar {
    /// The decoded value (escapes resolved, block indentation removed).
    pub value: String,
    pub style: ScalarStyle,
    /// True when the scalar carries an explicit tag such as `!!str`.
    pub tagged: bool,
}

/// What a plain scalar resolves to under YAML's core schema; quoted and block scalars are strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    Null,
    Bool,
    Int,
    Float,
    String,
}

impl Scalar {
    pub fn kind(&self) -> ScalarKind {
        if self.style != ScalarStyle::Plain || self.tagged {
            return ScalarKind::String;
        }
        let v = self.value.as_str();
        match v {
            "" | "~" | "null" | "Null" | "NULL" => ScalarKind::Null,
            "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => ScalarKind::Bool,
            ".inf" | "-.inf" | "+.inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN" => {
                ScalarKind::Float
            }
            _ if is_int(v) => ScalarKind::Int,
            _ if is_float(v) => ScalarKind::Float,
            _ => ScalarKind::String,
        }
    }
}

fn is_int(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if let Some(hex) = digits.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(oct) = digits.strip_prefix("0o") {
        return !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_float(v: &str) -> bool {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && body.parse::<f64>().is_ok()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
}

#[derive(Clone, Debug)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<NodeId>),
    Map(Vec<Entry>),
    /// `*name`: points at the anchored node without copying it. `None` for an unknown anchor.
    Alias(Option<NodeId>),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// True for collections written in flow style (`[a, b]`, `{a: b}`).
    pub flow_style: bool,
}

#[derive(Clone, Debug)]
pub struct Comment {
    /// From `#` to the end of its line.
    pub span: Span,
}

/// A parsed YAML document (the first one of the stream).
#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub nodes: Vec<Node>,
    pub root: Option<NodeId>,
    pub comments: Vec<Comment>,
}

impl Tree {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    /// Follows an alias to the node it names (aliases never point at aliases).
    pub fn resolve(&self, id: NodeId) -> NodeId {
        match self.node(id).value {
            Value::Alias(Some(target)) => target,
            _ => id,
        }
    }

    pub fn value(&self, id: NodeId) -> &Value {
        &self.node(self.resolve(id)).value
    }

    pub fn scalar(&self, id: NodeId) -> Option<&Scalar> {
        match self.value(id) {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's decoded text, for any scalar (numbers and booleans included).
    pub fn str(&self, id: NodeId) -> Option<&str> {
        self.scalar(id).map(|s| s.value.as_str())
    }

    pub fn entries(&self, id: NodeId) -> Option<&[Entry]> {
        match self.value(id) {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn items(&self, id: NodeId) -> Option<&[NodeId]> {
        match self.value(id) {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The entry of a mapping whose key is the scalar `key`.
    pub fn get(&self, map: NodeId, key: &str) -> Option<Entry> {
        self.entries(map)?
            .iter()
            .find(|e| self.str(e.key) == Some(key))
            .copied()
    }

    pub fn get_value(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get(map, key).map(|e| e.value)
    }

    pub fn get_str(&self, map: NodeId, key: &str) -> Option<&str> {
        self.get_value(map, key).and_then(|v| self.str(v))
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        self.scalar(id)
            .is_some_and(|s| s.kind() == ScalarKind::Null)
    }

    /// A short name of the node's shape, for messages ("a list", "a string"…).
    pub fn describe(&self, id: NodeId) -> &'static str {
        match self.value(id) {
            Value::Scalar(s) => match s.kind() {
                ScalarKind::Null => "null",
                ScalarKind::Bool => "a boolean",
                ScalarKind::Int => "an integer",
                ScalarKind::Float => "a number",
                ScalarKind::String => "a string",
            },
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Alias(_) => "an unknown alias",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(v: &str) -> Scalar {
        Scalar {
            value: v.into(),
            style: ScalarStyle::Plain,
            tagged: false,
        }
    }

    #[test]
    fn plain_scalars_resolve_with_the_core_schema() {
        assert_eq!(plain("12").kind(), ScalarKind::Int);
        assert_eq!(plain("-0x1F").kind(), ScalarKind::Int);
        assert_eq!(plain("1.5e3").kind(), ScalarKind::Float);
        assert_eq!(plain("true").kind(), ScalarKind::Bool);
        assert_eq!(plain("~").kind(), ScalarKind::Null);
        assert_eq!(plain("PT5M").kind(), ScalarKind::String);
        assert_eq!(plain("1.2.3").kind(), ScalarKind::String);
        assert_eq!(plain("e").kind(), ScalarKind::String);
    }
}
