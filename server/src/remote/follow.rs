//! `kflow run FLOW --server S`: deploy the flow (a new revision only when its source changed),
//! create an execution of that revision with the inputs (`multipart/form-data`, FILE inputs as
//! files), follow its state and logs through Kestra's server-sent events and print them as a
//! local run does (`run/human.rs`), or the server's execution with its logs as JSON. A dropped
//! stream is opened again: the execution stream sends the whole execution each time, so only
//! state changes not printed yet are printed; the log stream starts again from the first line,
//! so lines already printed are skipped (counted by content, so a line a task really logs twice
//! is printed twice). Once the execution ends, the logs so far (`GET logs/{id}`) fill in what
//! the stream had not delivered. SIGINT/SIGTERM/SIGHUP kill the execution on the server, which
//! is then followed to its end (KILLED).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kflow_engine::exec::Event;
use kflow_engine::record::State;
use kflow_engine::task::Level;
use kflow_syntax::Document;
use reqwest::Method;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::client::{ApiError, Client};
use super::deploy::{flow_key, put_flow, server_source};
use super::sse;
use super::target::{self, ServerArgs};
use crate::run::{display, RunFormat};

/// Consecutive failed attempts to open an event stream before the run is given up (the
/// execution goes on on the server).
const STREAM_ATTEMPTS: u32 = 20;
const STREAM_WAIT: Duration = Duration::from_millis(250);

/// What `kflow run --server` needs from the command line.
pub struct RemoteRun<'a> {
    pub flow_path: &'a Path,
    pub doc: Document,
    pub inputs: Vec<(String, String)>,
    pub server: &'a ServerArgs,
    pub outputs: Option<PathBuf>,
    pub format: RunFormat,
    pub color: bool,
}

pub async fn run(req: RemoteRun<'_>) -> u8 {
    match run_inner(req).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

async fn run_inner(req: RemoteRun<'_>) -> Result<u8, String> {
    let target = target::resolve(req.server, req.flow_path)?;
    let (namespace, id) = flow_key(&req.doc).ok_or("the flow needs an `id` and a `namespace`")?;
    let namespace = target.namespace(&namespace);
    let client = Client::connect(target).await.map_err(|e| e.message)?;
    let source = server_source(&req.doc, &namespace);
    let (status, revision) = put_flow(&client, &namespace, &id, &source)
        .await
        .map_err(|e| format!("cannot deploy {namespace}.{id}: {e}"))?;
    eprintln!(
        "{namespace}.{id}: {} on {} (Kestra {}){}",
        status.text(),
        client.target.url,
        client.version,
        revision
            .map(|r| format!(", revision {r}"))
            .unwrap_or_default()
    );
    let execution = create_execution(&client, &req, &namespace, &id, revision)
        .await
        .map_err(|e| format!("cannot start {namespace}.{id}: {e}"))?;
    let execution_id = execution
        .get("id")
        .and_then(Value::as_str)
        .ok_or("the server's execution has no id")?
        .to_string();
    eprintln!("execution {execution_id} created");

    let human = req.format == RunFormat::Human;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let color = req.color;
    let printer = tokio::spawn(async move {
        let mut p = crate::run::human::Printer { color };
        while let Some(e) = rx.recv().await {
            if human {
                p.event(&e);
            }
            if display::is_end(&e) {
                break;
            }
        }
    });
    let (cancel_tx, cancel_rx) = tokio::sync::watch::channel(false);
    let signals = crate::run::signals::watch(cancel_tx, None);
    let depths = task_depths(&req.doc);
    let client = Arc::new(client);
    let (log_tx, mut log_rx) = tokio::sync::mpsc::unbounded_channel();
    let logs = tokio::spawn(follow_logs(client.clone(), execution_id.clone(), log_tx));
    let mut merger = Merger {
        client: &client,
        execution_id: &execution_id,
        tx: &tx,
        depths: &depths,
        progress: Progress::default(),
        book: LogBook::default(),
        started: Default::default(),
        pending: Vec::new(),
        fetches: 0,
    };
    let followed = merger.follow(&mut log_rx, cancel_rx).await;
    logs.abort();
    let final_execution = match followed {
        Ok(e) => e,
        Err(e) => {
            signals.abort();
            drop(tx);
            let _ = printer.await;
            return Err(format!(
                "{e}; execution {execution_id} goes on on the server"
            ));
        }
    };
    // The lines still waiting or never delivered by the stream.
    while let Ok((pass, entry)) = log_rx.try_recv() {
        merger.on_log(pass, entry);
    }
    let all_logs = merger.finish().await;
    let state = state_of(&final_execution).unwrap_or(State::Failed);
    let _ = tx.send(Event::ExecutionEnded { state });
    drop(tx);
    let _ = printer.await;
    signals.abort();

    let outputs = match super::record::task_outputs(&client, &final_execution).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: the task outputs: {e}");
            Default::default()
        }
    };
    let mut saved = Vec::new();
    if let Some(dir) = &req.outputs {
        match download_outputs(&client, &execution_id, &outputs, dir).await {
            Ok(files) => saved = files,
            Err(e) => eprintln!("error: output files: {e}"),
        }
    }
    let record = super::record::record(&final_execution, &all_logs, &outputs);
    let mut out = std::io::stdout().lock();
    if human {
        crate::run::human::summary(&mut out, &record, color);
        for f in &saved {
            let _ = writeln!(out, "output file: {}", f.display());
        }
        let _ = writeln!(
            out,
            "server: {}/ui/{}/executions/{namespace}/{id}/{execution_id}",
            client.target.url, client.target.tenant
        );
    } else {
        let _ = serde_json::to_writer_pretty(&mut out, &record);
        let _ = writeln!(out);
    }
    let _ = out.flush();
    Ok(crate::run::exit_code(state))
}

