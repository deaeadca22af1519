//! `kflow.toml` and inline suppressions.

use std::time::Duration;

use crate::formats::tempdir;
use crate::support::{diagnostic_pairs, lint_json, run_with_deadline};

const FLOW: &str = "id: c\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    levle: INFO\n";

fn rules_reported(dir: &std::path::Path) -> Vec<(String, String)> {
    diagnostic_pairs(&lint_json(&[dir]).0, "rule", "severity")
}

#[test]
fn severities_come_from_the_nearest_kflow_toml() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/flow.yaml"), FLOW).unwrap();
    assert_eq!(
        rules_reported(&dir),
        [("unknown-property".into(), "error".into())]
    );
    std::fs::write(
        dir.join("kflow.toml"),
        "[rules]\nunknown-property = \"warning\"\n",
    )
    .unwrap();
    assert_eq!(
        rules_reported(&dir),
        [("unknown-property".into(), "warning".into())]
    );
    std::fs::write(
        dir.join("sub/kflow.toml"),
        "[rules]\nunknown-property = \"off\"\n",
    )
    .unwrap();
    assert!(rules_reported(&dir).is_empty());
}

#[test]
fn excludes_and_bad_configs() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("gen")).unwrap();
    std::fs::write(dir.join("gen/flow.yaml"), FLOW).unwrap();
    std::fs::write(dir.join("kflow.toml"), "exclude = [\"gen/**\"]\n").unwrap();
    assert!(rules_reported(&dir).is_empty());
    std::fs::write(dir.join("kflow.toml"), "[rules]\nno-such-rule = \"off\"\n").unwrap();
    let out = run_with_deadline(&["lint", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rule"));
}

#[test]
fn inline_suppressions() {
    let dir = tempdir();
    let same_line = FLOW.replace(
        "levle: INFO",
        "levle: INFO # kflow: ignore[unknown-property]",
    );
    std::fs::write(dir.join("a.yaml"), same_line).unwrap();
    assert!(rules_reported(&dir).is_empty());
    let line_above = FLOW.replace(
        "    levle: INFO",
        "    # kflow: ignore[unknown-property]\n    levle: INFO",
    );
    std::fs::write(dir.join("a.yaml"), line_above).unwrap();
    assert!(rules_reported(&dir).is_empty());
    let other_rule = FLOW.replace("levle: INFO", "levle: INFO # kflow: ignore[syntax]");
    std::fs::write(dir.join("a.yaml"), other_rule).unwrap();
    assert_eq!(rules_reported(&dir).len(), 1);
    std::fs::write(
        dir.join("a.yaml"),
        format!("# kflow: ignore-file[unknown-property]\n{FLOW}"),
    )
    .unwrap();
    assert!(rules_reported(&dir).is_empty());
}
