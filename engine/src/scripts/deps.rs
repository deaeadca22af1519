//! Cached dependency environments: a Python virtual environment per (python version, sorted
//! requirement set), a `node_modules` folder per sorted npm package set. Built once, reused by
//! every later run; concurrent runs (threads or processes) serialise on a lock file and the
//! loser reuses what the winner built. A finished environment is marked by a `.complete` file,
//! so an interrupted build is thrown away and redone.

use std::path::{Path, PathBuf};

use crate::task::{Level, TaskError, TaskLog};

/// Where the environment lives and what to put on the task's environment.
#[derive(Clone, Debug)]
pub struct PreparedEnv {
    pub dir: PathBuf,
    /// Variables for the script (`VIRTUAL_ENV`/`PATH`, or `NODE_PATH`).
    pub env: Vec<(String, String)>,
    /// True when it was already there.
    pub reused: bool,
}

pub fn cache_key(parts: &[String]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort();
    sorted.dedup();
    let digest = crate::hash::md5(sorted.join("\n").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The interpreter's identity for the cache key: its version (e.g. `3.11.7`) and the real path
/// of its executable, so two interpreters of one version (a system one, a pyenv one) never
/// share an environment built from the other.
pub async fn interpreter_identity(python: &str) -> Result<String, TaskError> {
    let out = tokio::process::Command::new(python)
        .arg("-c")
        .arg(
            "import os, sys; print('%d.%d.%d %s' % (sys.version_info[:3] + (os.path.realpath(sys.executable),)))",
        )
        .output()
        .await
        .map_err(|e| {
            TaskError::new(format!(
                "cannot run '{python}' to install dependencies: {e}"
            ))
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A virtual environment with `dependencies` installed with pip.
pub async fn python_env(
    python: &str,
    dependencies: &[String],
    cache_dir: &Path,
    log: &dyn TaskLog,
) -> Result<PreparedEnv, TaskError> {
    let identity = interpreter_identity(python).await?;
    let mut parts = dependencies.to_vec();
    parts.push(format!("python=={identity}"));
    let dir = cache_dir.join("python").join(cache_key(&parts));
    let bin = dir.join("bin");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = vec![
        (
            "VIRTUAL_ENV".to_string(),
            dir.to_string_lossy().into_owned(),
        ),
        ("PATH".to_string(), path),
    ];
    let python = python.to_string();
    let deps = dependencies.to_vec();
    let reused = build_once(&dir, log, move |dir, lines| {
        run_logged(
            &python,
            &["-m", "venv", &dir.to_string_lossy()],
            None,
            lines,
        )?;
        if !deps.is_empty() {
            let pip = dir.join("bin").join("python");
            let mut args = vec![
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
            ];
            args.extend(deps.iter().map(String::as_str));
            run_logged(&pip.to_string_lossy(), &args, None, lines)?;
        }
        Ok(())
    })
    .await?;
    Ok(PreparedEnv { dir, env, reused })
}

/// A folder with `packages` installed by npm; put on `NODE_PATH`.
pub async fn node_env(
    packages: &[String],
    cache_dir: &Path,
    log: &dyn TaskLog,
) -> Result<PreparedEnv, TaskError> {
    let dir = cache_dir.join("node").join(cache_key(packages));
    let env = vec![(
        "NODE_PATH".to_string(),
        dir.join("node_modules").to_string_lossy().into_owned(),
    )];
    let packages = packages.to_vec();
    let reused = build_once(&dir, log, move |dir, lines| {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("package.json"), "{\"private\":true}")
            .map_err(|e| e.to_string())?;
        let mut args = vec!["install", "--no-audit", "--no-fund", "--no-save"];
        args.extend(packages.iter().map(String::as_str));
        run_logged("npm", &args, Some(dir), lines)
    })
    .await?;
    Ok(PreparedEnv { dir, env, reused })
}

/// Runs `build` under an exclusive lock unless `dir/.complete` exists. Returns whether the
/// environment was reused.
async fn build_once<F>(dir: &Path, log: &dyn TaskLog, build: F) -> Result<bool, TaskError>
where
    F: FnOnce(&Path, &mut Vec<String>) -> Result<(), String> + Send + 'static,
{
    let marker = dir.join(".complete");
    if marker.exists() {
        return Ok(true);
    }
    let dir = dir.to_path_buf();
    let (result, lines) = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        let result = (|| {
            let parent = dir.parent().ok_or("no cache parent")?;
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            let lock_path = dir.with_extension("lock");
            let _lock = FileLock::acquire(&lock_path)
                .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
            if dir.join(".complete").exists() {
                return Ok(true);
            }
            // A half-built environment from an interrupted run: start over.
            let _ = std::fs::remove_dir_all(&dir);
            build(&dir, &mut lines)?;
            std::fs::write(dir.join(".complete"), b"").map_err(|e| e.to_string())?;
            Ok::<bool, String>(false)
        })();
        (result, lines)
    })
    .await
    .map_err(|e| TaskError::new(format!("dependency installation thread failed: {e}")))?;
    for line in &lines {
        log.log(Level::Info, line);
    }
    result.map_err(|e| TaskError::new(format!("cannot install dependencies: {e}")))
}

fn run_logged(
    program: &str,
    args: &[&str],
    cwd: Option<&Path>,
    lines: &mut Vec<String>,
) -> Result<(), String> {
    let mut command = std::process::Command::new(program);
    command.args(args).env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // Its own group, listed as live: a killed run kills the installer too (it runs on a
    // blocking thread that dropping the task's future does not stop).
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run '{program}': {e}"))?;
    let _group = super::process::GroupGuard::new(Some(child.id()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("cannot run '{program}': {e}"))?;
    for stream in [&out.stdout, &out.stderr] {
        lines.extend(String::from_utf8_lossy(stream).lines().map(str::to_string));
    }
    if !out.status.success() {
        return Err(format!(
            "'{program} {}' failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    Ok(())
}

/// An exclusive `flock` held until drop (released by the OS if the process dies).
struct FileLock {
    _file: std::fs::File,
}

impl FileLock {
    fn acquire(path: &Path) -> std::io::Result<FileLock> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a descriptor we own; blocks until the lock is ours.
            #[allow(unsafe_code)]
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(FileLock { _file: file })
    }
}
