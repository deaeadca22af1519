//! Output formats and exit codes.

use std::path::Path;
use std::time::Duration;

use crate::support::{kflow, lint_json, run_with_deadline, shared};

fn broken() -> String {
    shared()
        .join("examples/antipatterns/broken_references.yaml")
        .display()
        .to_string()
}

#[test]
fn json_follows_the_contract() {
    let out = run_with_deadline(
        &["lint", "--format", "json", &broken()],
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(1), "errors exit 1");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"], 1);
    let diags = json["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    for d in diags {
        for key in [
            "path",
            "rule",
            "severity",
            "message",
            "line",
            "column",
            "end_line",
            "end_column",
            "fixes",
        ] {
            assert!(!d[key].is_null(), "{key} missing in {d}");
        }
        assert!(["error", "warning", "info"].contains(&d["severity"].as_str().unwrap()));
    }
    // The duplicate id links its first definition.
    let dup = diags.iter().find(|d| d["rule"] == "duplicate-id").unwrap();
    assert_eq!(dup["line"], 17);
    assert_eq!(dup["related"][0]["line"], 11);
    // The deprecated alias has a safe rename fix, located on the type value.
    let dep = diags
        .iter()
        .find(|d| d["rule"] == "deprecated-type")
        .unwrap();
    let edit = &dep["fixes"][0]["edits"][0];
    assert_eq!(edit["new_text"], "io.kestra.plugin.core.log.Log");
    assert_eq!(
        (edit["line"].as_u64(), edit["column"].as_u64()),
        (Some(12), Some(11))
    );
}

#[test]
fn sarif_is_2_1_0_with_rule_metadata() {
    let out = run_with_deadline(
        &["lint", "--format", "sarif", &broken()],
        Duration::from_secs(60),
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "unknown-property"));
    let result = &run["results"][0];
    let idx = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], result["ruleId"]);
    assert!(result["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
}

#[test]
fn github_annotations() {
    let out = run_with_deadline(
        &["lint", "--format", "github", &broken()],
        Duration::from_secs(60),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("::error file=") && l.contains("line=20")),
        "{text}"
    );
    assert!(text
        .lines()
        .any(|l| l.starts_with("::warning file=") && l.contains("deprecated-type")));
}

#[test]
fn human_output_is_rustc_style_with_a_summary() {
    let out = run_with_deadline(
        &["lint", "--color", "never", &broken()],
        Duration::from_secs(60),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "error[unknown-property]: `Log` has no property `levle`; did you mean `level`?"
        ),
        "{text}"
    );
    assert!(text.contains("broken_references.yaml:20:5"), "{text}");
    assert!(
        text.lines().last().unwrap().starts_with("failed: "),
        "{text}"
    );
}

#[test]
fn exit_codes_follow_the_deny_level() {
    let clean = shared().join("examples/seed/fetch_with_download.yaml");
    let status = kflow()
        .args(["lint", "--format", "json"])
        .arg(&clean)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    let dir = tempdir();
    let flow = dir.join("warn.yaml");
    std::fs::write(
        &flow,
        "id: w\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.log.Log\n    message: hi\n",
    )
    .unwrap();
    let code = |deny: &str| {
        kflow()
            .args(["lint", "--format", "json", "--deny", deny])
            .arg(&flow)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code("error"), Some(0));
    assert_eq!(code("warning"), Some(1));
    let missing = kflow()
        .args(["lint", "/nonexistent/flow.yaml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/flow.yaml"));
}

#[test]
fn rules_and_explain() {
    let out = kflow().arg("rules").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for id in [
        "syntax",
        "unknown-property",
        "undefined-reference",
        "invalid-cron",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(id)),
            "{id} not listed:\n{text}"
        );
    }
    let out = kflow()
        .args(["explain", "unknown-property"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for section in ["## What it does", "## Why", "## Example", "## Fix"] {
        assert!(text.contains(section), "{text}");
    }
    let out = kflow().args(["explain", "no-such-rule"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn directories_are_walked_for_flows_only_in_a_stable_order() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(
        dir.join("b/z.yaml"),
        "id: z\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Logg\n",
    )
    .unwrap();
    std::fs::write(dir.join("a.yml"), "id: a\nnamespace: n\ntasks: []\n").unwrap();
    std::fs::write(dir.join("config.yaml"), "server:\n  port: 8080\n").unwrap();
    std::fs::write(dir.join("ignored.yaml"), "id: i\nnamespace: n\ntasks: []\n").unwrap();
    std::fs::write(dir.join(".gitignore"), "ignored.yaml\n").unwrap();
    let (json, _) = lint_json(&[&dir]);
    assert_eq!(json["files"], 2);
    let paths: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect();
    let first_b = paths.iter().position(|p| p.ends_with("z.yaml")).unwrap();
    assert!(paths[..first_b].iter().all(|p| p.ends_with("a.yml")));
    let _ = Path::new(&paths[0]);
}

/// A folder of the test's own, removed when the returned value is dropped.
pub fn tempdir() -> crate::support::TempDir {
    crate::support::TempDir::new("cli")
}

#[test]
fn readme_rules_reference_is_generated_from_the_rules() {
    let out = kflow().args(["rules", "--markdown"]).output().unwrap();
    let reference = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap();
    let start = readme.find("<!-- rules:start -->\n").unwrap() + "<!-- rules:start -->\n".len();
    let end = readme.find("<!-- rules:end -->").unwrap();
    assert!(
        readme[start..end] == reference,
        "README's rules reference is stale: regenerate it with `kflow rules --markdown`"
    );
}
