//! Runnable tasks: properties rendered, then the engine API called; the result is an
//! [`Outcome`] (state, outputs, message).

mod files;
mod state;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::walk::{RunInfo, Scope, META_KEYS};
use super::{lock, Exec};
use crate::props::Props;
use crate::record::State;
use crate::storage::uri::file_uri;
use crate::storage::TaskRunKey;
use crate::task::{Level, TaskError, TaskLog};

pub(crate) struct Outcome {
    pub state: State,
    pub outputs: Option<Map<String, Value>>,
    pub message: Option<String>,
}

impl Outcome {
    pub fn failed(message: impl Into<String>) -> Outcome {
        Outcome {
            state: State::Failed,
            outputs: None,
            message: Some(message.into()),
        }
    }
    fn ok(outputs: Map<String, Value>) -> Outcome {
        Outcome {
            state: State::Success,
            outputs: Some(outputs),
            message: None,
        }
    }
}

/// A task's log sink: lines go to the record and the event stream.
pub(crate) struct RunLog {
    exec: Arc<Exec>,
    task_id: String,
    run_id: String,
    depth: usize,
}

impl TaskLog for RunLog {
    fn log(&self, level: Level, message: &str) {
        self.exec.log(
            Some(&self.task_id),
            self.depth,
            Some(&self.run_id),
            level,
            message,
        );
    }
}

fn to_map<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(m)) => m.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        _ => Map::new(),
    }
}

impl Exec {
    pub(crate) async fn run_runnable(
        self: Arc<Self>,
        def: &Value,
        type_: &str,
        info: &RunInfo,
        scope: &Scope,
        timeout: Option<Duration>,
    ) -> Outcome {
        match self
            .clone()
            .runnable_inner(def, type_, info, scope, timeout)
            .await
        {
            Ok(o) => o,
            Err(e) => Outcome::failed(e.message),
        }
    }

    fn props_of(def: &Value) -> Value {
        let mut map = def.as_object().cloned().unwrap_or_default();
        for k in META_KEYS {
            map.remove(*k);
        }
        Value::Object(map)
    }

