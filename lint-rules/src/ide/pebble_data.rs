//! Names, signatures and docs of what can be written inside `{{ }}`: filters, functions and tests
//! from the one table the linter and the engine also use (`kflow_syntax::pebble::builtins`), and
//! the variables of the rendering context from the catalog's `expressions.yaml`.

use kflow_syntax::pebble::builtins::{self, Builtin};
use kflow_syntax::pebble::CallKind as PebbleCall;

use crate::catalog::Catalog;
use crate::refs::CONTEXT_ROOTS;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Filter,
    Function,
    Test,
}

impl CallKind {
    fn pebble(self) -> PebbleCall {
        match self {
            CallKind::Filter => PebbleCall::Filter,
            CallKind::Function => PebbleCall::Function,
            CallKind::Test => PebbleCall::Test,
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            CallKind::Filter => "filter",
            CallKind::Function => "function",
            CallKind::Test => "test",
        }
    }
}

/// One filter, function or test.
#[derive(Clone, Debug)]
pub struct Callable {
    pub name: &'static str,
    /// `name(arg, …)` as documented, or the bare name.
    pub signature: String,
    /// The doc, with the Kestra lines that have it when not all do.
    pub doc: String,
    /// Gone from the newest Kestra line.
    pub removed: bool,
}

impl Callable {
    fn of(b: &Builtin) -> Callable {
        let mut doc = b.doc.to_string();
        if let Some((major, minor)) = b.since {
            doc.push_str(&format!(" Since Kestra {major}.{minor}."));
        }
        if let Some(((major, minor), instead)) = b.removed_in {
            doc.push_str(&format!(
                " Removed in Kestra {major}.{minor}: use `{instead}`."
            ));
        }
        if b.enterprise {
            doc.push_str(" Enterprise Edition.");
        }
        Callable {
            name: b.name,
            signature: b.signature(),
            doc,
            removed: b.removed_in.is_some(),
        }
    }

    pub fn takes_args(&self) -> bool {
        self.signature.contains('(') && !self.signature.ends_with("()")
    }
}

pub fn callable(kind: CallKind, name: &str) -> Option<Callable> {
    builtins::get(kind.pebble(), name).map(Callable::of)
}

/// Every filter, function or test of any supported Kestra line.
pub fn callables(kind: CallKind) -> impl Iterator<Item = Callable> {
    builtins::all(kind.pebble()).map(Callable::of)
}

/// The variables of the rendering context, with their docs.
pub fn roots(catalog: &Catalog) -> impl Iterator<Item = (&'static str, &str)> {
    CONTEXT_ROOTS
        .iter()
        .map(move |root| (*root, root_doc(catalog, root)))
}

pub fn root_doc<'c>(catalog: &'c Catalog, root: &str) -> &'c str {
    catalog
        .section("expression_context")
        .and_then(|(tree, node)| tree.get_str(tree.get_value(node, root)?, "doc"))
        .unwrap_or_default()
}

/// The known fields of a context variable (`flow.id`, `taskrun.value`…), with their docs.
pub fn root_fields<'c>(catalog: &'c Catalog, root: &str) -> Vec<(&'c str, &'c str)> {
    let Some((tree, node)) = catalog.section("expression_context") else {
        return Vec::new();
    };
    let Some(fields) = tree
        .get_value(node, root)
        .and_then(|r| tree.get_value(r, "fields"))
        .and_then(|f| tree.entries(f))
    else {
        return Vec::new();
    };
    fields
        .iter()
        .filter_map(|e| Some((tree.str(e.key)?, tree.str(e.value).unwrap_or_default())))
        .collect()
}
