//! The variables a task sees (`flow`, `execution`, `taskrun`, `outputs`…), the [`Host`] behind
//! `read()` / `secret()` / `kv()`, and the environment helpers of the CLI.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::{json, Map, Value};

use super::outputs_map::task_states;
use super::state::{lock, Exec, RunInfo, Scope};
use crate::render::{Host, RenderContext};
use crate::storage::Storage;
use crate::task::Level;

/// `ENV_*` environment variables as `envs.*` (prefix stripped, lower-cased).
pub fn env_vars() -> Map<String, Value> {
    std::env::vars()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("ENV_")?;
            Some((name.to_ascii_lowercase(), Value::String(v)))
        })
        .collect()
}

/// `SECRET_*` environment variables, base64-decoded as Kestra OSS's `SecretService` does: line
/// breaks in the value are dropped before decoding, and names are upper-cased (lookups are
/// too). Undecodable values are skipped with a warning in the returned list.
pub fn secrets_from_env() -> (BTreeMap<String, String>, Vec<String>) {
    let mut secrets = BTreeMap::new();
    let mut warnings = Vec::new();
    for (k, v) in std::env::vars() {
        let Some(name) = k.strip_prefix("SECRET_") else {
            continue;
        };
        // Java's `\R`: any line break.
        let v: String = v
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
                )
            })
            .collect();
        match crate::codec::base64_decode(&v).and_then(|b| String::from_utf8(b).ok()) {
            Some(text) => {
                secrets.insert(name.to_uppercase(), text);
            }
            None => warnings.push(format!("{k} is not valid base64: ignored")),
        }
    }
    (secrets, warnings)
}

/// A `--secrets` file: `KEY=value` lines (plain text, not base64; `#` comments and blank lines
/// ignored; an optional `SECRET_` prefix on the key is stripped).
pub fn parse_secrets_file(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("line {}: expected KEY=value", n + 1));
        };
        let k = k.trim();
        let k = k.strip_prefix("SECRET_").unwrap_or(k);
        if k.is_empty() {
            return Err(format!("line {}: empty key", n + 1));
        }
        out.insert(k.to_uppercase(), v.to_string());
    }
    Ok(out)
}

/// `read()`, `secret()`, `kv()`, `fileSize()`, `fileExists()` for one execution.
pub(crate) struct ExecHost {
    storage: Storage,
    namespace: String,
    /// `kestra:///…/executions/<id>/`: what `read()` may open.
    execution_prefix: String,
    secrets: BTreeMap<String, String>,
    /// The ERROR log entries, gathered only for templates that call `errorLogs()`.
    error_logs: Option<Value>,
}

impl ExecHost {
    fn path_of(&self, path: &str) -> Result<std::path::PathBuf, String> {
        let uri = if let Some(rest) = path.strip_prefix("nsfile://") {
            let rest = rest.trim_start_matches('/');
            format!(
                "kestra://{}/{}",
                crate::storage::uri::namespace_files_prefix(&self.namespace),
                rest
            )
        } else if path.starts_with("kestra://") {
            path.to_string()
        } else {
            format!(
                "kestra://{}/{}",
                crate::storage::uri::namespace_files_prefix(&self.namespace),
                path.trim_start_matches('/')
            )
        };
        let full = self
            .storage
            .path_of(&uri)
            .map_err(|e| format!("Unable to read the file '{path}': {e}"))?;
        let ns_files = self.storage.root().join(
            crate::storage::uri::namespace_files_prefix(&self.namespace).trim_start_matches('/'),
        );
        let exec_dir = self
            .storage
            .root()
            .join(self.execution_prefix.trim_start_matches('/'));
        if !(full.starts_with(&exec_dir) || full.starts_with(&ns_files)) {
            return Err(format!(
                "Unable to read the file '{path}': only files of the current execution and namespace files can be read"
            ));
        }
        Ok(full)
    }
}

impl Host for ExecHost {
    fn read(&self, path: &str) -> Result<String, String> {
        let full = self.path_of(path)?;
        let bytes =
            std::fs::read(&full).map_err(|e| format!("Unable to read the file '{path}': {e}"))?;
        // Valid UTF-8 becomes the string without a copy; anything else is repaired.
        Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }

    fn secret(&self, key: &str) -> Result<String, String> {
        // Kestra looks secrets up by their upper-cased key.
        self.secrets.get(&key.to_uppercase()).cloned().ok_or_else(|| {
            format!("Cannot find secret for key '{key}' (set SECRET_{key} base64-encoded, or pass --secrets FILE)")
        })
    }

