//! Running flows from the editor: the "▶ Run flow" code lens, `kflow.runFlow` (lint, then run
//! through the engine with progress and log lines; the execution record is the reply) and
//! `kflow.cancelRun`.
//!
//! A run lasts long and handlers run one at a time: the wire guard turns the `runFlow` request
//! into a notification carrying its id ([`RunFlow`]), the run goes on in a spawned task, and
//! that task writes the reply through [`State::out`] when the run ends.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use kflow_engine::exec::{self, Event};
use kflow_engine::record::State as RunState;
use kflow_engine::task::Level;
use kflow_lint_rules::Severity;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::watch;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::notification::{LogMessage, ShowMessage};
use tower_lsp_server::ls_types::request::WorkDoneProgressCreate;
use tower_lsp_server::ls_types::*;

use super::capabilities::{CANCEL_RUN, RUN_FLOW, SHOW_GRAPH};
use super::convert;
use super::state::{lock, State};
use crate::run::{prepare, Prepared, RunRequest};

/// The notification the wire guard makes of a `kflow.runFlow` request.
#[derive(Deserialize)]
pub struct RunFlow {
    id: Value,
    params: ExecuteCommandParams,
}

/// The argument of both commands.
#[derive(Deserialize)]
struct Target {
    uri: Uri,
    #[serde(default)]
    inputs: Map<String, Value>,
}

fn target(arguments: &[Value]) -> std::result::Result<Target, Error> {
    let first = arguments.first().cloned().unwrap_or(Value::Null);
    serde_json::from_value(first).map_err(|e| {
        Error::invalid_params(format!(
            "expected arguments [{{\"uri\": …, \"inputs\": {{…}}}}]: {e}"
        ))
    })
}

pub fn code_lenses(state: &State, p: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let doc = state.doc(&p.text_document.uri)?;
    let Some(id) = doc.flow.as_ref().and_then(|f| f.id.as_ref()) else {
        return Ok(Some(Vec::new()));
    };
    Ok(Some(vec![CodeLens {
        range: convert::range(&doc, id.span),
        command: Some(Command {
            title: "▶ Run flow".into(),
            command: RUN_FLOW.into(),
            arguments: Some(vec![json!({"uri": p.text_document.uri.as_str()})]),
        }),
        data: None,
    }]))
}

/// `workspace/executeCommand` as the framework delivers it: `kflow.cancelRun` and
/// `kflow.showGraph` (`runFlow` requests are diverted before, see the module doc).
pub fn execute_command(state: &State, p: ExecuteCommandParams) -> Result<Option<Value>> {
    match p.command.as_str() {
        CANCEL_RUN => {
            let t = target(&p.arguments)?;
            let cancelled = match lock(&state.runs).get(&t.uri) {
                Some(cancel) => cancel.send(true).is_ok(),
                None => false,
            };
            Ok(Some(json!({"cancelled": cancelled})))
        }
        SHOW_GRAPH => super::graph::show(state, &p.arguments),
        RUN_FLOW => Err(Error::invalid_request()),
        other => Err(Error::invalid_params(format!("unknown command {other}"))),
    }
}

/// How long shutdown waits for killed runs to save their records.
pub const RUN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Kills every run (client shutdown, exit or a closed connection), then waits up to `grace`
/// for them to end KILLED and save their records. Whatever a run started and is still alive
/// after that is killed, so no process outlives the server.
pub async fn cancel_all(state: &State, grace: std::time::Duration) {
    for cancel in lock(&state.runs).values() {
        let _ = cancel.send(true);
    }
    let deadline = tokio::time::Instant::now() + grace;
    while !lock(&state.runs).is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    kflow_engine::scripts::abort_all();
}

/// Starts a run; the reply to request `p.id` is written when it ends.
pub fn start(state: &Arc<State>, p: RunFlow) {
    let id = p.id;
    let t = match target(&p.params.arguments) {
        Ok(t) => t,
        Err(e) => return reply_error(state, id, e),
    };
    let (cancel, cancelled) = watch::channel(false);
    {
        let mut runs = lock(&state.runs);
        if runs.contains_key(&t.uri) {
            let e = Error::invalid_request_message("this flow is already running");
            drop(runs);
            return reply_error(state, id, e);
        }
        runs.insert(t.uri.clone(), cancel.clone());
    }
    let token = p.params.work_done_progress_params.work_done_token;
    let state = state.clone();
    tokio::spawn(async move {
        let uri = t.uri.clone();
        let result = run(&state, t, token, cancelled).await;
        {
            let mut runs = lock(&state.runs);
            if runs.get(&uri).is_some_and(|c| c.same_channel(&cancel)) {
                runs.remove(&uri);
            }
        }
        match result {
            Ok(record) => state
                .out
                .send(&json!({"jsonrpc": "2.0", "id": id, "result": record})),
            Err(e) => reply_error(&state, id, e),
        }
    });
}

fn reply_error(state: &State, id: Value, e: Error) {
    state
        .out
        .send(&json!({"jsonrpc": "2.0", "id": id, "error": e}));
}

trait ErrorExt {
    fn invalid_request_message(message: &str) -> Error;
}

impl ErrorExt for Error {
    fn invalid_request_message(message: &str) -> Error {
        Error {
            code: ErrorCode::InvalidRequest,
            message: message.to_string().into(),
            data: None,
        }
    }
}

/// A request that could not be carried out, with the reason for the user.
pub fn failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803), // LSP RequestFailed
        message: message.into(),
        data: None,
    }
}

