//! Per-user folders: the cache of script environments, shared by every storage folder, and the
//! data folder holding the index of storage folders that `kflow executions` lists.
//! `KFLOW_CACHE_DIR` and `KFLOW_DATA_DIR` override them (CI caches, tests).

use std::io::Write;
use std::path::{Path, PathBuf};

fn from_env_or(var: &str, platform: Option<PathBuf>) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => platform.map(|d| d.join("kflow")),
    }
}

/// Where script environments are cached (`~/.cache/kflow` on Linux).
pub fn cache_dir() -> Option<PathBuf> {
    from_env_or("KFLOW_CACHE_DIR", dirs::cache_dir())
}

/// Where kflow keeps its per-user data (`~/.local/share/kflow` on Linux).
pub fn data_dir() -> Option<PathBuf> {
    from_env_or("KFLOW_DATA_DIR", dirs::data_dir())
}

/// The index of storage folders: one absolute path a line.
fn storage_index() -> Option<PathBuf> {
    data_dir().map(|d| d.join("storages"))
}

/// Adds `storage` to the index (once). Appends one short line, so concurrent runs cannot lose
/// each other's entries; failures are returned for a warning, never fatal to a run.
pub fn remember_storage(storage: &Path) -> std::io::Result<()> {
    let Some(index) = storage_index() else {
        return Ok(());
    };
    let storage = std::fs::canonicalize(storage)?;
    if indexed().contains(&storage) {
        return Ok(());
    }
    if let Some(parent) = index.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut line = storage.to_string_lossy().into_owned();
    line.push('\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&index)?
        .write_all(line.as_bytes())
}

/// Every path of the index, once each, in the order they were first used.
fn indexed() -> Vec<PathBuf> {
    let Some(text) = storage_index().and_then(|i| std::fs::read_to_string(i).ok()) else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    for path in text.lines().filter(|l| !l.is_empty()).map(PathBuf::from) {
        if !seen.contains(&path) {
            seen.push(path);
        }
    }
    seen
}

/// The indexed storage folders that still exist (checking the index for a new entry needs no
/// look at the disk; listing does).
pub fn known_storages() -> Vec<PathBuf> {
    indexed().into_iter().filter(|p| p.is_dir()).collect()
}
