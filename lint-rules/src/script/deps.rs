//! Python imports against declared dependencies: standard library, import-name → distribution map,
//! requirement-spec normalisation.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::facts::ScriptFacts;
use super::text::normalize_dist;
use crate::span::Span;

const STDLIB: &str = include_str!("../../data/python-stdlib.txt");
const IMPORT_DISTS: &str = include_str!("../../data/python-import-dists.txt");
const DIST_REQUIRES: &str = include_str!("../../data/python-dist-requires.txt");

/// What each known distribution requires at run time (from PyPI; see the data file's header).
fn dist_requires() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static MAP: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    MAP.get_or_init(|| {
        lines(DIST_REQUIRES)
            .filter_map(|l| {
                let (head, reqs) = l.split_once(':')?;
                let name = head.split_whitespace().next()?;
                Some((name, reqs.split_whitespace().collect()))
            })
            .collect()
    })
}

/// The declared distributions and everything they install, transitively (normalised names).
fn with_requirements(declared: HashSet<String>) -> HashSet<String> {
    let requires = dist_requires();
    let mut all = declared.clone();
    let mut queue: Vec<String> = declared.into_iter().collect();
    while let Some(d) = queue.pop() {
        for r in requires.get(d.as_str()).into_iter().flatten() {
            if all.insert(r.to_string()) {
                queue.push(r.to_string());
            }
        }
    }
    all
}

/// An import no declared dependency provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThirdPartyImport {
    /// The module as imported (`google.cloud.storage`, `pandas`).
    pub module: String,
    /// The distribution to declare (`google-cloud-storage`, `pandas`).
    pub distribution: String,
    /// The module name in the script.
    pub span: Span,
}

fn lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
}

fn stdlib() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| lines(STDLIB).collect())
}

/// Module → distributions providing it (the first is the one to suggest).
fn dist_map() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static MAP: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    MAP.get_or_init(|| {
        lines(IMPORT_DISTS)
            .filter_map(|l| {
                let mut fields = l.split_whitespace();
                Some((fields.next()?, fields.collect::<Vec<_>>()))
            })
            .filter(|(_, dists)| !dists.is_empty())
            .collect()
    })
}

/// Whether the top-level module of `module` is in the standard library of some CPython 3.8–3.13.
pub fn is_python_stdlib(module: &str) -> bool {
    let top = module.split('.').next().unwrap_or(module);
    stdlib().contains(top)
}

/// The distributions that provide `module`, most likely first: the longest dotted prefix found in
/// the map, else the top-level name itself.
pub fn python_distribution(module: &str) -> Vec<String> {
    let map = dist_map();
    let mut prefix = module;
    loop {
        if let Some(dists) = map.get(prefix) {
            return dists.iter().map(|d| d.to_string()).collect();
        }
        match prefix.rsplit_once('.') {
            Some((head, _)) => prefix = head,
            None => break,
        }
    }
    vec![module.split('.').next().unwrap_or(module).to_string()]
}

/// The normalised distribution name of a requirement: `Pandas==2.1` → `pandas`,
/// `requests[socks]>=2` → `requests`, `pkg @ git+https://…` → `pkg`, `git+https://…#egg=pkg` → `pkg`;
/// `None` for URLs and paths without a name, options and empty lines.
pub fn normalize_requirement(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if spec.is_empty() || spec.starts_with('-') || spec.starts_with('#') {
        return None;
    }
    if let Some(egg) = spec.split("#egg=").nth(1) {
        return Some(normalize_dist(egg.split(['&', '[']).next().unwrap_or(egg)))
            .filter(|n| !n.is_empty());
    }
    // `name @ url`: a direct reference with a name.
    let spec = match spec.split_once('@') {
        Some((name, url)) if url.contains("://") && !name.contains("://") => name.trim(),
        _ => spec,
    };
    if spec.contains("://") || spec.starts_with('.') || spec.starts_with('/') {
        return None;
    }
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let name = normalize_dist(&spec[..end]);
    (!name.is_empty()).then_some(name)
}

/// `pip install` requirements found in shell facts (e.g. a task's `beforeCommands`), as declared
/// dependencies; the flag says a requirements file was installed too (its contents are unknown).
pub fn declared_from_installs(facts: &ScriptFacts) -> (Vec<String>, bool) {
    let mut specs = Vec::new();
    let mut requirements_file = false;
    for install in facts.package_installs.iter().filter(|i| i.manager == "pip") {
        if install.requirements_file {
            requirements_file = true;
        } else {
            specs.push(install.spec.clone());
        }
    }
    (specs, requirements_file)
}

/// Imports that are not standard library, not local-looking modules, not optional (inside `try:`),
/// and not provided by any of `declared` (requirement specs as written in `dependencies` or a
/// `pip install`). `kestra` counts as third-party.
pub fn python_third_party_imports(
    facts: &ScriptFacts,
    declared: &[String],
) -> Vec<ThirdPartyImport> {
    python_third_party_imports_excluding(facts, declared, &[])
}

