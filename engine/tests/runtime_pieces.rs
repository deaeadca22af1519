//! The runtime pieces chained through their public APIs, as the executor will chain them:
//! a FILE input → CsvToIon → a Python script reading the Ion file → its output file → IonToJson,
//! with the execution record saved at the end.

use kflow_engine::inputs::{self, parse_assignment};
use kflow_engine::record::{Execution, State, TaskRun};
use kflow_engine::scripts::{run_script, ScriptEnv, ScriptSpec, ScriptState, WorkingDir};
use kflow_engine::serdes::{csv_to_ion, ion_to_json, CsvToIonSpec, IonToJsonSpec};
use kflow_engine::storage::{ExecutionKey, Storage, TaskRunKey};
use kflow_engine::task::CollectLog;
use serde_json::json;

const FLOW: &str = r#"
id: pipeline
namespace: company.team
inputs:
  - id: data
    type: FILE
tasks:
  - id: to_ion
    type: io.kestra.plugin.serdes.csv.CsvToIon
    from: "{{ inputs.data }}"
"#;

#[tokio::test]
async fn input_to_serdes_to_script_to_record() {
    let dir = std::env::temp_dir().join(format!("kflow-engine-it-{}", kflow_engine::ids::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    let storage = Storage::open(dir.join("storage")).unwrap();
    let csv = dir.join("people.csv");
    std::fs::write(&csv, "name,age\nada,36\nalan,41\n").unwrap();

    let doc = kflow_syntax::parse(FLOW);
    let declarations = inputs::declarations(&doc).unwrap();
    let mut execution = Execution::new("company.team", "pipeline");
    let exec_key = ExecutionKey {
        namespace: execution.namespace.clone(),
        flow_id: execution.flow_id.clone(),
        execution_id: execution.id.clone(),
    };
    let provided = vec![parse_assignment(&format!("data={}", csv.display())).unwrap()];
    let resolved = inputs::resolve(&declarations, &provided, &storage, &exec_key)
        .await
        .unwrap();
    execution.inputs = resolved.values.clone();
    let data_uri = resolved.values["data"].as_str().unwrap().to_string();

    let log = CollectLog::default();
    let mut run = TaskRun::new("to_ion", None, None);
    let key = TaskRunKey {
        execution: exec_key.clone(),
        task_id: run.task_id.clone(),
        task_run_id: run.id.clone(),
    };
    let props = json!({ "from": data_uri });
    let spec = CsvToIonSpec::from_properties(props.as_object().unwrap()).unwrap();
    let ion = csv_to_ion(&spec, &storage, &key, &log).await.unwrap();
    assert_eq!(ion.size, 2);
    run.outputs = serde_json::to_value(&ion)
        .unwrap()
        .as_object()
        .unwrap()
        .clone();
    run.state = State::Success;
    execution.task_runs.push(Box::new(run));

    // A script that reads the Ion lines (Kestra writes one value per line) and writes a new file.
    let mut script_run = TaskRun::new("script", None, None);
    let script_key = TaskRunKey {
        execution: exec_key.clone(),
        task_id: "script".into(),
        task_run_id: script_run.id.clone(),
    };
    let workdir = WorkingDir::create(&dir.join("work")).unwrap();
    let props = json!({
        "script": "lines = open('people.ion').read().splitlines()\nopen('out.ion', 'w').write(lines[-1] + '\\n')\nprint('::{\"outputs\":{\"rows\":%d}}::' % len(lines))",
        "inputFiles": { "people.ion": ion.uri },
        "outputFiles": ["*.ion"],
    });
    let spec = ScriptSpec::from_properties(
        "io.kestra.plugin.scripts.python.Script",
        props.as_object().unwrap(),
        "company.team",
    )
    .unwrap();
    let runner = ScriptEnv {
        cache_dir: dir.join("cache"),
        python: "python3".into(),
        namespace: "company.team".into(),
    };
    let out = run_script(&spec, &workdir, &runner, &storage, &script_key, &log)
        .await
        .unwrap();
    assert_eq!(out.state, ScriptState::Success, "{:?}", log.lines());
    assert_eq!(out.vars["rows"], 2);
    let produced = out.output_files["out.ion"].clone();
    script_run.outputs = serde_json::to_value(&out)
        .unwrap()
        .as_object()
        .unwrap()
        .clone();
    script_run.state = State::Success;
    execution.task_runs.push(Box::new(script_run));

    let props = json!({ "from": produced });
    let spec = IonToJsonSpec::from_properties(props.as_object().unwrap()).unwrap();
    let json_out = ion_to_json(&spec, &storage, &key, &log).await.unwrap();
    let text = String::from_utf8(storage.read(&json_out.uri).await.unwrap()).unwrap();
    assert_eq!(text, "{\"name\":\"alan\",\"age\":\"41\"}\n");

    execution.state = State::Success;
    let saved = execution.save(&storage).await.unwrap();
    let back = Execution::load(&storage, "company.team", "pipeline", &execution.id)
        .await
        .unwrap();
    assert_eq!(back.task_runs.len(), 2);
    assert_eq!(back.task_runs[1].outputs["exitCode"], 0);
    assert!(saved.exists());
    drop(workdir);
    let _ = std::fs::remove_dir_all(&dir);
}
