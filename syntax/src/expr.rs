//! Finds every Pebble template inside the tree's string values and parses it, keeping a map
//! from offsets in the decoded value back to the file.

use crate::pebble::{self, Template};
use crate::span::Span;
use crate::yaml::{NodeId, ScalarMap, Tree, Value};

/// One string value that contains `{{`, `{%` or `{#`.
#[derive(Clone, Debug)]
pub struct Expression {
    /// The scalar node holding the template.
    pub node: NodeId,
    /// The mapping key whose value the scalar is, if any (`message`, `description`…).
    pub key: Option<String>,
    /// Spans inside are offsets into the scalar's decoded value; see [`Expression::file_span`].
    pub template: Template,
    map: ScalarMap,
}

impl Expression {
    /// Where a span of the decoded value sits in the file.
    pub fn file_span(&self, span: Span) -> Span {
        self.map.span(span)
    }

    /// The decoded value the template was parsed from.
    pub fn source<'t>(&self, tree: &'t Tree) -> &'t str {
        tree.str(self.node).unwrap_or_default()
    }
}

pub fn has_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%") || s.contains("{#")
}

/// Every template in the tree's values (mapping keys are not rendered by Kestra), in node order.
pub fn collect(text: &str, tree: &Tree) -> Vec<Expression> {
    let mut is_key = vec![false; tree.nodes.len()];
    let mut key_of: Vec<Option<NodeId>> = vec![None; tree.nodes.len()];
    for node in &tree.nodes {
        if let Value::Map(entries) = &node.value {
            for e in entries {
                is_key[e.key.0 as usize] = true;
                key_of[e.value.0 as usize] = Some(e.key);
            }
        }
    }
    tree.nodes
        .iter()
        .enumerate()
        .filter_map(|(i, node)| {
            let Value::Scalar(s) = &node.value else {
                return None;
            };
            if is_key[i] || !has_template(&s.value) {
                return None;
            }
            Some(Expression {
                node: NodeId(i as u32),
                key: key_of[i].and_then(|k| tree.str(k)).map(str::to_string),
                template: pebble::parse_template(&s.value),
                map: ScalarMap::new(text, node.span, &s.value, s.style),
            })
        })
        .collect()
}
