//! Code actions: each rule fix as a quick fix, did-you-mean replacements, "ignore this rule on
//! this line" (and in this file), fix all, and the "migrate this file to Kestra 2.0" source
//! action.

use serde_json::{json, Value};

use crate::client::{apply_edits, at, example, plain, Client};

fn actions(c: &mut Client, uri: &str, pos: Value, only: Option<&str>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(kind) = only {
        context["only"] = json!([kind]);
    }
    let r = c.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": pos, "end": pos}, "context": context}),
    );
    r.as_array().cloned().unwrap_or_default()
}

fn find<'a>(all: &'a [Value], title: &str) -> &'a Value {
    all.iter().find(|a| a["title"] == title).unwrap_or_else(|| {
        panic!(
            "no action `{title}` in {:?}",
            all.iter().map(|a| &a["title"]).collect::<Vec<_>>()
        )
    })
}

/// Applies an action's edit to the document on both sides and returns the new diagnostics.
fn apply(
    c: &mut Client,
    uri: &str,
    text: &str,
    action: &Value,
    version: i64,
) -> (String, Vec<Value>) {
    let edits = action["edit"]["changes"][uri].as_array().unwrap();
    let new_text = apply_edits(text, edits);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": new_text}]}),
    );
    let diags = c.diagnostics(uri, Some(version));
    (new_text, diags)
}

#[test]
fn rule_fixes_and_did_you_mean_replacements() {
    let (uri, text) = example("antipatterns/broken_references.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    c.diagnostics(&uri, Some(1));
    let all = actions(&mut c, &uri, at(&text, "regoin", 1), None);
    let fix = find(&all, "Use `region`");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "undefined-reference");
    let (fixed, diags) = apply(&mut c, &uri, &text, fix, 2);
    assert!(fixed.contains("{{ inputs.region }}"));
    assert!(diags.iter().all(|d| d["code"] != "undefined-reference"
        || !d["message"].as_str().unwrap().contains("regoin")));
    // `levle` → `level`: a did-you-mean of unknown-property.
    let all = actions(&mut c, &uri, at(&fixed, "levle", 1), None);
    let replace = all
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("`level`"))
        .expect("a replacement by `level`");
    let (fixed, diags) = apply(&mut c, &uri, &fixed, replace, 3);
    assert!(fixed.contains("    level: INFO"));
    assert!(diags.iter().all(|d| d["code"] != "unknown-property"));
}

#[test]
fn ignore_on_this_line_and_in_this_file() {
    let (uri, text) = example("antipatterns/broken_references.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    c.diagnostics(&uri, Some(1));
    let all = actions(&mut c, &uri, at(&text, "body }}", 1), None);
    let ignore = find(&all, "Ignore `unknown-output` on this line");
    let (ignored, diags) = apply(&mut c, &uri, &text, ignore, 2);
    assert!(
        diags.iter().all(|d| d["code"] != "unknown-output"),
        "{ignored}"
    );
    assert!(
        diags.iter().any(|d| d["code"] == "duplicate-id"),
        "other rules stay"
    );
    let all = actions(
        &mut c,
        &uri,
        at(&ignored, "io.kestra.core.tasks.log.Log", 3),
        None,
    );
    let file = find(&all, "Ignore `deprecated-type` in this file");
    let (ignored, diags) = apply(&mut c, &uri, &ignored, file, 3);
    assert!(ignored.starts_with("# kflow: ignore-file[deprecated-type]\n"));
    assert!(diags.iter().all(|d| d["code"] != "deprecated-type"));
}

#[test]
fn fix_all_applies_every_safe_fix() {
    let text = "id: f\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.core.tasks.log.Log\n    message: one\n  - id: b\n    type: io.kestra.core.tasks.log.Log\n    message: two\n";
    let uri = "untitled:fixall.yaml";
    let mut c = plain();
    c.open(uri, text);
    let before = c.diagnostics(uri, Some(1));
    assert_eq!(
        before
            .iter()
            .filter(|d| d["code"] == "deprecated-type")
            .count(),
        2
    );
    let all = actions(
        &mut c,
        uri,
        json!({"line": 0, "character": 0}),
        Some("source.fixAll"),
    );
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["kind"], "source.fixAll.kflow");
    let (fixed, diags) = apply(&mut c, uri, text, &all[0], 2);
    assert!(
        diags.iter().all(|d| d["code"] != "deprecated-type"),
        "{fixed}"
    );
    assert_eq!(fixed.matches("io.kestra.plugin.core.log.Log").count(), 2);
}

#[test]
fn source_action_migrates_the_file_to_2_0() {
    // A 1.3 project (no kflow.toml): the action still targets 2.0.
    let text = "id: f\nnamespace: n\ntasks:\n  - id: each # loop\n    type: io.kestra.plugin.core.flow.ForEach\n    values: [a, b]\n    tasks:\n      - id: log\n        type: io.kestra.plugin.core.log.Log\n        message: \"{{ taskrun.value }}\"\n";
    let uri = "untitled:migrate.yaml";
    let mut c = plain();
    c.open(uri, text);
    c.diagnostics(uri, Some(1));
    // Not offered unasked: it is a whole-file rewrite.
    let unasked = actions(&mut c, uri, json!({"line": 0, "character": 0}), None);
    assert!(
        unasked.iter().all(|a| a["kind"] != "source.migrate.kflow"),
        "{unasked:?}"
    );
    let all = actions(
        &mut c,
        uri,
        json!({"line": 0, "character": 0}),
        Some("source"),
    );
    let migrate: Vec<&Value> = all
        .iter()
        .filter(|a| a["kind"] == "source.migrate.kflow")
        .collect();
    assert_eq!(migrate.len(), 1, "{all:?}");
    assert_eq!(
        migrate[0]["title"],
        "Migrate this file to Kestra 2.0 (migrate-loop)"
    );
    let (migrated, _) = apply(&mut c, uri, text, migrate[0], 2);
    assert!(
        migrated.contains("    type: io.kestra.plugin.core.flow.Loop\n"),
        "{migrated}"
    );
    assert!(migrated.contains("  - id: each # loop\n"), "{migrated}");
    assert!(
        migrated.contains("message: \"{{ item.value }}\""),
        "{migrated}"
    );
}
