//! Embeds the catalog's data files and extracts each rule's doc comment, so that
//! `kflow explain` and the README's rules reference come from the rule's own source.

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
