//! A small LSP client for the tests and the bench: Content-Length framing over the pipes of a
//! `kflow lsp` child process, with every wait bounded by a deadline.

#![allow(dead_code)] // Each user (tests, bench) needs a part.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any single wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    /// `None` once the client hung up ([`Client::disconnect`]).
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for something else.
    pub queue: VecDeque<Value>,
    next_id: i64,
}

/// Writes one framed message.
pub fn write_frame(out: &mut impl Write, body: &[u8]) {
    let head = format!("Content-Length: {}\r\n\r\n", body.len());
    out.write_all(head.as_bytes())
        .and_then(|_| out.write_all(body))
        .and_then(|_| out.flush())
        .expect("write to kflow lsp");
}

fn read_frame(input: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    input.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    /// Starts `kflow lsp` with extra arguments.
    pub fn start(args: &[&str]) -> Client {
        let mut child = crate::support::kflow()
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kflow lsp starts");
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = mpsc::channel();
        let replies = stdin.clone();
        std::thread::spawn(move || {
            while let Some(msg) = read_frame(&mut stdout) {
                // Server-to-client requests (capability registration, refresh) get an empty answer.
                if msg.get("method").is_some() && msg.get("id").is_some() {
                    let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": null});
                    if let Some(w) = replies.lock().ok().as_mut().and_then(|w| w.as_mut()) {
                        write_frame(w, reply.to_string().as_bytes());
                    }
                }
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            queue: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Starts the server and goes through `initialize`/`initialized`.
    pub fn initialized(capabilities: Value, options: Value, root: Option<&Path>) -> Client {
        let mut c = Client::start(&[]);
        let root_uri = root.map(uri);
        let folders = root.map(|r| json!([{"uri": uri(r), "name": "root"}]));
        let result = c.request(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "workspaceFolders": folders, "capabilities": capabilities, "initializationOptions": options}),
        );
        assert!(
            result.get("result").is_some(),
            "initialize failed: {result}"
        );
        c.notify("initialized", json!({}));
        c
    }

    pub fn send_raw(&self, bytes: &[u8]) {
        let mut w = self.stdin.lock().unwrap();
        let w = w.as_mut().expect("the client is connected");
        w.write_all(bytes)
            .and_then(|_| w.flush())
            .expect("write to kflow lsp");
    }

    pub fn send(&self, msg: &Value) {
        let mut w = self.stdin.lock().unwrap();
        write_frame(
            w.as_mut().expect("the client is connected"),
            msg.to_string().as_bytes(),
        );
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(&json!(id))
    }

    /// The result of a request, failing the test on an error response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// Waits for the response to request `id`.
    pub fn response(&mut self, id: &Value) -> Value {
        self.next(
            |m| m.get("method").is_none() && &m["id"] == id,
            "a response",
        )
    }

    /// Waits for a message matching `pred`; others are queued (notifications) or dropped.
    pub fn next(&mut self, pred: impl Fn(&Value) -> bool, what: &str) -> Value {
        if let Some(i) = self.queue.iter().position(&pred) {
            return self.queue.remove(i).unwrap();
        }
        let until = Instant::now() + DEADLINE;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => {
                    if msg.get("method").is_some() {
                        self.queue.push_back(msg);
                    }
                }
                Err(RecvTimeoutError::Timeout) => panic!("no {what} within {DEADLINE:?}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("kflow lsp closed its output while waiting for {what}")
                }
            }
        }
    }

    /// The next `publishDiagnostics` for `uri` (at `version`, when given).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let msg = self.next(
            |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && version.is_none_or(|v| m["params"]["version"] == v)
            },
            "publishDiagnostics",
        );
        msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    /// `shutdown` then `exit`; the process must end by itself.
    pub fn shutdown(mut self) -> ExitStatus {
        self.call("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let until = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < until,
                "kflow lsp did not exit within {DEADLINE:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Client {
    /// Closes the server's input without `shutdown`/`exit`, as a crashed editor does.
    pub fn disconnect(&mut self) {
        self.stdin.lock().unwrap().take();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap();
    format!("file://{}", abs.display())
}

/// The LSP position (UTF-16) of byte `offset` in `text`.
pub fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..offset].encode_utf16().count();
    json!({"line": line, "character": character})
}

/// The position of the `nth` byte of the first occurrence of `needle`.
pub fn at(text: &str, needle: &str, nth: usize) -> Value {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    position(text, i + nth)
}

/// Byte offset of an LSP position, as the client computes it.
pub fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let start = start.min(text.len());
    let line_text = text[start..].split('\n').next().unwrap_or("");
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= character {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + line_text.len()
}

/// Applies LSP text edits (`[{range, newText}]`) to `text`, last first.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

pub fn shared() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("KFLOW_SHARED") {
        return p.into();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

pub fn example(rel: &str) -> (String, String) {
    let path = shared().join("examples").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (uri(&path), text)
}

/// A client with default capabilities, no workspace.
pub fn plain() -> Client {
    Client::initialized(json!({}), json!({}), None)
}
