//! A project's own plugins, described in `kflow.toml` `plugins`: Kestra JSON Schemas (one
//! plugin as `kestra plugins doc --schema` writes it, a server's flow schema) and kflow's catalog
//! format. The schemas below follow the shapes of Kestra's `JsonSchemaGenerator` (the `type`
//! constant, `$dynamic`, `anyOf` with the expression string, `allOf` around `$ref`s, `-2`
//! definition suffixes, `markdownDescription`), as in the flow schema Kestra's UI ships.

use std::path::Path;
use std::time::Duration;

use crate::formats::tempdir;
use crate::support::{diagnostic_pairs, lint_json, run_with_deadline};

const ONE_TASK: &str = r##"{
  "properties": {
    "type": "object",
    "title": "Send a message to the in-house chat.",
    "properties": {
      "id": {"type": "string", "minLength": 1, "maxLength": 256},
      "type": {"const": "com.acme.chat.Send"},
      "channel": {"type": "string", "$dynamic": true, "title": "The channel."},
      "retries": {"anyOf": [{"type": "string", "pattern": ".*{{.*}}.*"}, {"type": "integer"}],
                  "$dynamic": true, "default": 3},
      "auth": {"allOf": [{"$ref": "#/definitions/com.acme.chat.Auth-2"}, {"$dynamic": false}]}
    },
    "required": ["id", "type", "channel"]
  },
  "outputs": {"properties": {"messageId": {"type": "string", "title": "The message id."}}},
  "definitions": {
    "com.acme.chat.Auth-2": {"type": "object",
      "properties": {"token": {"type": "string", "$dynamic": true}}, "required": ["token"]}
  }
}"##;

const FLOW_SCHEMA: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$ref": "#/definitions/io.kestra.core.models.flows.Flow",
  "definitions": {
    "io.kestra.plugin.core.log.Log": {"type": "object", "required": ["id", "type"],
      "properties": {"id": {"type": "string"}, "type": {"const": "io.kestra.plugin.core.log.Log"}}},
    "com.acme.warehouse.Load": {"type": "object", "required": ["id", "type", "table"],
      "properties": {"id": {"type": "string"}, "type": {"const": "com.acme.warehouse.Load"},
        "table": {"type": "string", "$dynamic": true},
        "mode": {"type": "string", "enum": ["APPEND", "REPLACE"], "$dynamic": false}}},
    "io.kestra.core.models.flows.Flow": {"type": "object", "properties": {"id": {"type": "string"}}}
  }
}"##;

const CATALOG_YAML: &str = "covers: [com.acme.yaml]\ntypes:\n  - type: com.acme.yaml.Ping\n    kind: task\n    inherits: [task_common]\n    properties:\n      host: {type: string, required: true, dynamic: true}\n";

const FLOW: &str = r##"id: custom
namespace: company.team
tasks:
  - id: send
    type: com.acme.chat.Send
    chanel: "#ops"
  - id: load
    type: com.acme.warehouse.Load
    table: orders
    mode: MERGE
  - id: ping
    type: com.acme.yaml.Ping
    host: example.org
  - id: nope
    type: com.acme.yaml.Pong
  - id: other
    type: com.other.Thing
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: "{{ outputs.send.mesageId }} {{ outputs.load.rows }}"
"##;

fn project(dir: &Path) {
    std::fs::create_dir_all(dir.join("plugins/plugin-acme/tasks")).unwrap();
    std::fs::write(
        dir.join("plugins/plugin-acme/tasks/com.acme.chat.Send.json"),
        ONE_TASK,
    )
    .unwrap();
    std::fs::write(dir.join("plugins/server-schema.json"), FLOW_SCHEMA).unwrap();
    std::fs::write(dir.join("plugins/acme.yaml"), CATALOG_YAML).unwrap();
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::write(dir.join("flows/custom.yaml"), FLOW).unwrap();
}

/// (rule, message) of every finding.
fn findings(dir: &Path) -> Vec<(String, String)> {
    diagnostic_pairs(&lint_json(&[dir]).0, "rule", "message")
}

fn rules(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(r, _)| r.as_str()).collect()
}

#[test]
fn undescribed_plugins_are_only_noted() {
    let dir = tempdir();
    project(&dir);
    let found = findings(&dir);
    assert!(
        rules(&found).iter().all(|r| *r == "unchecked-plugin"),
        "{found:?}"
    );
    assert_eq!(found.len(), 5, "{found:?}");
}

#[test]
fn described_plugins_are_checked_like_official_ones() {
    let dir = tempdir();
    project(&dir);
    std::fs::write(dir.join("kflow.toml"), "plugins = [\"plugins\"]\n").unwrap();
    let found = findings(&dir);
    let has = |rule: &str, words: &[&str]| {
        found
            .iter()
            .any(|(r, m)| r == rule && words.iter().all(|w| m.contains(w)))
    };
    assert!(has("unknown-property", &["chanel", "channel"]), "{found:?}");
    assert!(has("missing-property", &["channel"]), "{found:?}");
    assert!(has("invalid-property-type", &["MERGE"]), "{found:?}");
    assert!(
        has("unknown-task-type", &["com.acme.yaml.Pong"]),
        "{found:?}"
    );
    assert!(
        has("unknown-output", &["mesageId", "messageId"]),
        "{found:?}"
    );
    // The flow schema lists no outputs: `rows` is not reported. The core Log it also lists
    // stays kflow's own (its `message` is known).
    assert!(!found.iter().any(|(_, m)| m.contains("rows")), "{found:?}");
    assert!(
        !found.iter().any(|(_, m)| m.contains("`message`")),
        "{found:?}"
    );
    // Only the type nobody described is left unchecked.
    let unchecked: Vec<_> = found
        .iter()
        .filter(|(r, _)| r == "unchecked-plugin")
        .collect();
    assert_eq!(unchecked.len(), 1, "{found:?}");
    assert!(unchecked[0].1.contains("com.other.Thing"));
}

#[test]
fn unreadable_descriptions_are_located_errors() {
    let dir = tempdir();
    project(&dir);
    std::fs::write(dir.join("kflow.toml"), "plugins = [\"plugins\"]\n").unwrap();
    std::fs::write(
        dir.join("plugins/broken.json"),
        "{\n  \"properties\": [1,\n",
    )
    .unwrap();
    let out = run_with_deadline(&["lint", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.json:3:"), "{err}");
    std::fs::write(dir.join("kflow.toml"), "plugins = [\"missing\"]\n").unwrap();
    let out = run_with_deadline(&["lint", dir.to_str().unwrap()], Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not exist"));
}