/// Like [`python_third_party_imports`], also skipping `local_modules` (names of files shipped with
/// the task: `inputFiles`, namespace files).
pub fn python_third_party_imports_excluding(
    facts: &ScriptFacts,
    declared: &[String],
    local_modules: &[&str],
) -> Vec<ThirdPartyImport> {
    // A declared package brings its own requirements (awswrangler installs boto3).
    let declared = with_requirements(
        declared
            .iter()
            .filter_map(|d| normalize_requirement(d))
            .collect(),
    );
    let mut out: Vec<ThirdPartyImport> = Vec::new();
    for import in &facts.imports {
        if import.relative || import.guarded || import.module.is_empty() {
            continue;
        }
        let top = import.module.split('.').next().unwrap_or("");
        if is_python_stdlib(top) || local_modules.contains(&top) || looks_local(top) {
            continue;
        }
        // `from google.cloud import storage` needs the distribution of `google.cloud.storage`.
        let modules: Vec<String> =
            if import.names.is_empty() || import.names.iter().any(|n| n == "*") {
                vec![import.module.clone()]
            } else {
                import
                    .names
                    .iter()
                    .map(|n| format!("{}.{n}", import.module))
                    .collect()
            };
        for module in modules {
            let dists = python_distribution(&module);
            let satisfied = dists.iter().any(|d| declared.contains(&normalize_dist(d)))
                || declared.contains(&normalize_dist(top))
                || declared.contains(&normalize_dist(&module));
            let distribution = dists.first().cloned().unwrap_or_else(|| top.to_string());
            if satisfied
                || out
                    .iter()
                    .any(|o| o.distribution == distribution && o.span == import.span)
            {
                continue;
            }
            let module = if dist_map().contains_key(module.as_str()) || import.names.is_empty() {
                module
            } else {
                import.module.clone()
            };
            out.push(ThirdPartyImport {
                module,
                distribution,
                span: import.span,
            });
        }
    }
    out
}

/// Names that are almost always files next to the script rather than packages.
fn looks_local(top: &str) -> bool {
    if dist_map().contains_key(top) {
        return false;
    }
    const LOCAL: &[&str] = &[
        "utils",
        "util",
        "helpers",
        "helper",
        "common",
        "config",
        "settings",
        "constants",
        "lib",
        "src",
        "app",
        "main",
        "local",
        "tasks",
        "shared",
        "core",
        "my_module",
        "module",
    ];
    LOCAL.contains(&top)
        || top.starts_with("my_")
        || ["_utils", "_helpers", "_lib", "_config", "_common"]
            .iter()
            .any(|s| top.ends_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_names() {
        assert_eq!(
            normalize_requirement("Pandas==2.1").as_deref(),
            Some("pandas")
        );
        assert_eq!(
            normalize_requirement("requests[socks]>=2.0").as_deref(),
            Some("requests")
        );
        assert_eq!(
            normalize_requirement("scikit_learn ~= 1.3").as_deref(),
            Some("scikit-learn")
        );
        assert_eq!(
            normalize_requirement("mypkg @ git+https://github.com/x/y.git").as_deref(),
            Some("mypkg")
        );
        assert_eq!(
            normalize_requirement("git+https://github.com/x/y.git#egg=Foo_Bar").as_deref(),
            Some("foo-bar")
        );
        assert_eq!(
            normalize_requirement("git+https://github.com/x/y.git"),
            None
        );
        assert_eq!(normalize_requirement("-r requirements.txt"), None);
    }

    #[test]
    fn stdlib_and_dists() {
        for m in [
            "json",
            "os.path",
            "urllib.request",
            "concurrent.futures",
            "tomllib",
            "asyncio",
            "__future__",
            "distutils",
        ] {
            assert!(is_python_stdlib(m), "{m}");
        }
        for m in ["requests", "pandas", "yaml", "kestra", "google"] {
            assert!(!is_python_stdlib(m), "{m}");
        }
        assert_eq!(python_distribution("yaml")[0], "pyyaml");
        assert_eq!(
            python_distribution("sklearn.linear_model")[0],
            "scikit-learn"
        );
        assert_eq!(
            python_distribution("google.cloud.storage.blob")[0],
            "google-cloud-storage"
        );
        assert_eq!(python_distribution("cv2")[0], "opencv-python");
        assert_eq!(python_distribution("somethingelse.sub")[0], "somethingelse");
    }
}

#[cfg(test)]
mod requires_tests {
    use super::*;

    #[test]
    fn declared_packages_bring_their_requirements() {
        let all = with_requirements(["awswrangler".to_string()].into_iter().collect());
        assert!(all.contains("boto3"), "{all:?}");
    }
}
