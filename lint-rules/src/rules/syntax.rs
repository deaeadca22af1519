//! Reports text that cannot be read as one Kestra flow document.
//!
//! ## What it does
//! Flags invalid YAML (unclosed quotes, bad indentation, tabs, a truncated file), duplicate keys,
//! a second YAML document in the file, invalid UTF-8 or binary content, nesting deeper than kflow
//! reads, aliases that expand past kflow's budget, and a document that is not a mapping.
//!
//! ## Why
//! Kestra refuses such a flow when it is saved; nothing else in the file can be trusted until the
//! text parses as exactly one mapping.
//!
//! ## Example
//! ```yaml
//! id: hello
//! namespace: company.team
//! namespace: company.other   # duplicate key
//! tasks:
//!   - id: log        # indented with a tab in the file
//! ```
//!
//! ## Fix
//! Correct the YAML at the reported position: remove the duplicate key, indent with spaces, close
//! the quote, or split a multi-document file into one file per flow.

use kflow_syntax::yaml::Value;
use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "syntax";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for err in &cx.doc.errors {
        let mut f = Finding::new(ID, err.span, err.message.clone());
        if let Some((span, message)) = &err.related {
            f = f.related(*span, message.clone());
        }
        out.push(f);
    }
    if let Some(flow) = cx.flow {
        for (span, message) in &flow.problems {
            out.push(Finding::new(ID, *span, message.clone()));
        }
    } else if cx.doc.errors.is_empty() {
        if let Some(root) = cx.tree.root {
            let shape = match cx.tree.value(root) {
                Value::Scalar(s) if s.value.is_empty() => return,
                _ => cx.tree.describe(root),
            };
            out.push(Finding::new(
                ID,
                cx.first_line(cx.tree.span(root)),
                format!("a flow is a mapping with `id`, `namespace` and `tasks`, found {shape}"),
            ));
        } else if !cx.doc.text.trim().is_empty() {
            out.push(Finding::new(
                ID,
                Span::empty(0),
                "the file holds no YAML document",
            ));
        }
    }
}
