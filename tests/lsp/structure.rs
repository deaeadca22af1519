//! Structure: document symbols (the task tree), folding ranges and semantic tokens of
//! expressions.

use serde_json::{json, Value};

use crate::client::{example, plain};

#[test]
fn symbols_are_the_task_tree() {
    let (u, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&u, &text);
    let syms = c.call(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": u}}),
    );
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };
    let top = names(&syms);
    assert!(
        top.contains(&"tasks".into())
            && top.contains(&"triggers".into())
            && top.contains(&"errors".into())
    );
    let tasks = syms
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "tasks")
        .unwrap();
    assert_eq!(names(&tasks["children"]), ["both", "check"]);
    let both = &tasks["children"][0];
    assert_eq!(names(&both["children"]), ["users", "orders"]);
    assert_eq!(both["detail"], "Parallel");
    let check = &tasks["children"][1];
    assert_eq!(names(&check["children"]), ["ok", "failed"]);
    assert_eq!(check["children"][1]["detail"], "else · Fail");
}

#[test]
fn folding_ranges_cover_tasks_and_lists() {
    let (u, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&u, &text);
    let folds = c.call(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": u}}),
    );
    let folds: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    let tasks_line = text.lines().position(|l| l == "tasks:").unwrap() as u64;
    let errors_line = text.lines().position(|l| l == "errors:").unwrap() as u64;
    assert!(folds.contains(&(tasks_line, errors_line - 1)), "{folds:?}");
    assert!(folds.iter().all(|(a, b)| a < b));
}

#[test]
fn semantic_tokens_classify_expressions() {
    let (u, text) = example("seed/fetch_with_download.yaml");
    let mut c = plain();
    c.open(&u, &text);
    let init_legend = [
        "macro", "keyword", "variable", "property", "function", "method", "string", "number",
        "operator", "comment",
    ];
    let tokens = c.call(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": u}}),
    );
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(data.len() % 5, 0);
    // Decode to (line, start, length, type name) and look at `{{ outputs.download_orders.uri }}`.
    let (mut line, mut start) = (0u64, 0u64);
    let mut decoded = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            start = 0;
        }
        line += t[0];
        start += t[1];
        decoded.push((line, start, t[2], init_legend[t[3] as usize]));
    }
    let lines: Vec<&str> = text.lines().collect();
    let word = |(l, s, n, _): &(u64, u64, u64, &str)| {
        lines[*l as usize][*s as usize..(*s + *n) as usize].to_string()
    };
    let from_line = text.lines().position(|l| l.contains("from:")).unwrap() as u64;
    let on_line: Vec<(String, &str)> = decoded
        .iter()
        .filter(|t| t.0 == from_line)
        .map(|t| (word(t), t.3))
        .collect();
    assert_eq!(
        on_line,
        [
            ("{{".into(), "macro"),
            ("outputs".into(), "variable"),
            ("download_orders".into(), "property"),
            ("uri".into(), "property"),
            ("}}".into(), "macro")
        ]
        .map(|(w, k): (String, &str)| (w, k))
    );
}
