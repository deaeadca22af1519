//! Pebble templates as Kestra uses them (Pebble 4.1.1 plus Kestra's `??`, `???`, `isIn`
//! operators and `{% raw %}` pre-pass): lexer, error-tolerant parser producing a tree with
//! byte spans, and helpers listing variable paths and invocations for the linter.
//!
//! Parsing never panics and never stops at the first error: an error inside `{{ }}` or
//! `{% %}` is reported and parsing resumes after the closing delimiter. Nesting is capped
//! (see `parser::MAX_*`), so hostile input cannot exhaust the stack.

mod ast;
mod blocks;
pub mod builtins;
mod expr;
mod expr_build;
mod lexer;
mod parser;
mod paths;
mod raw;
mod tag_heads;
mod template;
mod token;
mod visit;

#[cfg(test)]
mod robustness;
#[cfg(test)]
mod tests;

pub use ast::*;
pub use paths::{expr_paths, template_paths, PathRef, Segment};
pub use visit::{
    expr_calls, node_bodies, node_exprs, template_calls, walk_expr, walk_nodes,
    walk_template_exprs, CallKind, CallRef,
};

/// Parses a template; spans are byte offsets into `src`.
pub fn parse_template(src: &str) -> Template {
    let tokens = lexer::tokenize(src);
    let mut parser = parser::Parser::new(src, tokens);
    let nodes = parser.template();
    Template {
        nodes,
        errors: parser.errors,
    }
}