    fn kv(
        &self,
        key: &str,
        namespace: Option<&str>,
        error_on_missing: bool,
    ) -> Result<Value, String> {
        let store = crate::kv::KvStore::new(self.storage.clone());
        let ns = namespace.unwrap_or(&self.namespace).to_string();
        let key_s = key.to_string();
        let fut = async move { store.get(&ns, &key_s).await };
        let found = match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| h.block_on(fut))
            }
            _ => return Err("kv() needs the multi-threaded runtime".into()),
        };
        match found {
            Ok(Some(v)) => Ok(v.value),
            Ok(None) if !error_on_missing => Ok(Value::Null),
            Ok(None) => Err(format!(
                "The key '{key}' does not exist in the namespace '{}'.",
                namespace.unwrap_or(&self.namespace)
            )),
            Err(e) => Err(e.to_string()),
        }
    }

    fn file_size(&self, path: &str) -> Result<u64, String> {
        let full = self.path_of(path)?;
        std::fs::metadata(&full)
            .map(|m| m.len())
            .map_err(|e| format!("Unable to read the file '{path}': {e}"))
    }

    fn file_exists(&self, path: &str) -> Result<bool, String> {
        Ok(self.path_of(path)?.is_file())
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn error_logs(&self) -> Result<Value, String> {
        self.error_logs
            .clone()
            .ok_or_else(|| "The 'errorLogs' function needs the execution's logs".into())
    }
}

impl Exec {
    pub(crate) fn host(&self) -> ExecHost {
        ExecHost {
            storage: self.opts.storage.clone(),
            namespace: self.namespace.clone(),
            execution_prefix: self.execution_key().prefix(),
            secrets: self.opts.secrets.clone(),
            error_logs: None,
        }
    }

    /// The host for rendering `value`: with the execution's ERROR logs when it calls
    /// `errorLogs()` (Kestra's `ExecutionLogService.errorLogs`: the first 25, oldest first).
    pub(crate) fn host_for(&self, value: &Value) -> ExecHost {
        let mut host = self.host();
        if mentions(value, &["errorLogs"]) {
            let shared = lock(&self.shared);
            let logs = shared
                .record
                .logs
                .matching(25, |l| l.level == Level::Error)
                .unwrap_or_default();
            let errors: Vec<Value> = logs
                .iter()
                .map(|l| {
                    json!({
                        "namespace": self.namespace,
                        "flowId": self.flow_id,
                        "executionId": self.execution_id,
                        "taskId": l.task_id,
                        "taskRunId": l.task_run_id,
                        "timestamp": l.timestamp,
                        "level": "ERROR",
                        "message": l.message,
                    })
                })
                .collect();
            host.error_logs = Some(Value::Array(errors));
        }
        host
    }

    pub(crate) fn execution_key(&self) -> crate::storage::ExecutionKey {
        crate::storage::ExecutionKey {
            namespace: self.namespace.clone(),
            flow_id: self.flow_id.clone(),
            execution_id: self.execution_id.clone(),
        }
    }

    /// Variables visible everywhere (flow outputs, flowable conditions use them too).
    pub(crate) fn base_vars(&self) -> Map<String, Value> {
        self.vars_for(None)
    }

    /// The execution-wide variables. `outputs` and `tasks` grow with every task run: when the
    /// properties about to be rendered (`def`) cannot reach them, they are left out rather than
    /// copied, which keeps long flows linear.
    fn vars_for(&self, def: Option<&Value>) -> Map<String, Value> {
        let reaches = |words: &[&str]| def.is_none_or(|d| mentions(d, words));
        let shared = lock(&self.shared);
        let mut vars = Map::new();
        vars.insert(
            "flow".into(),
            json!({"id": self.flow_id, "namespace": self.namespace, "revision": 1}),
        );
        vars.insert(
            "execution".into(),
            json!({"id": self.execution_id, "startDate": self.start_date, "state": shared.record.state}),
        );
        // Kestra's RunVariables leaves `inputs` out when the execution has none, so that
        // `{{ inputs.x }}` then fails on `inputs` itself.
        if !self.inputs.is_empty() {
            vars.insert("inputs".into(), Value::Object(self.inputs.clone()));
        }
        // Functions that can reach any variable: printContext/fetchContext, render of a variable.
        const ANY: &[&str] = &["Context", "render", "currentEachOutput", "tasksWithState"];
        if reaches(&["outputs"]) || reaches(ANY) {
            vars.insert("outputs".into(), Value::Object(shared.outputs.clone()));
        }
        if reaches(&["tasks"]) || reaches(ANY) {
            let tasks = task_states(&shared.record.task_runs);
            vars.insert("tasks".into(), Value::Object(tasks));
        }
        vars.insert("vars".into(), Value::Object(shared.variables.clone()));
        vars.insert("labels".into(), label_variables(&shared.labels));
        vars.insert("envs".into(), Value::Object(self.opts.envs.clone()));
        vars
    }

