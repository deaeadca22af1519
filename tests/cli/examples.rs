//! The marker contract of `../shared/examples/README.md`: the warnings and errors `kflow lint`
//! reports on a file are exactly its `# expect: RULE` markers, each on a line the finding covers.

use std::path::{Path, PathBuf};

use crate::support::{lint_json, shared};

fn markers(path: &Path) -> Vec<(u64, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let at = line.find("# expect:")?;
            Some((i as u64 + 1, line[at + 9..].trim().to_string()))
        })
        .collect()
}

fn check_contract(path: &Path) {
    let (json, _) = lint_json(&[path]);
    let mut findings: Vec<(u64, u64, String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["end_line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut unmatched_markers = Vec::new();
    for (line, rule) in markers(path) {
        let hit = findings
            .iter()
            .position(|(start, end, r, _)| *r == rule && (*start..=*end).contains(&line));
        match hit {
            Some(i) => {
                findings.remove(i);
            }
            None => unmatched_markers.push((line, rule)),
        }
    }
    assert!(
        unmatched_markers.is_empty() && findings.is_empty(),
        "{}:\n  expected but not reported: {unmatched_markers:?}\n  reported but not expected: {findings:?}",
        path.display()
    );
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no flows in {}", dir.display());
    files
}

#[test]
fn seed_flows_are_clean() {
    for f in yaml_files(&shared().join("examples/seed")) {
        check_contract(&f);
    }
}

#[test]
fn clean_flows_are_clean() {
    for f in yaml_files(&shared().join("examples/clean")) {
        check_contract(&f);
    }
}

#[test]
fn every_antipattern_matches_its_markers() {
    for f in yaml_files(&shared().join("examples/antipatterns")) {
        check_contract(&f);
    }
}

/// The repository's own examples of the security rules (`examples/security`): the same marker
/// contract; `clean.yaml` holds the near misses and must stay clean.
#[test]
fn security_examples_match_their_markers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/security");
    let files = yaml_files(&dir);
    for rule in [
        "template-injection",
        "insecure-tls",
        "credentials-over-http",
        "secret-exposure",
        "hardcoded-secret",
    ] {
        assert!(
            files
                .iter()
                .any(|f| markers(f).iter().any(|(_, r)| r == rule)),
            "no example for {rule}"
        );
    }
    for f in files {
        check_contract(&f);
    }
}
