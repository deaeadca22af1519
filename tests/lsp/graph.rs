//! `kflow.showGraph`: the open document's graph as SVG and Mermaid, the same as `kflow graph`.

use std::process::Command;

use serde_json::{json, Value};

use crate::client::{example, plain, Client};

fn show_graph(c: &mut Client, uri: &str) -> Value {
    c.request(
        "workspace/executeCommand",
        json!({"command": "kflow.showGraph", "arguments": [{"uri": uri}]}),
    )
}

#[test]
fn the_command_is_offered() {
    let mut c = Client::start(&[]);
    let init = c.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let commands = init["capabilities"]["executeCommandProvider"]["commands"]
        .as_array()
        .unwrap();
    assert!(commands.contains(&json!("kflow.showGraph")), "{commands:?}");
}

#[test]
fn show_graph_returns_the_svg_and_mermaid_of_the_open_text() {
    let (u, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&u, &text);
    let response = show_graph(&mut c, &u);
    let result = &response["result"];
    let svg = result["svg"]
        .as_str()
        .unwrap_or_else(|| panic!("{response}"));
    let mermaid = result["mermaid"].as_str().unwrap();

    // The same bytes as the command line on the same file.
    let path = u.strip_prefix("file://").unwrap();
    let cli = |format: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_kflow"))
            .args(["graph", "--format", format, path])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(svg, cli("svg"));
    assert_eq!(mermaid, cli("mermaid"));
    let doc = roxmltree::Document::parse(svg).unwrap();
    let tasks: Vec<&str> = doc
        .descendants()
        .filter_map(|n| n.attribute("data-task-id"))
        .collect();
    for id in ["both", "users", "orders", "check", "ok", "failed", "alert"] {
        assert!(tasks.contains(&id), "{id} not in {tasks:?}");
    }

    // The graph follows the editor's text, not the file.
    let edited = text.replace("id: orders", "id: orders_v2");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let response = show_graph(&mut c, &u);
    let mermaid = response["result"]["mermaid"].as_str().unwrap();
    assert!(mermaid.contains("[\"orders_v2<br/>Request\"]"), "{mermaid}");
}

#[test]
fn a_document_that_is_not_a_flow_is_a_located_error() {
    let mut c = plain();
    let u = "file:///tmp/kflow-lsp-graph/notes.yaml";
    c.open(u, "id: x\nnamespace: a\ntasks: []\n");
    let response = show_graph(&mut c, u);
    assert_eq!(response["error"]["code"], -32803, "{response}");
    assert_eq!(response["error"]["message"], "3:1: the flow has no tasks");

    let response = show_graph(&mut c, "file:///tmp/kflow-lsp-graph/not-open.yaml");
    assert!(response.get("error").is_some(), "{response}");
    let response = c.request(
        "workspace/executeCommand",
        json!({"command": "kflow.showGraph", "arguments": []}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
}
