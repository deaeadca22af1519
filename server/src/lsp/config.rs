//! `kflow.toml` for open documents: the nearest one upward from the file, as `kflow lint` finds
//! it. A file is re-read when its modification time or size changes, so a check always uses the
//! current settings; the watcher only has to notice that a check is due.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use kflow_lint_rules::{rules, Config, Level, Severity};

/// What identifies one version of a config file (or its absence), of the plugin descriptions it
/// names, and of the editor's rule settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp(Option<(PathBuf, Option<SystemTime>, u64, u64)>, u64);

/// The plugin description paths each `kflow.toml` named when last read, so that a stamp also
/// changes when one of those files does.
static PLUGIN_PATHS: RwLock<BTreeMap<PathBuf, Vec<PathBuf>>> = RwLock::new(BTreeMap::new());

/// Rule levels the editor sets (`initializationOptions.rules`, `workspace/didChangeConfiguration`):
/// defaults under what `kflow.toml` says.
static EDITOR_RULES: RwLock<BTreeMap<String, Level>> = RwLock::new(BTreeMap::new());
static EDITOR_RULES_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Reads `{"rule-id": "error" | "warning" | "info" | "off"}`; unknown rules and levels are skipped.
pub fn set_editor_rules(value: &serde_json::Value) {
    let Some(map) = value.as_object() else { return };
    let parsed: BTreeMap<String, Level> = map
        .iter()
        .filter(|(id, _)| rules::get(id).is_some())
        .filter_map(|(id, level)| {
            let level = match level.as_str()? {
                "off" => Level::Off,
                other => Level::At(Severity::parse(other)?),
            };
            Some((id.clone(), level))
        })
        .collect();
    *EDITOR_RULES.write().unwrap_or_else(|p| p.into_inner()) = parsed;
    EDITOR_RULES_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// `config` with the editor's rule levels added where it sets none.
fn with_editor_rules(config: &Config) -> Config {
    let mut merged = config.clone();
    for (id, level) in EDITOR_RULES
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .iter()
    {
        merged.rules.entry(id.clone()).or_insert(*level);
    }
    merged
}

/// Fingerprints of the plugin descriptions a `kflow.toml` names, and when each was taken.
static PLUGIN_FINGERPRINTS: RwLock<BTreeMap<PathBuf, (std::time::Instant, u64)>> =
    RwLock::new(BTreeMap::new());

/// How long a plugin fingerprint is reused. Taking one walks the plugin folders and reads the
/// metadata of every file (8 ms for 2,000 schemas, median, release build); every check and
/// every watcher tick of every open document asks for it, so documents under one `kflow.toml`
/// share one walk. An edited schema is noticed within this time plus the watcher's period.
const FINGERPRINT_REUSE: std::time::Duration = std::time::Duration::from_millis(500);

fn plugin_fingerprint(config: &Path) -> u64 {
    let now = std::time::Instant::now();
    if let Some((taken, fingerprint)) = PLUGIN_FINGERPRINTS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(config)
    {
        if now.duration_since(*taken) < FINGERPRINT_REUSE {
            return *fingerprint;
        }
    }
    let fingerprint = PLUGIN_PATHS
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .get(config)
        .map_or(0, |paths| {
            kflow_lint_rules::catalog::project_fingerprint(paths)
        });
    PLUGIN_FINGERPRINTS
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(config.to_path_buf(), (now, fingerprint));
    fingerprint
}

/// The config governing `file` and the stamp it was read at.
pub fn stamp(file: Option<&Path>) -> Stamp {
    let found = file
        .and_then(kflow_lint_rules::config::governing)
        .and_then(|path| {
            let meta = std::fs::metadata(&path).ok()?;
            let plugins = plugin_fingerprint(&path);
            Some((path, meta.modified().ok(), meta.len(), plugins))
        });
    Stamp(found, EDITOR_RULES_GENERATION.load(Ordering::Relaxed))
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
        let Some((path, _, _, _)) = &stamp.0 else {
            return Loaded {
                config: Arc::new(with_editor_rules(&self.default)),
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
        let read = Config::read(path, kflow_lint_rules::is_rule);
        let named = read
            .as_ref()
            .map(|c| c.plugin_paths.clone())
            .unwrap_or_default();
        let parsed = read
            .and_then(Config::with_plugins)
            .map(|c| with_editor_rules(&c));
        let newly_named = {
            let mut known = PLUGIN_PATHS.write().unwrap_or_else(|p| p.into_inner());
            known.insert(path.clone(), named.clone()) != Some(named)
        };
        // The stamp must cover the plugin files the config now names.
        let stamp = if newly_named {
            PLUGIN_FINGERPRINTS
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .remove(path);
            self::stamp(file)
        } else {
            stamp.clone()
        };
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
                    config: Arc::new(with_editor_rules(&self.default)),
                    stamp,
                    error: Some(error),
                }
            }
        }
    }
}
