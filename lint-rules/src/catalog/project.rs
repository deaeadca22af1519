//! A project's own plugin descriptions, named by `plugins` in `kflow.toml`: files or folders of
//! Kestra JSON Schemas (`.json`, see `json_schema`) or of kflow's catalog format (`.yaml`, as
//! `lint-rules/catalog/*.yaml`).

use std::path::{Path, PathBuf};

use super::json_schema;
use super::model::{TypeDef, TypeKind};

/// What the files hold.
#[derive(Default)]
pub struct ProjectFiles {
    /// Catalog-format files: (display name, text).
    pub yaml: Vec<(String, String)>,
    /// Types read from JSON Schemas, with the file each comes from.
    pub schema_types: Vec<(String, TypeDef)>,
}

/// How deep folders are searched (a guard against link cycles).
const MAX_DEPTH: usize = 16;

pub fn read(paths: &[PathBuf]) -> Result<ProjectFiles, String> {
    let mut out = ProjectFiles::default();
    for path in paths {
        let mut files = Vec::new();
        if path.is_dir() {
            walk(path, 0, &mut files)?;
            if files.is_empty() {
                return Err(format!(
                    "plugins: {} holds no .json or .yaml file",
                    path.display()
                ));
            }
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(format!("plugins: {} does not exist", path.display()));
        }
        for file in files {
            read_file(&file, &mut out)?;
        }
    }
    Ok(out)
}

/// What changes when a file under `paths` is added, removed or edited (paths, sizes and
/// modification times), for a server that must notice it without re-reading everything.
pub fn fingerprint(paths: &[PathBuf]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for path in paths {
        let mut files = Vec::new();
        if path.is_dir() {
            let _ = walk(path, 0, &mut files);
        } else {
            files.push(path.clone());
        }
        for f in files {
            f.hash(&mut h);
            if let Ok(meta) = std::fs::metadata(&f) {
                meta.len().hash(&mut h);
                meta.modified().ok().hash(&mut h);
            }
        }
    }
    h.finish()
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if p.is_dir() {
            walk(&p, depth + 1, files)?;
        } else if matches!(extension(&p), Some("json" | "yaml" | "yml")) {
            files.push(p);
        }
    }
    Ok(())
}

fn extension(p: &Path) -> Option<&str> {
    p.extension().and_then(|e| e.to_str())
}

fn read_file(file: &Path, out: &mut ProjectFiles) -> Result<(), String> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file).map_err(|e| format!("{name}: {e}"))?;
    match extension(file) {
        Some("yaml" | "yml") => out.yaml.push((name, text)),
        _ => {
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| format!("{name}:{}:{}: {e}", e.line(), e.column()))?;
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let types = json_schema::read(stem, folder_kind(file), &json)
                .map_err(|e| format!("{name}: {e}"))?;
            out.schema_types
                .extend(types.into_iter().map(|t| (name.clone(), t)));
        }
    }
    Ok(())
}

/// The kind `kestra plugins doc` files a class under: `…/tasks/…`, `…/triggers/…`,
/// `…/task-runners/…` (and `conditions/` for hand-made folders); the nearest folder wins.
fn folder_kind(file: &Path) -> Option<TypeKind> {
    file.ancestors()
        .skip(1)
        .find_map(|dir| match dir.file_name()?.to_str()? {
            "tasks" => Some(TypeKind::Task),
            "triggers" => Some(TypeKind::Trigger),
            "conditions" => Some(TypeKind::Condition),
            "task-runners" => Some(TypeKind::TaskRunner),
            _ => None,
        })
}

/// The curated group holding what Kestra's base class gives every plugin of a kind.
pub fn common_group(kind: TypeKind) -> &'static str {
    match kind {
        TypeKind::Task => "task_common",
        TypeKind::Trigger => "trigger_common",
        TypeKind::Condition => "condition_common",
        TypeKind::TaskRunner => "task_runner_common",
    }
}
