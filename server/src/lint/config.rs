//! Finds the `kflow.toml` that governs each file (the nearest one upward) and loads it once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use kflow_lint_rules::Config;

#[derive(Default)]
pub struct Configs {
    /// Directory → the config file that governs it (None: defaults).
    by_dir: HashMap<PathBuf, Option<PathBuf>>,
    /// Config file → parsed config.
    loaded: HashMap<PathBuf, Result<Config, String>>,
    default: Config,
}

impl Configs {
    fn dir_of(path: &Path) -> PathBuf {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    }

    fn governing(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(found) = self.by_dir.get(dir) {
            return found.clone();
        }
        // The same rule as `kflow_lint_rules::config::governing`, remembered per folder.
        let found = kflow_lint_rules::config::file_in(dir)
            .or_else(|| dir.parent().and_then(|p| self.governing(p)));
        self.by_dir.insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Loads the config governing `path`, if not loaded yet.
    pub fn load_for(&mut self, path: &Path) {
        let Some(file) = self.governing(&Self::dir_of(path)) else {
            return;
        };
        if self.loaded.contains_key(&file) {
            return;
        }
        let parsed = Config::load(&file, kflow_lint_rules::is_rule)
            .map_err(|e| format!("{}: {e}", file.display()));
        self.loaded.insert(file, parsed);
    }

    pub fn first_error(&self) -> Option<&str> {
        self.loaded
            .values()
            .find_map(|r| r.as_ref().err().map(String::as_str))
    }

    fn file_for(&self, path: &Path) -> Option<&PathBuf> {
        let mut dir = Self::dir_of(path);
        loop {
            if let Some(found) = self.by_dir.get(&dir) {
                return found.as_ref();
            }
            if !dir.pop() {
                return None;
            }
        }
    }

    pub fn for_file(&self, path: &Path) -> &Config {
        self.file_for(path)
            .and_then(|f| self.loaded.get(f))
            .and_then(|r| r.as_ref().ok())
            .unwrap_or(&self.default)
    }

    /// Whether an `exclude` glob of the governing config matches the path.
    pub fn excluded(&self, path: &Path) -> bool {
        let Some(file) = self.file_for(path) else {
            return false;
        };
        let Some(Ok(config)) = self.loaded.get(file) else {
            return false;
        };
        let base = file.parent().unwrap_or(Path::new("."));
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let Ok(rel) = abs.strip_prefix(base) else {
            return false;
        };
        config.exclude.iter().any(|g| {
            globset::Glob::new(g)
                .map(|g| g.compile_matcher().is_match(rel))
                .unwrap_or(false)
        })
    }
}
