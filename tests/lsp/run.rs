//! Running flows from the editor: the "▶ Run flow" code lens, `kflow.runFlow` (progress, log
//! lines, the execution record as the result), `kflow.cancelRun`, and lint errors refused.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::{json, Value};

use crate::client::{uri, Client};
use crate::support::victim::{self, Script};
use crate::support::TempDir;

/// A tiny HTTP server on 127.0.0.1 answering every request with a small CSV; returns its base
/// URL.
fn http_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(s.try_clone().unwrap());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                let body = "order_id,total\n1,10.5\n2,3\n";
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.flush();
            });
        }
    });
    base
}

/// A client that shows server-initiated progress, with `text` open as `flow.yaml` in `dir`.
fn open_flow(dir: &TempDir, text: &str) -> (Client, String) {
    let path = dir.0.join("flow.yaml");
    std::fs::write(&path, text).unwrap();
    let c = Client::initialized(
        json!({"window": {"workDoneProgress": true}}),
        json!({}),
        None,
    );
    let u = uri(&path);
    c.open(&u, text);
    (c, u)
}

fn run_flow(c: &mut Client, u: &str, inputs: Value) -> i64 {
    c.send_request(
        "workspace/executeCommand",
        json!({"command": "kflow.runFlow", "arguments": [{"uri": u, "inputs": inputs}]}),
    )
}

#[test]
fn advertises_the_commands_and_the_lens() {
    let mut c = Client::start(&[]);
    let init = c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let commands = &init["capabilities"]["executeCommandProvider"]["commands"];
    assert!(
        commands
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == "kflow.runFlow")
                && a.iter().any(|v| v == "kflow.cancelRun")),
        "{init}"
    );
    assert!(
        init["capabilities"]["codeLensProvider"].is_object(),
        "{init}"
    );
}

#[test]
fn runs_a_flow_with_progress_and_logs() {
    let base = http_server();
    let dir = TempDir::new("ok");
    let text = format!(
        "id: lsp_run\nnamespace: t\ninputs:\n  - id: who\n    type: STRING\ntasks:\n  - id: dl\n    type: io.kestra.plugin.core.http.Download\n    uri: {base}/orders.csv\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: \"hello {{{{ inputs.who }}}}\"\n"
    );
    let (mut c, u) = open_flow(&dir, &text);

    let lenses = c.call("textDocument/codeLens", json!({"textDocument": {"uri": u}}));
    let lens = &lenses[0];
    assert_eq!(lens["command"]["command"], "kflow.runFlow", "{lenses}");
    assert_eq!(lens["command"]["title"], "▶ Run flow", "{lenses}");
    assert_eq!(
        lens["command"]["arguments"],
        json!([{"uri": u}]),
        "{lenses}"
    );
    assert_eq!(lens["range"]["start"], json!({"line": 0, "character": 4}));

    let id = run_flow(&mut c, &u, json!({"who": "lsp"}));
    // The message loop keeps serving during the run.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    assert!(symbols.get("result").is_some(), "{symbols}");
    let response = c.response(&json!(id));
    let record = &response["result"];
    assert_eq!(record["state"], "SUCCESS", "{response}");
    assert_eq!(record["flowId"], "lsp_run", "{record}");

    let logs: Vec<String> = c
        .queue
        .iter()
        .filter(|m| m["method"] == "window/logMessage")
        .filter_map(|m| m["params"]["message"].as_str().map(str::to_string))
        .collect();
    assert!(logs.iter().any(|l| l.contains("hello lsp")), "{logs:?}");
    assert!(
        c.queue
            .iter()
            .any(|m| m["method"] == "window/workDoneProgress/create"),
        "{:?}",
        c.queue
    );
    let progress: Vec<&Value> = c
        .queue
        .iter()
        .filter(|m| m["method"] == "$/progress")
        .collect();
    let kinds: Vec<&str> = progress
        .iter()
        .filter_map(|m| m["params"]["value"]["kind"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"begin"), "{progress:?}");
    assert_eq!(kinds.last(), Some(&"end"), "{progress:?}");
    assert!(kinds.contains(&"report"), "{progress:?}");
    assert!(
        c.queue.iter().any(|m| m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("SUCCESS"))),
        "{:?}",
        c.queue
    );
    // The record is saved under `.kflow/` beside the flow.
    assert!(dir.0.join(".kflow").is_dir());
    assert!(c.shutdown().success());
}

#[test]
fn cancel_kills_the_run() {
    let dir = TempDir::new("cancel");
    let text = "id: sleepy\nnamespace: t\ntasks:\n  - id: nap\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT30S\n";
    let (mut c, u) = open_flow(&dir, text);
    let id = run_flow(&mut c, &u, json!({}));
    // Wait until the task runs, then cancel.
    c.next(
        |m| {
            m["method"] == "$/progress"
                && m["params"]["value"]["message"]
                    .as_str()
                    .is_some_and(|s| s.contains("RUNNING"))
        },
        "the task running",
    );
    let cancelled = c.call(
        "workspace/executeCommand",
        json!({"command": "kflow.cancelRun", "arguments": [{"uri": u}]}),
    );
    assert_eq!(cancelled["cancelled"], true, "{cancelled}");
    let response = c.response(&json!(id));
    assert_eq!(response["result"]["state"], "KILLED", "{response}");
    assert!(c.shutdown().success());
}

#[test]
fn lint_errors_refuse_the_run() {
    let dir = TempDir::new("lint");
    let text = "id: broken\nnamespace: t\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: again\n";
    let (mut c, u) = open_flow(&dir, text);
    let id = run_flow(&mut c, &u, json!({}));
    let response = c.response(&json!(id));
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("duplicate-id"), "{response}");
    assert!(!dir.0.join(".kflow").exists());
    assert!(c.shutdown().success());
}

/// Starts the victim flow from the editor and waits until its script runs.
fn start_victim(dir: &TempDir, script: Script) -> (Client, victim::Marker) {
    let marker = dir.0.join("marker");
    let (mut c, u) = open_flow(dir, &victim::flow(script, &marker));
    run_flow(&mut c, &u, json!({}));
    let running = victim::wait_marker(&marker);
    (c, running)
}

#[test]
fn a_client_going_away_kills_its_runs() {
    let dir = TempDir::new("disconnect");
    let (mut c, running) = start_victim(&dir, Script::Shell);
    c.disconnect();
    let status = c.wait_exit();
    assert_eq!(status.code(), Some(1), "no shutdown: exit code 1");
    victim::assert_killed_record(&dir.0.join(".kflow"));
    victim::assert_nothing_left(&running);
}

#[test]
fn shutdown_kills_runs_and_saves_their_records() {
    let dir = TempDir::new("shutdown");
    let (c, running) = start_victim(&dir, Script::Python);
    assert!(c.shutdown().success());
    victim::assert_killed_record(&dir.0.join(".kflow"));
    victim::assert_nothing_left(&running);
}
