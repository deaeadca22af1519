//! The plugin catalog: task, trigger, condition and task-runner types with their properties and
//! outputs. Two layers, embedded at build time:
//! - the curated files `lint-rules/catalog/*.yaml` (Kestra core, scripts, serdes, flow shapes,
//!   property groups), read at start-up; they win where both layers describe a type;
//! - the generated plugin catalog `lint-rules/catalog/plugins/*.json` (tools/catalog-gen, every
//!   official plugin), precompiled into sorted tables and parsed one type at a time on first use.

mod entry;
mod json_schema;
mod load;
mod model;
mod project;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use kflow_syntax::yaml::{NodeId, Tree};

pub use model::{Output, Prop, PropType, TypeDef, TypeKind};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

/// The repository a generated catalog file was read from (its commits are in the file).
#[derive(Debug)]
struct PluginSource {
    repo: &'static str,
    /// Built against Kestra 1.3 or newer: its packages are described completely.
    complete: bool,
}

mod generated {
    use super::PluginSource;
    include!(concat!(env!("OUT_DIR"), "/plugins.rs"));
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("curated_and_project_types", &self.types.len())
            .field("generated_types", &self.plugins.len())
            .finish()
    }
}

pub use project::fingerprint as project_fingerprint;

/// What the catalog says of a type name.
#[derive(Clone, Copy, Debug)]
pub enum Lookup<'c> {
    /// Known; `alias` is true when the name is a (deprecated) alias of `def.name`.
    Known { def: &'c TypeDef, alias: bool },
    /// Under a namespace the catalog covers, yet not in it: Kestra would reject it.
    Unknown,
    /// Outside the covered namespaces: a plugin kflow does not describe.
    Uncovered,
}

pub struct Catalog {
    types: Vec<TypeDef>,
    by_name: HashMap<String, (usize, bool)>,
    covers: Vec<String>,
    /// Sections of the catalog files that are not type lists (flow-level shapes), with the
    /// tree they live in.
    sections: Vec<(String, usize, NodeId)>,
    trees: Vec<Tree>,
    groups: BTreeMap<String, BTreeMap<String, Prop>>,
    /// Generated types, parsed on first use (index = position in `generated::TYPES`).
    plugins: Vec<OnceLock<Option<TypeDef>>>,
}

