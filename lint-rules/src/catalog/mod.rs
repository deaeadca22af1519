//! The plugin catalog: task, trigger, condition and task-runner types with their properties and
//! outputs, embedded at build time from `lint-rules/catalog/*.yaml`.

mod load;
mod model;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use kflow_syntax::yaml::{NodeId, Tree};

pub use model::{Output, Prop, PropType, TypeDef, TypeKind};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/catalog_files.rs"));
}

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
}

impl Catalog {
    /// The catalog embedded in kflow.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            Catalog::from_files(embedded::FILES).expect("the embedded catalog is valid")
        })
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
        for (mut def, inherits) in pending {
            for group in inherits {
                let props = groups
                    .get(&group)
                    .ok_or_else(|| format!("{}: unknown group `{group}`", def.name))?;
                for (k, v) in props {
                    def.properties.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
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
        catalog.groups = groups;
        Ok(catalog)
    }

    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        if let Some(&(idx, alias)) = self.by_name.get(name) {
            return Lookup::Known {
                def: &self.types[idx],
                alias,
            };
        }
        if self.covers(name) {
            Lookup::Unknown
        } else {
            Lookup::Uncovered
        }
    }

    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        match self.lookup(name) {
            Lookup::Known { def, .. } => Some(def),
            _ => None,
        }
    }

    /// Whether `name` is inside a namespace the catalog describes completely.
    pub fn covers(&self, name: &str) -> bool {
        self.covers.iter().any(|prefix| {
            name.strip_prefix(prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    }

    pub fn types(&self) -> impl Iterator<Item = &TypeDef> {
        self.types.iter()
    }

    /// Every known name (canonical and aliases).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
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

    #[test]
    fn builtin_catalog_loads() {
        let c = Catalog::builtin();
        assert!(c.types().count() > 0 || embedded::FILES.is_empty());
    }
}
