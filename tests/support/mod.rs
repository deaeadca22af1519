//! Helpers shared by the end-to-end tests: run the built `kflow`, find `../shared`.

#![allow(dead_code)]

pub mod rng;
pub mod victim;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The built binary, with its per-user folders (script environment cache, executions index)
/// under the build's temporary folder instead of the user's home.
pub fn kflow() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kflow"));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    command
        .env("KFLOW_CACHE_DIR", tmp.join("kflow-cache"))
        .env("KFLOW_DATA_DIR", tmp.join("kflow-data"));
    command
}

/// The shared folder beside the repository (override with KFLOW_SHARED).
pub fn shared() -> PathBuf {
    if let Some(p) = std::env::var_os("KFLOW_SHARED") {
        return PathBuf::from(p);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The `.yml`/`.yaml` files anywhere below `root`, as paths relative to it, sorted.
pub fn yaml_files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// Runs kflow with a deadline: a hang fails the test instead of blocking CI.
pub fn run_with_deadline(args: &[&str], deadline: Duration) -> Output {
    let mut child = kflow()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kflow starts");
    let start = Instant::now();
    // Drain the pipes on threads so a large report cannot block the child.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).ok();
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).ok();
        v
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > deadline {
            child.kill().ok();
            panic!("kflow {args:?} did not finish within {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
    }
}

/// `kflow lint --format json` on paths, parsed, and the exit code.
pub fn lint_json(paths: &[&Path]) -> (serde_json::Value, i32) {
    let mut args = vec!["lint", "--format", "json"];
    let owned: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(owned.iter().map(String::as_str));
    let out = run_with_deadline(&args, Duration::from_secs(60));
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (json, out.status.code().unwrap_or(-1))
}

/// Two string fields (`rule`, `message`, `severity`…) of every diagnostic of a JSON report.
pub fn diagnostic_pairs(json: &serde_json::Value, a: &str, b: &str) -> Vec<(String, String)> {
    let field = |d: &serde_json::Value, k: &str| {
        d[k].as_str()
            .unwrap_or_else(|| panic!("no string `{k}` in {d}"))
            .to_string()
    };
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (field(d, a), field(d, b)))
        .collect()
}

/// A folder of its own under the system temp dir, removed when dropped (derefs to its path).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "kflow-{tag}-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `name` in the folder; its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write a test file");
        path
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