/// `POST executions/{namespace}/{id}?revision=…` with the inputs as multipart parts: FILE
/// inputs (as the flow declares them) as files read from the path given, others as text.
async fn create_execution(
    client: &Client,
    req: &RemoteRun<'_>,
    namespace: &str,
    id: &str,
    revision: Option<u64>,
) -> Result<Value, ApiError> {
    let files = file_inputs(&req.doc);
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in &req.inputs {
        if files.contains(k) {
            let bytes = std::fs::read(v).map_err(|e| ApiError {
                status: None,
                message: format!("input {k}: {v}: {e}"),
            })?;
            let name = Path::new(v)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| k.clone());
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            form = form.part(k.clone(), part);
        } else {
            form = form.text(k.clone(), v.clone());
        }
    }
    let mut rb = client
        .request(Method::POST, client.url(&["executions", namespace, id]))
        .multipart(form);
    if let Some(r) = revision {
        rb = rb.query(&[("revision", r)]);
    }
    client.json(rb).await
}

/// The ids of the flow's inputs of type FILE.
fn file_inputs(doc: &Document) -> Vec<String> {
    let tree = &doc.tree;
    let Some(inputs) = tree.root.and_then(|r| tree.get_value(r, "inputs")) else {
        return Vec::new();
    };
    tree.items(tree.resolve(inputs))
        .into_iter()
        .flatten()
        .filter(|i| tree.get_str(**i, "type") == Some("FILE"))
        .filter_map(|i| tree.get_str(*i, "id").map(str::to_string))
        .collect()
}

/// Task id → nesting depth (0 for a task at the top), as the local run indents.
fn task_depths(doc: &Document) -> HashMap<String, usize> {
    let Some(flow) = &doc.flow else {
        return HashMap::new();
    };
    flow.tasks
        .iter()
        .filter_map(|t| Some((t.id.as_ref()?.name.clone(), t.depth)))
        .collect()
}

fn state_of(execution: &Value) -> Option<State> {
    let text = execution.pointer("/state/current")?.clone();
    serde_json::from_value(text).ok()
}

/// The task-run states printed so far: a snapshot of the execution prints only what is new.
#[derive(Default)]
struct Progress {
    printed: HashMap<String, usize>,
}

