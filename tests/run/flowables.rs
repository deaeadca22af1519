//! Flowable tasks the parity cases do not pin down on their own: how a Pause ends when nobody
//! resumes it.

use std::time::{Duration, Instant};

use crate::server::*;

fn run(name: &str, flow: &str) -> serde_json::Value {
    let dir = TempDir::new(name);
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert!(rec.is_object(), "{name}: no record (exit {code}): {err}");
    rec
}

#[test]
fn a_pause_with_only_a_timeout_fails_when_it_expires_and_runs_errors_not_children() {
    let flow = "id: p\nnamespace: t\ntasks:\n  - id: pause\n    type: io.kestra.plugin.core.flow.Pause\n    timeout: PT1S\n    tasks:\n      - id: child\n        type: io.kestra.plugin.core.log.Log\n        message: never\n    errors:\n      - id: handler\n        type: io.kestra.plugin.core.log.Log\n        message: timed out\n  - id: after\n    type: io.kestra.plugin.core.log.Log\n    message: never\n";
    let start = Instant::now();
    let rec = run("pause-timeout", flow);
    assert!(start.elapsed() >= Duration::from_secs(1), "{rec}");
    assert_eq!(rec["state"], "FAILED", "{rec}");
    assert_eq!(task_state(&rec, "pause"), ["FAILED"], "{rec}");
    assert_eq!(task_state(&rec, "handler"), ["SUCCESS"], "{rec}");
    assert!(task_state(&rec, "child").is_empty(), "{rec}");
    assert!(task_state(&rec, "after").is_empty(), "{rec}");
}

#[test]
fn a_pause_ends_in_the_state_its_behavior_names() {
    for (behavior, state) in [
        ("WARN", "WARNING"),
        ("FAIL", "FAILED"),
        ("RESUME", "SUCCESS"),
    ] {
        let flow = format!(
            "id: p\nnamespace: t\ntasks:\n  - id: pause\n    type: io.kestra.plugin.core.flow.Pause\n    pauseDuration: PT0.2S\n    behavior: {behavior}\n"
        );
        let rec = run("pause-behavior", &flow);
        assert_eq!(task_state(&rec, "pause"), [state], "{behavior}: {rec}");
    }
    // With children, a WARN end lets them run and the Pause ends WARNING.
    let flow = "id: p\nnamespace: t\ntasks:\n  - id: pause\n    type: io.kestra.plugin.core.flow.Pause\n    pauseDuration: PT0.2S\n    behavior: WARN\n    tasks:\n      - id: child\n        type: io.kestra.plugin.core.log.Log\n        message: ran\n";
    let rec = run("pause-warn-children", flow);
    assert_eq!(task_state(&rec, "child"), ["SUCCESS"], "{rec}");
    assert_eq!(task_state(&rec, "pause"), ["WARNING"], "{rec}");
}

#[test]
fn a_pause_waiting_for_a_manual_resume_is_refused_before_the_run() {
    let dir = TempDir::new("pause-resume");
    let flow =
        "id: p\nnamespace: t\ntasks:\n  - id: pause\n    type: io.kestra.plugin.core.flow.Pause\n";
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 2, "{err}\n{rec}");
    assert!(err.contains("waits for a manual resume"), "{err}");
}
