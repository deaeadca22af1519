//! Garbage on the wire: every bad message gets an error reply or is ignored, and the server
//! keeps serving.

use serde_json::{json, Value};

use crate::client::{example, plain, write_frame, Client};

/// The server still answers a real request.
fn still_serving(c: &mut Client, uri: &str) {
    let held = c.call("kflow/documentText", json!({"uri": uri}));
    assert!(held["text"]
        .as_str()
        .is_some_and(|t| t.contains("namespace")));
}

fn frame(body: &str) -> Vec<u8> {
    let mut out = Vec::new();
    write_frame(&mut out, body.as_bytes());
    out
}

#[test]
fn malformed_messages_get_errors_and_the_server_keeps_serving() {
    let (uri, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    c.diagnostics(&uri, Some(1));
    let is_error_with =
        |code: i64| move |m: &Value| m["error"]["code"] == code && m.get("method").is_none();

    c.send_raw(&frame("{ this is not json"));
    c.next(is_error_with(-32700), "a parse error reply");
    still_serving(&mut c, &uri);

    c.send_raw(&frame(r#"{"id": 7, "no": "jsonrpc"}"#));
    let reply = c.next(is_error_with(-32600), "an invalid request reply");
    assert_eq!(reply["id"], 7);
    still_serving(&mut c, &uri);

    c.send_raw(&frame("[1, 2, 3]"));
    c.next(is_error_with(-32600), "an invalid request reply");

    // Header garbage is skipped up to the next frame.
    c.send_raw(b"this is no header at all\r\n\r\n");
    c.send_raw(b"Content-Length: nope\r\n\r\n");
    c.next(is_error_with(-32600), "a reply to a bad Content-Length");
    still_serving(&mut c, &uri);

    // Invalid UTF-8 inside a body.
    c.send_raw(b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc");
    c.next(is_error_with(-32700), "a parse error reply");
    still_serving(&mut c, &uri);
    assert!(c.shutdown().success());
}

#[test]
fn unknown_methods_bad_params_and_unopened_documents() {
    let (uri, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    let r = c.request("kflow/noSuchMethod", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    c.notify("kflow/noSuchNotification", json!({"x": 1}));
    let r = c.request("textDocument/hover", json!({"bogus": true}));
    assert_eq!(r["error"]["code"], -32602);
    // Requests about documents that were never opened get an error.
    let ghost = "file:///nowhere/ghost.yaml";
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
    ] {
        let r = c.request(
            method,
            json!({"textDocument": {"uri": ghost}, "position": {"line": 0, "character": 0}}),
        );
        assert_eq!(r["error"]["code"], -32602, "{method}: {r}");
    }
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": ghost}}),
    );
    assert!(r.get("error").is_some());
    // Notifications about them are ignored.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": ghost, "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": ghost}}),
    );
    still_serving(&mut c, &uri);
    assert!(c.shutdown().success());
}

#[test]
fn positions_past_the_end_are_clamped() {
    let (uri, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    let far = json!({"line": 100000, "character": 100000});
    let long_line = json!({"line": 0, "character": 4000000000u64});
    for pos in [&far, &long_line] {
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/references",
            "textDocument/prepareRename",
        ] {
            let mut params = json!({"textDocument": {"uri": uri}, "position": pos});
            if method == "textDocument/references" {
                params["context"] = json!({"includeDeclaration": true});
            }
            let r = c.request(method, params);
            assert!(r.get("result").is_some(), "{method} at {pos}: {r}");
        }
    }
    // An edit with positions past the end appends; a reversed range is put in order.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": far, "end": far}, "text": "# tail\n"},
            {"range": {"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 3}}, "text": "ID"}
        ]}),
    );
    let held = c.call("kflow/documentText", json!({"uri": uri}));
    let held = held["text"].as_str().unwrap();
    assert!(
        held.ends_with("# tail\n") && held.starts_with("id:ID"),
        "{held:?}"
    );
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": far, "end": far}, "context": {"diagnostics": []}}),
    );
    assert!(r.get("result").is_some());
}

#[test]
fn requests_before_initialize_are_refused_and_exit_without_shutdown_is_code_1() {
    let mut c = Client::start(&[]);
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///x.yaml"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["error"]["code"], -32002);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit().code(), Some(1));
}

/// Deeply nested or very long jq programs once overflowed an analysis thread's stack and killed
/// the server: they are now a located finding, and the server keeps serving.
#[test]
fn deep_jq_programs_are_findings_not_crashes() {
    let mut c = plain();
    for (n, program) in [
        format!("{}.a{}", "[".repeat(5_000), "]".repeat(5_000)),
        format!("{}.a", ".a | ".repeat(50_000)),
    ]
    .into_iter()
    .enumerate()
    {
        let uri = format!("untitled:deep-jq-{n}.yaml");
        let text = format!(
            "id: deep\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{{{ {{}} | jq('{program}') }}}}\"\n"
        );
        c.open(&uri, &text);
        let diags = c.diagnostics(&uri, Some(1));
        assert!(
            diags.iter().any(|d| d["code"] == "expression-syntax"
                && d["message"].as_str().unwrap().contains("too complex")
                && d["range"]["start"]["line"] == 5),
            "{diags:?}"
        );
        still_serving(&mut c, &uri);
    }
}