impl Progress {
    fn events(&mut self, execution: &Value, depths: &HashMap<String, usize>) -> Vec<Event> {
        let mut out = Vec::new();
        for run in execution
            .get("taskRunList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(run_id), Some(task_id)) = (
                run.get("id").and_then(Value::as_str),
                run.get("taskId").and_then(Value::as_str),
            ) else {
                continue;
            };
            let histories: Vec<State> = run
                .pointer("/state/histories")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|h| serde_json::from_value(h.get("state")?.clone()).ok())
                .collect();
            let done = self.printed.entry(run_id.to_string()).or_default();
            let depth = depths.get(task_id).copied().unwrap_or(0);
            let value = run.get("value").and_then(Value::as_str).map(str::to_string);
            for (n, state) in histories.iter().enumerate().skip(*done) {
                if *state == State::Created {
                    continue;
                }
                let last = n + 1 == histories.len();
                let duration = (last && state.is_terminal())
                    .then(|| run.pointer("/state/duration").and_then(Value::as_str))
                    .flatten()
                    .and_then(|d| kflow_java::duration::JavaDuration::parse(d).ok())
                    .and_then(|d| d.to_std());
                out.push(Event::StateChanged {
                    task_run_id: run_id.to_string(),
                    task_id: task_id.to_string(),
                    depth,
                    value: value.clone(),
                    state: *state,
                    duration,
                    message: None,
                });
            }
            *done = histories.len();
        }
        out
    }
}

/// Log entries from the log stream, with the number of the connection that brought them.
type StreamedLog = (usize, Value);

/// Fetches of the logs so far count their lines apart from the stream's connections.
const FETCH_PASSES: usize = 1 << 40;

/// Puts the two streams in the order a local run prints: a task run's log lines after its
/// start and before its end. Lines of a task run not started yet wait; when a task run ends,
/// the logs so far are fetched first, so its lines the stream has not delivered yet are printed
/// before its end.
struct Merger<'a> {
    client: &'a Client,
    execution_id: &'a str,
    tx: &'a UnboundedSender<Event>,
    depths: &'a HashMap<String, usize>,
    progress: Progress,
    book: LogBook,
    started: std::collections::HashSet<String>,
    pending: Vec<StreamedLog>,
    fetches: usize,
}

impl<'a> Merger<'a> {
    fn emit_log(&mut self, pass: usize, entry: &Value) {
        if let Some(e) = self.book.admit(pass, entry, self.depths) {
            let _ = self.tx.send(e);
        }
    }

    fn on_log(&mut self, pass: usize, entry: Value) {
        match entry.get("taskRunId").and_then(Value::as_str) {
            Some(run) if !self.started.contains(run) => self.pending.push((pass, entry)),
            _ => self.emit_log(pass, &entry),
        }
    }

    /// Prints the lines of the logs so far not printed yet: of one task run, or all. Returns
    /// the logs so far (none when they cannot be read).
    async fn fill_in(&mut self, run: Option<&str>) -> Value {
        let rb = self
            .client
            .request(Method::GET, self.client.url(&["logs", self.execution_id]));
        let Ok(all) = self.client.json(rb).await else {
            return Value::Array(Vec::new());
        };
        self.fetches += 1;
        let pass = FETCH_PASSES + self.fetches;
        for entry in all.as_array().into_iter().flatten() {
            if run.is_none() || entry.get("taskRunId").and_then(Value::as_str) == run {
                self.emit_log(pass, entry);
            }
        }
        all
    }

    async fn on_execution(&mut self, execution: &Value) {
        for event in self.progress.events(execution, self.depths) {
            if let Event::StateChanged {
                task_run_id, state, ..
            } = &event
            {
                let run = task_run_id.clone();
                if state.is_terminal() {
                    self.fill_in(Some(&run)).await;
                }
                let _ = self.tx.send(event);
                if self.started.insert(run.clone()) {
                    let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
                        .into_iter()
                        .partition(|(_, e)| {
                            e.get("taskRunId").and_then(Value::as_str) == Some(&run)
                        });
                    self.pending = later;
                    for (pass, entry) in now {
                        self.emit_log(pass, &entry);
                    }
                }
            }
        }
    }

    /// After the end: what is still waiting, then whatever the stream never delivered.
    /// Returns every log line of the execution.
    async fn finish(&mut self) -> Value {
        for (pass, entry) in std::mem::take(&mut self.pending) {
            self.emit_log(pass, &entry);
        }
        self.fill_in(None).await
    }

