//! Flowable tasks the parity cases do not pin down on their own: how a Pause ends when nobody
//! resumes it, how LoopUntil counts its rounds (Kestra 1.3's own versions of the loop flows).

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

/// Kestra 1.3's LoopUntil flows (`waitfor-multiple-tasks`, `waitfor-max-iterations`,
/// `waitfor-child-task-warning`) with the assertions of its `LoopUntilCaseTest`.
#[test]
fn loop_until_counts_its_rounds_like_kestra() {
    let flow = "id: waitfor-multiple-tasks\nnamespace: io.kestra.tests\ntasks:\n  - id: waitfor\n    type: io.kestra.plugin.core.flow.WaitFor\n    condition: \"{{ outputs.output_values.values.count == '4'}}\"\n    checkFrequency:\n      maxIterations: 3\n      interval: PT0.2S\n    tasks:\n      - id: echo\n        type: io.kestra.core.tasks.log.Log\n        message: \"looping ...\"\n      - id: output_values\n        type: io.kestra.plugin.core.output.OutputValues\n        values:\n          count: \"{{ outputs.waitfor.iterationCount + 1 }}\"\n";
    let rec = run("loop-multiple", flow);
    assert_eq!(rec["state"], "SUCCESS", "{rec}");
    assert_eq!(rec["taskRuns"][0]["outputs"]["iterationCount"], 3, "{rec}");
    let last = rec["taskRuns"].as_array().unwrap().last().unwrap();
    assert_eq!(last["outputs"]["values"]["count"], "4", "{rec}");
    // Only the last round's task runs are kept (ExecutionService.retryWaitFor).
    assert_eq!(rec["taskRuns"].as_array().unwrap().len(), 3, "{rec}");

    let flow = "id: waitfor-max-iterations\nnamespace: io.kestra.tests\ntasks:\n  - id: waitfor\n    type: io.kestra.plugin.core.flow.WaitFor\n    condition: \"{{ outputs.output_values.values.count == '10'}}\"\n    checkFrequency:\n      maxIterations: 3\n      interval: PT0.2S\n    failOnMaxReached: true\n    tasks:\n      - id: output_values\n        type: io.kestra.plugin.core.output.OutputValues\n        values:\n          count: \"{{ outputs.waitfor.iterationCount + 1 }}\"\n";
    let rec = run("loop-max", flow);
    assert_eq!(rec["state"], "FAILED", "{rec}");
    assert_eq!(rec["taskRuns"][0]["outputs"]["iterationCount"], 4, "{rec}");

    let flow = "id: waitfor-child-task-warning\nnamespace: io.kestra.tests\ntasks:\n  - id: loop\n    type: io.kestra.plugin.core.flow.WaitFor\n    condition: \"{{ outputs.check_migration_task.values['test'] == 'FINISHED' }}\"\n    failOnMaxReached: true\n    checkFrequency:\n      interval: PT1S\n      maxDuration: PT3S\n    tasks:\n      - id: allow_failure\n        allowFailure: true\n        type: io.kestra.plugin.core.execution.Fail\n      - id: check_migration_task\n        type: io.kestra.plugin.core.output.OutputValues\n        values:\n          test: \"ok\"\n";
    let rec = run("loop-warning", flow);
    assert_eq!(rec["state"], "FAILED", "{rec}");
    assert!(
        rec["taskRuns"][0]["outputs"]["iterationCount"]
            .as_u64()
            .is_some_and(|n| n > 1),
        "{rec}"
    );
}

/// Inside LoopUntil, `parent` is the loop's task run with its outputs (Kestra's
/// `Execution.parents` lists every enclosing task run that has a value or outputs).
#[test]
fn loop_until_children_see_the_loop_as_their_parent() {
    let flow = "id: p\nnamespace: t\ntasks:\n  - id: loop\n    type: io.kestra.plugin.core.flow.LoopUntil\n    condition: \"{{ outputs.r.value == '2' }}\"\n    checkFrequency:\n      interval: PT0.1S\n    tasks:\n      - id: r\n        type: io.kestra.plugin.core.debug.Return\n        format: \"{{ parent.outputs.iterationCount }}\"\n";
    let rec = run("loop-parent", flow);
    assert_eq!(rec["state"], "SUCCESS", "{rec}");
    assert_eq!(rec["taskRuns"][0]["outputs"]["iterationCount"], 2, "{rec}");
    assert_eq!(outputs(&rec, "r")["value"], "2", "{rec}");
}

/// Kestra gives a task run a value only when it is a direct child of a loop iteration
/// (`FlowableUtils.resolveEachTasks`); deeper tasks read it from their parent.
#[test]
fn only_a_loops_direct_children_have_its_value() {
    let flow = "id: p\nnamespace: t\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [\"a\"]\n    tasks:\n      - id: seq\n        type: io.kestra.plugin.core.flow.Sequential\n        tasks:\n          - id: r\n            type: io.kestra.plugin.core.debug.Return\n            format: \"{{ taskrun.value ?? 'none' }} {{ parent.taskrun.value }} {{ parents | length }}\"\n";
    let rec = run("loop-values", flow);
    assert_eq!(outputs(&rec, "r")["value"], "none a 1", "{rec}");
}