    /// Variables of one task run.
    pub(crate) fn task_vars(
        &self,
        run: &RunInfo,
        scope: &Scope,
        def: &Value,
    ) -> Map<String, Value> {
        let mut vars = self.vars_for(Some(def));
        vars.insert("task".into(), json!({"id": run.task_id, "type": run.type_}));
        let mut taskrun = json!({
            "id": run.id,
            "startDate": run.start_date.to_iso(),
            "attemptsCount": run.attempts,
            "parentId": scope.parent_run,
        });
        // In a WorkingDirectory, a task's value is the WorkingDirectory's.
        let worker_value = scope
            .worker_taskrun
            .as_ref()
            .and_then(|w| w.get("value"))
            .cloned();
        if let Some(v) = worker_value.or_else(|| scope.run_value.clone().map(Value::String)) {
            taskrun["value"] = v;
        }
        if let Some(i) = scope.iteration {
            taskrun["iteration"] = json!(i);
        }
        vars.insert("taskrun".into(), taskrun);
        if let Some(worker) = &scope.worker_taskrun {
            vars.insert("workerTaskrun".into(), worker.clone());
        }
        // Kestra lists only the parents that have a value or outputs.
        let parents: Vec<Value> = scope
            .parents
            .iter()
            .filter(|p| p.as_object().is_some_and(|m| !m.is_empty()))
            .cloned()
            .collect();
        if !parents.is_empty() {
            vars.insert("parent".into(), parents[0].clone());
            vars.insert("parents".into(), Value::Array(parents));
        }
        vars
    }
}

/// Whether any string (or key) inside `value` contains one of `words`.
/// Rendering a task's properties with the execution's host.
impl Exec {
    pub(crate) fn render_string(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
    ) -> Result<String, String> {
        let host = self.host_for(value);
        let cx = RenderContext { vars, host: &host };
        match value {
            Value::String(s) => crate::render::render(s, &cx).map_err(|e| e.message),
            other => Ok(match other {
                Value::Null => String::new(),
                v => v.to_string(),
            }),
        }
    }

    pub(crate) fn render_json(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
    ) -> Result<Value, String> {
        self.render_tree(value, vars, crate::render::render_json)
    }

    /// Like [`Self::render_json`], but every string renders to text.
    pub(crate) fn render_json_text(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
    ) -> Result<Value, String> {
        self.render_tree(value, vars, crate::render::render_json_text)
    }

    /// `render` applied to `value` with `vars` and the host `value` needs.
    fn render_tree(
        &self,
        value: &Value,
        vars: &Map<String, Value>,
        render: fn(&Value, &RenderContext) -> Result<Value, crate::render::RenderError>,
    ) -> Result<Value, String> {
        let host = self.host_for(value);
        let cx = RenderContext { vars, host: &host };
        render(value, &cx).map_err(|e| e.message)
    }
}

fn mentions(value: &Value, words: &[&str]) -> bool {
    let hit = |s: &str| words.iter().any(|w| s.contains(w));
    match value {
        Value::String(s) => hit(s),
        Value::Array(items) => items.iter().any(|v| mentions(v, words)),
        Value::Object(map) => map.iter().any(|(k, v)| hit(k) || mentions(v, words)),
        _ => false,
    }
}

/// `{{ labels }}` as Kestra 1.3's `Label.toNestedMap` builds it: label values as text (empty
/// ones dropped), keys split on `.` into nested maps (`system.correlationId` is read as
/// `labels.system.correlationId`); a key that clashes with one already placed is ignored, as
/// `MapUtils.flattenToNestedMap` ignores it.
fn label_variables(labels: &Map<String, Value>) -> Value {
    let mut root = Map::new();
    for (key, value) in labels {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if key.is_empty() || text.is_empty() {
            continue;
        }
        let parts: Vec<&str> = key.split('.').collect();
        place_label(&mut root, &parts, text);
    }
    Value::Object(root)
}

/// Puts one label's text at its path, unless a value is already there or on the way.
fn place_label(map: &mut Map<String, Value>, path: &[&str], text: String) {
    match path {
        [last] => {
            if !map.contains_key(*last) {
                map.insert(last.to_string(), Value::String(text));
            }
        }
        [first, rest @ ..] => {
            let slot = map
                .entry(first.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = slot {
                place_label(inner, rest, text);
            }
        }
        [] => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_nest_by_their_dots_as_in_kestra_1_3() {
        let labels = json!({"system.correlationId": "abc", "team": "data", "n": 42, "empty": "",
                            "team.sub": "clash"});
        let vars = label_variables(labels.as_object().unwrap());
        assert_eq!(vars["system"]["correlationId"], "abc");
        assert_eq!(vars["team"], "data");
        assert_eq!(vars["n"], "42");
        assert!(vars.get("empty").is_none());
    }
}
