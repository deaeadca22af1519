//! Script tasks (kestra-io/plugin-scripts) as local processes, with Kestra's Process task
//! runner semantics: no container engine, `containerImage` ignored.
//!
//! Two steps, because commands are rendered with the working directory's variables:
//! 1. [`WorkingDir::create`], then render the task with [`WorkingDir::extra_vars`];
//! 2. [`run_script`] with the rendered [`ScriptSpec`].

mod deps;
mod process;
mod props;
mod protocol;
mod workdir;

pub use deps::{cache_key, node_env, python_env, PreparedEnv};
pub use kflow_java::glob::{glob_to_regex, PathMatcher};
pub use protocol::{parse_line, LineEvent, Metric};
pub use workdir::{NamespaceFiles, WorkingDir};

/// Stops whatever script tasks left running, for a front end about to exit without waiting
/// for the engine: kills every process group they started, then removes their working folders.
pub fn abort_all() {
    process::kill_all_groups();
    workdir::remove_all_live();
}

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::storage::{Storage, TaskRunKey};
use crate::task::{Level, TaskError, TaskLog};

/// Which task, with its main property.
#[derive(Clone, Debug)]
pub enum ScriptKind {
    /// `python.Script`: written to a `.py` file after the `true/false/null` prelude.
    PythonScript(String),
    PythonCommands(Vec<String>),
    /// `shell.Script`: the text itself is the command.
    ShellScript(String),
    ShellCommands(Vec<String>),
    /// `node.Script`: written to a `.js` file, run with `node`.
    NodeScript(String),
    NodeCommands(Vec<String>),
}

impl ScriptKind {
    fn is_python(&self) -> bool {
        matches!(
            self,
            ScriptKind::PythonScript(_) | ScriptKind::PythonCommands(_)
        )
    }

    fn is_node(&self) -> bool {
        matches!(
            self,
            ScriptKind::NodeScript(_) | ScriptKind::NodeCommands(_)
        )
    }
}

/// A script task's rendered properties.
#[derive(Clone, Debug)]
pub struct ScriptSpec {
    pub kind: ScriptKind,
    pub before_commands: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Default `["/bin/sh", "-c"]`.
    pub interpreter: Vec<String>,
    /// Prepends `set -e` (default true).
    pub fail_fast: bool,
    /// `inputFiles`: name → inline content, or a `kestra://` / `nsfile://` URI.
    pub input_files: Vec<(String, String)>,
    pub namespace_files: Option<NamespaceFiles>,
    pub output_files: Vec<String>,
    pub output_directory: bool,
    /// Python: pip requirements; Node: npm packages.
    pub dependencies: Vec<String>,
    pub container_image: Option<String>,
    /// The task `timeout`: the whole process group is killed when it elapses.
    pub timeout: Option<Duration>,
}

impl ScriptSpec {
    pub fn new(kind: ScriptKind) -> ScriptSpec {
        ScriptSpec {
            kind,
            before_commands: Vec::new(),
            env: Vec::new(),
            interpreter: vec!["/bin/sh".into(), "-c".into()],
            fail_fast: true,
            input_files: Vec::new(),
            namespace_files: None,
            output_files: Vec::new(),
            output_directory: false,
            dependencies: Vec::new(),
            container_image: None,
            timeout: None,
        }
    }
}

/// Machine-level settings of the runner.
#[derive(Clone, Debug)]
pub struct ScriptEnv {
    /// Cache of dependency environments (reused across runs and flows).
    pub cache_dir: PathBuf,
    pub python: String,
    /// The flow's namespace (for `nsfile://` input files).
    pub namespace: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ScriptState {
    Success,
    Failed,
}

/// Outputs are kept even when the script failed (exit code, vars, output files).
#[derive(Clone, Debug, Serialize)]
pub struct ScriptOutput {
    #[serde(rename = "exitCode")]
    pub exit_code: i32,
    pub vars: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "outputFiles")]
    pub output_files: BTreeMap<String, String>,
    #[serde(skip)]
    pub metrics: Vec<Metric>,
    #[serde(skip)]
    pub state: ScriptState,
    /// Why it failed (non-zero exit, timeout…).
    #[serde(skip)]
    pub error: Option<String>,
}

/// Kestra's Python prelude: Pebble renders JSON literals, Python needs these aliases.
pub const PYTHON_PRELUDE: &str = "true = True\nfalse = False\nnull = None\n";

