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
    let known = indexed();
    if known.contains(&storage) {
        return Ok(());
    }
    if let Some(parent) = index.parent() {
        std::fs::create_dir_all(parent)?;
    }
    forget_vanished(&index, &known)?;
    let mut line = storage.to_string_lossy().into_owned();
    line.push('\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&index)?
        .write_all(line.as_bytes())
}

/// Folders removed since they were indexed (temporary folders of scripts and tests) are
/// dropped once there are many: the index is rewritten whole (a new file renamed over it),
/// which a run appending at that instant may lose its line to — it would only be listed after
/// its next run.
fn forget_vanished(index: &Path, known: &[PathBuf]) -> std::io::Result<()> {
    const MANY: usize = 1000;
    if known.len() < MANY {
        return Ok(());
    }
    let alive: Vec<&PathBuf> = known.iter().filter(|p| p.is_dir()).collect();
    if known.len() - alive.len() < MANY {
        return Ok(());
    }
    let mut text = String::new();
    for path in alive {
        text.push_str(&path.to_string_lossy());
        text.push('\n');
    }
    let fresh = index.with_extension("new");
    std::fs::write(&fresh, text)?;
    std::fs::rename(&fresh, index)
}

/// Every path of the index, once each, in the order they were first used.
fn indexed() -> Vec<PathBuf> {
    let Some(text) = storage_index().and_then(|i| std::fs::read_to_string(i).ok()) else {
        return Vec::new();
    };
    let mut seen = std::collections::HashSet::new();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(PathBuf::from)
        .filter(|p| seen.insert(p.clone()))
        .collect()
}

/// The indexed storage folders that still exist (checking the index for a new entry needs no
/// look at the disk; listing does).
pub fn known_storages() -> Vec<PathBuf> {
    indexed().into_iter().filter(|p| p.is_dir()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_vanished_folders_are_dropped_from_the_index_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("storages");
        let live = dir.path().to_path_buf();
        let mut known: Vec<PathBuf> = (0..999)
            .map(|i| dir.path().join(format!("gone-{i}")))
            .collect();
        known.push(live.clone());
        std::fs::write(&index, "unchanged").unwrap();
        // 999 vanished: not yet many enough to rewrite.
        forget_vanished(&index, &known).unwrap();
        assert_eq!(std::fs::read_to_string(&index).unwrap(), "unchanged");
        known.push(dir.path().join("gone-999"));
        forget_vanished(&index, &known).unwrap();
        assert_eq!(
            std::fs::read_to_string(&index).unwrap(),
            format!("{}\n", live.display())
        );
    }
}
