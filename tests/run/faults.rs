//! Network faults, failure handling and path escapes.

use crate::server::*;

#[test]
fn flaky_endpoint_recovers_with_retry() {
    let server = Server::start();
    let dir = TempDir::new("flaky");
    let flow = format!(
        "id: flaky\nnamespace: t\ntasks:\n  - id: req\n    type: io.kestra.plugin.core.http.Request\n    uri: {}/flaky\n    retry:\n      type: constant\n      interval: PT0.1S\n      maxAttempts: 5\n",
        server.base
    );
    let (code, rec, err) = run_json(dir.path(), &flow, &[], &[]);
    assert_eq!(code, 0, "{err}\n{rec}");
    let run = &rec["taskRuns"][0];
    assert_eq!(run["state"], "SUCCESS");
    assert_eq!(run["attempts"].as_array().map(Vec::len), Some(3), "{run}");
    assert_eq!(run["attempts"][0]["state"], "FAILED");
    assert_eq!(run["outputs"]["body"], "recovered");
}

#[test]
fn server_error_runs_errors_and_skips_the_rest() {
    let server = Server::start();
    let dir = TempDir::new("boom");
    let flow = format!(
        "id: boom\nnamespace: t\ntasks:\n  - id: req\n    type: io.kestra.plugin.core.http.Request\n    uri: {}/boom\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: never\nerrors:\n  - id: handler\n    type: io.kestra.plugin.core.log.Log\n    message: \"handled {{{{ tasks.req.state }}}}\"\n",
        server.base
    );
    let (code, rec, err) = run_json(dir.path(), &flow, &[], &[]);
    assert_eq!(code, 1, "{err}\n{rec}");
    assert_eq!(rec["state"], "FAILED");
    assert_eq!(task_state(&rec, "req"), ["FAILED"]);
    assert!(task_state(&rec, "after").is_empty());
    assert_eq!(task_state(&rec, "handler"), ["SUCCESS"]);
    assert!(
        logs(&rec).contains(&"handled FAILED".to_string()),
        "{:?}",
        logs(&rec)
    );
}

#[test]
fn stalled_server_hits_the_timeout() {
    let server = Server::start();
    let dir = TempDir::new("stall");
    let flow = format!(
        "id: stall\nnamespace: t\ntasks:\n  - id: dl\n    type: io.kestra.plugin.core.http.Download\n    uri: {}/stall\n    timeout: PT1S\n",
        server.base
    );
    let (code, rec, err) = run_json(dir.path(), &flow, &[], &[]);
    assert_eq!(code, 1, "{err}\n{rec}");
    assert_eq!(task_state(&rec, "dl"), ["FAILED"]);
    assert!(
        logs(&rec).iter().any(|l| l.contains("Timeout")),
        "{:?}",
        logs(&rec)
    );
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn connection_reset_mid_download_leaves_no_file() {
    let server = Server::start();
    let dir = TempDir::new("reset");
    let flow = format!(
        "id: reset\nnamespace: t\ntasks:\n  - id: dl\n    type: io.kestra.plugin.core.http.Download\n    uri: {}/reset\n",
        server.base
    );
    let (code, rec, err) = run_json(dir.path(), &flow, &[], &[]);
    assert_eq!(code, 1, "{err}\n{rec}");
    assert_eq!(task_state(&rec, "dl"), ["FAILED"]);
    let leftovers: Vec<_> = files_under(&dir.path().join("storage/t"));
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn path_escapes_are_refused() {
    let dir = TempDir::new("escape");
    let flow = "id: escape\nnamespace: t\ntasks:\n  - id: sh\n    type: io.kestra.plugin.scripts.shell.Commands\n    inputFiles:\n      ../x: boom\n    commands:\n      - ls\n  - id: read\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ read('kestra:///../../etc/passwd') }}\"\n    allowFailure: true\n";
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 1, "{err}\n{rec}");
    assert_eq!(task_state(&rec, "sh"), ["FAILED"]);
    assert!(!dir.path().join("storage/.kflow-work/x").exists());
    let (_, rec, _) = run_json(
        dir.path(),
        "id: escape2\nnamespace: t\ntasks:\n  - id: read\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ read('kestra:///../../etc/passwd') }}\"\n",
        &[],
        &[],
    );
    assert_eq!(task_state(&rec, "read"), ["FAILED"]);
    assert!(
        !logs(&rec).iter().any(|l| l.contains("root:")),
        "{:?}",
        logs(&rec)
    );
}

/// A task the runner does not run is refused before anything runs, wherever it sits; a plugin
/// type that shares the last segments of a core one (`com.acme.log.Log`) is not the core task.
#[test]
fn unsupported_tasks_are_refused_before_the_run() {
    let dir = TempDir::new("refused");
    let flow = "id: refused\nnamespace: t\ntasks:\n  - id: first\n    type: io.kestra.plugin.core.log.Log\n    message: ran\n  - id: branch\n    type: io.kestra.plugin.core.flow.If\n    condition: \"{{ true }}\"\n    then:\n      - id: mine\n        type: com.acme.log.Log\n        message: not the core Log\nerrors:\n  - id: each\n    type: io.kestra.plugin.core.log.Fetch\n";
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 2, "{err}\n{rec}");
    assert!(
        err.contains("task `mine` (com.acme.log.Log) cannot run locally")
            && err.contains("task `each` (io.kestra.plugin.core.log.Fetch)"),
        "{err}"
    );
    assert!(rec.is_null(), "nothing ran: {rec}");
    assert!(!err.contains("ran"), "{err}");
}

/// `kflow run parent.yaml` from the flow's folder (a bare file name) finds sibling subflows.
#[test]
fn a_bare_file_name_finds_sibling_subflows() {
    let dir = TempDir::new("bare");
    std::fs::write(
        dir.path().join("parent.yaml"),
        "id: parent\nnamespace: t\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: t\n    flowId: child\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("child.yaml"),
        "id: child\nnamespace: t\ntasks:\n  - id: hi\n    type: io.kestra.plugin.core.log.Log\n    message: from the child\n",
    )
    .unwrap();
    let out = crate::support::kflow()
        .args([
            "run",
            "parent.yaml",
            "--storage",
            "storage",
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        rec["state"],
        "SUCCESS",
        "{rec}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A flow with an `sla` is refused: kflow would run it without enforcing it.
#[test]
fn an_sla_is_refused_not_ignored() {
    let dir = TempDir::new("sla");
    let flow = "id: sla\nnamespace: t\nsla:\n  - id: max\n    type: MAX_DURATION\n    behavior: FAIL\n    duration: PT1S\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 2, "{err}\n{rec}");
    assert!(err.contains("flow `sla`"), "{err}");
}
