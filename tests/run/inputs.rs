//! Typed inputs, flowables, and `kflow executions`.

use std::time::Duration;

use crate::server::*;

const FLOW: &str = "id: typed\nnamespace: t\ninputs:\n  - id: count\n    type: INT\n  - id: name\n    type: STRING\n    defaults: world\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [\"a\", \"b\"]\n    tasks:\n      - id: ret\n        type: io.kestra.plugin.core.debug.Return\n        format: \"{{ taskrun.value }}{{ inputs.count + 1 }}\"\n  - id: check\n    type: io.kestra.plugin.core.flow.If\n    condition: \"{{ inputs.name == 'world' }}\"\n    then:\n      - id: hello\n        type: io.kestra.plugin.core.log.Log\n        message: \"hello {{ inputs.name }} {{ outputs.ret.b.value }}\"\n  - id: skipped\n    type: io.kestra.plugin.core.log.Log\n    runIf: \"{{ false }}\"\n    message: no\noutputs:\n  - id: first\n    type: STRING\n    value: \"{{ outputs.ret.a.value }}\"\n";

#[test]
fn typed_inputs_defaults_and_outputs() {
    let dir = TempDir::new("typed");
    let (code, rec, err) = run_json(dir.path(), FLOW, &["--input", "count=41"], &[]);
    assert_eq!(code, 0, "{err}\n{rec}");
    assert_eq!(rec["inputs"]["count"], 41);
    assert_eq!(rec["outputs"]["first"], "a42");
    assert!(
        logs(&rec).contains(&"hello world b42".to_string()),
        "{:?}",
        logs(&rec)
    );
    assert_eq!(task_state(&rec, "skipped"), ["SKIPPED"]);
}

