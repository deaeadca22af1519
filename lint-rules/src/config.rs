//! `kflow.toml`: target Kestra version, per-rule severities, excluded paths, the project's own
//! plugin descriptions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::catalog::Catalog;
use crate::finding::Severity;
use crate::version::Version;

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    At(Severity),
}

#[derive(Clone, Debug)]
pub struct Config {
    pub kestra_version: Version,
    pub rules: BTreeMap<String, Level>,
    /// Globs, relative to the directory of the `kflow.toml` they come from.
    pub exclude: Vec<String>,
    /// Line count past which an inline script is "long".
    pub max_script_lines: usize,
    /// Files or folders describing the project's own plugins, as written (relative to the
    /// directory of the `kflow.toml`).
    pub plugins: Vec<String>,
    /// Those files or folders, resolved (by [`Config::load`]).
    pub plugin_paths: Vec<PathBuf>,
    /// The embedded catalog with those plugins; `None`: the embedded catalog alone.
    catalog: Option<Arc<Catalog>>,
    /// `[server.NAME]` tables: the Kestra servers `--server NAME` names (`kflow deploy`,
    /// `kflow run --server`, `kflow lint --server`). Never credentials: those come from the
    /// environment or standard input.
    pub servers: BTreeMap<String, ServerProfile>,
}

/// A Kestra server as `[server.NAME]` describes it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServerProfile {
    /// The server's base URL (`https://kestra.example.com`).
    pub url: String,
    /// Kestra's tenant; `main` by default, as in Kestra OSS.
    #[serde(default = "default_tenant")]
    pub tenant: String,
    /// Prepended (with a dot) to every flow's namespace on this server, e.g. `dev`.
    pub namespace_prefix: Option<String>,
}

fn default_tenant() -> String {
    "main".into()
}

