//! `kflow run` follows the project's Kestra line (`kestra-version` in `kflow.toml`): a 1.x flow
//! under 1.3 and its 2.0 form under 2.0 end alike, and what a line does not have is refused
//! before the run.

use crate::server::*;

/// A ForEach whose outputs are read after the loop, by value, and as a whole (`json`).
const FLOW_1X: &str = r#"id: shout
namespace: demo
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["a", "b", "c"]
    concurrencyLimit: 2
    tasks:
      - id: upper
        type: io.kestra.plugin.core.debug.Return
        format: "{{ taskrun.value | upper }}"
  - id: collect
    type: io.kestra.plugin.core.debug.Return
    format: "{{ outputs.upper['a'].value }},{{ outputs.upper['b'].value }},{{ outputs.upper['c'].value }}"
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ json(outputs.upper | json) | length }}"
outputs:
  - id: joined
    type: STRING
    value: "{{ outputs.collect.value }}"
"#;

/// The same flow written for 2.0: a Loop declaring the output read after it, `item.value`,
/// `loopOutputs`, `fromJson` / `toJson`.
const FLOW_2_0: &str = r#"id: shout
namespace: demo
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.Loop
    values: ["a", "b", "c"]
    concurrencyLimit: 2
    outputs:
      - id: shouted
        type: STRING
        value: "{{ outputs.upper.value }}"
    tasks:
      - id: upper
        type: io.kestra.plugin.core.debug.Return
        format: "{{ item.value | upper }}"
  - id: collect
    type: io.kestra.plugin.core.debug.Return
    format: "{{ loopOutputs(outputs.each.outputs, 'shouted') | sort | join(',') }}"
  - id: count
    type: io.kestra.plugin.core.debug.Return
    format: "{{ fromJson(loopOutputs(outputs.each.outputs, 'shouted') | toJson) | length }}"
outputs:
  - id: joined
    type: STRING
    value: "{{ outputs.collect.value }}"
"#;

fn run_under(line: &str, flow: &str) -> (i32, serde_json::Value, String) {
    run_with(&format!("kestra-version = \"{line}\"\n"), flow)
}

fn run_with(config: &str, flow: &str) -> (i32, serde_json::Value, String) {
    let dir = TempDir::new("line");
    std::fs::write(dir.path().join("kflow.toml"), config).expect("write kflow.toml");
    run_json(dir.path(), flow, &[], &[])
}

fn output<'a>(rec: &'a serde_json::Value, task: &str) -> &'a serde_json::Value {
    let runs = rec["taskRuns"].as_array().expect("task runs");
    let run = runs.iter().find(|r| r["taskId"] == task);
    &run.unwrap_or_else(|| panic!("no `{task}` run: {rec}"))["outputs"]["value"]
}

#[test]
fn a_foreach_under_1_3_and_its_loop_under_2_0_end_alike() {
    let (code_1x, rec_1x, err_1x) = run_under("1.3", FLOW_1X);
    let (code_2, rec_2, err_2) = run_under("2.0", FLOW_2_0);
    assert_eq!(code_1x, 0, "{err_1x}\n{rec_1x}");
    assert_eq!(code_2, 0, "{err_2}\n{rec_2}");
    assert_eq!(rec_1x["state"], "SUCCESS", "{rec_1x}");
    assert_eq!(rec_2["state"], rec_1x["state"], "{rec_2}");
    assert_eq!(rec_1x["outputs"]["joined"], "A,B,C", "{rec_1x}");
    assert_eq!(rec_2["outputs"], rec_1x["outputs"], "{rec_2}");
    for task in ["collect", "count"] {
        assert_eq!(output(&rec_2, task), output(&rec_1x, task), "{task}");
    }
    assert_eq!(output(&rec_1x, "count"), "3");
    // 2.0 records each iteration (Kestra's loop sub-executions), with its item.
    let iterations = rec_2["loopExecutions"].as_array().expect("iterations");
    let values: Vec<&str> = iterations
        .iter()
        .filter_map(|i| i["value"].as_str())
        .collect();
    assert_eq!(values, ["a", "b", "c"], "{rec_2}");
    assert!(
        iterations.iter().all(|i| i["state"] == "SUCCESS"),
        "{rec_2}"
    );
    let loop_outputs = &rec_2["taskRuns"][0]["outputs"];
    assert_eq!(loop_outputs["iterationCount"], 3, "{rec_2}");
    assert_eq!(loop_outputs["terminatedIterations"], 3, "{rec_2}");
}

