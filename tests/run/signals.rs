//! Signals during `kflow run`: SIGTERM, SIGHUP and a double SIGINT while a shell or a Python
//! task runs end the execution KILLED with its record saved, no process of the run alive and
//! no work folder left.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::kflow;
use crate::support::victim::{self, Script};

/// Sends signal `name`; false when the process had already ended.
fn signal(child: &mut Child, name: &str) -> bool {
    if child.try_wait().unwrap().is_some() {
        return false;
    }
    std::process::Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .stderr(Stdio::null())
        .status()
        .expect("kill runs")
        .success()
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("kflow run did not end after the signals");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the victim flow, sends `signals` once its script is running, checks the aftermath.
fn killed_by(script: Script, signals: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let flow = dir.path().join("victim.yaml");
    std::fs::write(&flow, victim::flow(script, &marker)).unwrap();
    let storage = dir.path().join("storage");
    let stderr = std::fs::File::create(dir.path().join("stderr")).unwrap();
    let mut child = kflow()
        .arg("run")
        .arg(&flow)
        .arg("--storage")
        .arg(&storage)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("kflow run starts");
    let running = victim::wait_marker(&marker);
    // Back to back, as a double Ctrl-C: the later ones may find the run already ended.
    let (first, again) = signals.split_first().unwrap();
    assert!(
        signal(&mut child, first),
        "kflow run ended before SIG{first}"
    );
    for name in again {
        signal(&mut child, name);
    }
    let status = wait_exit(&mut child);
    let said = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert_eq!(status.code(), Some(1), "{status:?}\n{said}");
    assert!(said.contains("killing the execution"), "{said}");
    victim::assert_killed_record(&storage);
    victim::assert_nothing_left(&running);
    assert_no_work_folders(&storage);
}

/// Nothing but the records (and the storage's own folders) under the storage.
fn assert_no_work_folders(storage: &Path) {
    let mut stack = vec![storage.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for path in std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                !name.ends_with(".tmp") && !name.starts_with(".tmp"),
                "temporary file left: {}",
                path.display()
            );
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
}

#[test]
fn sigterm_kills_a_shell_task() {
    killed_by(Script::Shell, &["TERM"]);
}

#[test]
fn sighup_kills_a_shell_task() {
    killed_by(Script::Shell, &["HUP"]);
}

#[test]
fn double_sigint_kills_a_shell_task_and_saves_the_record() {
    killed_by(Script::Shell, &["INT", "INT"]);
}

#[test]
fn sigterm_kills_a_python_task() {
    killed_by(Script::Python, &["TERM"]);
}

#[test]
fn sighup_kills_a_python_task() {
    killed_by(Script::Python, &["HUP"]);
}

#[test]
fn double_sigint_kills_a_python_task_and_saves_the_record() {
    killed_by(Script::Python, &["INT", "INT"]);
}

#[test]
fn a_third_signal_exits_at_once_without_leaving_processes() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("marker");
    let flow = dir.path().join("victim.yaml");
    std::fs::write(&flow, victim::flow(Script::Shell, &marker)).unwrap();
    let mut child = kflow()
        .arg("run")
        .arg(&flow)
        .arg("--storage")
        .arg(dir.path().join("storage"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kflow run starts");
    let running = victim::wait_marker(&marker);
    // Sent together: the run may end before the third; either way nothing may be left.
    for name in ["INT", "TERM", "INT"] {
        signal(&mut child, name);
    }
    let status = wait_exit(&mut child);
    assert!(!status.success(), "{status:?}");
    victim::assert_nothing_left(&running);
}
