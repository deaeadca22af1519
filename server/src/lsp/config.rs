//! `kflow.toml` for open documents: the nearest one upward from the file, as `kflow lint` finds
//! it. A file is re-read when its modification time or size changes, so a check always uses the
//! current settings; the watcher only has to notice that a check is due.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use kflow_lint_rules::{rules, Config};

/// What identifies one version of a config file (or its absence).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp(Option<(PathBuf, Option<SystemTime>, u64)>);

/// The config governing `file` and the stamp it was read at.
pub fn stamp(file: Option<&Path>) -> Stamp {
    let found = file.and_then(governing).and_then(|path| {
        let meta = std::fs::metadata(&path).ok()?;
        Some((path, meta.modified().ok(), meta.len()))
    });
    Stamp(found)
}

fn governing(file: &Path) -> Option<PathBuf> {
    let mut dir = file.parent()?;
    loop {
        let candidate = dir.join("kflow.toml");
        if candidate.is_file() {
            return Some(candidate);
        }
        dir = dir.parent()?;
    }
}

#[derive(Default)]
pub struct Configs {
    parsed: HashMap<PathBuf, (Stamp, Arc<Config>)>,
    default: Arc<Config>,
}

/// A config to check with; `error` when the file exists but is invalid (defaults are used).
pub struct Loaded {
    pub config: Arc<Config>,
    pub stamp: Stamp,
    pub error: Option<String>,
}

impl Configs {
    pub fn for_file(&mut self, file: Option<&Path>) -> Loaded {
        let stamp = stamp(file);
        let Some((path, _, _)) = &stamp.0 else {
            return Loaded {
                config: self.default.clone(),
                stamp,
                error: None,
            };
        };
        if let Some((s, config)) = self.parsed.get(path) {
            if *s == stamp {
                return Loaded {
                    config: config.clone(),
                    stamp,
                    error: None,
                };
            }
        }
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Config::parse(&text, |id| rules::get(id).is_some()));
        match parsed {
            Ok(config) => {
                let config = Arc::new(config);
                self.parsed
                    .insert(path.clone(), (stamp.clone(), config.clone()));
                Loaded {
                    config,
                    stamp,
                    error: None,
                }
            }
            Err(e) => {
                let error = format!(
                    "{}: {e} (kflow uses its defaults until it is fixed)",
                    path.display()
                );
                // Remember the failure so that it is reported once per version of the file.
                self.parsed
                    .insert(path.clone(), (stamp.clone(), self.default.clone()));
                Loaded {
                    config: self.default.clone(),
                    stamp,
                    error: Some(error),
                }
            }
        }
    }
}
