//! A tiny HTTP/1.1 server on a thread, plus helpers to run the binary with a deadline.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Server {
    pub base: String,
}

fn respond(mut s: TcpStream, status: u16, ctype: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(body);
    let _ = s.flush();
}

pub const ORDERS_CSV: &str = "order_id,customer,total\n1,Ann,10.5\n2,Bob,3\n3,\"Carl, Jr\",7.25\n";

fn products(skip: usize, limit: usize) -> String {
    let total = 25;
    let items: Vec<String> = (skip..(skip + limit).min(total))
        .map(|i| format!("{{\"id\":{},\"title\":\"Product {}\"}}", i + 1, i + 1))
        .collect();
    format!(
        "{{\"products\":[{}],\"total\":{total},\"skip\":{skip},\"limit\":{limit}}}",
        items.join(",")
    )
}

fn param(target: &str, name: &str) -> Option<usize> {
    let q = target.split_once('?')?.1;
    q.split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}="))?.parse().ok())
}

fn handle(s: TcpStream, flaky: &AtomicUsize) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match s.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
    }
    let path = target.split('?').next().unwrap_or("");
    match path {
        "/orders.csv" => respond(s, 200, "text/csv", ORDERS_CSV.as_bytes()),
        "/products" => {
            let skip = param(&target, "skip").unwrap_or(0);
            let limit = param(&target, "limit").unwrap_or(30);
            respond(s, 200, "application/json", products(skip, limit).as_bytes())
        }
        "/flaky" => {
            if flaky.fetch_add(1, Ordering::SeqCst) < 2 {
                respond(s, 503, "text/plain", b"try again")
            } else {
                respond(s, 200, "text/plain", b"recovered")
            }
        }
        "/boom" => respond(s, 500, "text/plain", b"internal error"),
        "/stall" => {
            let mut s = s;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab");
            let _ = s.flush();
            std::thread::sleep(Duration::from_secs(20));
        }
        "/reset" => {
            let mut s = s;
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
            let _ = s.write_all(&[b'x'; 1000]);
            let _ = s.flush();
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        _ => respond(s, 404, "text/plain", b"not found"),
    }
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let flaky = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for s in listener.incoming().flatten() {
                let flaky = flaky.clone();
                std::thread::spawn(move || handle(s, &flaky));
            }
        });
        Server {
            base: format!("http://{addr}"),
        }
    }
}

pub use crate::support::TempDir;

/// Runs `kflow` with a deadline (a hang guard, not a speed check).
pub fn kflow(args: &[&str], envs: &[(&str, &str)], deadline: Duration) -> Output {
    let mut cmd = crate::support::kflow();
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn kflow");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "kflow {args:?} did not finish within {deadline:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Writes `flow` in `dir` and runs it with `--format json`; returns (exit code, record, stderr).
pub fn run_json(
    dir: &Path,
    flow: &str,
    extra: &[&str],
    envs: &[(&str, &str)],
) -> (i32, serde_json::Value, String) {
    let path = dir.join("flow.yaml");
    std::fs::write(&path, flow).expect("write flow");
    let storage = dir.join("storage");
    let mut args = vec![
        "run",
        path.to_str().expect("utf-8 path"),
        "--storage",
        storage.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = kflow(&args, envs, Duration::from_secs(240));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let record = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), record, stderr)
}

pub fn task_state<'a>(record: &'a serde_json::Value, task: &str) -> Vec<&'a str> {
    record["taskRuns"]
        .as_array()
        .map(|runs| {
            runs.iter()
                .filter(|r| r["taskId"] == task)
                .filter_map(|r| r["state"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

pub fn outputs<'a>(record: &'a serde_json::Value, task: &str) -> &'a serde_json::Value {
    record["taskRuns"]
        .as_array()
        .and_then(|runs| runs.iter().find(|r| r["taskId"] == task))
        .map(|r| &r["outputs"])
        .unwrap_or(&serde_json::Value::Null)
}

pub fn logs(record: &serde_json::Value) -> Vec<String> {
    record["logs"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|e| e["message"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `kestra:///a/b` → the file under the storage folder.
pub fn storage_file(dir: &Path, uri: &str) -> PathBuf {
    dir.join("storage")
        .join(uri.trim_start_matches("kestra:///"))
}
