//! Hostile input gives a located finding or a clear message, never a panic or a hang.

use std::time::Duration;

use crate::formats::tempdir;
use crate::support::run_with_deadline;

fn lint_bytes(name: &str, bytes: &[u8]) -> (serde_json::Value, i32, String) {
    let dir = tempdir();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    // Generous deadline: a hang fails, a slow shared machine does not.
    let out = run_with_deadline(
        &["lint", "--format", "json", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (json, out.status.code().unwrap(), stderr)
}

fn syntax_lines(json: &serde_json::Value) -> Vec<u64> {
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "syntax")
        .map(|d| d["line"].as_u64().unwrap())
        .collect()
}

#[test]
fn alias_bomb() {
    let mut text = String::from(
        "id: bomb\nnamespace: n\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..12 {
        text.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    text.push_str("tasks: *a11\n");
    let (json, code, _) = lint_bytes("bomb.yaml", text.as_bytes());
    assert_eq!(code, 1);
    assert!(!json["diagnostics"].as_array().unwrap().is_empty());
}

#[test]
fn deep_brackets() {
    let text = format!("id: deep\nnamespace: n\ntasks: {}", "[".repeat(200_000));
    let (json, code, _) = lint_bytes("deep.yaml", text.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(syntax_lines(&json), [3]);
}

#[test]
fn invalid_utf8_and_binary() {
    let (json, code, _) = lint_bytes("bad.yaml", b"id: x\nnamespace: n\nmessage: caf\xe9\n");
    assert_eq!(code, 1);
    assert_eq!(syntax_lines(&json), [3]);
    let (json, code, _) = lint_bytes("bin.yaml", &[0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 0xff]);
    assert_eq!(code, 1);
    assert_eq!(syntax_lines(&json), [1]);
}

#[test]
fn huge_scalar_and_empty_file() {
    let mut text = String::from("id: big\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: \"");
    text.push_str(&"x".repeat(30 * 1024 * 1024));
    text.push_str("\"\n");
    let (json, code, _) = lint_bytes("big.yaml", text.as_bytes());
    assert_eq!(code, 0, "{json}");
    let (json, code, _) = lint_bytes("empty.yaml", b"");
    assert_eq!(code, 1);
    assert!(json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["rule"] == "missing-property"));
}

#[test]
fn truncated_tabs_and_duplicate_keys() {
    let (json, _, _) = lint_bytes(
        "trunc.yaml",
        b"id: t\nnamespace: n\ntasks:\n  - id: a\n    message: \"open",
    );
    assert_eq!(syntax_lines(&json).len(), 1);
    let (json, _, _) = lint_bytes("tab.yaml", b"id: t\nnamespace: n\ntasks:\n\t- id: a\n");
    assert_eq!(syntax_lines(&json), [4]);
    let (json, _, _) = lint_bytes("dup.yaml", b"id: t\nnamespace: n\nid: u\ntasks: []\n");
    assert_eq!(syntax_lines(&json), [3]);
}

#[test]
fn deep_and_long_jq_programs() {
    for program in [
        format!("{}.a{}", "[".repeat(20_000), "]".repeat(20_000)),
        format!("{}.a", ".a | ".repeat(100_000)),
        format!("{}.", "if . then ".repeat(20_000)),
    ] {
        let text = format!(
            "id: deep\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{{{ {{}} | jq('{program}') }}}}\"\n"
        );
        let (json, code, _) = lint_bytes("jq.yaml", text.as_bytes());
        assert_eq!(code, 1);
        let d = &json["diagnostics"][0];
        assert_eq!(d["rule"], "expression-syntax");
        assert_eq!(d["line"], 6);
    }
}

#[test]
fn multi_byte_text_where_a_url_is_expected() {
    // Byte 7 falls inside `€`: URL checks must cut text at characters, not bytes.
    let text = "id: t\nnamespace: n\ntasks:\n  - id: r\n    type: io.kestra.plugin.core.http.Request\n    uri: ab€€\n    headers:\n      Authorization: \"{{ secret('T') }}\"\n";
    let (json, _, _) = lint_bytes("utf8.yaml", text.as_bytes());
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["rule"] != "credentials-over-http"),
        "{json}"
    );
}
