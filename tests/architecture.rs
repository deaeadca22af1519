//! The module graph stays a graph without circles where ARCHITECTURE.md says so: among the
//! modules of `lint-rules` and of the engine's executor (`engine/src/exec`). A module depends on
//! another when its code (comments and `#[cfg(test)]` parts aside) names a path into it
//! (`crate::…`, `super::…`, `self::…`, grouped imports included); naming one's own ancestors'
//! items (the crate root's re-exports) does not count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `a/b.rs` → `[a, b]`, `a/mod.rs` → `[a]`, `lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without its comments and its test module.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    s.split_at(end)
}

/// Every path that starts with `crate`, `super` or `self`, resolved to absolute segments
/// (a group `a::{b, c::d}` gives `a::b` and `a::c`).
fn paths(module: &Module, code: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for head in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(head) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut base: Module = match head {
                "crate::" => Vec::new(),
                "self::" => module.clone(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            let mut rest = &code[at + head.len()..];
            loop {
                if let Some(r) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = r;
                    continue;
                }
                if let Some(group) = rest.strip_prefix('{') {
                    let inner = group.split('}').next().unwrap_or("");
                    for item in inner.split(',') {
                        let (name, _) = ident(item.trim());
                        if !name.is_empty() && name != "self" {
                            let mut p = base.clone();
                            p.push(name.to_string());
                            out.push(p);
                        }
                    }
                    out.push(base.clone());
                    break;
                }
                let (name, after) = ident(rest);
                if name.is_empty() {
                    out.push(base.clone());
                    break;
                }
                base.push(name.to_string());
                match after.strip_prefix("::") {
                    Some(r) => rest = r,
                    None => {
                        out.push(base.clone());
                        break;
                    }
                }
            }
        }
    }
    out
}

/// The circles among the modules of the crate at `src` whose path starts with `under`.
fn circles(src: &Path, under: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<Module, PathBuf> =
        files.into_iter().map(|f| (module_of(src, &f), f)).collect();
    let inside = |m: &Module| m.len() >= under.len() && m.iter().zip(under).all(|(a, b)| a == b);
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (module, file) in modules.iter().filter(|(m, _)| inside(m)) {
        let text = std::fs::read_to_string(file).unwrap();
        let deps = edges.entry(module.clone()).or_default();
        for path in paths(module, &code(&text)) {
            // The longest prefix that is a module.
            let Some(target) = (0..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| modules.contains_key(p))
            else {
                continue;
            };
            let ancestor = module.starts_with(&target);
            if !ancestor && inside(&target) {
                deps.insert(target);
            }
        }
    }
    let mut found = Vec::new();
    let mut state: BTreeMap<Module, u8> = BTreeMap::new();
    fn visit(
        m: &Module,
        edges: &BTreeMap<Module, BTreeSet<Module>>,
        state: &mut BTreeMap<Module, u8>,
        stack: &mut Vec<Module>,
        found: &mut Vec<String>,
    ) {
        state.insert(m.clone(), 1);
        stack.push(m.clone());
        for d in edges.get(m).into_iter().flatten() {
            match state.get(d) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == d).unwrap();
                    let mut names: Vec<String> =
                        stack[from..].iter().map(|s| s.join("::")).collect();
                    names.push(d.join("::"));
                    found.push(names.join(" -> "));
                }
                Some(_) => {}
                None => visit(d, edges, state, stack, found),
            }
        }
        stack.pop();
        state.insert(m.clone(), 2);
    }
    for m in edges.keys() {
        if !state.contains_key(m) {
            visit(m, &edges, &mut state, &mut Vec::new(), &mut found);
        }
    }
    found
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn lint_rules_modules_form_no_circle() {
    let found = circles(&root().join("lint-rules/src"), &[]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn executor_modules_form_no_circle() {
    let found = circles(&root().join("engine/src"), &["exec"]);
    assert!(found.is_empty(), "{found:#?}");
}

/// The check sees a circle when there is one, through a grouped import too, and not in
/// comments, tests or references to the crate root.
#[test]
fn a_circle_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir(src.join("a")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(src.join(name), text).unwrap();
    write("lib.rs", "mod a;\nmod c;\npub use a::Thing;\n");
    write("a/mod.rs", "mod b;\npub struct Thing;\n// crate::c::f\n");
    write(
        "a/b.rs",
        "use crate::Thing;\n#[cfg(test)]\nmod tests { use crate::c::f; }\n",
    );
    write("c.rs", "pub fn f() {}\n");
    assert!(circles(src, &[]).is_empty());
    write("c.rs", "use crate::a::{b::g, Thing};\npub fn f() {}\n");
    write("a/b.rs", "pub fn g() { super::super::c::f() }\n");
    let found = circles(src, &[]);
    assert_eq!(found, ["a::b -> c -> a::b"], "{found:#?}");
}

#[test]
fn paths_resolve_groups_and_supers() {
    let m: Module = vec!["exec".into(), "tasks".into(), "flow".into()];
    let found = paths(
        &m,
        "use super::flowable::{value_text, Done};\nuse crate::exec::state::Exec; super::super::walk::list(x)",
    );
    let joined: Vec<String> = found.iter().map(|p| p.join("::")).collect();
    assert!(
        joined.contains(&"exec::tasks::flowable::value_text".to_string()),
        "{joined:?}"
    );
    assert!(
        joined.contains(&"exec::state::Exec".to_string()),
        "{joined:?}"
    );
    assert!(
        joined.contains(&"exec::walk::list".to_string()),
        "{joined:?}"
    );
}
