//! What an editor asks of a flow, answered from the same document, model, catalog and rules as
//! `kflow lint`: completion candidates, hover text, definitions, references and rename edits,
//! the outline, folding ranges, semantic tokens of expressions and quick fixes.
//!
//! Everything here is a pure function of a [`Document`](kflow_syntax::Document), the
//! [`Catalog`](crate::Catalog) and byte offsets; the language server converts positions at its
//! edge and does nothing else.

mod actions;
mod complete;
mod docs;
mod expr_cursor;
mod hover;
mod outline;
mod pebble_data;
mod refs;
mod shapes;
mod subflow;
mod tokens;
mod yaml_cursor;

#[cfg(test)]
mod tests;

pub use actions::{fix_all, migrate, quick_fixes, Action, ActionKind};
pub use complete::{complete, Candidate, CandidateKind};
pub use hover::{hover, Hover};
pub use outline::{folding_ranges, symbols, Fold, FoldKind, Symbol, SymbolKind};
pub use refs::{definition, prepare_rename, references, rename, Occurrence};
pub use subflow::{flow_identity, subflow_target, SubflowTarget};
pub use tokens::{semantic_tokens, Token, TokenKind, TOKEN_KINDS};
