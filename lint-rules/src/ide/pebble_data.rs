//! Names, signatures and docs of what can be written inside `{{ }}`. The valid names are the
//! rules' own lists (so completion never offers what `unknown-function` or
//! `undefined-reference` would report); signatures and docs come from the catalog's
//! `expressions.yaml`.

use crate::catalog::Catalog;
use crate::rules::undefined_reference::CONTEXT_ROOTS;
use crate::rules::unknown_function::{FILTERS, FUNCTIONS, TESTS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Filter,
    Function,
    Test,
}

impl CallKind {
    fn section(self) -> &'static str {
        match self {
            CallKind::Filter => "expression_filters",
            CallKind::Function => "expression_functions",
            CallKind::Test => "expression_tests",
        }
    }

    pub fn names(self) -> &'static [&'static str] {
        match self {
            CallKind::Filter => FILTERS,
            CallKind::Function => FUNCTIONS,
            CallKind::Test => TESTS,
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
#[derive(Clone, Copy, Debug)]
pub struct Callable<'c> {
    pub name: &'c str,
    /// `name(arg, …)` as documented, or the bare name.
    pub signature: &'c str,
    pub doc: &'c str,
}

impl Callable<'_> {
    pub fn takes_args(&self) -> bool {
        self.signature.contains('(') && !self.signature.ends_with("()")
    }
}

pub fn callable<'c>(catalog: &'c Catalog, kind: CallKind, name: &'c str) -> Callable<'c> {
    let entry = catalog
        .section(kind.section())
        .and_then(|(tree, node)| Some((tree, tree.get_value(node, name)?)));
    let field = |key: &str| {
        entry
            .and_then(|(tree, node)| tree.get_str(node, key))
            .unwrap_or_default()
    };
    let signature = field("signature");
    Callable {
        name,
        signature: if signature.is_empty() {
            name
        } else {
            signature
        },
        doc: field("doc"),
    }
}

pub fn callables(catalog: &Catalog, kind: CallKind) -> impl Iterator<Item = Callable<'_>> {
    kind.names()
        .iter()
        .map(move |name| callable(catalog, kind, name))
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