/// Runs a script task in `workdir` (already created; its variables were used for rendering).
/// Setup problems (bad input file, dependency install failure) are errors; a script that runs
/// and fails gives `Ok` with `state: Failed` and its outputs.
pub async fn run_script(
    spec: &ScriptSpec,
    workdir: &WorkingDir,
    runner: &ScriptEnv,
    storage: &Storage,
    key: &TaskRunKey,
    log: &dyn TaskLog,
) -> Result<ScriptOutput, TaskError> {
    if let Some(image) = &spec.container_image {
        log.log(
            Level::Info,
            &format!("containerImage '{image}' ignored: kflow runs scripts as local processes"),
        );
    }
    if let Some(ns) = &spec.namespace_files {
        workdir.copy_namespace_files(ns, storage).await?;
    }
    workdir
        .write_input_files(&spec.input_files, storage, &runner.namespace)
        .await?;
    std::fs::create_dir_all(workdir.output_dir())
        .map_err(|e| TaskError::new(format!("cannot create the output directory: {e}")))?;

    let mut env: Vec<(String, String)> = vec![
        (
            "WORKING_DIR".into(),
            workdir.path().to_string_lossy().into_owned(),
        ),
        (
            "OUTPUT_DIR".into(),
            workdir.output_dir().to_string_lossy().into_owned(),
        ),
    ];
    let mut python_cmd: Option<String> = None;
    if spec.kind.is_python() {
        env.push(("PYTHONUNBUFFERED".into(), "true".into()));
        env.push(("PIP_ROOT_USER_ACTION".into(), "ignore".into()));
        env.push(("PIP_DISABLE_PIP_VERSION_CHECK".into(), "1".into()));
        if !spec.dependencies.is_empty() {
            let prepared =
                python_env(&runner.python, &spec.dependencies, &runner.cache_dir, log).await?;
            python_cmd = Some(
                prepared
                    .dir
                    .join("bin")
                    .join("python")
                    .to_string_lossy()
                    .into_owned(),
            );
            env.extend(prepared.env);
        }
    }
    if spec.kind.is_node() {
        env.push(("PYTHONUNBUFFERED".into(), "true".into()));
        if !spec.dependencies.is_empty() {
            env.extend(
                node_env(&spec.dependencies, &runner.cache_dir, log)
                    .await?
                    .env,
            );
        }
    }
    // The task's own env comes last and wins.
    env.extend(spec.env.iter().cloned());

    let commands = main_commands(spec, workdir, runner, python_cmd.as_deref())?;
    let argv = command_line(spec, &commands);

    let mut vars = serde_json::Map::new();
    let mut metrics = Vec::new();
    let end = process::run(
        &argv,
        workdir.path(),
        &env,
        spec.timeout,
        |line, is_stderr| match parse_line(line, is_stderr) {
            LineEvent::Log(level, message) => log.log(level, &message),
            LineEvent::Message {
                outputs,
                metrics: new_metrics,
                logs,
            } => {
                vars.extend(outputs);
                metrics.extend(new_metrics);
                for (level, message) in logs {
                    log.log(level, &message);
                }
            }
        },
    )
    .await
    .map_err(|e| TaskError::new(format!("cannot start '{}': {e}", argv[0])))?;

    let (exit_code, error) = match end {
        process::ProcessEnd::Exited(0) => (0, None),
        process::ProcessEnd::Exited(code) => {
            (code, Some(format!("Command failed with exit code {code}")))
        }
        process::ProcessEnd::Signaled(signal) => {
            (-1, Some(format!("Command killed by signal {signal}")))
        }
        process::ProcessEnd::TimedOut => (
            -1,
            Some(format!(
                "Command timed out after {}; the process and its children were killed",
                crate::time::JavaDuration::from_std(spec.timeout.unwrap_or_default()).to_iso()
            )),
        ),
    };
    let output_files = workdir
        .upload_output_files(&spec.output_files, spec.output_directory, storage, key, log)
        .await?;
    Ok(ScriptOutput {
        exit_code,
        vars,
        output_files,
        metrics,
        state: if error.is_some() {
            ScriptState::Failed
        } else {
            ScriptState::Success
        },
        error,
    })
}

/// The task's own commands (after `beforeCommands`).
fn main_commands(
    spec: &ScriptSpec,
    workdir: &WorkingDir,
    runner: &ScriptEnv,
    python_cmd: Option<&str>,
) -> Result<Vec<String>, TaskError> {
    let write_script = |suffix: &str, content: String| -> Result<String, TaskError> {
        let name = format!("{}{suffix}", crate::ids::random_digits());
        let path = workdir.resolve(&name)?;
        std::fs::write(&path, content)
            .map_err(|e| TaskError::new(format!("cannot write the script file: {e}")))?;
        Ok(path.to_string_lossy().into_owned())
    };
    Ok(match &spec.kind {
        ScriptKind::PythonScript(script) => {
            let path = write_script(".py", format!("{PYTHON_PRELUDE}{script}"))?;
            vec![match python_cmd {
                Some(python) => format!("{python} {path}"),
                // Kestra: prefer a venv activated in beforeCommands, else the interpreter.
                None => format!(
                    "if [ -n \"$VIRTUAL_ENV\" ]; then \"$VIRTUAL_ENV/bin/python\" \"{path}\"; else \"{}\" \"{path}\"; fi",
                    runner.python
                ),
            }]
        }
        ScriptKind::NodeScript(script) => {
            let path = write_script(".js", script.clone())?;
            vec![format!("node {path}")]
        }
        ScriptKind::ShellScript(script) => vec![script.clone()],
        ScriptKind::PythonCommands(commands)
        | ScriptKind::ShellCommands(commands)
        | ScriptKind::NodeCommands(commands) => commands.clone(),
    })
}

/// `interpreter` + one argument: [`set -e`] + beforeCommands + commands, joined by newlines.
pub fn command_line(spec: &ScriptSpec, commands: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    if spec.fail_fast {
        lines.push("set -e".into());
    }
    lines.extend(spec.before_commands.iter().cloned());
    lines.extend(commands.iter().cloned());
    let mut argv = if spec.interpreter.is_empty() {
        vec!["/bin/sh".to_string(), "-c".to_string()]
    } else {
        spec.interpreter.clone()
    };
    argv.push(lines.join("\n"));
    argv
}

#[cfg(test)]
mod tests;
