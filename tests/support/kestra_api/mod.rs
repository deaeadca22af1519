//! A stand-in for a Kestra server's API, for the tests of `kflow deploy`, `kflow run --server`
//! and `kflow lint --server`. It is not Kestra: it follows Kestra's published OpenAPI
//! specifications (the operation tables `operations-1.3.txt` and `operations-2.0.txt`, written
//! from kestra-io/client-sdk's `kestra-ee.yml` by `tools/kestra-api/extract.py`) and answers
//! the operations kflow uses as the specification describes them. Every request is checked
//! against the table of the line it plays (method, path, request content type, credentials); a
//! request the specification does not have is answered 400 and recorded, and each test asserts
//! there were none.
//!
//! It keeps flows with their revisions, executions with real state transitions
//! (CREATED → RUNNING → SUCCESS / FAILED, KILLING → KILLED) driven by a clock thread, their log
//! lines and output files, namespace files; it streams server-sent events; and it injects
//! faults on demand: an HTTP status (401, 404, 409, 5xx), a dropped event stream, a slow answer.
//!
//! The tasks it "runs" are a handful, by type: `…Log` logs its `message` (with
//! `{{ inputs.NAME }}` replaced), `…Fail` logs its `errorMessage` ("Task failure") at ERROR
//! and fails, `…Sleep` runs until killed, `…storage.Write`
//! outputs a file (`uri`) with its `content`; any other task succeeds. Its validation knows the
//! `io.kestra.` plugins and one custom plugin, `com.acme.Custom`, which needs `endpoint`.

// Each test binary and the editor suites' program use a part of it.
#![allow(dead_code)]

mod http;

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use http::Request;

/// The credentials the server accepts.
pub const USER: &str = "admin@kestra.io";
pub const PASSWORD: &str = "Kestra-2025";
pub const TOKEN: &str = "test-api-token";

/// The API line the server plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    V1_3,
    V2_0,
}

impl Line {
    fn version(self) -> &'static str {
        match self {
            Line::V1_3 => "1.3.26",
            Line::V2_0 => "2.0.0-SNAPSHOT",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Line::V1_3 => include_str!("operations-1.3.txt"),
            Line::V2_0 => include_str!("operations-2.0.txt"),
        }
    }
}

/// One operation of the specification.
struct Operation {
    method: String,
    path: Vec<String>,
    content_types: Vec<String>,
    auth: bool,
}

fn operations(line: Line) -> Vec<Operation> {
    line.table()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            Operation {
                method: f[0].to_string(),
                path: f[1]
                    .trim_start_matches('/')
                    .split('/')
                    .map(str::to_string)
                    .collect(),
                content_types: if f[2] == "-" {
                    Vec::new()
                } else {
                    f[2].split(',').map(str::to_string).collect()
                },
                auth: f[3] == "auth",
            }
        })
        .collect()
}

/// A fault to inject into the next matching requests.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer `status` to requests with `method` whose path contains `path`.
    Status {
        method: &'static str,
        path: &'static str,
        status: u16,
    },
    /// Close an event stream whose path contains `path` after `after` events.
    DropStream { path: &'static str, after: usize },
    /// Wait `delay` before answering requests with `method` whose path contains `path`.
    Slow {
        method: &'static str,
        path: &'static str,
        delay: Duration,
    },
}

struct Flow {
    namespace: String,
    id: String,
    /// Every revision's source; the last is current.
    revisions: Vec<String>,
}

struct TaskRun {
    id: String,
    task_id: String,
    histories: Vec<&'static str>,
    outputs: Value,
}

/// What a task does on the clock's ticks.
#[derive(Clone)]
enum Plan {
    Log(String),
    Fail(String),
    Sleep,
    Write(String),
    Succeed,
}

struct Execution {
    id: String,
    namespace: String,
    flow_id: String,
    revision: usize,
    inputs: BTreeMap<String, Value>,
    histories: Vec<&'static str>,
    plan: Vec<(String, Plan)>,
    task_runs: Vec<TaskRun>,
    logs: Vec<Value>,
    kill: bool,
    /// Bumped on every change, so streams send what changed.
    changes: usize,
}

