//! The linter against real flows: `../shared/corpus`, read at test time.
//!
//! Outside `invalid/` folders, at least 96% of the flows must have no `error` finding, and each
//! one that has is listed, with the reason, in `tests/expectations/corpus-errors.txt`. Some
//! flows there predate checks Kestra added since (reserved flow ids, a default on an optional
//! input since 1.1…): the bar leaves room for those, and the list says which they are. In
//! `invalid/` folders, at least 90% of the flows must get an `error`.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use support::{run_with_deadline, shared, yaml_files_under};

/// `path<TAB>reason` lines; `#` starts a comment.
fn expectations() -> BTreeMap<String, String> {
    let text = include_str!("expectations/corpus-errors.txt");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (path, reason) = l.split_once('\t').unwrap_or((l, ""));
            assert!(!reason.trim().is_empty(), "no reason given for {path}");
            (path.trim().to_string(), reason.trim().to_string())
        })
        .collect()
}

/// The corpus files as relative paths, in text order (the order the reports list them in).
fn corpus_files(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = yaml_files_under(root)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn corpus_error_rates_and_expectations() {
    let root = shared().join("corpus");
    let files = corpus_files(&root);
    assert!(files.len() > 1000, "corpus not found at {}", root.display());
    let mut args = vec!["lint".to_string(), "--format".into(), "json".into()];
    args.extend(files.iter().map(|f| root.join(f).display().to_string()));
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_with_deadline(&arg_refs, Duration::from_secs(600));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["files"].as_u64().unwrap() as usize, files.len());

    let prefix = format!("{}/", root.display());
    let mut with_error: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in json["diagnostics"].as_array().unwrap() {
        if d["severity"] == "error" {
            let path = d["path"].as_str().unwrap();
            let rel = path.strip_prefix(&prefix).unwrap_or(path).to_string();
            with_error.entry(rel).or_default().push(format!(
                "{}:{} {} {}",
                d["line"], d["column"], d["rule"], d["message"]
            ));
        }
    }
    let is_invalid = |f: &str| f.split('/').any(|part| part == "invalid");
    let expected = expectations();

    let valid: Vec<&String> = files.iter().filter(|f| !is_invalid(f)).collect();
    let valid_errors: Vec<&String> = valid
        .iter()
        .copied()
        .filter(|f| with_error.contains_key(*f))
        .collect();
    let unexplained: Vec<String> = valid_errors
        .iter()
        .filter(|f| !expected.contains_key(f.as_str()))
        .map(|f| format!("{f}\n    {}", with_error[*f].join("\n    ")))
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} valid corpus flows have errors not listed in tests/expectations/corpus-errors.txt:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    let stale: Vec<&String> = expected
        .keys()
        .filter(|f| !with_error.contains_key(*f))
        .collect();
    assert!(
        stale.is_empty(),
        "listed in corpus-errors.txt but clean now (remove them): {stale:?}"
    );
    let clean_ratio = 1.0 - valid_errors.len() as f64 / valid.len() as f64;
    assert!(
        clean_ratio >= 0.96,
        "only {:.1}% of valid flows are error-free",
        clean_ratio * 100.0
    );

    let invalid: Vec<&String> = files.iter().filter(|f| is_invalid(f)).collect();
    let caught = invalid
        .iter()
        .filter(|f| with_error.contains_key(f.as_str()))
        .count();
    let missed: Vec<&&String> = invalid
        .iter()
        .filter(|f| !with_error.contains_key(f.as_str()))
        .collect();
    let ratio = caught as f64 / invalid.len() as f64;
    assert!(
        ratio >= 0.90,
        "only {caught}/{} invalid flows get an error; missed: {missed:?}",
        invalid.len()
    );
}

/// Every fetch-pattern finding over the corpus, reviewed once and kept as a snapshot, so that any
/// change in what fires shows up in review.
#[test]
fn fetch_pattern_findings_snapshot() {
    const RULES: &[&str] = &[
        "script-single-download",
        "script-single-request",
        "request-file-payload",
        "body-where-uri-expected",
        "large-payload-in-outputs",
        "script-missing-output-files",
        "script-undeclared-dependency",
        "long-inline-script",
        "prefer-dedicated-plugin",
        "request-pagination-loop",
    ];
    let root = shared().join("corpus");
    let files = corpus_files(&root);
    let mut args = vec!["lint".to_string(), "--format".into(), "json".into()];
    args.extend(files.iter().map(|f| root.join(f).display().to_string()));
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_with_deadline(&arg_refs, Duration::from_secs(600));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_snapshot!(snapshot_lines(&json, &root, RULES));
}

/// `path:line:column rule message` of the findings of `rules` in a JSON report, paths relative
/// to `root`, sorted: the text the corpus snapshots keep.
fn snapshot_lines(json: &serde_json::Value, root: &Path, rules: &[&str]) -> String {
    let prefix = format!("{}/", root.display());
    let mut lines: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| rules.contains(&d["rule"].as_str().unwrap()))
        .map(|d| {
            let path = d["path"].as_str().unwrap();
            format!(
                "{}:{}:{} {} {}",
                path.strip_prefix(&prefix).unwrap_or(path),
                d["line"],
                d["column"],
                d["rule"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

/// The report is the same bytes whatever the run and the number of threads: ten runs over the
/// corpus, with 1, 2 and 8 threads and the default.
#[test]
fn corpus_report_is_byte_identical_across_runs_and_threads() {
    let root = shared().join("corpus");
    let mut reports: Vec<(String, Vec<u8>)> = Vec::new();
    for (run, threads) in ["1", "2", "8", "", "1", "2", "8", "", "", ""]
        .iter()
        .enumerate()
    {
        let mut cmd = support::kflow();
        cmd.args(["lint", "--format", "json"]).arg(&root);
        if !threads.is_empty() {
            cmd.env("RAYON_NUM_THREADS", threads);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "run {run}");
        reports.push((format!("run {run} threads {threads:?}"), out.stdout));
    }
    let (first_name, first) = &reports[0];
    assert!(first.len() > 100_000, "corpus not linted");
    for (name, report) in &reports[1..] {
        assert!(
            report == first,
            "{name} differs from {first_name} (first difference at byte {})",
            report
                .iter()
                .zip(first)
                .position(|(a, b)| a != b)
                .unwrap_or(report.len().min(first.len()))
        );
    }
}

/// Every finding of the security rules over the corpus, reviewed: a change in what fires shows
/// in review. secret-exposure: Kestra's own `secrets.yaml` test flows returning secrets as
/// outputs (true). template-injection: S3 object keys from triggers pasted into SQL and shell,
/// string inputs pasted into Python string literals and shell arguments, an API response pasted
/// into Python code (all true: the value can break out of where it is pasted).
/// hardcoded-secret: literal passwords, keys and tokens in properties meant for them, mostly
/// local test databases and fake tokens of plugin test flows (true by the rule's definition).
#[test]
fn security_findings_snapshot() {
    let root = shared().join("corpus");
    let out = run_with_deadline(
        &["lint", "--format", "json", root.to_str().unwrap()],
        Duration::from_secs(600),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let security = [
        "insecure-tls",
        "credentials-over-http",
        "secret-exposure",
        "template-injection",
        "hardcoded-secret",
    ];
    insta::assert_snapshot!(snapshot_lines(&json, &root, &security));
}
