//! The task's working directory: created fresh per task run, filled with namespace files and
//! `inputFiles`, searched for `outputFiles`, removed afterwards. Every file written or read
//! must stay inside it (no `..`, no absolute names, no symlinks leading out).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::storage::uri::{file_uri, namespace_files_prefix};
use crate::storage::{Storage, TaskRunKey};
use crate::task::{Level, TaskError, TaskLog};
use kflow_java::glob::PathMatcher;

/// `namespaceFiles` of a script task.
#[derive(Clone, Debug, Default)]
pub struct NamespaceFiles {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Loaded in order, later ones win (default: the flow's namespace).
    pub namespaces: Vec<String>,
}

pub struct WorkingDir {
    path: PathBuf,
    keep: bool,
}

/// Working folders in use, so a front end exiting at once can still remove them
/// ([`remove_all_live`]).
static LIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn live() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every working folder still in use (their tasks' processes must be killed first).
pub fn remove_all_live() {
    for path in std::mem::take(&mut *live()) {
        let _ = std::fs::remove_dir_all(path);
    }
}

impl Drop for WorkingDir {
    fn drop(&mut self) {
        live().retain(|p| p != &self.path);
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

impl WorkingDir {
    /// A fresh directory under `parent` (created if needed).
    pub fn create(parent: &Path) -> Result<WorkingDir, TaskError> {
        let path = parent.join(crate::ids::new_id());
        std::fs::create_dir_all(&path)
            .and_then(|_| std::fs::canonicalize(&path))
            .map(|path| {
                live().push(path.clone());
                WorkingDir { path, keep: false }
            })
            .map_err(|e| TaskError::new(format!("cannot create the working directory: {e}")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `{{ outputDir }}`: files written there are uploaded too when `outputDirectory` is set.
    pub fn output_dir(&self) -> PathBuf {
        self.path.join("_outputs")
    }

    /// Leaves the directory on disk after the run (debugging).
    pub fn keep(&mut self) {
        live().retain(|p| p != &self.path);
        self.keep = true;
    }

    /// The variables Kestra adds before rendering commands: `workingDir`, `outputDir`, and
    /// `outputFiles` (absolute paths of the non-glob names in `output_files`).
    pub fn extra_vars(&self, output_files: &[String]) -> serde_json::Value {
        let declared: serde_json::Map<String, serde_json::Value> = output_files
            .iter()
            .filter(|p| {
                !p.contains(['*', '?', '[', '{'])
                    && !p.starts_with("regex:")
                    && !p.starts_with("glob:")
            })
            .map(|p| {
                (
                    p.clone(),
                    serde_json::Value::String(self.path.join(p).to_string_lossy().into_owned()),
                )
            })
            .collect();
        serde_json::json!({
            "workingDir": self.path.to_string_lossy(),
            "outputDir": self.output_dir().to_string_lossy(),
            "outputFiles": declared,
        })
    }

    /// The absolute path of a relative name, refusing absolute names, `..`, and symlinks that
    /// lead outside. Creates the parent directories.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, TaskError> {
        let refuse = |why: &str| TaskError::new(format!("file name '{name}' is refused: {why}"));
        if name.is_empty() || name.contains('\0') {
            return Err(refuse("empty or NUL"));
        }
        let mut relative = PathBuf::new();
        for component in Path::new(name).components() {
            match component {
                Component::Normal(part) => relative.push(part),
                Component::CurDir => {}
                Component::ParentDir => {
                    return Err(refuse("'..' would leave the working directory"))
                }
                _ => return Err(refuse("absolute paths are not allowed")),
            }
        }
        let full = self.path.join(&relative);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                TaskError::new(format!("cannot create '{}': {e}", parent.display()))
            })?;
            let real = std::fs::canonicalize(parent).map_err(|e| {
                TaskError::new(format!("cannot resolve '{}': {e}", parent.display()))
            })?;
            if !real.starts_with(&self.path) {
                return Err(refuse("a symlink leads outside the working directory"));
            }
        }
        if std::fs::symlink_metadata(&full).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(refuse("it is a symlink"));
        }
        Ok(full)
    }

    /// Writes `inputFiles`: a value starting with `kestra://` is copied from storage, an
    /// `nsfile:///path` from the namespace files of `namespace`; anything else is the content.
    pub async fn write_input_files(
        &self,
        files: &[(String, String)],
        storage: &Storage,
        namespace: &str,
    ) -> Result<(), TaskError> {
        for (name, value) in files {
            let target = self.resolve(name)?;
            if value.starts_with("kestra://") {
                let mut reader = storage.open_read(value).await?;
                let mut out = tokio::fs::File::create(&target).await.map_err(|e| {
                    TaskError::new(format!("cannot write input file '{name}': {e}"))
                })?;
                tokio::io::copy(&mut reader, &mut out).await.map_err(|e| {
                    TaskError::new(format!("cannot write input file '{name}': {e}"))
                })?;
            } else if let Some(path) = value.strip_prefix("nsfile://") {
                let uri = format!(
                    "kestra://{}/{}",
                    namespace_files_prefix(namespace),
                    path.trim_start_matches('/')
                );
                let bytes = storage.read(&uri).await?;
                std::fs::write(&target, bytes).map_err(|e| {
                    TaskError::new(format!("cannot write input file '{name}': {e}"))
                })?;
            } else if value.starts_with("file://") {
                return Err(TaskError::new(format!(
                    "input file '{name}': file:// URIs are not allowed (copy the file into namespace files or pass it as a FILE input)"
                )));
            } else {
                std::fs::write(&target, value).map_err(|e| {
                    TaskError::new(format!("cannot write input file '{name}': {e}"))
                })?;
            }
        }
        Ok(())
    }

    /// Copies the namespace files selected by include/exclude, namespaces in order.
    pub async fn copy_namespace_files(
        &self,
        spec: &NamespaceFiles,
        storage: &Storage,
    ) -> Result<usize, TaskError> {
        let include = PathMatcher::new(None, &spec.include).map_err(TaskError::new)?;
        let exclude = PathMatcher::new(None, &spec.exclude).map_err(TaskError::new)?;
        let mut copied = 0;
        for namespace in &spec.namespaces {
            let prefix = namespace_files_prefix(namespace);
            let prefix_uri = format!("kestra://{prefix}");
            for uri in storage.list(&prefix_uri).await? {
                let Some(relative) = uri.strip_prefix(&prefix_uri) else {
                    continue;
                };
                let relative = crate::storage::uri::decode_percent(relative).unwrap_or_default();
                let included = spec.include.is_empty() || include.matches(&relative);
                let excluded = !spec.exclude.is_empty() && exclude.matches(&relative);
                if !included || excluded {
                    continue;
                }
                let target = self.resolve(relative.trim_start_matches('/'))?;
                let bytes = storage.read(&uri).await?;
                std::fs::write(&target, bytes).map_err(|e| {
                    TaskError::new(format!("cannot copy namespace file '{relative}': {e}"))
                })?;
                copied += 1;
            }
        }
        Ok(copied)
    }

    /// Uploads the regular files matching `patterns` (and everything under `outputDir` when
    /// `output_directory`); keys are paths relative to the working directory.
    pub async fn upload_output_files(
        &self,
        patterns: &[String],
        output_directory: bool,
        storage: &Storage,
        key: &TaskRunKey,
        log: &dyn TaskLog,
    ) -> Result<BTreeMap<String, String>, TaskError> {
        let base = self.path.to_string_lossy().into_owned();
        let mut all_patterns = patterns.to_vec();
        if output_directory {
            all_patterns.push("_outputs/**".into());
        }
        if all_patterns.is_empty() {
            return Ok(BTreeMap::new());
        }
        let matcher = PathMatcher::new(Some(&base), &all_patterns).map_err(TaskError::new)?;
        let mut files = Vec::new();
        walk_regular_files(&self.path, &mut files);
        let mut out = BTreeMap::new();
        for file in files {
            let absolute = file.to_string_lossy().into_owned();
            if !matcher.matches(&absolute) {
                continue;
            }
            // Paths come from walking the directory without following links: they cannot
            // point outside, but check the resolved path anyway.
            match std::fs::canonicalize(&file) {
                Ok(real) if real.starts_with(&self.path) => {}
                _ => {
                    log.log(
                        Level::Warn,
                        &format!("output file '{absolute}' skipped: outside the working directory"),
                    );
                    continue;
                }
            }
            let relative = file
                .strip_prefix(&self.path)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file_name = file
                .file_name()
                .map(|n| n.to_string_lossy().replace(' ', "+"))
                .unwrap_or_default();
            let name = format!("{}-{file_name}", crate::ids::id_from(&absolute));
            let uri = file_uri(&key.prefix(), &name);
            storage.copy_file(&uri, &file).await?;
            out.insert(relative, uri);
        }
        Ok(out)
    }
}

/// Regular files under `dir`; symlinks (to files or directories) are not followed.
fn walk_regular_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk_regular_files(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}
