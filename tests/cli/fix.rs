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
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 fix(es)"));
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

/// Copies an example, runs `--fix --unsafe-fixes` (the fetch-pattern fixes change the task
/// type), and returns (original text, fixed text, rules reported afterwards).
fn fix_example(name: &str) -> (String, String, Vec<String>) {
    fix_example_with(name, &["--unsafe-fixes"])
}

fn fix_example_with(name: &str, flags: &[&str]) -> (String, String, Vec<String>) {
    let original = std::fs::read_to_string(
        crate::support::shared()
            .join("examples/antipatterns")
            .join(name),
    )
    .unwrap();
    let dir = tempdir();
    let path = dir.join(name);
    std::fs::write(&path, &original).unwrap();
    let mut args = vec!["lint", "--fix", "--format", "json"];
    args.extend(flags);
    args.push(path.to_str().unwrap());
    let out = run_with_deadline(&args, Duration::from_secs(60));
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
    // The comment on the `type:` line stays on it.
    assert!(after.contains("    type: io.kestra.plugin.core.http.Download # expect: script-single-download\n    uri: https://example.com/data/orders.csv\n"), "{after}");
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

#[test]
fn unsafe_fixes_need_asking() {
    let (before, after, rules) = fix_example_with("script_only_downloads.yaml", &[]);
    assert_eq!(
        before, after,
        "a task-type change applied without --unsafe-fixes"
    );
    assert!(rules.iter().any(|r| r == "script-single-download"));
    let dir = tempdir();
    let path = dir.join("flow.yaml");
    std::fs::write(&path, &before).unwrap();
    let out = run_with_deadline(
        &["lint", "--format", "json", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fix = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "script-single-download")
        .map(|d| d["fixes"][0].clone())
        .unwrap();
    assert_eq!(fix["applicability"], "unsafe");
    assert_eq!(fix["safe"], false);
    let out = run_with_deadline(
        &["lint", "--unsafe-fixes", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(2), "--unsafe-fixes without --fix");
}

const OLD_NAMES: &str = "id: le\nnamespace: company.team\ntasks:\n  - id: hello # first\n    type: io.kestra.core.tasks.log.Log # old name\n    message: hi\n    levle: INFO\n";

/// Lints a file written with the given line break, then fixes it; returns (the line of the
/// unknown property before fixing, the fixed bytes, the rules left).
fn with_line_break(brk: &str, extra: &[&str]) -> (u64, String, Vec<String>) {
    let dir = tempdir();
    let path = dir.join("flow.yaml");
    std::fs::write(&path, OLD_NAMES.replace('\n', brk)).unwrap();
    let lint = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "json"];
        all.extend(args);
        all.push(path.to_str().unwrap());
        let out = run_with_deadline(&all, Duration::from_secs(60));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let before = lint(&[]);
    let line = before["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "unknown-property")
        .unwrap()["line"]
        .as_u64()
        .unwrap();
    let mut args = vec!["--fix"];
    args.extend(extra);
    let after = lint(&args);
    let rules = after["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    (line, std::fs::read_to_string(&path).unwrap(), rules)
}

#[test]
fn fixes_keep_crlf_and_cr_line_breaks() {
    for brk in ["\r\n", "\r"] {
        let (line, fixed, rules) = with_line_break(brk, &["--unsafe-fixes"]);
        assert_eq!(line, 7, "{brk:?}: positions count every line break");
        let expected = OLD_NAMES
            .replace(
                "io.kestra.core.tasks.log.Log",
                "io.kestra.plugin.core.log.Log",
            )
            .replace("levle", "level")
            .replace('\n', brk);
        assert_eq!(fixed, expected, "{brk:?}");
        assert!(rules.is_empty(), "{brk:?}: {rules:?}");
    }
}

#[test]
fn fixes_keep_the_line_break_of_inserted_lines() {
    let flow = "id: dep\r\nnamespace: company.team\r\ntasks:\r\n  - id: py\r\n    type: io.kestra.plugin.scripts.python.Script\r\n    script: |\r\n      import pandas\r\n      print(pandas.__version__)\r\n";
    let dir = tempdir();
    let path = dir.join("flow.yaml");
    std::fs::write(&path, flow).unwrap();
    run_with_deadline(
        &["lint", "--fix", "--unsafe-fixes", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_ne!(fixed, flow, "nothing fixed");
    assert!(
        !fixed.replace("\r\n", "").contains(['\n', '\r']),
        "a bare line break: {fixed:?}"
    );
}
