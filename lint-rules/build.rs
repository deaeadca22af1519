//! Embeds the catalog's data files and extracts each rule's doc comment, so that
//! `kflow explain` and the README's rules reference come from the rule's own source.
//!
//! The generated plugin catalog (`catalog/plugins/*.json`, see tools/catalog-gen) is embedded
//! precompiled: one blob of compact JSON entries and sorted tables of names, aliases and packages
//! pointing into it, so that start-up reads nothing and a type is parsed when first looked up.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap();
    let out = env::var("OUT_DIR").unwrap();

    let catalog_dir = Path::new(&manifest).join("catalog");
    println!("cargo:rerun-if-changed={}", catalog_dir.display());
    let mut files: Vec<_> = fs::read_dir(&catalog_dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();
    let mut code = String::from("pub const FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    fs::write(Path::new(&out).join("catalog_files.rs"), code).unwrap();

    embed_plugins(&catalog_dir.join("plugins"), Path::new(&out));

    let rules_dir = Path::new(&manifest).join("src/rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut rules: Vec<_> = fs::read_dir(&rules_dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    rules.retain(|p| p.extension().is_some_and(|e| e == "rs") && !p.ends_with("mod.rs"));
    rules.sort();
    let mut code = String::from("pub const DOCS: &[(&str, &str)] = &[\n");
    for r in &rules {
        println!("cargo:rerun-if-changed={}", r.display());
        let id = r.file_stem().unwrap().to_string_lossy().replace('_', "-");
        let source = fs::read_to_string(r).unwrap();
        let doc: Vec<&str> = source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.strip_prefix("//!").unwrap_or(l))
            })
            .collect();
        writeln!(code, "    ({id:?}, {:?}),", doc.join("\n")).unwrap();
    }
    code.push_str("];\n");
    fs::write(Path::new(&out).join("rule_docs.rs"), code).unwrap();
}

fn embed_plugins(dir: &Path, out: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    let mut blob = String::new();
    let mut types: Vec<(String, usize, usize, usize)> = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut packages: Vec<String> = Vec::new();
    let mut sources = String::from("pub static SOURCES: &[PluginSource] = &[\n");
    for (source_idx, f) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", f.display());
        let text = fs::read_to_string(f).unwrap();
        let doc: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let source = &doc["source"];
        let field = |line: &str, key: &str| source[line][key].as_str().unwrap_or("").to_string();
        // A snapshot built against the Kestra line kflow targets (1.3 or newer) is complete for
        // its packages: an unknown name there is a typo. Older snapshots may lack newer types.
        // The Kestra version is a plugin's `kestraVersion`, or Kestra core's own `version`.
        let current = ["1.3", "2.0"].iter().all(|l| {
            let mut v = field(l, "kestraVersion");
            if v.is_empty() {
                v = field(l, "version");
            }
            let mut p = v.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
            (p.next().unwrap_or(0), p.next().unwrap_or(0)) >= (1, 3)
        });
        writeln!(
            sources,
            "    PluginSource {{ repo: {:?}, complete: {current} }},",
            source["repo"].as_str().unwrap_or(""),
        )
        .unwrap();
        if current {
            let listed = doc["packages"].as_array().into_iter().flatten();
            packages.extend(listed.filter_map(|p| p.as_str()).map(str::to_string));
        }
        for t in doc["types"].as_array().into_iter().flatten() {
            let name = t["type"]
                .as_str()
                .expect("a type entry has `type`")
                .to_string();
            if !names.insert(name.clone()) {
                continue;
            }
            for a in t["aliases"].as_array().into_iter().flatten() {
                if let Some(a) = a.as_str() {
                    aliases.push((a.to_string(), name.clone()));
                }
            }
            let json = serde_json::to_string(t).unwrap();
            let start = blob.len();
            blob.push_str(&json);
            types.push((name, start, blob.len(), source_idx));
        }
    }
    sources.push_str("];\n");
    types.sort();
    aliases.sort();
    aliases.dedup_by(|a, b| a.0 == b.0);
    packages.sort();
    packages.dedup();
    fs::write(out.join("plugins.json"), &blob).unwrap();
    let mut code = sources;
    code.push_str(
        "pub static BLOB: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/plugins.json\"));\n",
    );
    code.push_str("pub static TYPES: &[(&str, u32, u32, u16)] = &[\n");
    for (name, start, end, src) in &types {
        writeln!(code, "    ({name:?}, {start}, {end}, {src}),").unwrap();
    }
    code.push_str("];\npub static ALIASES: &[(&str, u32)] = &[\n");
    for (alias, name) in &aliases {
        if names.contains(alias) {
            continue;
        }
        let idx = types
            .binary_search_by(|(n, ..)| n.as_str().cmp(name))
            .unwrap();
        writeln!(code, "    ({alias:?}, {idx}),").unwrap();
    }
    code.push_str("];\npub static PACKAGES: &[&str] = &[\n");
    for p in &packages {
        writeln!(code, "    {p:?},").unwrap();
    }
    code.push_str("];\n");
    fs::write(out.join("plugins.rs"), code).unwrap();
}
