//! `kflow lsp` figures for benches/README.md: time from a change to its diagnostics on a
//! 5,000-line flow, hover latency on a 4,000-task flow while it is being checked, and memory for
//! a 500-file workspace.
//!
//! ```sh
//! cargo bench -p kflow --bench lsp
//! ```

#[path = "../tests/lsp/client.rs"]
mod client;
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kflow_lint_rules::Config;
use serde_json::json;

use client::{uri, Client};

/// A flow of `tasks` Download + Log pairs, each Log reading the Download before it (five lines
/// per task).
fn big_flow(tasks: usize) -> String {
    let mut s = String::from("id: big\nnamespace: bench.lsp\ninputs:\n  - id: region\n    type: STRING\n    defaults: eu\ntasks:\n");
    for i in 0..tasks / 2 {
        s.push_str(&format!(
            "  - id: dl{i}\n    type: io.kestra.plugin.core.http.Download\n    uri: \"https://example.com/{{{{ inputs.region }}}}/{i}.csv\"\n    timeout: PT5M\n    method: GET\n"
        ));
        s.push_str(&format!(
            "  - id: log{i}\n    type: io.kestra.plugin.core.log.Log\n    message: \"got {{{{ outputs.dl{i}.length }}}} bytes from {{{{ outputs.dl{i}.uri }}}}\"\n    level: INFO\n    description: log {i}\n"
        ));
    }
    s
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Prints `label: median …, p90 …` of the samples.
fn print_spread(label: &str, samples: &mut [Duration]) {
    samples.sort();
    println!(
        "{label}: median {}, p90 {}",
        ms(percentile(samples, 0.5)),
        ms(percentile(samples, 0.9))
    );
}

/// Sends version `v` of `u`: an `x` typed at `col` of `line` on even versions, taken out again
/// on odd ones, so the text alternates between two states.
fn toggle_x(c: &Client, u: &str, v: i64, line: usize, col: usize) {
    let (ch, end) = if v % 2 == 0 {
        ("x", col)
    } else {
        ("", col + 1)
    };
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": v}, "contentChanges": [{"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": end}}, "text": ch}]}),
    );
}

fn change_to_diagnostics() {
    let text = big_flow(1000);
    let lines = text.lines().count();
    // In process: parse + every rule, the processing a change costs.
    let mut inproc = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let doc = kflow_syntax::parse(&text);
        let findings = kflow_lint_rules::check(&doc, &Config::default());
        std::hint::black_box(findings);
        inproc.push(t.elapsed());
    }
    // Through the server, debounce 0: change sent → publishDiagnostics received.
    let mut c = Client::initialized(json!({}), json!({"debounceMs": 0}), None);
    let u = "untitled:big.yaml";
    c.open(u, &text);
    let first = c.diagnostics(u, Some(1)).len();
    let mut round = Vec::new();
    let line = text
        .lines()
        .position(|l| l.contains("description: log 250"))
        .unwrap();
    for v in 2..=61 {
        let t = Instant::now();
        toggle_x(&c, u, v, line, 17);
        c.diagnostics(u, Some(v));
        round.push(t.elapsed());
    }
    println!(
        "## change → diagnostics, {lines}-line flow ({} bytes, {first} diagnostics)",
        text.len()
    );
    print_spread("in-process parse + check", &mut inproc);
    print_spread("through kflow lsp (debounce 0)", &mut round);
    assert!(c.shutdown().success());
}

/// Hover latency on a 4,000-task flow while a check of that document is running: each round
/// sends a change (debounce 0, so the check starts at once) and a hover right behind it.
fn hover_during_check() {
    let text = big_flow(4000);
    let mut c = Client::initialized(json!({}), json!({"debounceMs": 0}), None);
    let u = "untitled:hover.yaml";
    c.open(u, &text);
    c.diagnostics(u, Some(1));
    let line = text
        .lines()
        .position(|l| l.contains("description: log 1000"))
        .unwrap();
    let hover_line = text
        .lines()
        .position(|l| l.contains("id: log1500"))
        .unwrap()
        + 1;
    let mut hovers = Vec::new();
    let mut checks = Vec::new();
    for v in 2..=31 {
        let sent = Instant::now();
        toggle_x(&c, u, v, line, 18);
        let t = Instant::now();
        let h = c.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": {"line": hover_line, "character": 12}}),
        );
        hovers.push(t.elapsed());
        assert!(h["contents"]["value"]
            .as_str()
            .is_some_and(|s| s.contains("Log")));
        c.diagnostics(u, Some(v));
        checks.push(sent.elapsed());
    }
    println!(
        "## hover during a check, {}-line flow ({} bytes)",
        text.lines().count(),
        text.len()
    );
    print_spread("hover sent right after a change", &mut hovers);
    print_spread("the check it overlaps (change → diagnostics)", &mut checks);
    assert!(c.shutdown().success());
}

/// Resident and peak memory of a process, from /proc (Linux).
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn corpus_files(n: usize) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![client::shared().join("corpus")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out.truncate(n);
    out
}

fn workspace_memory() {
    let files = corpus_files(500);
    let dir = std::env::temp_dir().join(format!("kflow-bench-ws-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut bytes = 0;
    let mut copies = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let to = dir.join(format!(
            "{i:03}-{}",
            f.file_name().unwrap().to_string_lossy()
        ));
        bytes += std::fs::copy(f, &to).unwrap();
        copies.push(to);
    }
    let mut c = Client::initialized(json!({}), json!({}), Some(Path::new(&dir)));
    // A Subflow lookup waits for the workspace index.
    let probe = "untitled:probe.yaml";
    let text = "id: p\nnamespace: n\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: none\n    flowId: none\n";
    c.open(probe, text);
    let _ = c.call(
        "textDocument/definition",
        json!({"textDocument": {"uri": probe}, "position": {"line": 6, "character": 13}}),
    );
    let (idle_rss, _) = memory(c.pid());
    let t = Instant::now();
    for f in &copies {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        c.open(&uri(f), &text);
    }
    for f in &copies {
        c.diagnostics(&uri(f), Some(1));
    }
    let all_open = t.elapsed();
    let (rss, peak) = memory(c.pid());
    println!(
        "## memory, {}-file workspace ({} KB of flows)",
        copies.len(),
        bytes / 1024
    );
    println!("indexed, one document open: RSS {} MB", idle_rss / 1024);
    println!(
        "all {} files open and checked ({}): RSS {} MB, peak {} MB",
        copies.len(),
        ms(all_open),
        rss / 1024,
        peak / 1024
    );
    assert!(c.shutdown().success());
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    // `cargo bench` passes --bench; a plain `cargo test --benches` only checks that it builds.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    change_to_diagnostics();
    hover_during_check();
    workspace_memory();
}
