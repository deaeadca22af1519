//! The execution record: what happened in a run (states, dates, inputs, outputs, task runs,
//! logs), in Kestra's JSON field names, saved atomically under the storage folder so a run can
//! be inspected afterwards.

mod dates;
mod logs;

use serde::{Deserialize, Serialize};

pub use logs::Logs;

use crate::storage::{AtomicFile, Storage};
use crate::task::Level;
use crate::time::Instant;

/// Kestra's `State.Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    Created,
    Submitted,
    Running,
    Paused,
    Restarted,
    Killing,
    Success,
    Warning,
    Failed,
    Killed,
    Cancelled,
    Queued,
    Retrying,
    Retried,
    Skipped,
    Breakpoint,
    Resubmitted,
}

impl State {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            State::Success
                | State::Warning
                | State::Failed
                | State::Killed
                | State::Cancelled
                | State::Retried
                | State::Skipped
                | State::Resubmitted
        )
    }

    /// Terminal and not a failure (SKIPPED counts as success).
    pub fn is_success_like(self) -> bool {
        matches!(
            self,
            State::Success | State::Warning | State::Retried | State::Skipped | State::Resubmitted
        )
    }

    pub fn is_failed(self) -> bool {
        matches!(self, State::Failed | State::Killed | State::Cancelled)
    }

    pub fn is_running(self) -> bool {
        !self.is_terminal() && !matches!(self, State::Created | State::Queued)
    }
}

/// ISO-8601 instant at millisecond precision (`2024-01-31T10:00:00.123Z`), printed as Java's
/// `Instant.toString` does: the dates Kestra hands to expressions are milliseconds
/// (`JdbcRunnerTest.executionDate` expects `execution.startDate` to match `…:ss.SSSZ`).
pub fn now() -> Instant {
    let now = Instant::now();
    Instant {
        nanos: now.nanos - now.nanos % 1_000_000,
        ..now
    }
}

/// [`now`] as text.
pub fn now_iso() -> String {
    now().to_iso()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub state: State,
    #[serde(with = "dates")]
    pub start_date: Instant,
    #[serde(
        default,
        with = "dates::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<Instant>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRun {
    pub id: String,
    pub task_id: String,
    #[serde(default)]
    pub parent_task_run_id: Option<String>,
    /// The loop value for children of ForEach-like tasks.
    #[serde(default)]
    pub value: Option<String>,
    pub state: State,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
    #[serde(default)]
    pub outputs: serde_json::Map<String, serde_json::Value>,
    #[serde(with = "dates")]
    pub start_date: Instant,
    #[serde(default, with = "dates::optional")]
    pub end_date: Option<Instant>,
    /// Loop values above `value`, for runs inside nested loops: with `value`, the run's place in
    /// `outputs.<task>[v1][v2]…` and `tasks.<task>[v1][v2]…` (empty at most one loop deep).
    #[serde(skip)]
    pub outer_values: Vec<String>,
    /// While the execution runs, the outputs of a finished run live once, at its place in the
    /// execution's `outputs` that expressions read; the record gets them when it ends.
    #[serde(skip)]
    pub outputs_pending: bool,
}

impl TaskRun {
    /// The loop values locating the run (`outer_values` then `value`).
    pub fn values_path(&self) -> Vec<String> {
        let mut path = self.outer_values.clone();
        path.extend(self.value.clone());
        path
    }

