//! Diagnostics: pushed on open and change, pulled when the client supports it, with the rule
//! id, source, rule doc link and related locations, and severities from `kflow.toml`.

use std::time::Duration;

use serde_json::{json, Value};

use crate::client::{self, example, plain, uri, Client};

/// (rule, 1-based line) of `kflow lint --format json` on a file.
fn lint(path: &std::path::Path) -> Vec<(String, u64)> {
    let out = crate::support::kflow()
        .args(["lint", "--format", "json"])
        .arg(path)
        .output()
        .expect("kflow lint runs");
    let json: Value = serde_json::from_slice(&out.stdout).expect("lint JSON");
    let mut found: Vec<(String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

fn rules_and_lines(diags: &[Value]) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_example_gets_the_findings_of_kflow_lint() {
    let mut c = plain();
    let mut files = Vec::new();
    for dir in ["seed", "clean", "antipatterns"] {
        for entry in std::fs::read_dir(client::shared().join("examples").join(dir)).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    assert!(files.len() >= 10, "examples not found");
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        c.open(&uri(path), &text);
        let diags = c.diagnostics(&uri(path), Some(1));
        assert_eq!(rules_and_lines(&diags), lint(path), "{}", path.display());
    }
    assert!(c.shutdown().success());
}

#[test]
fn diagnostics_carry_code_source_doc_link_and_related_locations() {
    let (uri, text) = example("antipatterns/broken_references.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    let diags = c.diagnostics(&uri, Some(1));
    let dup = diags
        .iter()
        .find(|d| d["code"] == "duplicate-id")
        .expect("duplicate-id reported");
    assert_eq!(dup["source"], "kflow");
    assert_eq!(dup["severity"], 1);
    let href = dup["codeDescription"]["href"].as_str().unwrap();
    assert!(href.ends_with("duplicate-id.md"), "{href}");
    let doc_path = href.strip_prefix("file://").unwrap();
    assert!(std::fs::read_to_string(doc_path)
        .unwrap()
        .contains("## What it does"));
    let related = &dup["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri);
    assert_eq!(
        related["location"]["range"]["start"]["line"], 10,
        "the first `log_body`"
    );
    let warning = diags
        .iter()
        .find(|d| d["code"] == "unknown-output")
        .unwrap();
    assert_eq!(warning["severity"], 2);
}

#[test]
fn a_change_is_checked_again() {
    let (uri, text) = example("seed/fetch_with_download.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    assert!(c.diagnostics(&uri, Some(1)).is_empty());
    let at = client::at(&text, "length }}", 0);
    let end = client::at(&text, "length }}", 6);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": at, "end": end}, "text": "size"}]}),
    );
    let diags = c.diagnostics(&uri, Some(2));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "unknown-output");
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(
        c.diagnostics(&uri, None).is_empty(),
        "closing clears the diagnostics"
    );
}

#[test]
fn pull_diagnostics_when_the_client_asks_for_them() {
    let (uri, text) = example("antipatterns/broken_references.yaml");
    let caps = json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}});
    let mut c = Client::initialized(caps, json!({}), None);
    c.open(&uri, &text);
    let report = c.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().unwrap();
    assert!(items.iter().any(|d| d["code"] == "unknown-property"));
    let again = c.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": report["resultId"]}),
    );
    assert_eq!(again["kind"], "unchanged");
    // Nothing is pushed to a pulling client.
    std::thread::sleep(Duration::from_millis(300));
    let _ = c.call("kflow/documentText", json!({"uri": uri}));
    assert!(c
        .queue
        .iter()
        .all(|m| m["method"] != "textDocument/publishDiagnostics"));
}

#[test]
fn severities_follow_kflow_toml_and_its_changes() {
    let dir = tempdir("severities");
    let flow = dir.join("flow.yaml");
    let (_, text) = example("antipatterns/broken_references.yaml");
    std::fs::write(&flow, &text).unwrap();
    std::fs::write(
        dir.join("kflow.toml"),
        "[rules]\nunknown-property = \"info\"\n",
    )
    .unwrap();
    let mut c = plain();
    let u = uri(&flow);
    c.open(&u, &text);
    let diags = c.diagnostics(&u, Some(1));
    let prop = diags
        .iter()
        .find(|d| d["code"] == "unknown-property")
        .unwrap();
    assert_eq!(prop["severity"], 3, "info from kflow.toml");
    // Turn it off: the server notices (here told by the client; it also polls).
    std::fs::write(
        dir.join("kflow.toml"),
        "[rules]\nunknown-property = \"off\"\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.join("kflow.toml")), "type": 2}]}),
    );
    let diags = c.diagnostics(&u, Some(1));
    assert!(
        diags.iter().all(|d| d["code"] != "unknown-property"),
        "{diags:?}"
    );
    // Without any notification, the poll picks up the next change.
    std::fs::write(
        dir.join("kflow.toml"),
        "[rules]\nunknown-property = \"warning\"\n",
    )
    .unwrap();
    let diags = c.diagnostics(&u, Some(1));
    let prop = diags
        .iter()
        .find(|d| d["code"] == "unknown-property")
        .unwrap();
    assert_eq!(prop["severity"], 2);
}

#[test]
fn editor_rule_settings_apply_under_kflow_toml() {
    let dir = tempdir("editor-rules");
    let flow = dir.join("flow.yaml");
    let (_, text) = example("antipatterns/broken_references.yaml");
    std::fs::write(&flow, &text).unwrap();
    let mut c = client::Client::initialized(
        json!({}),
        json!({"rules": {"unknown-property": "info", "no-such-rule": "off"}}),
        None,
    );
    let u = uri(&flow);
    c.open(&u, &text);
    let diags = c.diagnostics(&u, Some(1));
    let prop = diags
        .iter()
        .find(|d| d["code"] == "unknown-property")
        .unwrap();
    assert_eq!(prop["severity"], 3, "info from initializationOptions");
    // Settings change: the open document is checked again.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"kflow": {"rules": {"unknown-property": "off"}}}}),
    );
    let diags = c.diagnostics(&u, Some(1));
    assert!(
        diags.iter().all(|d| d["code"] != "unknown-property"),
        "{diags:?}"
    );
    // The project's kflow.toml wins over the editor.
    std::fs::write(
        dir.join("kflow.toml"),
        "[rules]\nunknown-property = \"warning\"\n",
    )
    .unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.join("kflow.toml")), "type": 1}]}),
    );
    let diags = c.diagnostics(&u, Some(1));
    let prop = diags
        .iter()
        .find(|d| d["code"] == "unknown-property")
        .unwrap();
    assert_eq!(prop["severity"], 2);
}

/// A fresh folder of the test's own, removed when the returned value is dropped.
pub fn tempdir(name: &str) -> crate::support::TempDir {
    crate::support::TempDir::new(&format!("lsp-{name}"))
}