    /// Follows the execution until it ends, through reconnections, with the log lines of
    /// `logs`; kills it on the server when `cancel` is set. Returns its last state.
    async fn follow(
        &mut self,
        logs: &mut tokio::sync::mpsc::UnboundedReceiver<StreamedLog>,
        mut cancel: tokio::sync::watch::Receiver<bool>,
    ) -> Result<Value, String> {
        let client = self.client;
        let mut failures = 0;
        let mut killed = false;
        let mut last_error = String::new();
        let url = client.url(&["executions", self.execution_id, "follow"]);
        loop {
            if failures >= STREAM_ATTEMPTS {
                return Err(format!("lost the execution's event stream: {last_error}"));
            }
            let opened = sse::open(client, url.clone()).await;
            let mut response = match opened {
                Ok(r) => r,
                Err(e) if e.status.is_some_and(|s| s < 500) => return Err(e.message),
                Err(e) => {
                    failures += 1;
                    last_error = e.message;
                    tokio::time::sleep(STREAM_WAIT).await;
                    continue;
                }
            };
            let mut parser = sse::Parser::default();
            loop {
                tokio::select! {
                    changed = cancel.changed(), if !killed => {
                        if changed.is_ok() && *cancel.borrow() {
                            killed = true;
                            kill(client, self.execution_id).await;
                        }
                    }
                    Some((pass, entry)) = logs.recv() => self.on_log(pass, entry),
                    next = sse::next(&mut response, &mut parser) => match next {
                        Ok(Some(events)) => {
                            failures = 0;
                            for event in events {
                                let Ok(execution) = serde_json::from_str::<Value>(&event.data) else {
                                    continue;
                                };
                                self.on_execution(&execution).await;
                                if event.id == "end" || state_of(&execution).is_some_and(State::is_terminal) {
                                    return Ok(execution);
                                }
                            }
                        }
                        Ok(None) => {
                            last_error = "the server closed it".into();
                            break;
                        }
                        Err(e) => {
                            last_error = e.to_string();
                            break;
                        }
                    },
                }
            }
            failures += 1;
            tokio::time::sleep(STREAM_WAIT).await;
        }
    }
}

async fn kill(client: &Client, execution_id: &str) {
    let rb = client.request(Method::DELETE, client.url(&client.line.kill(execution_id)));
    match client.send(rb).await {
        Ok(_) => {}
        // Already finished: the stream says how.
        Err(e) if e.status == Some(409) => {}
        Err(e) => eprintln!("error: cannot kill execution {execution_id}: {e}"),
    }
}

/// The log lines printed so far, counted by content, and how often each pass over the logs
/// (a connection of the stream, which starts from the first line again; a fetch) met each: a
/// line is printed when a pass meets it more often than it was printed.
#[derive(Default)]
struct LogBook {
    printed: HashMap<String, usize>,
    passes: HashMap<usize, HashMap<String, usize>>,
}

