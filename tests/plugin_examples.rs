//! Every `@Example` flow of every plugin, as the catalog generator extracted it
//! (`tests/plugin-examples/*.json`), linted under each Kestra line whose release carries it.
//!
//! An example with an `error` finding must be listed, with the reason, in
//! `tests/expectations/plugin-example-errors.txt`; a listed example that no longer has one
//! fails the test too, so the list stays true.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use support::run_with_deadline;

#[derive(serde::Deserialize)]
struct Example {
    #[serde(rename = "type")]
    type_: String,
    source: String,
    flow: String,
    lines: Vec<String>,
}

/// `repo:source<TAB>line<TAB>reason` lines; `#` starts a comment.
fn expectations() -> BTreeMap<(String, String), String> {
    let text = include_str!("expectations/plugin-example-errors.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut cols = l.splitn(3, '\t');
            let key = cols.next().unwrap_or_default().trim().to_string();
            let line = cols.next().unwrap_or_default().trim().to_string();
            let reason = cols.next().unwrap_or_default().trim().to_string();
            assert!(!reason.is_empty(), "no reason given for {key} ({line})");
            ((key, line), reason)
        })
        .collect()
}

fn examples() -> Vec<(String, Example)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/plugin-examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let repo = f.file_stem().unwrap().to_string_lossy().to_string();
        let list: Vec<Example> =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        out.extend(list.into_iter().map(|e| (repo.clone(), e)));
    }
    out
}

#[test]
fn every_plugin_example_lints_clean_under_its_kestra_line() {
    let all = examples();
    assert!(all.len() > 1500, "only {} examples found", all.len());
    let expected = expectations();
    let mut failures = Vec::new();
    let mut seen_errors: BTreeSet<(String, String)> = BTreeSet::new();
    for line in ["1.3", "2.0"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("kflow.toml"),
            format!("kestra-version = \"{line}\"\n"),
        )
        .unwrap();
        let mut by_file = BTreeMap::new();
        for (i, (repo, ex)) in all.iter().enumerate() {
            if !ex.lines.iter().any(|l| l == line) {
                continue;
            }
            let name = format!("{i:05}.yaml");
            std::fs::write(dir.path().join(&name), &ex.flow).unwrap();
            by_file.insert(name, (repo, ex));
        }
        let root = dir.path().display().to_string();
        let out = run_with_deadline(
            &["lint", "--format", "json", &root],
            Duration::from_secs(600),
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
        });
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in json["diagnostics"].as_array().unwrap() {
            if d["severity"] != "error" {
                continue;
            }
            let file = Path::new(d["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            errors.entry(file).or_default().push(format!(
                "{}:{} {} {}",
                d["line"], d["column"], d["rule"], d["message"]
            ));
        }
        for (file, (repo, ex)) in &by_file {
            let key = (format!("{repo}:{}", ex.source), line.to_string());
            match (errors.get(file), expected.contains_key(&key)) {
                (Some(found), false) => failures.push(format!(
                    "{}\t{}\t{} ({}):\n    {}",
                    key.0,
                    key.1,
                    ex.type_,
                    file,
                    found.join("\n    ")
                )),
                (Some(_), true) => {
                    seen_errors.insert(key);
                }
                _ => {}
            }
        }
    }
    let stale: Vec<_> = expected
        .keys()
        .filter(|k| !seen_errors.contains(*k))
        .map(|(k, l)| format!("{k}\t{l}"))
        .collect();
    assert!(
        failures.is_empty(),
        "{} plugin examples have errors not listed in tests/expectations/plugin-example-errors.txt:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed in tests/expectations/plugin-example-errors.txt but now clean:\n{}",
        stale.join("\n")
    );
}
