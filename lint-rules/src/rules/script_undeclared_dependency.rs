//! Reports a Python import that nothing installs: not the standard library, not in
//! `dependencies`, not installed by `beforeCommands`, not provided by the image.
//!
//! ## What it does
//! Reads the imports of Python Script tasks; maps each top-level module to its PyPI distribution
//! (`yaml` → `pyyaml`, `sklearn` → `scikit-learn`, `google.cloud.storage` →
//! `google-cloud-storage`…) and compares with `dependencies` and `pip install` lines (version
//! pins and extras are ignored). Imports inside `try:` blocks, relative imports and modules
//! shipped in `inputFiles` are skipped; a custom `containerImage` (not an official `python`
//! image) or the Process task runner may provide packages, so the rule stays silent there.
//!
//! ## Why
//! The fetch-pattern guide: "Use explicit dependencies rather than assuming packages are already
//! installed." The official `python` images carry only the standard library: the import fails
//! with `ModuleNotFoundError` at run time.
//!
//! ## Example
//! ```yaml
//! - id: transform
//!   type: io.kestra.plugin.scripts.python.Script
//!   containerImage: python:3.13-slim
//!   script: |
//!     import pandas as pd
//! ```
//!
//! Better:
//! ```yaml
//! - id: transform
//!   type: io.kestra.plugin.scripts.python.Script
//!   containerImage: python:3.13-slim
//!   dependencies:
//!     - pandas
//!   script: |
//!     import pandas as pd
//! ```
//!
//! ## Fix
//! Add the distribution to `dependencies: [pandas]` (`kflow lint --fix --unsafe-fixes` adds it:
//! installing a package changes what runs).

use crate::context::Context;
use crate::edits::{append_list_item, insert_list_property};
use crate::finding::{Applicability, Finding, Severity};
use crate::script::{self, Lang};
use crate::script_tasks::Verdict;

pub const ID: &str = "script-undeclared-dependency";
pub const SEVERITY: Severity = Severity::Warning;

/// Whether the task's image, runner or set-up commands may bring packages kflow cannot see.
fn packages_may_come_from_elsewhere(
    cx: &Context,
    node: kflow_syntax::yaml::NodeId,
    before: &script::ScriptFacts,
) -> bool {
    let tree = cx.tree;
    // `docker.image` is the deprecated spelling of `containerImage`.
    let image = tree
        .get_str(node, "containerImage")
        .or_else(|| {
            tree.get_value(node, "docker")
                .and_then(|d| tree.get_str(d, "image"))
        })
        .unwrap_or("");
    let official = image.is_empty()
        || image.starts_with("python:")
        || image.starts_with("docker.io/python:")
        || image.starts_with("docker.io/library/python:")
        || image.starts_with("library/python:");
    let process_runner = tree
        .get_value(node, "taskRunner")
        .and_then(|r| tree.get_str(r, "type"))
        .is_some_and(|t| t.ends_with(".Process"));
    let legacy_process = tree.get_str(node, "runner") == Some("PROCESS");
    // Set-up commands other than installs (`dlt init`, `git clone`, `unzip`…) may create modules.
    let other_setup = before.statements.iter().any(|s| {
        matches!(s.kind, script::StatementKind::Code)
            && !before
                .package_installs
                .iter()
                .any(|p| s.span.start <= p.span.start && p.span.end <= s.span.end)
    });
    !official || process_runner || legacy_process || image.contains("{{") || other_setup
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    for st in cx.script_tasks() {
        if st.lang != Lang::Python || st.property != "script" {
            continue;
        }
        if matches!(st.verdict(), Verdict::Download(_) | Verdict::Request(_)) {
            continue; // the task is better replaced as a whole
        }
        let task = flow.task(st.task);
        if packages_may_come_from_elsewhere(cx, task.node, &st.before) {
            continue;
        }
        let deps_node = tree.get_value(task.node, "dependencies");
        let mut declared: Vec<String> = deps_node
            .and_then(|d| tree.items(d))
            .unwrap_or_default()
            .iter()
            .filter_map(|&d| tree.str(d).map(str::to_string))
            .collect();
        if deps_node
            .and_then(|d| tree.str(d))
            .is_some_and(|s| s.contains("{{"))
        {
            continue;
        }
        let (installed, from_requirements_file) = script::declared_from_installs(&st.before);
        if from_requirements_file {
            continue;
        }
        declared.extend(installed);
        let local: Vec<String> = tree
            .get_value(task.node, "inputFiles")
            .and_then(|i| tree.entries(i))
            .unwrap_or_default()
            .iter()
            .filter_map(|e| tree.str(e.key))
            .filter_map(|k| k.strip_suffix(".py").map(|m| m.replace('/', ".")))
            .collect();
        let local_refs: Vec<&str> = local.iter().map(String::as_str).collect();
        for import in
            script::python_third_party_imports_excluding(&st.facts, &declared, &local_refs)
        {
            let mut f = Finding::new(
                ID,
                st.file_span(import.span),
                format!(
                    "`{}` is not in the standard library and nothing installs `{}`: add it to `dependencies`",
                    import.module, import.distribution
                ),
            );
            let edit = match deps_node {
                Some(list) => append_list_item(cx, list, &import.distribution),
                None => insert_list_property(
                    cx,
                    task.node,
                    st.property,
                    "dependencies",
                    std::slice::from_ref(&import.distribution),
                ),
            };
            if let Some(e) = edit {
                f = f.fix(
                    format!("Add `{}` to `dependencies`", import.distribution),
                    vec![e],
                    Applicability::Unsafe,
                );
            }
            out.push(f);
        }
    }
}