    pub fn new(task_id: &str, parent: Option<&str>, value: Option<String>) -> TaskRun {
        TaskRun {
            id: crate::ids::new_id(),
            task_id: task_id.into(),
            parent_task_run_id: parent.map(str::to_string),
            value,
            state: State::Created,
            attempts: Vec::new(),
            outputs: Default::default(),
            start_date: now(),
            end_date: None,
            outer_values: Vec::new(),
            outputs_pending: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub task_run_id: Option<String>,
    pub level: Level,
    pub message: String,
    pub timestamp: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub id: String,
    pub namespace: String,
    pub flow_id: String,
    pub state: State,
    #[serde(with = "dates")]
    pub start_date: Instant,
    #[serde(default, with = "dates::optional")]
    pub end_date: Option<Instant>,
    #[serde(default)]
    pub inputs: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub outputs: serde_json::Map<String, serde_json::Value>,
    /// The flow's labels and those the `Labels` task set, as Kestra lists them.
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    /// Boxed: a loop of 200,000 iterations grows this list without copying its runs around.
    pub task_runs: Vec<Box<TaskRun>>,
    #[serde(default)]
    pub logs: Logs,
}

/// One execution label (`{"key": …, "value": …}` in Kestra's API).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub key: String,
    pub value: String,
}

impl Execution {
    pub fn new(namespace: &str, flow_id: &str) -> Execution {
        Execution {
            id: crate::ids::new_id(),
            namespace: namespace.into(),
            flow_id: flow_id.into(),
            state: State::Created,
            start_date: now(),
            end_date: None,
            inputs: Default::default(),
            outputs: Default::default(),
            labels: Vec::new(),
            task_runs: Vec::new(),
            logs: Logs::default(),
        }
    }

    /// Where the record lives: a hidden folder of the storage root (namespaces cannot start
    /// with a dot, so it never collides with `kestra://` paths).
    pub fn record_path(
        storage: &Storage,
        namespace: &str,
        flow_id: &str,
        id: &str,
    ) -> std::path::PathBuf {
        storage
            .root()
            .join(".kflow-executions")
            .join(safe_segment(namespace))
            .join(safe_segment(flow_id))
            .join(format!("{}.json", safe_segment(id)))
    }

    /// The task run `id`; the newest runs are searched first, as a running execution updates
    /// the ones it just created.
    pub fn task_run_mut(&mut self, id: &str) -> Option<&mut TaskRun> {
        self.task_runs
            .iter_mut()
            .rev()
            .find(|r| r.id == id)
            .map(|r| &mut **r)
    }

    /// Where the log lines of a running execution go (removed once the record is dropped).
    pub fn logs_spill_path(
        storage: &Storage,
        namespace: &str,
        flow_id: &str,
        id: &str,
    ) -> std::path::PathBuf {
        Self::record_path(storage, namespace, flow_id, id).with_extension("logs.jsonl")
    }

    /// Writes the record atomically (temp file, fsync, rename).
    pub async fn save(&self, storage: &Storage) -> std::io::Result<std::path::PathBuf> {
        let path = Self::record_path(storage, &self.namespace, &self.flow_id, &self.id);
        let mut file = AtomicFile::create(&path).await?;
        // Streamed: the logs may be a spill file far larger than memory should hold.
        file.write_streaming(|w| {
            serde_json::to_writer_pretty(w, self).map_err(std::io::Error::other)
        })
        .await?;
        file.commit().await?;
        Ok(path)
    }

    pub async fn load(
        storage: &Storage,
        namespace: &str,
        flow_id: &str,
        id: &str,
    ) -> std::io::Result<Execution> {
        let path = Self::record_path(storage, namespace, flow_id, id);
        let bytes = tokio::fs::read(&path).await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })
    }

    /// Masks secret values in logs, inputs, outputs and task-run outputs.
    pub fn mask_secrets(&mut self, secrets: &[String]) {
        if secrets.iter().all(|s| s.is_empty()) {
            return;
        }
        // Spilled lines were masked when logged.
        for log in self.logs.in_memory() {
            log.message = mask(&log.message, secrets);
        }
        mask_map(&mut self.inputs, secrets);
        mask_map(&mut self.outputs, secrets);
        for run in &mut self.task_runs {
            mask_map(&mut run.outputs, secrets);
        }
    }
}

/// A path segment without separators or leading dots.
fn safe_segment(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c == '\0' {
                '_'
            } else {
                c
            }
        })
        .collect();
    cleaned.trim_start_matches('.').to_string()
}

pub const MASK: &str = "******";