#[test]
fn what_a_line_does_not_have_is_refused_before_the_run() {
    // The linter says it first (`unknown-task-type`)…
    let (code, rec, err) = run_under("2.0", FLOW_1X);
    assert_eq!(code, 2, "{rec}");
    assert!(err.contains("`ForEach` was removed in Kestra 2.0"), "{err}");
    // …and with the rules that report it off, the runner still refuses: it runs the line it
    // is given.
    let rule_off = "[rules]\nunknown-task-type = \"off\"\nmigrate-loop = \"off\"\n";
    let (code, rec, err) = run_with(&format!("kestra-version = \"2.0\"\n{rule_off}"), FLOW_1X);
    assert_eq!(code, 2, "{rec}");
    assert!(
        err.contains("task `each` (io.kestra.plugin.core.flow.ForEach) was removed in Kestra 2.0"),
        "{err}"
    );
    let (code, rec, err) = run_with(&format!("kestra-version = \"1.3\"\n{rule_off}"), FLOW_2_0);
    assert_eq!(code, 2, "{rec}");
    assert!(
        err.contains("task `each` (io.kestra.plugin.core.flow.Loop) does not exist in Kestra 1.3"),
        "{err}"
    );
}

#[test]
fn an_iteration_sees_its_own_outputs_and_the_execution_before_the_loop_only() {
    // Each iteration reads `outputs.mine` as its own (Kestra runs it as an execution of its
    // own), sees `before`, and never another iteration's tasks.
    let flow = r#"id: isolated
namespace: demo
tasks:
  - id: before
    type: io.kestra.plugin.core.debug.Return
    format: "start"
  - id: each
    type: io.kestra.plugin.core.flow.Loop
    values: {"x": 1, "y": 2}
    tasks:
      - id: mine
        type: io.kestra.plugin.core.debug.Return
        format: "{{ item.key }}={{ item.value }}"
      - id: seen
        type: io.kestra.plugin.core.debug.Return
        format: "{{ outputs.before.value }} {{ outputs.mine.value }} {{ outputs.seen is defined }}"
"#;
    let (code, rec, err) = run_under("2.0", flow);
    assert_eq!(code, 0, "{err}\n{rec}");
    let seen: Vec<&str> = rec["taskRuns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["taskId"] == "seen")
        .filter_map(|r| r["outputs"]["value"].as_str())
        .collect();
    assert_eq!(seen, ["start x=1 false", "start y=2 false"], "{rec}");
}

/// `read()` of an ION file: its text under 1.3; under 2.0, where Kestra stores ION as binary
/// and `read()` gives the bytes, the run fails at that task instead of giving 1.x's text.
/// `fromIon(read(…))` gives the same rows under both.
#[test]
fn reading_an_ion_file_gives_its_text_under_1_3_and_is_refused_under_2_0() {
    let flow = r#"id: ion
namespace: demo
tasks:
  - id: rows
    type: io.kestra.plugin.core.storage.Write
    content: "{name: \"jane\"}\n"
    extension: .ion
  - id: first
    type: io.kestra.plugin.core.debug.Return
    format: "{{ fromIon(read(outputs.rows.uri)).name }}"
  - id: all
    type: io.kestra.plugin.core.debug.Return
    format: "{{ fromIon(ion=read(outputs.rows.uri), allRows=true) | length }}"
  - id: show
    type: io.kestra.plugin.core.debug.Return
    format: "{{ read(outputs.rows.uri) }}"
"#;
    let off = "[rules]\nmigrate-ion-read = \"off\"\n";
    let (code, rec, err) = run_with(&format!("kestra-version = \"1.3\"\n{off}"), flow);
    assert_eq!(code, 0, "{err}\n{rec}");
    assert!(
        output(&rec, "show")
            .as_str()
            .is_some_and(|t| t.contains("jane")),
        "{rec}"
    );
    // `fromIon(read(…))` reads the rows under both lines.
    for (task, want) in [("first", "jane"), ("all", "1")] {
        assert_eq!(output(&rec, task), want, "{task}: {rec}");
    }
    let (code, rec, err) = run_with(&format!("kestra-version = \"2.0\"\n{off}"), flow);
    assert_ne!(code, 0, "{rec}");
    for (task, want) in [("first", "jane"), ("all", "1")] {
        assert_eq!(output(&rec, task), want, "{task} under 2.0: {rec}");
    }
    assert_eq!(rec["state"], "FAILED", "{err}\n{rec}");
    let logs = rec.to_string();
    assert!(
        logs.contains("under Kestra 2.0, read() gives its binary bytes"),
        "{err}\n{rec}"
    );
}