#[test]
fn bad_int_is_refused_with_exit_2() {
    let dir = TempDir::new("badint");
    let (code, _, err) = run_json(dir.path(), FLOW, &["--input", "count=many"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("count") && err.contains("INT"), "{err}");
}

#[test]
fn lint_errors_refuse_the_run() {
    let dir = TempDir::new("linterr");
    let (code, _, err) = run_json(
        dir.path(),
        "id: x\nnamespace: t\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n",
        &[],
        &[],
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn the_projects_kflow_toml_decides_what_blocks_a_run() {
    let dir = TempDir::new("runconfig");
    let flow = "id: x\nnamespace: t\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    levle: INFO\n";
    let (code, _, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 2, "an unknown property is an error by default: {err}");
    std::fs::write(
        dir.path().join("kflow.toml"),
        "[rules]\nunknown-property = \"warning\"\n",
    )
    .unwrap();
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rec["state"], "SUCCESS");
}

#[test]
fn plugin_defaults_fill_task_properties() {
    let dir = TempDir::new("plugindefaults");
    let flow = "id: d\nnamespace: t\npluginDefaults:\n  - type: io.kestra.plugin.core.log.Log\n    values:\n      message: from defaults\n      level: WARN\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.log.Log\n  - id: b\n    type: io.kestra.plugin.core.log.Log\n    message: own\n";
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 0, "{err}\n{rec}");
    let levels: Vec<(&str, &str)> = rec["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["message"].as_str().unwrap(), l["level"].as_str().unwrap()))
        .collect();
    assert!(levels.contains(&("from defaults", "WARN")), "{levels:?}");
    assert!(levels.contains(&("own", "WARN")), "{levels:?}");
}

#[test]
fn executions_lists_and_shows_runs() {
    let dir = TempDir::new("execs");
    let (code, rec, err) = run_json(dir.path(), FLOW, &["--input", "count=1"], &[]);
    assert_eq!(code, 0, "{err}");
    let id = rec["id"].as_str().expect("id").to_string();
    let storage = dir.path().join("storage");
    let storage = storage.to_str().expect("utf-8");
    let out = kflow(
        &["executions", "--storage", storage],
        &[],
        Duration::from_secs(60),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&id) && text.contains("t.typed") && text.contains("SUCCESS"),
        "{text}"
    );
    let out = kflow(
        &["executions", "--storage", storage, "show", &id],
        &[],
        Duration::from_secs(60),
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json record");
    assert_eq!(shown["id"], id.as_str());
}

#[test]
fn executions_finds_runs_of_flows_in_other_folders() {
    let dir = TempDir::new("index");
    let flows = dir.path().join("flows");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&flows).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let flow = flows.join("hello.yaml");
    std::fs::write(
        &flow,
        "id: hello\nnamespace: t\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let in_dir = |cwd: &std::path::Path, data: &std::path::Path, args: &[&str]| {
        let out = crate::support::kflow()
            .args(args)
            .current_dir(cwd)
            .env("KFLOW_DATA_DIR", data)
            .output()
            .expect("kflow runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let flow_arg = flow.to_str().unwrap();
    let (code, text) = in_dir(dir.path(), &data, &["run", flow_arg, "--format", "json"]);
    assert_eq!(code, Some(0), "{text}");
    let record: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = record["id"].as_str().unwrap();

    // Listed from another folder, with the record's place.
    let (code, list) = in_dir(&elsewhere, &data, &["executions"]);
    assert_eq!(code, Some(0));
    assert!(list.contains(id) && list.contains("t.hello"), "{list}");
    assert!(
        list.contains(&*flows.join(".kflow").to_string_lossy()),
        "{list}"
    );
    let (code, shown) = in_dir(&elsewhere, &data, &["executions", "show", id]);
    assert_eq!(code, Some(0), "{shown}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&shown).unwrap()["id"],
        id
    );

    // Another user's index (an empty one) does not know it; `--storage` still finds it.
    let (_, list) = in_dir(&elsewhere, &dir.path().join("other-data"), &["executions"]);
    assert!(list.starts_with("no executions"), "{list}");
    let storage = flows.join(".kflow");
    let (_, list) = in_dir(
        &elsewhere,
        &dir.path().join("other-data"),
        &["executions", "--storage", storage.to_str().unwrap()],
    );
    assert!(list.contains(id), "{list}");
}

#[test]
fn labels_are_recorded_like_kestra() {
    // RuntimeLabelsTest.primitiveTypeLabels: label values are strings, the Labels task's taskrun
    // id is rendered, and every execution has `system.correlationId` = its id.
    let flow = crate::support::shared().join("corpus/kestra-tests/valid/primitive-labels-flow.yml");
    let dir = TempDir::new("labels");
    let (code, rec, err) = run_json(
        dir.path(),
        &std::fs::read_to_string(flow).unwrap(),
        &[
            "--input",
            "intLabel=42",
            "--input",
            "boolLabel=true",
            "--input",
            "floatLabel=3.14",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}\n{rec}");
    let task_run = rec["taskRuns"][0]["id"].as_str().unwrap();
    let mut labels: Vec<(String, String)> = rec["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["key"].as_str().unwrap().to_string(),
                l["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    labels.sort();
    let mut expected = vec![
        (
            "system.correlationId".to_string(),
            rec["id"].as_str().unwrap().to_string(),
        ),
        ("intValue".into(), "42".into()),
        ("boolValue".into(), "true".into()),
        ("floatValue".into(), "3.14".into()),
        ("taskRunId".into(), task_run.to_string()),
    ];
    expected.sort();
    assert_eq!(labels, expected);
}

#[test]
fn every_task_run_keeps_its_own_outputs_and_tasks_reads_their_states() {
    // Outputs live once, at `outputs.r[outer][inner]`, while the execution runs; the record
    // gives each task run its own. `tasks` is built from the task runs.
    let flow = "id: nested\nnamespace: t\ntasks:\n  - id: outer\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [\"x\", \"y\"]\n    tasks:\n      - id: inner\n        type: io.kestra.plugin.core.flow.ForEach\n        values: [\"1\", \"2\"]\n        tasks:\n          - id: r\n            type: io.kestra.plugin.core.debug.Return\n            format: \"{{ taskrun.value }}-{{ taskrun.id }}\"\n  - id: report\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ tasks.r.x['1'].state }} {{ tasks.inner.y.state }} {{ outputs.r.y['2'].value }}\"\n";
    let dir = TempDir::new("nested");
    let (code, rec, err) = run_json(dir.path(), flow, &[], &[]);
    assert_eq!(code, 0, "{err}\n{rec}");
    let runs: Vec<&serde_json::Value> = rec["taskRuns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["taskId"] == "r")
        .collect();
    assert_eq!(runs.len(), 4);
    for run in &runs {
        let value = run["value"].as_str().unwrap();
        let expected = format!("{value}-{}", run["id"].as_str().unwrap());
        assert_eq!(run["outputs"]["value"], expected.as_str(), "{run}");
    }
    let last = format!("2-{}", runs[3]["id"].as_str().unwrap());
    assert!(
        logs(&rec).contains(&format!("SUCCESS SUCCESS {last}")),
        "{:?}",
        logs(&rec)
    );
}
