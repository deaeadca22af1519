//! A guard in front of the framework's reader. tower-lsp-server ends its read loop at the first
//! frame it cannot decode (invalid JSON, a body that is not a JSON-RPC message, a malformed
//! header), which would stop the server. Here each frame is checked first: good ones pass
//! through untouched, a bad one becomes a `kflow/invalidMessage` request that the server
//! answers with the JSON-RPC error, and header garbage is skipped up to the next
//! `Content-Length`.
//!
//! `kflow.runFlow` requests are diverted here too: a run lasts long and handlers run one at a
//! time, so the request becomes a `kflow/runFlow` notification carrying its id, and the run's
//! task writes the reply itself, through [`Outgoing`], when the run ends. All output (the
//! framework's frames and those replies) goes to the client through one writer.

use serde_json::{json, Value};
use tokio::io::DuplexStream;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tower_lsp_server::jsonrpc::{Request, Response};

/// The method bad frames are turned into.
pub const INVALID_MESSAGE: &str = "kflow/invalidMessage";

/// The notification `kflow.runFlow` requests are turned into (params: `{id, params}`).
pub const RUN_FLOW: &str = "kflow/runFlow";

/// Larger bodies are refused (and skipped): no LSP message comes near.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// Copies LSP frames from `input` to `output`, repairing what would stop the server.
pub async fn guard(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut input = BufReader::new(input);
    while let Some(body) = next_frame(&mut input).await {
        let body = match body {
            Ok(body) => check(body),
            Err(message) => invalid(Value::Null, INVALID_REQUEST, &message),
        };
        let head = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(head.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
            || output.flush().await.is_err()
        {
            return;
        }
    }
}

/// The next frame's body; `None` at the end of the input, `Err` for a frame to refuse.
async fn next_frame(input: &mut (impl AsyncBufRead + Unpin)) -> Option<Result<Vec<u8>, String>> {
    let mut length: Option<usize> = None;
    let mut bad_length = false;
    let mut in_headers = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if in_headers {
                break;
            }
            continue;
        }
        let Some((name, value)) = text.split_once(':') else {
            // Garbage: forget any header read so far and look for the next frame.
            in_headers = false;
            length = None;
            continue;
        };
        let name = name.trim();
        if !in_headers && !name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        in_headers = true;
        if name.eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => bad_length = true,
            }
        }
    }
    let Some(length) = length.filter(|_| !bad_length) else {
        return Some(Err(
            "the message has no valid Content-Length header".to_string()
        ));
    };
    if length > MAX_BODY {
        let skipped = tokio::io::copy(&mut input.take(length as u64), &mut tokio::io::sink()).await;
        return skipped
            .ok()
            .map(|_| Err(format!("a message of {length} bytes is too large")));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).await.ok()?;
    Some(Ok(body))
}

/// The body itself when the framework can read it, else the request reporting why not.
fn check(body: Vec<u8>) -> Vec<u8> {
    if serde_json::from_slice::<Request>(&body).is_ok() {
        return divert(&body).unwrap_or(body);
    }
    if serde_json::from_slice::<Response>(&body).is_ok() {
        return body;
    }
    match serde_json::from_slice::<Value>(&body) {
        Err(e) => invalid(Value::Null, PARSE_ERROR, &format!("invalid JSON: {e}")),
        Ok(value) => {
            let id = match value.get("id") {
                Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
                _ => Value::Null,
            };
            invalid(
                id,
                INVALID_REQUEST,
                "not a JSON-RPC 2.0 request, notification or response",
            )
        }
    }
}

/// A `workspace/executeCommand` request for `kflow.runFlow` as a [`RUN_FLOW`] notification.
fn divert(body: &[u8]) -> Option<Vec<u8>> {
    const NEEDLE: &[u8] = b"kflow.runFlow";
    if !body.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
        return None;
    }
    let mut value: Value = serde_json::from_slice(body).ok()?;
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => return None,
    };
    if value.get("method")?.as_str()? != "workspace/executeCommand"
        || value.pointer("/params/command")?.as_str()? != "kflow.runFlow"
    {
        return None;
    }
    let params = value.get_mut("params")?.take();
    let note =
        json!({"jsonrpc": "2.0", "method": RUN_FLOW, "params": {"id": id, "params": params}});
    Some(note.to_string().into_bytes())
}