impl LogBook {
    /// The event for a log entry, unless it was printed already.
    fn admit(
        &mut self,
        pass: usize,
        entry: &Value,
        depths: &HashMap<String, usize>,
    ) -> Option<Event> {
        let field = |k: &str| entry.get(k).map(|v| v.to_string()).unwrap_or_default();
        let key = [
            "timestamp",
            "taskRunId",
            "attemptNumber",
            "level",
            "message",
        ]
        .map(field)
        .join("\u{1f}");
        let seen = self
            .passes
            .entry(pass)
            .or_default()
            .entry(key.clone())
            .or_default();
        *seen += 1;
        let printed = self.printed.entry(key).or_default();
        if *seen <= *printed {
            return None;
        }
        *printed += 1;
        let task_id = entry
            .get("taskId")
            .and_then(Value::as_str)
            .map(str::to_string);
        let depth = task_id
            .as_deref()
            .and_then(|t| depths.get(t))
            .copied()
            .unwrap_or(0);
        let level = entry
            .get("level")
            .and_then(Value::as_str)
            .and_then(Level::parse)
            .unwrap_or(Level::Info);
        Some(Event::Log {
            task_id,
            depth,
            level,
            message: entry
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
    }
}

/// Follows the log stream, opening it again when it drops, until aborted; each line goes to
/// `tx` with the number of its connection.
async fn follow_logs(client: Arc<Client>, execution_id: String, tx: UnboundedSender<StreamedLog>) {
    let url = client.url(&["logs", &execution_id, "follow"]);
    for pass in 0.. {
        let opened = sse::open(&client, url.clone()).await;
        if let Ok(mut response) = opened {
            let mut parser = sse::Parser::default();
            while let Ok(Some(events)) = sse::next(&mut response, &mut parser).await {
                for event in events {
                    let Ok(entry) = serde_json::from_str::<Value>(&event.data) else {
                        continue;
                    };
                    // A heartbeat has no message.
                    if entry.get("message").is_some() && tx.send((pass, entry)).is_err() {
                        return;
                    }
                }
            }
        }
        tokio::time::sleep(STREAM_WAIT).await;
    }
}

/// Downloads the execution's output files (`kestra://` URIs among its task runs' outputs) into
/// `dir/<task id>/<file name>`.
async fn download_outputs(
    client: &Client,
    id: &str,
    outputs: &HashMap<String, (String, Value)>,
    dir: &Path,
) -> Result<Vec<PathBuf>, String> {
    let mut uris: Vec<(String, String)> = Vec::new();
    for (task, value) in outputs.values() {
        collect_uris(value, task, &mut uris);
    }
    // Same order whatever the map's.
    uris.sort();
    let mut saved = Vec::new();
    for (task, uri) in uris {
        let rb = client
            .request(Method::GET, client.url(&["executions", id, "file"]))
            .query(&[("path", uri.as_str())]);
        let bytes = client
            .send(rb)
            .await
            .map_err(|e| e.message)?
            .bytes()
            .await
            .map_err(|e| e.to_string())?;
        let name = uri
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty())
            .unwrap_or("file");
        let folder = dir.join(safe_name(&task));
        std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let path = folder.join(safe_name(name));
        std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        saved.push(path);
    }
    Ok(saved)
}

/// A path component from the server, never `..` or a path.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c == '/' || c == '\\' { '_' } else { c })
        .collect();
    match cleaned.as_str() {
        "" | "." | ".." => "_".into(),
        _ => cleaned,
    }
}

fn collect_uris(value: &Value, task: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) if s.starts_with("kestra://") => out.push((task.to_string(), s.clone())),
        Value::Array(items) => items.iter().for_each(|v| collect_uris(v, task, out)),
        Value::Object(map) => map.values().for_each(|v| collect_uris(v, task, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(message: &str) -> Value {
        serde_json::json!({"timestamp": "t", "taskRunId": "r", "taskId": "a", "level": "INFO", "message": message})
    }

    #[test]
    fn a_replayed_stream_prints_only_new_lines_and_true_repeats_twice() {
        let depths = HashMap::new();
        let mut book = LogBook::default();
        assert!(book.admit(0, &entry("one"), &depths).is_some());
        assert!(book.admit(0, &entry("two"), &depths).is_some());
        // Reconnected: the stream starts again from the first line.
        assert!(book.admit(1, &entry("one"), &depths).is_none());
        assert!(book.admit(1, &entry("two"), &depths).is_none());
        assert!(book.admit(1, &entry("two"), &depths).is_some()); // logged twice
        assert!(book.admit(1, &entry("three"), &depths).is_some());
        // A fetch of the logs so far finds nothing new.
        for line in ["one", "two", "two", "three"] {
            assert!(book.admit(FETCH_PASSES, &entry(line), &depths).is_none());
        }
    }

    #[test]
    fn snapshots_print_each_state_once() {
        let depths = HashMap::new();
        let mut p = Progress::default();
        let snap = |states: &[&str]| {
            let h: Vec<Value> = states
                .iter()
                .map(|s| serde_json::json!({"state": s}))
                .collect();
            serde_json::json!({"taskRunList": [{"id": "r", "taskId": "a", "state": {"current": states.last(), "histories": h, "duration": "PT0.5S"}}]})
        };
        assert_eq!(p.events(&snap(&["CREATED", "RUNNING"]), &depths).len(), 1);
        assert_eq!(p.events(&snap(&["CREATED", "RUNNING"]), &depths).len(), 0);
        let end = p.events(&snap(&["CREATED", "RUNNING", "SUCCESS"]), &depths);
        assert!(matches!(
            &end[..],
            [Event::StateChanged { state: State::Success, duration: Some(d), .. }] if d.as_millis() == 500
        ));
    }
}
