//! `kflow lint --fix`: safe fixes applied in place, the rest of the file kept byte for byte.

use std::time::Duration;

use crate::formats::tempdir;
use crate::support::run_with_deadline;

#[test]
fn fix_renames_old_type_names_and_keeps_everything_else() {
    let dir = tempdir();
    let path = dir.join("old.yaml");
    let before = "# header comment\nid: old   # trailing\nnamespace: company.team\ntasks:\n  - id: hello\n    type: io.kestra.core.tasks.log.Log # old name\n    message: 'hi {{ flow.id }}'\n  - id: bye\n    type: \"io.kestra.core.tasks.debugs.Return\"\n    format: bye\n";
    std::fs::write(&path, before).unwrap();
    let out = run_with_deadline(
        &["lint", "--fix", "--format", "json", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let after = std::fs::read_to_string(&path).unwrap();
    let expected = before
        .replace(
            "io.kestra.core.tasks.log.Log",
            "io.kestra.plugin.core.log.Log",
        )
        .replace(
            "io.kestra.core.tasks.debugs.Return",
            "io.kestra.plugin.core.debug.Return",
        );
    assert_eq!(after, expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 edit(s)"));
    // The report is of the fixed file: nothing left to fix.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["rule"] != "deprecated-type"),
        "{json}"
    );
    assert_eq!(out.status.code(), Some(0));
}

/// Copies an example, runs `--fix`, and returns (fixed text, rules reported afterwards).
fn fix_example(name: &str) -> (String, String, Vec<String>) {
    let original = std::fs::read_to_string(
        crate::support::shared()
            .join("examples/antipatterns")
            .join(name),
    )
    .unwrap();
    let dir = tempdir();
    let path = dir.join(name);
    std::fs::write(&path, &original).unwrap();
    let out = run_with_deadline(
        &["lint", "--fix", "--format", "json", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    (original, std::fs::read_to_string(&path).unwrap(), rules)
}

fn comment_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .collect()
}

#[test]
fn fetch_pattern_fixes_round_trip() {
    for (name, rule) in [
        ("script_only_downloads.yaml", "script-single-download"),
        ("shell_curl_download.yaml", "script-single-download"),
        ("request_large_csv.yaml", "request-file-payload"),
        ("request_body_as_file.yaml", "request-file-payload"),
        (
            "script_missing_output_files.yaml",
            "script-missing-output-files",
        ),
        (
            "script_undeclared_dependency.yaml",
            "script-undeclared-dependency",
        ),
    ] {
        let (before, after, rules) = fix_example(name);
        assert_ne!(before, after, "{name}: nothing was fixed");
        assert!(
            !rules.iter().any(|r| r == rule || r == "syntax"),
            "{name}: still {rules:?} after --fix:\n{after}"
        );
        for line in comment_lines(&before) {
            assert!(
                after.contains(line),
                "{name}: comment {line:?} lost:\n{after}"
            );
        }
    }
}

#[test]
fn fixes_rewrite_downstream_reads() {
    let (_, after, _) = fix_example("script_only_downloads.yaml");
    assert!(after.contains("    type: io.kestra.plugin.core.http.Download\n    uri: https://example.com/data/orders.csv\n"), "{after}");
    assert!(
        after.contains("from: \"{{ outputs.get_orders.uri }}\""),
        "{after}"
    );
    assert!(!after.contains("requests"), "{after}");

    let (_, after, rules) = fix_example("request_body_as_file.yaml");
    assert!(
        after.contains("type: io.kestra.plugin.core.http.Download # expect: request-file-payload"),
        "{after}"
    );
    assert!(
        after.contains("from: \"{{ outputs.report.uri }}\""),
        "{after}"
    );
    assert!(
        !rules.iter().any(|r| r == "body-where-uri-expected"),
        "{rules:?}"
    );

    let (_, after, _) = fix_example("script_missing_output_files.yaml");
    assert!(
        after.contains("    outputFiles:\n      - report.json\n    script: |"),
        "{after}"
    );

    let (_, after, _) = fix_example("script_undeclared_dependency.yaml");
    assert!(
        after.contains("    dependencies:\n      - pandas\n    script: |"),
        "{after}"
    );
}