fn input_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn run(
    state: &Arc<State>,
    t: Target,
    token: Option<ProgressToken>,
    cancelled: watch::Receiver<bool>,
) -> Result<Value> {
    let checked = state.checked(&t.uri)?;
    let doc = &checked.doc;
    let errors: Vec<String> = checked
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            let start = convert::range(doc, f.span).start;
            format!(
                "{}:{}: {} [{}]",
                start.line + 1,
                start.character + 1,
                f.message,
                f.rule
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(failed(format!(
            "the flow has errors; fix them before running it:\n{}",
            errors.join("\n")
        )));
    }
    let path = lock(&state.docs)
        .open
        .get(&t.uri)
        .and_then(|d| d.path.clone())
        .ok_or_else(|| failed("only flows saved as files can be run".into()))?;
    let request = RunRequest {
        flow_path: &path,
        storage: None,
        secrets_file: None,
        inputs: t
            .inputs
            .iter()
            .map(|(k, v)| (k.clone(), input_text(v)))
            .collect(),
        kestra_version: state.config(&t.uri)?.kestra_version,
    };
    let Prepared {
        flow,
        execution,
        storage,
        mut opts,
        warnings,
    } = prepare(doc, request)
        .await
        .map_err(|problems| failed(problems.join("\n")))?;
    let name = format!("{}.{}", execution.namespace, execution.flow_id);
    for w in warnings {
        log(state, MessageType::WARNING, format!("warning: {w}"));
    }
    let progress = RunProgress::start(state, token, &name).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    opts.events = Some(tx);
    opts.cancel = Some(cancelled);
    let engine = tokio::spawn(exec::run(flow, execution, opts));
    while let Some(event) = rx.recv().await {
        match event {
            Event::Log {
                task_id,
                level,
                message,
                ..
            } => {
                let text = match task_id {
                    Some(task) => format!("[{task}] {message}"),
                    None => message,
                };
                log(state, message_type(level), text);
            }
            Event::StateChanged {
                task_id,
                value,
                state: s,
                ..
            } => {
                let what = match value {
                    Some(v) => format!("{task_id} ({v})"),
                    None => task_id,
                };
                progress.report(state, format!("{what}: {}", state_name(s)));
            }
            Event::TaskRunCreated { .. } => {}
            Event::ExecutionEnded { .. } => break,
        }
    }
    let record = engine
        .await
        .map_err(|e| failed(format!("the run stopped: {e}")))?;
    if let Err(e) = crate::run::save_record(&record, &storage).await {
        log(
            state,
            MessageType::ERROR,
            format!("cannot save the execution record: {e}"),
        );
    }
    let ended = state_name(record.state);
    progress.end(state, format!("{name}: {ended}"));
    let kind = if record.state.is_success_like() {
        MessageType::INFO
    } else {
        MessageType::ERROR
    };
    let params = ShowMessageParams {
        typ: kind,
        message: format!("kflow: {name} ended {ended}"),
    };
    notify::<ShowMessage>(state, params);
    serde_json::to_value(&record).map_err(|e| failed(e.to_string()))
}

fn state_name(s: RunState) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{s:?}"))
}

fn message_type(level: Level) -> MessageType {
    match level {
        Level::Error => MessageType::ERROR,
        Level::Warn => MessageType::WARNING,
        Level::Info => MessageType::INFO,
        Level::Debug | Level::Trace => MessageType::LOG,
    }
}

/// Sends a notification through the run's output (so it reaches the client before the reply).
fn notify<N: notification::Notification>(state: &State, params: N::Params) {
    if let Ok(params) = serde_json::to_value(params) {
        state.out.notify(N::METHOD, params);
    }
}

fn log(state: &State, typ: MessageType, message: String) {
    notify::<LogMessage>(state, LogMessageParams { typ, message });
}

/// Work-done progress of one run (nothing when the client shows none).
struct RunProgress(Option<ProgressToken>);

impl RunProgress {
    async fn start(state: &State, given: Option<ProgressToken>, name: &str) -> RunProgress {
        let token = match given {
            Some(t) => Some(t),
            None if state.settings().work_done_progress => {
                static SERIAL: AtomicU64 = AtomicU64::new(1);
                let t = ProgressToken::String(format!(
                    "kflow-run-{}",
                    SERIAL.fetch_add(1, Ordering::Relaxed)
                ));
                let params = WorkDoneProgressCreateParams { token: t.clone() };
                state
                    .client
                    .send_request::<WorkDoneProgressCreate>(params)
                    .await
                    .ok()
                    .map(|_| t)
            }
            None => None,
        };
        let p = RunProgress(token);
        p.send(
            state,
            WorkDoneProgress::Begin(WorkDoneProgressBegin {
                title: format!("Running {name}"),
                cancellable: Some(false),
                message: None,
                percentage: None,
            }),
        );
        p
    }

    fn send(&self, state: &State, value: WorkDoneProgress) {
        if let Some(token) = &self.0 {
            notify::<notification::Progress>(
                state,
                ProgressParams {
                    token: token.clone(),
                    value: ProgressParamsValue::WorkDone(value),
                },
            );
        }
    }

    fn report(&self, state: &State, message: String) {
        self.send(
            state,
            WorkDoneProgress::Report(WorkDoneProgressReport {
                cancellable: Some(false),
                message: Some(message),
                percentage: None,
            }),
        );
    }

    fn end(&self, state: &State, message: String) {
        self.send(
            state,
            WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some(message),
            }),
        );
    }
}
