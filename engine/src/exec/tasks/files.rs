//! Files in a working directory, as Kestra's `FilesService` handles them for the LocalFiles
//! task and WorkingDirectory's `inputFiles` / `outputFiles`: input files are a map of relative
//! name → content (a `kestra://` URI is copied from storage), or one expression rendering to
//! such a map as JSON; output files are globs whose matches are uploaded, keyed by their path
//! relative to the working directory.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::exec::state::{Exec, RunInfo, RunLog};
use crate::scripts::WorkingDir;
use crate::storage::TaskRunKey;
use crate::task::{TaskError, TaskLog};

impl Exec {
    /// Renders `inputFiles` / LocalFiles `inputs` and writes them into `dir`.
    pub(crate) async fn write_files(
        &self,
        spec: &Value,
        vars: &Map<String, Value>,
        dir: &WorkingDir,
    ) -> Result<(), TaskError> {
        let rendered = match spec {
            Value::Null => return Ok(()),
            Value::String(_) => {
                let text = self.render_string(spec, vars).map_err(TaskError::new)?;
                serde_json::from_str::<Value>(&text).map_err(|e| {
                    TaskError::new(format!("input files: '{text}' is not a JSON map: {e}"))
                })?
            }
            _ => self.render_json_text(spec, vars).map_err(TaskError::new)?,
        };
        let Value::Object(files) = rendered else {
            return Err(TaskError::new(
                "input files must be a map of file name to content",
            ));
        };
        let files: Vec<(String, String)> = files
            .into_iter()
            .map(|(name, content)| {
                let text = match content {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (name, text)
            })
            .collect();
        dir.write_input_files(&files, &self.opts.storage, &self.namespace)
            .await
    }

    /// Renders the output globs and uploads the matching files of `dir`: name → URI.
    pub(crate) async fn upload_files(
        &self,
        spec: &Value,
        vars: &Map<String, Value>,
        dir: &WorkingDir,
        key: &TaskRunKey,
        log: &dyn TaskLog,
    ) -> Result<BTreeMap<String, String>, TaskError> {
        let globs: Vec<String> = match self.render_json(spec, vars).map_err(TaskError::new)? {
            Value::Null => return Ok(BTreeMap::new()),
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
            Value::String(s) => match serde_json::from_str::<Vec<String>>(&s) {
                Ok(list) => list,
                Err(_) => vec![s],
            },
            other => {
                return Err(TaskError::new(format!(
                    "output files must be a list of globs, found {other}"
                )))
            }
        };
        dir.upload_output_files(&globs, false, &self.opts.storage, key, log)
            .await
    }
}

impl Exec {
    /// A WorkingDirectory's `outputFiles`, uploaded once its tasks have run: its task run's
    /// `outputFiles` output (Kestra's `WorkingDirectory.postExecuteTasks`), when any matched.
    pub(crate) async fn working_dir_outputs(
        self: &std::sync::Arc<Self>,
        def: &Value,
        vars: &Map<String, Value>,
        dir: &WorkingDir,
        info: &RunInfo,
        depth: usize,
    ) -> Result<Option<Map<String, Value>>, TaskError> {
        let Some(spec) = def.get("outputFiles").filter(|s| !s.is_null()) else {
            return Ok(None);
        };
        let log = RunLog {
            exec: self.clone(),
            task_id: info.task_id.clone(),
            run_id: info.id.clone(),
            depth,
        };
        let key = TaskRunKey {
            execution: self.execution_key(),
            task_id: info.task_id.clone(),
            task_run_id: info.id.clone(),
        };
        let uris = self.upload_files(spec, vars, dir, &key, &log).await?;
        Ok((!uris.is_empty()).then(|| {
            let mut out = Map::new();
            out.insert("outputFiles".into(), serde_json::json!(uris));
            out
        }))
    }
}
