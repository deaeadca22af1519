//! Reports properties that only Kestra Enterprise accepts.
//!
//! ## What it does
//! Flags `workerGroup` on tasks, triggers and flows (and task `assets`), which the open-source
//! edition rejects.
//!
//! ## Why
//! A flow written for Enterprise fails to save on an open-source server. Turn this rule off in
//! `kflow.toml` when you deploy to Enterprise.
//!
//! ## Example
//! ```yaml
//! - id: heavy
//!   type: io.kestra.plugin.scripts.python.Script
//!   workerGroup:
//!     key: gpu
//! ```
//!
//! ## Fix
//! Remove the property, or set `enterprise-only = "off"` in kflow.toml.

use crate::context::Context;
use crate::finding::{Finding, Severity};

pub const ID: &str = "enterprise-only";
pub const SEVERITY: Severity = Severity::Error;

const KEYS: &[&str] = &["workerGroup", "assets"];

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let mut nodes = vec![flow.root];
    nodes.extend(flow.plugins.iter().map(|p| p.node));
    for node in nodes {
        for key in KEYS {
            if let Some(span) = cx.key_span(node, key) {
                out.push(Finding::new(
                    ID,
                    span,
                    format!("`{key}` is a Kestra Enterprise feature"),
                ));
            }
        }
    }
}