impl Default for Config {
    fn default() -> Config {
        Config {
            kestra_version: Version::DEFAULT,
            rules: BTreeMap::new(),
            exclude: Vec::new(),
            max_script_lines: 50,
            plugins: Vec::new(),
            plugin_paths: Vec::new(),
            catalog: None,
            servers: BTreeMap::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    kestra_version: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_script_lines: Option<usize>,
    #[serde(default)]
    plugins: Vec<String>,
    #[serde(default)]
    server: BTreeMap<String, ServerProfile>,
}

/// The `kflow.toml` in `dir`, if there is one.
pub fn file_in(dir: &Path) -> Option<PathBuf> {
    let candidate = dir.join("kflow.toml");
    candidate.is_file().then_some(candidate)
}

/// The `kflow.toml` that governs `file`: the nearest one in its folder or a folder above.
pub fn governing(file: &Path) -> Option<PathBuf> {
    file.ancestors().skip(1).find_map(file_in)
}

impl Config {
    /// Parses a `kflow.toml`; `known_rule` tells which rule ids exist.
    pub fn parse(text: &str, known_rule: impl Fn(&str) -> bool) -> Result<Config, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut config = Config::default();
        if let Some(v) = raw.kestra_version {
            config.kestra_version = Version::parse(&v)
                .filter(|v| Version::LINES.contains(v))
                .ok_or(format!(
                    "kestra-version: `{v}` is not a Kestra line kflow knows ({})",
                    Version::LINES.map(|l| format!("\"{l}\"")).join(", ")
                ))?;
        }
        for (rule, level) in raw.rules {
            if !known_rule(&rule) {
                return Err(format!(
                    "[rules]: no rule is named `{rule}` (see `kflow rules`)"
                ));
            }
            let level = match level.as_str() {
                "off" => Level::Off,
                other => Level::At(Severity::parse(other).ok_or(format!(
                    "[rules] {rule}: `{other}` is not one of error, warning, info, off"
                ))?),
            };
            config.rules.insert(rule, level);
        }
        config.exclude = raw.exclude;
        if let Some(n) = raw.max_script_lines {
            config.max_script_lines = n;
        }
        config.plugins = raw.plugins;
        for (name, profile) in &raw.server {
            if !profile.url.starts_with("http://") && !profile.url.starts_with("https://") {
                return Err(format!(
                    "[server.{name}] url: `{}` is not an http:// or https:// URL",
                    profile.url
                ));
            }
        }
        config.servers = raw.server;
        Ok(config)
    }

    /// Reads a `kflow.toml` file and the plugin descriptions it names; rule ids are checked
    /// with `known_rule` ([`crate::is_rule`]: the configuration knows no rule itself).
    pub fn load(file: &Path, known_rule: impl Fn(&str) -> bool) -> Result<Config, String> {
        Config::read(file, known_rule)?.with_plugins()
    }

    /// Reads a `kflow.toml` file, resolving the plugin paths it names without reading them.
    pub fn read(file: &Path, known_rule: impl Fn(&str) -> bool) -> Result<Config, String> {
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let mut config = Config::parse(&text, known_rule)?;
        let base = file.parent().unwrap_or(Path::new("."));
        config.plugin_paths = config.plugins.iter().map(|p| base.join(p)).collect();
        Ok(config)
    }

    /// Reads the plugin descriptions named by `plugin_paths` into the config's catalog.
    pub fn with_plugins(mut self) -> Result<Config, String> {
        if !self.plugin_paths.is_empty() {
            self.catalog = Some(Arc::new(Catalog::with_project(&self.plugin_paths)?));
        }
        Ok(self)
    }

    /// The catalog flows of this project are checked against.
    pub fn catalog(&self) -> &Catalog {
        self.catalog
            .as_deref()
            .unwrap_or_else(|| Catalog::builtin())
    }

    pub fn level(&self, rule: &str, default: Severity) -> Level {
        self.rules.get(rule).copied().unwrap_or(Level::At(default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_profiles_default_to_the_main_tenant() {
        let c = Config::parse(
            "[server.prod]\nurl = \"https://k.example.com\"\n[server.dev]\nurl = \"http://localhost:8080\"\ntenant = \"t1\"\nnamespace-prefix = \"dev\"\n",
            |_| true,
        )
        .unwrap();
        assert_eq!(c.servers["prod"].tenant, "main");
        assert_eq!(c.servers["dev"].tenant, "t1");
        assert_eq!(c.servers["dev"].namespace_prefix.as_deref(), Some("dev"));
        let e = Config::parse("[server.x]\nurl = \"k.example.com\"\n", |_| true).unwrap_err();
        assert!(e.contains("[server.x] url"), "{e}");
        let e = Config::parse("[server.x]\nurl = \"http://a\"\npassword = \"p\"\n", |_| {
            true
        })
        .unwrap_err();
        assert!(e.contains("password"), "{e}");
    }

    #[test]
    fn parses_levels_and_version() {
        let c = Config::parse(
            "kestra-version = \"2.0\"\nexclude = [\"gen/**\"]\n[rules]\nunknown-property = \"warning\"\nsyntax = \"off\"\n",
            |_| true,
        )
        .unwrap();
        assert_eq!(c.kestra_version, Version { major: 2, minor: 0 });
        assert_eq!(
            c.level("unknown-property", Severity::Error),
            Level::At(Severity::Warning)
        );
        assert_eq!(c.level("syntax", Severity::Error), Level::Off);
        assert_eq!(c.exclude, ["gen/**"]);
    }

    #[test]
    fn rejects_unknown_rules_and_levels() {
        assert!(Config::parse("[rules]\nnope = \"off\"\n", |r| r != "nope").is_err());
        assert!(Config::parse("[rules]\nsyntax = \"loud\"\n", |_| true).is_err());
        assert!(Config::parse("colour = 1\n", |_| true).is_err());
        let err = Config::parse("kestra-version = \"9.9\"\n", |_| true).unwrap_err();
        assert!(
            err.contains("`9.9`") && err.contains("\"1.3\", \"2.0\""),
            "{err}"
        );
        assert!(Config::parse("kestra-version = \"1.3.19\"\n", |_| true).is_ok());
    }
}