/// Where frames for the client go (bodies; the writer adds the header).
#[derive(Clone)]
pub struct Outgoing(mpsc::UnboundedSender<Option<Vec<u8>>>);

impl Outgoing {
    pub fn send(&self, message: &Value) {
        let _ = self.0.send(Some(message.to_string().into_bytes()));
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }
}

/// Starts the writer: returns the [`Outgoing`] for extra frames, the input the framework
/// writes to, and the task to await at the end (it ends when the framework's output closes).
pub fn output(
    mut stdout: impl AsyncWrite + Unpin + Send + 'static,
) -> (Outgoing, DuplexStream, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Option<Vec<u8>>>();
    let (framework, from_framework) = tokio::io::duplex(1 << 16);
    let frames = tx.clone();
    tokio::spawn(async move {
        let mut input = BufReader::new(from_framework);
        while let Some(body) = next_frame(&mut input).await {
            if let Ok(body) = body {
                let _ = frames.send(Some(body));
            }
        }
        let _ = frames.send(None);
    });
    let writer = tokio::spawn(async move {
        while let Some(Some(body)) = rx.recv().await {
            let head = format!("Content-Length: {}\r\n\r\n", body.len());
            if stdout.write_all(head.as_bytes()).await.is_err()
                || stdout.write_all(&body).await.is_err()
                || stdout.flush().await.is_err()
            {
                return;
            }
        }
    });
    (Outgoing(tx), framework, writer)
}

fn invalid(id: Value, code: i64, message: &str) -> Vec<u8> {
    let request = json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": INVALID_MESSAGE,
        "params": {"code": code, "message": message},
    });
    request.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run_guard(input: &[u8]) -> String {
        let mut out = Vec::new();
        guard(input, &mut out).await;
        String::from_utf8(out).unwrap()
    }

    #[tokio::test]
    async fn good_frames_pass_and_bad_ones_become_error_requests() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{oops garbage\r\nContent-Length: {}\r\n\r\n{good}Content-Length: 7\r\n\r\n[1,2,3]",
            good.len()
        );
        let out = run_guard(input.as_bytes()).await;
        let bodies: Vec<&str> = out.split("\r\n\r\n").skip(1).collect();
        assert!(
            bodies[0].contains(INVALID_MESSAGE) && bodies[0].contains("-32700"),
            "{out}"
        );
        assert!(bodies[1].starts_with(good), "{out}");
        assert!(bodies[2].contains("-32600"), "{out}");
    }

    #[tokio::test]
    async fn run_flow_requests_become_notifications() {
        let run = r#"{"jsonrpc":"2.0","id":7,"method":"workspace/executeCommand","params":{"command":"kflow.runFlow","arguments":[{"uri":"file:///f.yaml"}]}}"#;
        let cancel = r#"{"jsonrpc":"2.0","id":8,"method":"workspace/executeCommand","params":{"command":"kflow.cancelRun","arguments":[{"uri":"file:///f.yaml"}]}}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{run}Content-Length: {}\r\n\r\n{cancel}",
            run.len(),
            cancel.len()
        );
        let out = run_guard(input.as_bytes()).await;
        let bodies: Vec<&str> = out.split("\r\n\r\n").skip(1).collect();
        let first: Value =
            serde_json::from_str(bodies[0].split("Content-Length").next().unwrap()).unwrap();
        assert_eq!(first["method"], RUN_FLOW, "{out}");
        assert!(first.get("id").is_none(), "{out}");
        assert_eq!(first["params"]["id"], 7, "{out}");
        assert_eq!(
            first["params"]["params"]["command"], "kflow.runFlow",
            "{out}"
        );
        assert!(bodies[1].starts_with(cancel), "{out}");
    }
}
