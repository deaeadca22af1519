//! The server's execution as kflow's execution record (`engine::record::Execution`), so that
//! `kflow run --server` prints the same summary and the same `--format json` as a local run.
//! Kestra's execution carries `taskRunList` with state objects (`{"current", "histories",
//! "startDate", "endDate"}`); 1.x keeps task outputs in the task runs, 2.x serves them apart
//! (`GET outputs/{id}`, then `GET outputs/{id}/{taskRunId}`).

use std::collections::HashMap;

use kflow_engine::record::{Attempt, Execution, Label, LogEntry, State, TaskRun};
use kflow_engine::task::Level;
use kflow_engine::time::Instant;
use reqwest::Method;
use serde_json::{Map, Value};

use super::api::Line;
use super::client::{ApiError, Client};

/// Task-run id → (task id, outputs) of the execution's task runs that have outputs.
pub async fn task_outputs(
    client: &Client,
    execution: &Value,
) -> Result<HashMap<String, (String, Value)>, ApiError> {
    let id = text(execution, "id");
    let mut out = HashMap::new();
    match client.line {
        Line::V1 => {
            for run in task_runs(execution) {
                if let Some(outputs) = run.get("outputs").filter(|o| !is_empty(o)) {
                    out.insert(text(run, "id"), (text(run, "taskId"), outputs.clone()));
                }
            }
        }
        Line::V2 => {
            let list = client
                .json(client.request(Method::GET, client.url(&["outputs", &id])))
                .await?;
            for info in list.as_array().into_iter().flatten() {
                let (task, run) = (text(info, "taskId"), text(info, "taskRunId"));
                if run.is_empty() {
                    continue;
                }
                let outputs = client
                    .json(client.request(Method::GET, client.url(&["outputs", &id, &run])))
                    .await?;
                out.insert(run, (task, outputs));
            }
        }
    }
    Ok(out)
}

/// The record of `execution` with its `logs` (Kestra's log entries) and task `outputs`.
pub fn record(
    execution: &Value,
    logs: &Value,
    outputs: &HashMap<String, (String, Value)>,
) -> Execution {
    let mut record = Execution::new(&text(execution, "namespace"), &text(execution, "flowId"));
    record.id = text(execution, "id");
    let (current, start, end) = state(execution.get("state"));
    record.state = current.unwrap_or(State::Failed);
    // Without a date from the server, the record's start is when kflow made it.
    let started = start.unwrap_or(record.start_date);
    record.start_date = started;
    record.end_date = end;
    record.inputs = object(execution.get("inputs"));
    record.outputs = object(execution.get("outputs"));
    record.labels = execution
        .get("labels")
        .and_then(|l| serde_json::from_value::<Vec<Label>>(l.clone()).ok())
        .unwrap_or_default();
    record.task_runs = task_runs(execution)
        .map(|run| {
            let (current, start_date, end_date) = state(run.get("state"));
            let id = text(run, "id");
            let attempts = run
                .get("attempts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    let (state, start_date, end_date) = state(a.get("state"));
                    Some(Attempt {
                        state: state?,
                        start_date: start_date.unwrap_or(started),
                        end_date,
                    })
                })
                .collect();
            Box::new(TaskRun {
                outputs: object(outputs.get(&id).map(|(_, o)| o)),
                id,
                task_id: text(run, "taskId"),
                parent_task_run_id: run
                    .get("parentTaskRunId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                value: run.get("value").and_then(Value::as_str).map(str::to_string),
                state: current.unwrap_or(State::Failed),
                attempts,
                start_date: start_date.unwrap_or(started),
                end_date,
                // A 2.0 Loop's iterations are sub-executions on the server, not followed here.
                loop_execution_id: None,
                outer_values: Vec::new(),
                outputs_pending: false,
            })
        })
        .collect();
    let entries: Vec<LogEntry> = logs
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| LogEntry {
            task_id: l.get("taskId").and_then(Value::as_str).map(str::to_string),
            task_run_id: l
                .get("taskRunId")
                .and_then(Value::as_str)
                .map(str::to_string),
            level: l
                .get("level")
                .and_then(Value::as_str)
                .and_then(Level::parse)
                .unwrap_or(Level::Info),
            message: text(l, "message"),
            timestamp: text(l, "timestamp"),
        })
        .collect();
    record.logs = entries.into();
    record
}

fn task_runs(execution: &Value) -> impl Iterator<Item = &Value> {
    execution
        .get("taskRunList")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn object(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

fn is_empty(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty) || v.is_null()
}

/// A Kestra state object's state, start and end: its own dates, else its history's.
fn state(v: Option<&Value>) -> (Option<State>, Option<Instant>, Option<Instant>) {
    let Some(v) = v else {
        return (None, None, None);
    };
    let current: Option<State> = v
        .get("current")
        .and_then(|c| serde_json::from_value(c.clone()).ok());
    let dates: Vec<&str> = v
        .get("histories")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| h.get("date").and_then(Value::as_str))
        .collect();
    let instant = |text: Option<&str>| text.and_then(|t| Instant::parse(t).ok());
    let start = instant(
        v.get("startDate")
            .and_then(Value::as_str)
            .or(dates.first().copied()),
    );
    let ended = current.is_some_and(State::is_terminal);
    let end = instant(v.get("endDate").and_then(Value::as_str).or(if ended {
        dates.last().copied()
    } else {
        None
    }));
    (current, start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kestra_execution_becomes_a_record() {
        let execution = serde_json::json!({
            "id": "e1", "namespace": "n", "flowId": "f", "inputs": {"a": 1},
            "labels": [{"key": "k", "value": "v"}],
            "state": {"current": "SUCCESS", "histories": [{"state": "CREATED", "date": "2026-01-01T00:00:00Z"}, {"state": "SUCCESS", "date": "2026-01-01T00:00:02.5Z"}]},
            "taskRunList": [{"id": "r1", "taskId": "t", "state": {"current": "SUCCESS", "startDate": "2026-01-01T00:00:01Z", "endDate": "2026-01-01T00:00:02Z"},
                "attempts": [{"state": {"current": "SUCCESS"}}]}],
        });
        let logs = serde_json::json!([{"taskId": "t", "taskRunId": "r1", "level": "WARN", "message": "m", "timestamp": "ts"}]);
        let outputs = HashMap::from([(
            "r1".to_string(),
            ("t".to_string(), serde_json::json!({"value": 2})),
        )]);
        let r = record(&execution, &logs, &outputs);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["state"], "SUCCESS");
        assert_eq!(json["startDate"], "2026-01-01T00:00:00Z");
        assert_eq!(json["endDate"], "2026-01-01T00:00:02.500Z");
        assert_eq!(json["taskRuns"][0]["startDate"], "2026-01-01T00:00:01Z");
        // An attempt without dates starts with the execution.
        assert_eq!(
            json["taskRuns"][0]["attempts"][0]["startDate"],
            "2026-01-01T00:00:00Z"
        );
        assert_eq!(json["taskRuns"][0]["outputs"]["value"], 2);
        assert_eq!(json["taskRuns"][0]["attempts"][0]["state"], "SUCCESS");
        assert_eq!(json["logs"][0]["level"], "WARN");
        assert_eq!(json["labels"][0]["key"], "k");
    }
}
