//! Edits are applied in the order they are sent: a thousand single-character edits sent
//! without waiting leave the server with the client's text, and the last diagnostics are
//! those of the final text.

use serde_json::{json, Value};

use crate::client::{self, example, offset, plain, position};

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Character boundaries of `text` (byte offsets), end included.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect()
}

#[test]
fn a_thousand_unawaited_edits_arrive_in_order() {
    let (uri, start_text) = example("antipatterns/broken_references.yaml");
    let mut c = plain();
    c.open(&uri, &start_text);
    c.diagnostics(&uri, Some(1));

    let mut rng = Rng(0x5eed_1234_abcd);
    let mut text = start_text.clone();
    // Insertions include characters outside the BMP (two UTF-16 units) and line breaks.
    let alphabet = ['a', 'b', 'z', '_', ' ', '\n', 'é', '😀', '{', '}', '.', ':'];
    let mut version = 1;
    for _ in 0..1000 {
        version += 1;
        let bounds = boundaries(&text);
        let at = bounds[rng.below(bounds.len())];
        let change: Value = if rng.below(3) == 0 && at < text.len() {
            // Delete the character at `at`.
            let end = bounds[bounds.iter().position(|&b| b == at).unwrap() + 1];
            let range = json!({"start": position(&text, at), "end": position(&text, end)});
            text.replace_range(at..end, "");
            json!({"range": range, "text": ""})
        } else {
            let ch = alphabet[rng.below(alphabet.len())].to_string();
            let p = position(&text, at);
            text.insert_str(at, &ch);
            json!({"range": {"start": p, "end": p}, "text": ch})
        };
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
    }
    // Sanity of the client's own bookkeeping: positions round-trip.
    assert_eq!(offset(&text, &position(&text, text.len())), text.len());

    let held = c.call("kflow/documentText", json!({"uri": uri}));
    assert_eq!(held["version"], version);
    assert!(
        held["text"].as_str() == Some(text.as_str()),
        "the server's text differs from the client's"
    );

    // The last diagnostics published are those of the final version, and equal kflow lint's.
    let diags = c.diagnostics(&uri, Some(version));
    let dir = crate::diagnostics::tempdir("ordering");
    let file = dir.join("final.yaml");
    std::fs::write(&file, &text).unwrap();
    let expected = lint_positions(&file, &text);
    let mut got: Vec<(String, Value)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"].clone(),
            )
        })
        .collect();
    got.sort_by_key(|(r, p)| (p["line"].as_u64(), p["character"].as_u64(), r.clone()));
    assert_eq!(got, expected);
    // Nothing stale arrives afterwards.
    std::thread::sleep(std::time::Duration::from_millis(400));
    let _ = c.call("kflow/documentText", json!({"uri": uri}));
    assert!(c
        .queue
        .iter()
        .all(|m| m["method"] != "textDocument/publishDiagnostics"
            || m["params"]["version"] == version));
}

/// kflow lint's findings on a file as (rule, LSP start position).
fn lint_positions(path: &std::path::Path, text: &str) -> Vec<(String, Value)> {
    let out = crate::support::kflow()
        .args(["lint", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(String, Value)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            // 1-based line and column in Unicode scalar values → byte offset → LSP position.
            let line = d["line"].as_u64().unwrap() as usize - 1;
            let column = d["column"].as_u64().unwrap() as usize - 1;
            let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
            let line_text = text[line_start..].split('\n').next().unwrap_or("");
            let byte = line_start
                + line_text
                    .char_indices()
                    .nth(column)
                    .map_or(line_text.len(), |(i, _)| i);
            (
                d["rule"].as_str().unwrap().to_string(),
                client::position(text, byte),
            )
        })
        .collect();
    found.sort_by_key(|(r, p)| (p["line"].as_u64(), p["character"].as_u64(), r.clone()));
    found
}