impl Execution {
    fn state(&self) -> &'static str {
        self.histories.last().copied().unwrap_or("CREATED")
    }

    fn ended(&self) -> bool {
        matches!(self.state(), "SUCCESS" | "WARNING" | "FAILED" | "KILLED")
    }
}

#[derive(Default)]
struct State {
    flows: Vec<Flow>,
    executions: Vec<Execution>,
    faults: VecDeque<Fault>,
    /// `METHOD path` of every request answered, in order.
    requests: Vec<String>,
    /// Requests the specification does not have, with why.
    violations: Vec<String>,
    namespace_files: BTreeMap<(String, String), Vec<u8>>,
    /// `kestra://` URI → content.
    files: BTreeMap<String, Vec<u8>>,
    next_id: usize,
}

struct Shared {
    line: Line,
    operations: Vec<Operation>,
    state: Mutex<State>,
    changed: Condvar,
}

/// A running stand-in server on 127.0.0.1; it stops with the test process.
pub struct KestraApi {
    pub url: String,
    shared: Arc<Shared>,
}

impl KestraApi {
    pub fn start(line: Line) -> KestraApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            line,
            operations: operations(line),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let s = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = s.clone();
                thread::spawn(move || serve(&s, stream));
            }
        });
        let s = shared.clone();
        thread::spawn(move || loop {
            thread::sleep(Duration::from_millis(15));
            tick(&s);
        });
        KestraApi { url, shared }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a fault for the next matching request (or stream).
    pub fn inject(&self, fault: Fault) {
        self.state().faults.push_back(fault);
    }

    /// The requests answered so far, `METHOD path`.
    pub fn requests(&self) -> Vec<String> {
        self.state().requests.clone()
    }

    /// Requests the specification does not have.
    pub fn violations(&self) -> Vec<String> {
        self.state().violations.clone()
    }

    /// The current source and revision count of a flow.
    pub fn flow(&self, namespace: &str, id: &str) -> Option<(String, usize)> {
        self.state()
            .flows
            .iter()
            .find(|f| f.namespace == namespace && f.id == id)
            .map(|f| {
                (
                    f.revisions.last().cloned().unwrap_or_default(),
                    f.revisions.len(),
                )
            })
    }

    /// Ids of the flows of a namespace, sorted.
    pub fn flow_ids(&self, namespace: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .state()
            .flows
            .iter()
            .filter(|f| f.namespace == namespace)
            .map(|f| f.id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// Adds a flow as if deployed before.
    pub fn add_flow(&self, namespace: &str, id: &str, source: &str) {
        self.state().flows.push(Flow {
            namespace: namespace.into(),
            id: id.into(),
            revisions: vec![source.into()],
        });
    }

    /// The state of every execution (in creation order) and their inputs.
    pub fn executions(&self) -> Vec<(String, BTreeMap<String, Value>)> {
        self.state()
            .executions
            .iter()
            .map(|e| (e.state().to_string(), e.inputs.clone()))
            .collect()
    }

    /// A stored file's content (`kestra://` URI of an input, say).
    pub fn file(&self, uri: &str) -> Option<Vec<u8>> {
        self.state().files.get(uri).cloned()
    }

    pub fn namespace_file(&self, namespace: &str, path: &str) -> Option<Vec<u8>> {
        self.state()
            .namespace_files
            .get(&(namespace.to_string(), path.to_string()))
            .cloned()
    }
}

/// Advances every execution one step.
fn tick(shared: &Shared) {
    let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
    let mut any = false;
    let mut new_files = Vec::new();
    for e in st.executions.iter_mut().filter(|e| !e.ended()) {
        any = true;
        e.changes += 1;
        if e.state() == "CREATED" {
            e.histories.push("RUNNING");
            continue;
        }
        if e.kill {
            for run in &mut e.task_runs {
                if !matches!(
                    run.histories.last(),
                    Some(&("SUCCESS" | "FAILED" | "KILLED"))
                ) {
                    run.histories.push("KILLED");
                }
            }
            if e.state() == "KILLING" {
                e.histories.push("KILLED");
            } else {
                e.histories.push("KILLING");
            }
            continue;
        }
        // The current task run: the last one, unless it has ended.
        let current = e
            .task_runs
            .last()
            .filter(|r| !matches!(r.histories.last(), Some(&("SUCCESS" | "FAILED" | "KILLED"))));
        if current.is_none() {
            let last_failed = e
                .task_runs
                .last()
                .is_some_and(|r| r.histories.last() == Some(&"FAILED"));
            let next = e.task_runs.len();
            if last_failed || next == e.plan.len() {
                e.histories
                    .push(if last_failed { "FAILED" } else { "SUCCESS" });
                continue;
            }
            let task_id = e.plan[next].0.clone();
            e.task_runs.push(TaskRun {
                id: format!("{}-run{next}", e.id),
                task_id,
                histories: vec!["CREATED"],
                outputs: json!({}),
            });
            continue;
        }
        let n = e.task_runs.len() - 1;
        let (task_id, plan) = e.plan[n].clone();
        let run = &mut e.task_runs[n];
        match *run.histories.last().unwrap() {
            "CREATED" => {
                run.histories.push("RUNNING");
                let logged = match &plan {
                    Plan::Log(message) => Some(("INFO", render(message, &e.inputs))),
                    Plan::Fail(message) => Some(("ERROR", message.clone())),
                    _ => None,
                };
                if let Some((level, message)) = logged {
                    let run_id = run.id.clone();
                    e.logs.push(json!({
                        "namespace": e.namespace, "flowId": e.flow_id, "executionId": e.id,
                        "taskId": task_id, "taskRunId": run_id, "attemptNumber": 0,
                        "timestamp": format!("2026-01-01T00:00:{:02}.{:03}Z", e.logs.len() / 1000, e.logs.len() % 1000),
                        "level": level, "thread": "worker", "message": message,
                    }));
                }
            }
            "RUNNING" => match plan {
                Plan::Sleep => {}
                Plan::Fail(_) => run.histories.push("FAILED"),
                Plan::Write(content) => {
                    let uri = format!(
                        "kestra:///{}/{}/executions/{}/tasks/{task_id}/{}/out.txt",
                        e.namespace.replace('.', "/"),
                        e.flow_id,
                        e.id,
                        run.id
                    );
                    new_files.push((uri.clone(), content.into_bytes()));
                    run.outputs = json!({ "uri": uri });
                    run.histories.push("SUCCESS");
                }
                Plan::Log(_) | Plan::Succeed => run.histories.push("SUCCESS"),
            },
            _ => {}
        }
    }
    st.files.extend(new_files);
    drop(st);
    if any {
        shared.changed.notify_all();
    }
}

/// `{{ inputs.NAME }}` replaced by the input's value.
fn render(message: &str, inputs: &BTreeMap<String, Value>) -> String {
    let mut text = message.to_string();
    for (k, v) in inputs {
        let value = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        text = text.replace(&format!("{{{{ inputs.{k} }}}}"), &value);
    }
    text
}

/// What a flow's top-level tasks do.
fn plan_of(source: &str) -> Vec<(String, Plan)> {
    let doc = kflow_syntax::parse(source);
    let Some(flow) = &doc.flow else {
        return Vec::new();
    };
    let tree = &doc.tree;
    flow.tasks
        .iter()
        .filter(|t| t.parent.is_none() && t.section == kflow_syntax::model::Section::Tasks)
        .filter_map(|t| {
            let id = t.id.as_ref()?.name.clone();
            let ty = t.type_name();
            let prop = |k: &str| tree.get_str(t.node, k).unwrap_or("").to_string();
            let plan = if ty.ends_with(".Log") {
                Plan::Log(prop("message"))
            } else if ty.ends_with(".Fail") {
                let message = prop("errorMessage");
                Plan::Fail(if message.is_empty() {
                    "Task failure".into()
                } else {
                    message
                })
            } else if ty.ends_with(".Sleep") {
                Plan::Sleep
            } else if ty.ends_with("storage.Write") {
                Plan::Write(prop("content"))
            } else {
                Plan::Succeed
            };
            Some((id, plan))
        })
        .collect()
}

/// The flow validation of the stand-in: known plugins are `io.kestra.…` and `com.acme.Custom`
/// (which needs `endpoint`).
fn validate(source: &str) -> Value {
    let doc = kflow_syntax::parse(source);
    let mut constraints = Vec::new();
    if let Some(flow) = &doc.flow {
        for t in flow.tasks.iter().filter(|t| t.parent.is_none()) {
            let ty = t.type_name();
            let path = format!("tasks[{}]", t.index);
            if ty == "com.acme.Custom" {
                if doc.tree.get(t.node, "endpoint").is_none() {
                    constraints.push(format!("{path}.endpoint: must not be null"));
                }
            } else if !ty.starts_with("io.kestra.") {
                constraints.push(format!("{path}.type: Invalid type: {ty}"));
            }
        }
    }
    let mut entry = json!({"index": 0, "deprecationPaths": [], "warnings": [], "infos": []});
    if !constraints.is_empty() {
        entry["constraints"] = json!(constraints.join("\n"));
    }
    json!([entry])
}

fn execution_json(line: Line, e: &Execution) -> Value {
    let state = |h: &[&str]| {
        json!({
            "current": h.last().copied().unwrap_or("CREATED"),
            "histories": h.iter().enumerate().map(|(n, s)| json!({"state": s, "date": format!("2026-01-01T00:00:{n:02}Z")})).collect::<Vec<_>>(),
            "duration": format!("PT0.{:03}S", h.len() * 10),
        })
    };
    let runs: Vec<Value> = e
        .task_runs
        .iter()
        .map(|r| {
            let mut run = json!({
                "id": r.id, "executionId": e.id, "namespace": e.namespace, "flowId": e.flow_id,
                "taskId": r.task_id, "state": state(&r.histories),
            });
            // 2.0 moved outputs to `/outputs/…`.
            if line == Line::V1_3 {
                run["outputs"] = r.outputs.clone();
            }
            run
        })
        .collect();
    json!({
        "id": e.id, "namespace": e.namespace, "flowId": e.flow_id, "flowRevision": e.revision,
        "inputs": e.inputs, "labels": [], "state": state(&e.histories), "taskRunList": runs,
    })
}

/// Answers one connection (one request: every answer closes it).
fn serve(shared: &Shared, mut stream: TcpStream) {
    let Some(req) = http::read_request(&mut stream) else {
        return;
    };
    let path_only = req.path.split('?').next().unwrap_or("").to_string();
    // Faults first: they stand for the server's trouble, before it reads anything.
    let fault = {
        let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        st.requests.push(format!("{} {path_only}", req.method));
        let at = st.faults.iter().position(|f| match f {
            Fault::Status { method, path, .. } => *method == req.method && path_only.contains(path),
            Fault::Slow { method, path, .. } => *method == req.method && path_only.contains(path),
            Fault::DropStream { .. } => false,
        });
        at.and_then(|i| st.faults.remove(i))
    };
    match fault {
        Some(Fault::Status { status, .. }) => {
            return http::respond(
                &mut stream,
                status,
                "application/json",
                json!({"message": format!("injected {status}")})
                    .to_string()
                    .as_bytes(),
            );
        }
        Some(Fault::Slow { delay, .. }) => thread::sleep(delay),
        _ => {}
    }
    let (op, params) = match check(shared, &req, &path_only) {
        Ok(found) => found,
        Err((status, why)) => {
            if status == 400 {
                let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
                st.violations
                    .push(format!("{} {}: {why}", req.method, req.path));
            }
            return http::respond(
                &mut stream,
                status,
                "application/json",
                json!({"message": why}).to_string().as_bytes(),
            );
        }
    };
    let (status, content_type, body) = answer(shared, &req, &op, &params, &mut stream);
    if status != 0 {
        http::respond(&mut stream, status, content_type, &body);
    }
}

/// The operation of the request (its path template joined) and its path parameters; an error
/// status when the specification has no such request or the credentials are wrong.
fn check(
    shared: &Shared,
    req: &Request,
    path: &str,
) -> Result<(String, BTreeMap<String, String>), (u16, String)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut best: Option<(&Operation, usize)> = None;
    for op in &shared.operations {
        if op.method != req.method || op.path.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let matches = op.path.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') {
                !s.is_empty()
            } else {
                literal += usize::from(t == s);
                t == s
            }
        });
        if matches && best.is_none_or(|(_, l)| literal > l) {
            best = Some((op, literal));
        }
    }
    let Some((op, _)) = best else {
        return Err((
            400,
            format!(
                "no such operation in the Kestra {} specification",
                shared.line.version()
            ),
        ));
    };
    let content_type = req
        .header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if op.content_types.is_empty() {
        if !req.body.is_empty() {
            return Err((400, "a body where the specification has none".into()));
        }
    } else if !op.content_types.contains(&content_type) {
        return Err((
            400,
            format!(
                "content type `{content_type}` is not one of {:?}",
                op.content_types
            ),
        ));
    }
    if op.auth {
        let basic = format!(
            "Basic {}",
            http::base64(format!("{USER}:{PASSWORD}").as_bytes())
        );
        let bearer = format!("Bearer {TOKEN}");
        match req.header("authorization") {
            Some(a) if a == basic || a == bearer => {}
            _ => return Err((401, "Unauthorized".into())),
        }
    }
    let params = op
        .path
        .iter()
        .zip(&segments)
        .filter(|(t, _)| t.starts_with('{'))
        .map(|(t, s)| (t.trim_matches(['{', '}']).to_string(), http::decode(s)))
        .collect();
    Ok((format!("{} /{}", op.method, op.path.join("/")), params))
}

