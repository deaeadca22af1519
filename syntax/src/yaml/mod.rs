//! YAML text to a spanned tree.

mod builder;
mod chars;
mod comments;
mod scalar_map;
mod tree;

pub use builder::MAX_DEPTH;
pub use scalar_map::ScalarMap;
pub use tree::{Comment, Entry, Node, NodeId, Scalar, ScalarKind, ScalarStyle, Tree, Value};

use crate::SyntaxError;

/// Parses the first YAML document of `text`; problems are pushed to `errors`.
pub fn parse(text: &str, errors: &mut Vec<SyntaxError>) -> Tree {
    let mut tree = builder::build(text, errors);
    tree.comments = comments::collect(text, &tree);
    tree
}
