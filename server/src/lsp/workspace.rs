//! The flows of the workspace folders, by namespace and id, so that a Subflow's `namespace` +
//! `flowId` can be followed to a file. Built once off the message loop, then kept current from
//! file-change notifications.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Past this many files a workspace is not indexed further (a home folder opened by mistake).
const MAX_FILES: usize = 50_000;

#[derive(Default)]
pub struct Workspace {
    pub roots: Vec<PathBuf>,
    /// `None` until built.
    pub flows: Option<HashMap<(String, String), PathBuf>>,
}

impl Workspace {
    pub fn find(&self, namespace: &str, id: &str) -> Option<PathBuf> {
        self.flows
            .as_ref()?
            .get(&(namespace.to_string(), id.to_string()))
            .cloned()
    }

    /// Re-reads one file after it changed on disk (or was deleted).
    pub fn update(&mut self, path: &Path) {
        let Some(flows) = self.flows.as_mut() else {
            return;
        };
        flows.retain(|_, p| p != path);
        if let Some(key) = identity(path) {
            flows.insert(key, path.to_path_buf());
        }
    }
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// The namespace and id of the flow in `path`, if it is one.
fn identity(path: &Path) -> Option<(String, String)> {
    if !is_yaml(path) {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    if !(text.contains("id:") && text.contains("namespace:")) {
        return None;
    }
    let doc = kflow_syntax::parse(text);
    let (namespace, id, _) = kflow_lint_rules::ide::flow_identity(&doc)?;
    Some((namespace, id))
}

/// Every flow file under the roots (honouring `.gitignore`), by namespace and id.
pub fn index(roots: &[PathBuf]) -> HashMap<(String, String), PathBuf> {
    let mut out = HashMap::new();
    let mut seen = 0usize;
    for root in roots {
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) || !is_yaml(entry.path()) {
                continue;
            }
            seen += 1;
            if seen > MAX_FILES {
                return out;
            }
            if let Some(key) = identity(entry.path()) {
                out.entry(key).or_insert_with(|| entry.path().to_path_buf());
            }
        }
    }
    out
}
