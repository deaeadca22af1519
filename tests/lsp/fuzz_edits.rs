//! Random edit sequences on corpus flows (fixed seed): after incremental changes, the server's
//! diagnostics equal `kflow lint` on the same final text.

use serde_json::{json, Value};

use crate::client::{plain, position, shared};
use crate::support::rng::Rng;

const INSERTS: &[&str] = &[
    "{{",
    "}}",
    "{% if x %}",
    ": ",
    "- ",
    "[",
    "]",
    "\"",
    "'",
    "#",
    "\n",
    "\r\n",
    "x",
    "é",
    "🙂",
    "{{ outputs.a.b }}",
    "\n  - id: z\n    type: io.kestra.plugin.core.log.Log\n",
    "levle: INFO\n",
    "    ",
];

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// (rule, 1-based line, message), sorted.
fn triples(diags: impl Iterator<Item = (String, u64, String)>) -> Vec<(String, u64, String)> {
    let mut v: Vec<_> = diags.collect();
    v.sort();
    v
}

#[test]
fn edit_sequences_end_with_the_diagnostics_of_kflow_lint() {
    let root = shared().join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(root.join("kestra-tests/valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() > 50, "corpus not found at {}", root.display());
    let dir = crate::support::TempDir::new("lsp-fuzz");
    let mut rng = Rng(0x6564_6974);
    let mut c = plain();
    for n in 0..30 {
        let path = &files[rng.below(files.len())];
        let Ok(mut text) = std::fs::read_to_string(path) else {
            continue;
        };
        if text.contains('\r') {
            continue;
        }
        let uri = format!("untitled:fuzz-{n}.yaml");
        c.open(&uri, &text);
        let edits = 3 + rng.below(8);
        for version in 2..2 + edits as i64 {
            let a = floor(&text, rng.below(text.len() + 1));
            let b = floor(&text, (a + rng.below(40)).min(text.len())).max(a);
            let insert = if rng.below(3) == 0 {
                ""
            } else {
                INSERTS[rng.below(INSERTS.len())]
            };
            let range = json!({"start": position(&text, a), "end": position(&text, b)});
            text.replace_range(a..b, insert);
            c.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version},
                       "contentChanges": [{"range": range, "text": insert}]}),
            );
        }
        let server = c.diagnostics(&uri, Some(1 + edits as i64));
        let held = c.call("kflow/documentText", json!({"uri": uri}));
        assert_eq!(
            held["text"].as_str(),
            Some(text.as_str()),
            "the server's text drifted"
        );
        let file = dir.join(format!("fuzz-{n}.yaml"));
        std::fs::write(&file, &text).unwrap();
        let out = crate::support::kflow()
            .args(["lint", "--format", "json"])
            .arg(&file)
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
        let from_cli = triples(cli["diagnostics"].as_array().unwrap().iter().map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        }));
        let from_server = triples(server.iter().map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["message"].as_str().unwrap().to_string(),
            )
        }));
        assert_eq!(
            from_server,
            from_cli,
            "{} after {edits} edits:\n{text}",
            path.display()
        );
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }
}
