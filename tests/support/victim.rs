//! A flow to kill: its script task starts a background child, writes both process ids and its
//! working folder to a marker file outside that folder, then waits for minutes. The tests that
//! stop runs (signals, an editor going away) read the marker to check that nothing is left.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The script task's language.
#[derive(Clone, Copy, Debug)]
pub enum Script {
    Shell,
    Python,
}

/// The flow: one script task that never ends by itself.
pub fn flow(script: Script, marker: &Path) -> String {
    let marker = marker.display();
    let task = match script {
        Script::Shell => format!(
            "  - id: work\n    type: io.kestra.plugin.scripts.shell.Commands\n    taskRunner:\n      type: io.kestra.plugin.core.runner.Process\n    commands:\n      - sleep 300 &\n      - echo \"$$ $! $(pwd)\" > '{marker}.tmp' && mv '{marker}.tmp' '{marker}'\n      - sleep 300\n"
        ),
        Script::Python => format!(
            "  - id: work\n    type: io.kestra.plugin.scripts.python.Script\n    taskRunner:\n      type: io.kestra.plugin.core.runner.Process\n    script: |\n      import os, subprocess, time\n      child = subprocess.Popen([\"sleep\", \"300\"])\n      with open(r\"{marker}.tmp\", \"w\") as f:\n          f.write(\"%d %d %s\" % (os.getpid(), child.pid, os.getcwd()))\n      os.replace(r\"{marker}.tmp\", r\"{marker}\")\n      time.sleep(300)\n"
        ),
    };
    format!("id: victim\nnamespace: t\ntasks:\n{task}")
}

/// What the running script wrote.
#[derive(Debug)]
pub struct Marker {
    pub pids: [u32; 2],
    pub workdir: PathBuf,
}

/// Waits (at most a minute) for the script to write the marker.
pub fn wait_marker(path: &Path) -> Marker {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            let mut parts = text.trim().splitn(3, ' ');
            let mut pid = || parts.next().and_then(|p| p.parse::<u32>().ok());
            let pids = [pid().expect("script pid"), pid().expect("child pid")];
            let workdir = PathBuf::from(parts.next().expect("working folder"));
            return Marker { pids, workdir };
        }
        assert!(Instant::now() < until, "the script never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether the process is gone (no entry, or a zombie nobody reaped yet: it runs nothing).
pub fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // `pid (comm) S …`: the state follows the last `)`.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

/// Asserts that the script, its child and its working folder are gone (killing is
/// asynchronous: a few seconds of grace).
pub fn assert_nothing_left(marker: &Marker) {
    let until = Instant::now() + Duration::from_secs(10);
    while marker.pids.iter().any(|&p| !gone(p)) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    for pid in marker.pids {
        assert!(gone(pid), "process {pid} of the run is still alive");
    }
    assert!(
        !marker.workdir.exists(),
        "work folder {} was left",
        marker.workdir.display()
    );
}

/// The execution records saved under `storage`.
pub fn records(storage: &Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let mut stack = vec![storage.join(".kflow-executions")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path).unwrap();
                out.push(serde_json::from_slice(&bytes).unwrap());
            }
        }
    }
    out
}

/// Asserts one record was saved, KILLED, with its script task KILLED too.
pub fn assert_killed_record(storage: &Path) {
    let records = records(storage);
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record["state"], "KILLED", "{record}");
    let task = record["taskRuns"]
        .as_array()
        .and_then(|runs| runs.iter().find(|r| r["taskId"] == "work"))
        .unwrap_or_else(|| panic!("no task run of `work`: {record}"));
    assert_eq!(task["state"], "KILLED", "{task}");
}
