//! What the command line promises besides findings: exit codes when nothing is checked, the
//! summary line, the words it uses, rejected options.

use std::time::Duration;

use crate::formats::tempdir;
use crate::support::run_with_deadline;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = run_with_deadline(args, Duration::from_secs(60));
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_path_without_flows_is_an_error() {
    let dir = tempdir();
    std::fs::write(dir.join("notes.yaml"), "title: not a flow\n").unwrap();
    let (code, _, err) = run(&["lint", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no flows found"), "{err}");
    let (code, _, err) = run(&["lint", dir.join("missing").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_summary_follows_deny_and_says_info() {
    let dir = tempdir();
    let path = dir.join("flow.yaml");
    std::fs::write(
        &path,
        "id: s\nnamespace: company.team\ntasks:\n  - id: a\n    type: com.acme.Thing\n",
    )
    .unwrap();
    let (code, out, _) = run(&["lint", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.starts_with("info[unchecked-plugin]"), "{out}");
    assert!(
        out.ends_with("checked: 0 errors, 0 warnings, 1 info in 1 file\n"),
        "{out}"
    );
    let (code, out, _) = run(&["lint", "--deny", "info", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.ends_with("failed: 0 errors, 0 warnings, 1 info in 1 file\n"),
        "{out}"
    );
}

#[test]
fn bad_options_and_names_are_refused_with_a_suggestion() {
    let dir = tempdir();
    let (code, _, err) = run(&["lint", "--color", "bogus", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bogus"), "{err}");
    let (code, _, err) = run(&["explain", "unknown-propery"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `unknown-property`?"), "{err}");
}

#[test]
fn human_output_counts_lines_broken_by_cr_alone() {
    let dir = tempdir();
    let path = dir.join("cr.yaml");
    std::fs::write(
        &path,
        "id: cr\rnamespace: company.team\rtasks:\r  - id: a\r    type: io.kestra.plugin.core.log.Log\r    message: hi\r    levle: INFO\r",
    )
    .unwrap();
    let (code, out, _) = run(&["lint", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("cr.yaml:7:5"), "{out}");
}

#[test]
fn security_rules_are_a_group_with_a_security_severity() {
    let (code, out, _) = run(&["rules", "--group", "security"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        ids,
        [
            "insecure-tls",
            "credentials-over-http",
            "secret-exposure",
            "template-injection",
            "hardcoded-secret"
        ]
    );
    let dir = tempdir();
    let path = dir.join("flow.yaml");
    std::fs::write(
        &path,
        "id: s\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.http.Request\n    uri: https://example.org\n    options:\n      ssl:\n        insecureTrustAllCertificates: true\n",
    )
    .unwrap();
    let (_, sarif, _) = run(&["lint", "--format", "sarif", path.to_str().unwrap()]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let tls = rules.iter().find(|r| r["id"] == "insecure-tls").unwrap();
    assert_eq!(tls["properties"]["security-severity"], "7.4");
    let plain = rules
        .iter()
        .find(|r| r["id"] == "unknown-property")
        .unwrap();
    assert!(plain.get("properties").is_none());
}