type Answer = (u16, &'static str, Vec<u8>);

fn ok(value: Value) -> Answer {
    (200, "application/json", value.to_string().into_bytes())
}

fn error(status: u16, message: &str) -> Answer {
    (
        status,
        "application/json",
        json!({ "message": message }).to_string().into_bytes(),
    )
}

/// The answer of an operation the request matched.
fn answer(
    shared: &Shared,
    req: &Request,
    op: &str,
    p: &BTreeMap<String, String>,
    stream: &mut TcpStream,
) -> Answer {
    let line = shared.line;
    let param = |k: &str| p.get(k).cloned().unwrap_or_default();
    let mut st = shared
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let op = op
        .trim_start_matches("GET ")
        .trim_start_matches("POST ")
        .trim_start_matches("PUT ")
        .trim_start_matches("DELETE ");
    match (req.method.as_str(), op) {
        ("GET", "/api/v1/configs") => ok(json!({"version": line.version(), "edition": "OSS"})),
        ("POST", "/api/v1/{tenant}/flows/validate") => {
            ok(validate(&String::from_utf8_lossy(&req.body)))
        }
        ("GET", "/api/v1/{tenant}/flows/{namespace}/{id}") => {
            let (ns, id) = (param("namespace"), param("id"));
            match st.flows.iter().find(|f| f.namespace == ns && f.id == id) {
                Some(f) => ok(
                    json!({"id": id, "namespace": ns, "revision": f.revisions.len(), "source": f.revisions.last(), "deleted": false, "disabled": false}),
                ),
                None => error(404, &format!("Flow {ns}.{id} not found")),
            }
        }
        ("GET", "/api/v1/{tenant}/flows/{namespace}") => {
            let ns = param("namespace");
            ok(json!(st
                .flows
                .iter()
                .filter(|f| f.namespace == ns)
                .map(
                    |f| json!({"id": f.id, "namespace": f.namespace, "revision": f.revisions.len()})
                )
                .collect::<Vec<_>>()))
        }
        ("POST", "/api/v1/{tenant}/flows") | ("PUT", "/api/v1/{tenant}/flows/{namespace}/{id}") => {
            let source = String::from_utf8_lossy(&req.body).into_owned();
            let doc = kflow_syntax::parse(&source);
            let key = doc.tree.root.and_then(|r| {
                Some((
                    doc.tree.get_str(r, "namespace")?.to_string(),
                    doc.tree.get_str(r, "id")?.to_string(),
                ))
            });
            let Some((ns, id)) = key else {
                return error(422, "Invalid flow: id and namespace are required");
            };
            let existing = st
                .flows
                .iter_mut()
                .find(|f| f.namespace == ns && f.id == id);
            let revision = match (req.method.as_str(), existing) {
                ("POST", Some(_)) => return error(409, &format!("Flow id '{id}' already exists")),
                ("POST", None) => {
                    st.flows.push(Flow {
                        namespace: ns.clone(),
                        id: id.clone(),
                        revisions: vec![source.clone()],
                    });
                    1
                }
                (_, None) => return error(404, "Flow not found"),
                (_, Some(f)) => {
                    if (param("namespace"), param("id")) != (ns.clone(), id.clone()) {
                        return error(422, "Illegal flow id update");
                    }
                    f.revisions.push(source.clone());
                    f.revisions.len()
                }
            };
            ok(
                json!({"id": id, "namespace": ns, "revision": revision, "source": source, "deleted": false, "disabled": false}),
            )
        }
        ("DELETE", "/api/v1/{tenant}/flows/{namespace}/{id}") => {
            let (ns, id) = (param("namespace"), param("id"));
            let before = st.flows.len();
            st.flows.retain(|f| !(f.namespace == ns && f.id == id));
            if st.flows.len() == before {
                error(404, "Flow not found")
            } else {
                (204, "application/json", Vec::new())
            }
        }
        ("POST", "/api/v1/{tenant}/namespaces/{namespace}/files") => {
            let Some(path) = req.query("path") else {
                return error(400, "path is required");
            };
            let parts = http::multipart(req);
            let Some(part) = parts.into_iter().find(|p| p.name == "fileContent") else {
                return error(400, "fileContent is required");
            };
            st.namespace_files
                .insert((param("namespace"), path), part.data);
            (200, "application/json", Vec::new())
        }
        ("POST", "/api/v1/{tenant}/executions/{namespace}/{id}") => {
            let (ns, id) = (param("namespace"), param("id"));
            let Some(flow) = st.flows.iter().find(|f| f.namespace == ns && f.id == id) else {
                return error(404, &format!("Flow {ns}.{id} not found"));
            };
            let revision = req
                .query("revision")
                .and_then(|r| r.parse::<usize>().ok())
                .unwrap_or(flow.revisions.len());
            let Some(source) = flow.revisions.get(revision.wrapping_sub(1)).cloned() else {
                return error(404, "Revision not found");
            };
            st.next_id += 1;
            let exec_id = format!("exec{}", st.next_id);
            let mut inputs = BTreeMap::new();
            for part in http::multipart(req) {
                let value = match &part.filename {
                    Some(name) => {
                        let uri = format!(
                            "kestra:///{}/{id}/executions/{exec_id}/inputs/{}/{name}",
                            ns.replace('.', "/"),
                            part.name
                        );
                        st.files.insert(uri.clone(), part.data);
                        Value::String(uri)
                    }
                    None => Value::String(String::from_utf8_lossy(&part.data).into_owned()),
                };
                inputs.insert(part.name, value);
            }
            let e = Execution {
                id: exec_id,
                namespace: ns,
                flow_id: id,
                revision,
                inputs,
                histories: vec!["CREATED"],
                plan: plan_of(&source),
                task_runs: Vec::new(),
                logs: Vec::new(),
                kill: false,
                changes: 0,
            };
            let body = execution_json(line, &e);
            st.executions.push(e);
            ok(body)
        }
        ("GET", "/api/v1/{tenant}/executions/{executionId}") => {
            match st.executions.iter().find(|e| e.id == param("executionId")) {
                Some(e) => ok(execution_json(line, e)),
                None => error(404, "Execution not found"),
            }
        }
        ("DELETE", "/api/v1/{tenant}/executions/{executionId}/kill")
        | ("DELETE", "/api/v1/{tenant}/executions/{executionId}/actions/kill") => {
            let Some(e) = st
                .executions
                .iter_mut()
                .find(|e| e.id == param("executionId"))
            else {
                return error(404, "Execution not found");
            };
            if e.ended() {
                return error(409, "Execution already finished");
            }
            e.kill = true;
            match line {
                Line::V1_3 => (202, "application/json", Vec::new()),
                Line::V2_0 => (
                    200,
                    "text/json",
                    execution_json(line, e).to_string().into_bytes(),
                ),
            }
        }
        ("GET", "/api/v1/{tenant}/logs/{executionId}") => {
            match st.executions.iter().find(|e| e.id == param("executionId")) {
                Some(e) => ok(json!(e.logs)),
                None => error(404, "Execution not found"),
            }
        }
        ("GET", "/api/v1/{tenant}/executions/{executionId}/file") => {
            let uri = req.query("path").unwrap_or_default();
            match st.files.get(&uri) {
                Some(bytes) => (200, "application/octet-stream", bytes.clone()),
                None => error(404, "File not found"),
            }
        }
        ("GET", "/api/v1/{tenant}/outputs/{executionId}") => {
            match st.executions.iter().find(|e| e.id == param("executionId")) {
                Some(e) => ok(json!(e
                    .task_runs
                    .iter()
                    .filter(|r| r.outputs.as_object().is_some_and(|o| !o.is_empty()))
                    .map(|r| json!({"taskId": r.task_id, "taskRunId": r.id, "inline": false}))
                    .collect::<Vec<_>>())),
                None => error(404, "Execution not found"),
            }
        }
        ("GET", "/api/v1/{tenant}/outputs/{executionId}/{taskRunId}") => {
            let run = st
                .executions
                .iter()
                .flat_map(|e| &e.task_runs)
                .find(|r| r.id == param("taskRunId"));
            match run {
                Some(r) => ok(r.outputs.clone()),
                None => error(404, "Task run not found"),
            }
        }
        ("GET", "/api/v1/{tenant}/executions/{executionId}/follow")
        | ("GET", "/api/v1/{tenant}/logs/{executionId}/follow") => {
            let logs = op.contains("/logs/");
            let id = param("executionId");
            if !st.executions.iter().any(|e| e.id == id) {
                return error(404, "Execution not found");
            }
            let drop_after = st.faults.iter().position(|f| matches!(f, Fault::DropStream { path, .. } if op.contains(path) || req.path.contains(path)))
                .and_then(|i| st.faults.remove(i))
                .and_then(|f| match f { Fault::DropStream { after, .. } => Some(after), _ => None });
            drop(st);
            stream_events(shared, stream, &id, logs, drop_after);
            (0, "", Vec::new())
        }
        _ => error(501, &format!("the stand-in does not implement {op}")),
    }
}

/// Streams an execution (each change) or its log lines (from the first) as server-sent
/// events, until the execution ends; `drop_after` events, the connection is cut instead.
fn stream_events(
    shared: &Shared,
    stream: &mut TcpStream,
    id: &str,
    logs: bool,
    drop_after: Option<usize>,
) {
    let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut sent = 0usize;
    let mut seen_change = usize::MAX;
    let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let Some(e) = st.executions.iter().find(|e| e.id == id) else {
            return;
        };
        let mut events = Vec::new();
        if logs {
            for entry in &e.logs[sent.min(e.logs.len())..] {
                events.push(format!("id: progress\ndata: {entry}\n\n"));
            }
        } else if e.changes != seen_change {
            seen_change = e.changes;
            let kind = if e.ended() { "end" } else { "progress" };
            events.push(format!(
                "id: {kind}\ndata: {}\n\n",
                execution_json(shared.line, e)
            ));
        }
        let ended = e.ended();
        for event in events {
            if drop_after.is_some_and(|n| sent >= n) {
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            if stream
                .write_all(event.as_bytes())
                .and_then(|()| stream.flush())
                .is_err()
            {
                return;
            }
            sent += 1;
        }
        if ended
            && (!logs
                || sent
                    >= st
                        .executions
                        .iter()
                        .find(|e| e.id == id)
                        .map_or(0, |e| e.logs.len()))
        {
            return;
        }
        st = shared
            .changed
            .wait_timeout(st, Duration::from_millis(100))
            .map(|(g, _)| g)
            .unwrap_or_else(|p| p.into_inner().0);
    }
}