impl Catalog {
    /// The catalog embedded in kflow.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_files(embedded::FILES)
                .expect("the embedded catalog is valid")
                .with_plugins()
        })
    }

    /// The embedded catalog with a project's own plugin descriptions (`plugins` in
    /// `kflow.toml`: files or folders of Kestra JSON Schemas or catalog YAML). kflow's curated
    /// core types win over them; they win over the generated catalog (they describe the
    /// plugins the project's server runs).
    pub fn with_project(paths: &[std::path::PathBuf]) -> Result<Catalog, String> {
        let files = project::read(paths)?;
        let mut curated: Vec<(&str, &str)> = embedded::FILES.to_vec();
        curated.extend(files.yaml.iter().map(|(n, t)| (n.as_str(), t.as_str())));
        let mut catalog = Catalog::from_files(&curated)?.with_plugins();
        let curated_types = catalog.types.len();
        for (file, mut def) in files.schema_types {
            if let Some(&(idx, _)) = catalog.by_name.get(&def.name) {
                if idx < curated_types {
                    // A server's flow schema lists Kestra's core types too: kflow's own win.
                    continue;
                }
                return Err(format!("{file}: `{}` is described twice", def.name));
            }
            // The base-class properties as kflow knows them (retry variants, removals).
            if let Some(props) = catalog.groups.get(project::common_group(def.kind)) {
                for (k, v) in props {
                    def.properties.insert(k.clone(), v.clone());
                }
            }
            let idx = catalog.types.len();
            catalog.by_name.insert(def.name.clone(), (idx, false));
            for alias in &def.aliases {
                catalog.by_name.entry(alias.clone()).or_insert((idx, true));
            }
            catalog.types.push(def);
        }
        Ok(catalog)
    }

    pub fn from_files(files: &[(&str, &str)]) -> Result<Catalog, String> {
        let mut groups: BTreeMap<String, BTreeMap<String, Prop>> = BTreeMap::new();
        let mut pending = Vec::new();
        let mut catalog = Catalog {
            types: Vec::new(),
            by_name: HashMap::new(),
            covers: Vec::new(),
            sections: Vec::new(),
            trees: Vec::new(),
            groups: BTreeMap::new(),
            plugins: Vec::new(),
        };
        for (name, text) in files {
            let data = load::load_file(name, text)?;
            catalog.covers.extend(data.covers);
            groups.extend(data.groups);
            pending.extend(data.types);
            let tree_idx = catalog.trees.len();
            for (key, node) in data.sections {
                catalog.sections.push((key, tree_idx, node));
            }
            catalog.trees.push(data.tree);
        }
        catalog.groups = groups;
        for (mut def, inherits) in pending {
            catalog.inherit(&mut def, &inherits)?;
            let idx = catalog.types.len();
            if catalog
                .by_name
                .insert(def.name.clone(), (idx, false))
                .is_some()
            {
                return Err(format!("type `{}` is listed twice", def.name));
            }
            for alias in &def.aliases {
                catalog.by_name.entry(alias.clone()).or_insert((idx, true));
            }
            catalog.types.push(def);
        }
        Ok(catalog)
    }

    /// Adds the generated plugin catalog under the curated types.
    fn with_plugins(mut self) -> Catalog {
        self.plugins = (0..generated::TYPES.len())
            .map(|_| OnceLock::new())
            .collect();
        self
    }

    /// The generated entry at `idx`, parsed on first use. A curated type of the same name wins.
    fn plugin(&self, idx: usize) -> Option<&TypeDef> {
        self.plugins
            .get(idx)?
            .get_or_init(|| {
                let (name, start, end, source) = generated::TYPES[idx];
                let json = &generated::BLOB[start as usize..end as usize];
                let loaded = entry::load_entry(json).and_then(|(mut def, inherits)| {
                    self.inherit(&mut def, &inherits)?;
                    Ok(def)
                });
                match loaded {
                    Ok(mut def) => {
                        // A plugin read from a release older than Kestra 1.3 may have gained
                        // properties since: those it lacks are not reported.
                        let source = &generated::SOURCES[source as usize];
                        if !source.complete {
                            def.open = true;
                        }
                        if let Some(repo) = source.repo.strip_prefix("kestra-io/plugin-") {
                            def.docs_url = Some(format!(
                                "https://kestra.io/plugins/plugin-{repo}/{}",
                                def.name.to_lowercase()
                            ));
                        }
                        Some(def)
                    }
                    Err(e) => {
                        debug_assert!(false, "generated entry {name}: {e}");
                        None
                    }
                }
            })
            .as_ref()
    }

    fn inherit(&self, def: &mut TypeDef, inherits: &[String]) -> Result<(), String> {
        for group in inherits {
            let props = self
                .groups
                .get(group)
                .ok_or_else(|| format!("{}: unknown group `{group}`", def.name))?;
            for (k, v) in props {
                def.properties.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        Ok(())
    }

    fn plugin_index(name: &str) -> Option<(usize, bool)> {
        if let Ok(i) = generated::TYPES.binary_search_by(|t| t.0.cmp(name)) {
            return Some((i, false));
        }
        generated::ALIASES
            .binary_search_by(|a| a.0.cmp(name))
            .ok()
            .map(|i| (generated::ALIASES[i].1 as usize, true))
    }

    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        if let Some(&(idx, alias)) = self.by_name.get(name) {
            return Lookup::Known {
                def: &self.types[idx],
                alias,
            };
        }
        if let Some((idx, alias)) = Self::plugin_index(name) {
            if let Some(def) = self.plugin(idx) {
                return Lookup::Known { def, alias };
            }
        }
        if self.covers(name) {
            Lookup::Unknown
        } else {
            Lookup::Uncovered
        }
    }

    /// The canonical name of a type (an alias resolved); `name` itself when unknown.
    pub fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        self.get(name).map_or(name, |d| d.name.as_str())
    }

    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        match self.lookup(name) {
            Lookup::Known { def, .. } => Some(def),
            _ => None,
        }
    }

    /// Whether `name` is inside a namespace the catalog describes completely: a curated
    /// namespace (and its sub-packages), or exactly a package of a complete generated source.
    pub fn covers(&self, name: &str) -> bool {
        let curated = self.covers.iter().any(|prefix| {
            name.strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        });
        curated
            || name
                .rsplit_once('.')
                .is_some_and(|(package, _)| generated::PACKAGES.binary_search(&package).is_ok())
    }

    /// Every type: curated ones, then the generated ones they do not replace (this parses every
    /// generated entry; lookups by name parse only the one asked for).
    pub fn types(&self) -> impl Iterator<Item = &TypeDef> {
        let generated = (0..generated::TYPES.len())
            .filter(|&i| !self.by_name.contains_key(generated::TYPES[i].0))
            .filter_map(|i| self.plugin(i));
        self.types.iter().chain(generated)
    }

    /// Every known name (canonical and aliases).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let curated = self.by_name.keys().map(String::as_str);
        let generated = generated::TYPES
            .iter()
            .map(|t| t.0)
            .chain(generated::ALIASES.iter().map(|a| a.0))
            .filter(|n| !self.by_name.contains_key(*n));
        curated.chain(generated)
    }

    /// A named property group (`flow`, `input_common`, `retry_constant`…).
    pub fn group(&self, name: &str) -> Option<&BTreeMap<String, Prop>> {
        self.groups.get(name)
    }

    /// The properties of a variant listed in a section such as `input_types` or `retry_types`
    /// (`STRING: [input_common, input_STRING]`): the union of its groups.
    pub fn variant(&self, section: &str, key: &str) -> Option<BTreeMap<String, Prop>> {
        let (tree, node) = self.section(section)?;
        let list = tree.get_value(node, key)?;
        let mut props = BTreeMap::new();
        for &g in tree.items(list)? {
            for (k, v) in self.group(tree.str(g)?)? {
                props.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        Some(props)
    }

    /// A text entry of a section (`deprecated_input_types: {BOOLEAN: "Use BOOL."}`).
    pub fn section_text(&self, section: &str, key: &str) -> Option<&str> {
        let (tree, node) = self.section(section)?;
        tree.get_str(node, key)
    }

    /// A top-level section of the catalog files other than `covers`/`groups`/`types`.
    pub fn section(&self, key: &str) -> Option<(&Tree, NodeId)> {
        self.sections
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, t, n)| (&self.trees[*t], *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
covers:
  - io.kestra.plugin.core
groups:
  common:
    id: {type: string, required: true}
types:
  - type: io.kestra.plugin.core.log.Log
    kind: task
    class: runnable
    aliases: [io.kestra.core.tasks.log.Log]
    inherits: [common]
    properties:
      message: {type: string | list, required: true, dynamic: true}
      level:
        type: enum
        values: [ERROR, INFO]
        default: INFO
    outputs: {}
"#;

    #[test]
    fn loads_types_aliases_and_groups() {
        let c = Catalog::from_files(&[("sample.yaml", SAMPLE)]).unwrap();
        let Lookup::Known { def, alias } = c.lookup("io.kestra.core.tasks.log.Log") else {
            panic!("alias not found");
        };
        assert!(alias);
        assert_eq!(def.name, "io.kestra.plugin.core.log.Log");
        assert!(def.properties["id"].required);
        assert_eq!(
            def.properties["message"].types,
            [PropType::String, PropType::List]
        );
        assert_eq!(def.properties["level"].values, ["ERROR", "INFO"]);
        assert!(matches!(
            c.lookup("io.kestra.plugin.core.log.Nope"),
            Lookup::Unknown
        ));
        assert!(matches!(
            c.lookup("io.kestra.plugin.corex.A"),
            Lookup::Uncovered
        ));
    }

    /// The curated core types win over their generated twins, so what the generator read off
    /// Kestra's 1.3 and 2.0 sources (a property 2.0 removed) must not be lost under them.
    #[test]
    fn curated_types_keep_the_removals_read_off_kestras_sources() {
        let c = Catalog::builtin();
        let mut missing = Vec::new();
        for def in c.types() {
            let Some((idx, false)) = Catalog::plugin_index(&def.name) else {
                continue;
            };
            let Some(generated) = c.plugin(idx) else {
                continue;
            };
            removals_kept(
                &def.name,
                &def.properties,
                &generated.properties,
                &mut missing,
            );
        }
        assert!(
            missing.is_empty(),
            "curated without the removal: {missing:#?}"
        );
    }

    fn removals_kept(
        path: &str,
        curated: &BTreeMap<String, Prop>,
        generated: &BTreeMap<String, Prop>,
        missing: &mut Vec<String>,
    ) {
        for (name, g) in generated {
            let Some(k) = curated.get(name) else { continue };
            if g.removed_in.is_some() && k.removed_in.is_none() {
                missing.push(format!("{path}.{name} (removed in {:?})", g.removed_in));
            }
            if let (Some(kf), Some(gf)) = (&k.fields, &g.fields) {
                removals_kept(&format!("{path}.{name}"), kf, gf, missing);
            }
        }
    }

    #[test]
    fn builtin_catalog_loads() {
        let c = Catalog::builtin();
        assert!(c.types().count() > 0 || embedded::FILES.is_empty());
    }
}