    async fn runnable_inner(
        self: Arc<Self>,
        def: &Value,
        type_: &str,
        info: &RunInfo,
        scope: &Scope,
        timeout: Option<Duration>,
    ) -> Result<Outcome, TaskError> {
        let log = RunLog {
            exec: self.clone(),
            task_id: info.task_id.clone(),
            run_id: info.id.clone(),
            depth: scope.depth,
        };
        let key = TaskRunKey {
            execution: self.execution_key(),
            task_id: info.task_id.clone(),
            task_run_id: info.id.clone(),
        };
        let storage = self.opts.storage.clone();
        let mut vars = self.task_vars(info, scope, def);
        let raw = Self::props_of(def);
        let kind = super::support::runnable_name(type_);
        if type_.starts_with("io.kestra.plugin.scripts.") {
            return self
                .run_script_task(def, type_, raw, vars, scope, timeout, &key, &log)
                .await;
        }
        let rendered = self.render_json(&raw, &vars).map_err(TaskError::new)?;
        // Moved, not cloned: a property may hold a large value (a Return of a whole file).
        let mut map = match rendered {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let p = Props::new(&map);
        let ns = self.namespace.clone();
        let kv = || crate::kv::KvStore::new(storage.clone());
        let out: Map<String, Value> = match kind.unwrap_or_default() {
            "log.Log" | "debug.Echo" => {
                let level = p
                    .string("level")?
                    .and_then(|l| Level::parse(&l))
                    .unwrap_or(Level::Info);
                let messages = match map.get("message").or(map.get("format")) {
                    Some(Value::Array(items)) => items.clone(),
                    Some(v) => vec![v.clone()],
                    None => Vec::new(),
                };
                for m in messages {
                    let text = match m {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    log.log(level, &text);
                }
                Map::new()
            }
            "debug.Return" => {
                // Kestra renders `format` as a string: an expression that renders null gives
                // "" (only a missing `format` gives no value).
                let written = def.get("format").is_some_and(|f| !f.is_null());
                let v = match map.remove("format").unwrap_or(Value::Null) {
                    Value::String(s) => Value::String(s),
                    Value::Null if written => Value::String(String::new()),
                    Value::Null => Value::Null,
                    other => Value::String(other.to_string()),
                };
                // Built directly: `to_map` would copy the value once more.
                let mut out = Map::new();
                if !v.is_null() {
                    out.insert("value".into(), v);
                }
                out
            }
            "output.OutputValues" => {
                // Written as a map, every value renders to text (Kestra's Property.asMap renders
                // the map entry by entry); one expression renders to a map as the other
                // properties do.
                let values = match raw.get("values") {
                    Some(written @ Value::Object(_)) => self
                        .render_json_text(written, &vars)
                        .map_err(TaskError::new)?,
                    _ => map.get("values").cloned().unwrap_or(json!({})),
                };
                to_map(&json!({ "values": values }))
            }
            "http.Request" => {
                let spec = crate::http::HttpCall::from_properties(&map)?;
                to_map(&crate::http::request(&spec, &storage).await?)
            }
            "http.Download" => {
                let spec = crate::http::DownloadSpec::from_properties(&map)?;
                to_map(&crate::http::download(&spec, &storage, &key, &log).await?)
            }
            "storage.Write" => {
                let content = p.required_string("content")?;
                let ext = p.string("extension")?.unwrap_or_else(|| ".ion".into());
                let name = format!("{}{}", crate::ids::random_digits(), ext);
                let uri = file_uri(&key.prefix(), &name);
                storage.put_bytes(&uri, content.as_bytes()).await?;
                to_map(&json!({ "uri": uri }))
            }
            "storage.Delete" => {
                let uri = p.required_string("uri")?;
                let deleted = storage.delete(&uri).await?;
                if !deleted && p.boolean("errorOnMissing", false)? {
                    return Err(TaskError::new(format!("Unable to find the file '{uri}'")));
                }
                to_map(&json!({ "uri": uri, "deleted": deleted }))
            }
            "storage.Size" => {
                let uri = p.required_string("uri")?;
                to_map(&json!({ "size": storage.size(&uri).await? }))
            }
            "storage.Concat" => {
                let files = match map.get("files") {
                    Some(Value::String(s)) => {
                        serde_json::from_str::<Vec<String>>(s).map_err(|e| p.error("files", e))?
                    }
                    _ => p.string_list("files")?,
                };
                let sep = p.string("separator")?;
                let ext = p.string("extension")?.unwrap_or_else(|| ".tmp".into());
                let mut content = Vec::new();
                for (i, f) in files.iter().enumerate() {
                    content.extend(storage.read(f).await?);
                    if let (Some(sep), true) = (&sep, i + 1 < files.len()) {
                        content.extend(sep.as_bytes());
                    }
                }
                let uri = file_uri(
                    &key.prefix(),
                    &format!("{}{}", crate::ids::random_digits(), ext),
                );
                storage.put_bytes(&uri, &content).await?;
                to_map(&json!({ "uri": uri }))
            }
            "kv.Set" | "kv.Put" => {
                let k = p.required_string("key")?;
                let namespace = p.string("namespace")?.unwrap_or(ns);
                let value = map.get("value").cloned().unwrap_or(Value::Null);
                let kv_type = match p.string("kvType")? {
                    Some(t) => Some(crate::kv::KvType::parse(&t)?),
                    None => None,
                };
                let ttl = match p.string("ttl")? {
                    Some(t) => {
                        Some(crate::time::JavaDuration::parse(&t).map_err(|e| p.error("ttl", e))?)
                    }
                    None => None,
                };
                kv().set(
                    &namespace,
                    &k,
                    &value,
                    kv_type,
                    ttl,
                    p.boolean("overwrite", true)?,
                )
                .await?;
                Map::new()
            }
            "kv.Get" => {
                let k = p.required_string("key")?;
                let namespace = p.string("namespace")?.unwrap_or(ns);
                match kv()
                    .get(&namespace, &k)
                    .await
                    .map_err(|e| TaskError::new(e.to_string()))?
                {
                    Some(v) => to_map(&json!({ "value": v.value })),
                    None if p.boolean("errorOnMissing", false)? => {
                        return Err(TaskError::new(format!(
                            "The key '{k}' does not exist in the namespace '{namespace}'"
                        )))
                    }
                    None => Map::new(),
                }
            }
            "kv.Delete" => {
                let k = p.required_string("key")?;
                let namespace = p.string("namespace")?.unwrap_or(ns);
                let deleted = kv()
                    .delete(&namespace, &k)
                    .await
                    .map_err(|e| TaskError::new(e.to_string()))?;
                if !deleted && p.boolean("errorOnMissing", false)? {
                    return Err(TaskError::new(format!(
                        "The key '{k}' does not exist in the namespace '{namespace}'"
                    )));
                }
                to_map(&json!({ "deleted": deleted }))
            }
            "kv.GetKeys" => {
                let namespace = p.string("namespace")?.unwrap_or(ns);
                let prefix = p.string("prefix")?;
                let keys = kv()
                    .keys(&namespace, prefix.as_deref())
                    .await
                    .map_err(|e| TaskError::new(e.to_string()))?;
                to_map(&json!({ "keys": keys }))
            }
            "csv.CsvToIon" => {
                let spec = crate::serdes::CsvToIonSpec::from_properties(&map)?;
                to_map(&crate::serdes::csv_to_ion(&spec, &storage, &key, &log).await?)
            }
            "csv.IonToCsv" => {
                let spec = crate::serdes::IonToCsvSpec::from_properties(&map)?;
                to_map(&crate::serdes::ion_to_csv(&spec, &storage, &key, &log).await?)
            }
            "json.JsonToIon" => {
                let spec = crate::serdes::JsonToIonSpec::from_properties(&map)?;
                to_map(&crate::serdes::json_to_ion(&spec, &storage, &key, &log).await?)
            }
            "json.IonToJson" => {
                let spec = crate::serdes::IonToJsonSpec::from_properties(&map)?;
                to_map(&crate::serdes::ion_to_json(&spec, &storage, &key, &log).await?)
            }
            "state.Set" | "state.Get" | "state.Delete" => {
                // `data` is a map property: its values render to text (Property.asMap).
                let mut props = map.clone();
                if let Some(written @ Value::Object(_)) = raw.get("data") {
                    let data = self
                        .render_json_text(written, &vars)
                        .map_err(TaskError::new)?;
                    props.insert("data".into(), data);
                }
                self.state_task(kind.unwrap_or_default(), &props, scope)
                    .await?
            }
            "storage.LocalFiles" => {
                // In the enclosing WorkingDirectory, else in a folder of its own (as Kestra's
                // worker gives any task one).
                let own;
                let dir = match &scope.workdir {
                    Some(w) => w.as_ref(),
                    None => {
                        own = crate::scripts::WorkingDir::create(
                            &self.opts.storage.root().join(".kflow-work"),
                        )?;
                        &own
                    }
                };
                let files_vars = self.task_vars(info, scope, def);
                let written = raw.get("inputs").cloned().unwrap_or(Value::Null);
                self.write_files(&written, &files_vars, dir).await?;
                let globs = raw.get("outputs").cloned().unwrap_or(Value::Null);
                let uris = self
                    .upload_files(&globs, &files_vars, dir, &key, &log)
                    .await?;
                let mut out = Map::new();
                out.insert("uris".into(), json!(uris));
                out
            }
            "flow.Sleep" => {
                let d = p
                    .duration("duration")?
                    .ok_or_else(|| p.error("duration", "is required"))?;
                tokio::time::sleep(d).await;
                Map::new()
            }
            "execution.Fail" => {
                if let Some(c) = map.get("condition") {
                    let text = match c {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if !crate::render::is_truthy(&text) {
                        return Ok(Outcome::ok(Map::new()));
                    }
                }
                let msg = p
                    .string("errorMessage")?
                    .unwrap_or_else(|| "Task failure".into());
                return Err(TaskError::new(msg));
            }
            "execution.Assert" => {
                let conditions = p.list("conditions")?;
                let mut failed = 0;
                for c in &conditions {
                    let text = match c {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    if !crate::render::is_truthy(&text) {
                        failed += 1;
                        log.log(Level::Error, &format!("Assertion failed: `{text}`"));
                    }
                }
                if failed > 0 {
                    let msg = p
                        .string("errorMessage")?
                        .unwrap_or_else(|| format!("{failed} assertion(s) failed"));
                    return Err(TaskError::new(msg));
                }
                Map::new()
            }
            "execution.Labels" => {
                let new: Map<String, Value> = match map.get("labels") {
                    Some(Value::Object(m)) => m.clone(),
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|i| {
                            Some((
                                i.get("key")?.as_str()?.to_string(),
                                i.get("value").cloned()?,
                            ))
                        })
                        .collect(),
                    _ => return Err(p.error("labels", "expected a map or a list of {key, value}")),
                };
                lock(&self.shared).labels.extend(new);
                Map::new()
            }
            "execution.SetVariables" => {
                let new = match map.get("variables") {
                    Some(Value::Object(m)) => m.clone(),
                    _ => return Err(p.error("variables", "expected a map")),
                };
                let overwrite = p.boolean("overwrite", true)?;
                let mut shared = lock(&self.shared);
                for (k, v) in new {
                    if !overwrite && shared.variables.contains_key(&k) {
                        return Err(TaskError::new(format!("variable '{k}' already exists")));
                    }
                    shared.variables.insert(k, v);
                }
                Map::new()
            }
            "execution.UnsetVariables" => {
                let names = p.string_list("variables")?;
                let mut shared = lock(&self.shared);
                for n in names {
                    shared.variables.remove(&n);
                }
                Map::new()
            }
            "execution.Exit" => {
                let state = match p.string("state")?.as_deref().unwrap_or("SUCCESS") {
                    "SUCCESS" => State::Success,
                    "WARNING" => State::Warning,
                    "FAILED" => State::Failed,
                    "CANCELLED" => State::Cancelled,
                    "KILLED" => State::Killed,
                    other => return Err(p.error("state", format!("unknown state '{other}'"))),
                };
                *lock(&self.exit) = Some(state);
                if state == State::Killed {
                    self.killed.store(true, Ordering::SeqCst);
                }
                Map::new()
            }
            _ => {
                return Err(TaskError::new(format!(
                    "task type '{type_}' is not supported by kflow's local runner"
                )))
            }
        };
        vars.clear();
        Ok(Outcome::ok(out))
    }

    #[allow(clippy::too_many_arguments)]
    async fn run_script_task(
        self: Arc<Self>,
        def: &Value,
        type_: &str,
        raw: Value,
        mut vars: Map<String, Value>,
        scope: &Scope,
        timeout: Option<Duration>,
        key: &TaskRunKey,
        log: &RunLog,
    ) -> Result<Outcome, TaskError> {
        let work_root = self.opts.storage.root().join(".kflow-work");
        let own;
        let workdir: &crate::scripts::WorkingDir = match &scope.workdir {
            Some(w) => w,
            None => {
                own = crate::scripts::WorkingDir::create(&work_root)?;
                &own
            }
        };
        let declared: Vec<String> = match def.get("outputFiles") {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if let Value::Object(extra) = workdir.extra_vars(&declared) {
            vars.extend(extra);
        }
        let rendered = self.render_json(&raw, &vars).map_err(TaskError::new)?;
        let map = match rendered {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let mut spec = crate::scripts::ScriptSpec::from_properties(type_, &map, &self.namespace)?;
        if let Some(image) = spec.container_image.take() {
            if !self.said_container.swap(true, Ordering::SeqCst) {
                log.log(
                    Level::Info,
                    &format!(
                        "containerImage '{image}' ignored: kflow runs scripts as local processes"
                    ),
                );
            }
        }
        spec.timeout = timeout;
        let runner = crate::scripts::ScriptEnv {
            cache_dir: self.opts.cache_dir.clone(),
            python: self.opts.python.clone(),
            namespace: self.namespace.clone(),
        };
        let out = crate::scripts::run_script(&spec, workdir, &runner, &self.opts.storage, key, log)
            .await?;
        let outputs = to_map(&out);
        Ok(match out.state {
            crate::scripts::ScriptState::Success => Outcome::ok(outputs),
            crate::scripts::ScriptState::Failed => Outcome {
                state: State::Failed,
                outputs: Some(outputs),
                message: out.error,
            },
        })
    }
}