/// Replaces every occurrence of every (non-empty) secret by `******`, longest first.
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut sorted: Vec<&String> = secrets.iter().filter(|s| !s.is_empty()).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for secret in sorted {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    out
}

fn mask_value(value: &mut serde_json::Value, secrets: &[String]) {
    match value {
        serde_json::Value::String(s) => *s = mask(s, secrets),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| mask_value(v, secrets)),
        serde_json::Value::Object(map) => mask_map(map, secrets),
        _ => {}
    }
}

fn mask_map(map: &mut serde_json::Map<String, serde_json::Value>, secrets: &[String]) {
    for value in map.values_mut() {
        mask_value(value, secrets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;

    #[test]
    fn states_serialise_like_kestra() {
        assert_eq!(
            serde_json::to_string(&State::Cancelled).unwrap(),
            "\"CANCELLED\""
        );
        assert_eq!(
            serde_json::to_string(&State::Resubmitted).unwrap(),
            "\"RESUBMITTED\""
        );
        assert!(State::Skipped.is_terminal() && State::Skipped.is_success_like());
        assert!(!State::Paused.is_terminal());
        assert!(State::Killed.is_failed());
    }

    #[test]
    fn dates_have_at_most_millisecond_precision() {
        let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$").unwrap();
        for _ in 0..50 {
            let date = now_iso();
            assert!(re.is_match(&date), "{date}");
        }
        assert!(re.is_match(&Execution::new("n", "f").start_date.to_iso()));
    }

    #[tokio::test]
    async fn json_shape_save_load_and_masking() {
        let dir = TempDir::new("record");
        let storage = Storage::open(dir.path()).unwrap();
        let mut exec = Execution::new("company.team", "my_flow");
        exec.inputs
            .insert("token".into(), serde_json::json!("s3cr3t"));
        let mut run = TaskRun::new("hello", None, None);
        run.state = State::Success;
        run.attempts.push(Attempt {
            state: State::Success,
            start_date: now(),
            end_date: Some(now()),
        });
        run.outputs
            .insert("body".into(), serde_json::json!({"auth": "Bearer s3cr3t"}));
        exec.logs.push(LogEntry {
            task_id: Some("hello".into()),
            task_run_id: Some(run.id.clone()),
            level: Level::Info,
            message: "using s3cr3t and s3cr3t2".into(),
            timestamp: now_iso(),
        });
        exec.task_runs.push(Box::new(run));
        exec.state = State::Success;
        exec.mask_secrets(&["s3cr3t".into(), "s3cr3t2".into(), String::new()]);
        let json = serde_json::to_value(&exec).unwrap();
        for key in [
            "id",
            "namespace",
            "flowId",
            "state",
            "startDate",
            "endDate",
            "inputs",
            "outputs",
            "taskRuns",
            "logs",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        let run = &json["taskRuns"][0];
        for key in [
            "id",
            "taskId",
            "parentTaskRunId",
            "value",
            "state",
            "attempts",
            "outputs",
            "startDate",
            "endDate",
        ] {
            assert!(run.get(key).is_some(), "{key}");
        }
        for key in ["taskId", "taskRunId", "level", "message", "timestamp"] {
            assert!(json["logs"][0].get(key).is_some(), "{key}");
        }
        assert_eq!(json["logs"][0]["message"], "using ****** and ******");
        assert_eq!(json["inputs"]["token"], "******");
        assert_eq!(run["outputs"]["body"]["auth"], "Bearer ******");
        assert_eq!(json["logs"][0]["level"], "INFO");
        // Dates are ISO text, as Kestra writes them, and read back to the same instants.
        assert_eq!(run["startDate"], exec.task_runs[0].start_date.to_iso());
        assert!(run["attempts"][0]["endDate"].is_string());
        assert!(json["endDate"].is_null());
        let path = exec.save(&storage).await.unwrap();
        assert!(path.starts_with(storage.root().join(".kflow-executions")));
        let back = Execution::load(&storage, "company.team", "my_flow", &exec.id)
            .await
            .unwrap();
        assert_eq!(back, exec);
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "no temp left"
        );
    }
}
