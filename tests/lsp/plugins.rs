//! The generated plugin catalog through the language server: an S3 upload, a PostgreSQL query,
//! a Slack message and a dbt build (types kflow once only knew as "unchecked").

use serde_json::{json, Value};

use crate::client::{at, plain, position, Client};

const FLOW: &str = r#"id: nightly_orders
namespace: company.team

tasks:
  - id: upload
    type: io.kestra.plugin.aws.s3.Upload
    region: eu-west-1
    bucket: my-bucket
    key: orders/orders.csv
    from: "{{ inputs.file }}"

  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: jdbc:postgresql://127.0.0.1:5432/shop
    sql: SELECT count(*) AS n FROM orders
    fetchTyp: FETCH_ONE

  - id: dbt
    type: io.kestra.plugin.dbt.cli.DbtCLI
    commands:
      - dbt build

  - id: notify
    type: io.kestra.plugin.slack.SlackIncomingWebhook
    url: "{{ secret('SLACK_WEBHOOK') }}"
    messageText: "{{ outputs.query.rowz }} orders, file {{ outputs.upload.key }}"

inputs:
  - id: file
    type: FILE
"#;

fn call(c: &mut Client, method: &str, uri: &str, pos: Value) -> Value {
    c.call(
        method,
        json!({"textDocument": {"uri": uri}, "position": pos}),
    )
}

fn labels(items: &Value) -> Vec<String> {
    items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn plugin_types_get_diagnostics_completion_and_hover() {
    let mut c = plain();
    let uri = "untitled:plugins.yaml";
    c.open(uri, FLOW);
    let diags = c.diagnostics(uri, None);
    let find = |code: &str| {
        diags
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    // A misspelt property of a plugin type, with the right name suggested.
    let unknown = find("unknown-property");
    assert!(
        unknown.len() == 1 && unknown[0].contains("`fetchTyp`; did you mean `fetchType`?"),
        "{diags:#?}"
    );
    // A misspelt output of a plugin type; the S3 upload's `key` output is known.
    let outputs = find("unknown-output");
    assert!(
        outputs.len() == 1 && outputs[0].contains("`rowz`") && outputs[0].contains("rows"),
        "{diags:#?}"
    );
    assert!(find("unchecked-plugin").is_empty(), "{diags:#?}");
    assert!(find("missing-property").is_empty(), "{diags:#?}");

    // Type completion offers plugin types, with their required properties as a snippet.
    let text = FLOW.replace(
        "    type: io.kestra.plugin.aws.s3.Upload\n    region: eu-west-1\n    bucket: my-bucket\n    key: orders/orders.csv\n    from: \"{{ inputs.file }}\"\n",
        "    type: Uplo\n",
    );
    let uri2 = "untitled:types.yaml";
    c.open(uri2, &text);
    let pos = at(&text, "type: Uplo", 10);
    let items = call(&mut c, "textDocument/completion", uri2, pos);
    let upload = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "io.kestra.plugin.aws.s3.Upload")
        .expect("S3 Upload offered");
    assert_eq!(upload["insertTextFormat"], 2, "a snippet");
    let snippet = upload["textEdit"]["newText"].as_str().unwrap();
    assert!(
        snippet.contains("\n    from: ${") && snippet.contains("\n    key: ${"),
        "{snippet}"
    );

    // Property completion in the PostgreSQL query: properties not yet present.
    let text = FLOW.replace("    fetchTyp: FETCH_ONE\n", "    \n");
    let uri3 = "untitled:props.yaml";
    c.open(uri3, &text);
    let line_start = text.find("SELECT count").unwrap();
    let blank = line_start + text[line_start..].find("\n    \n").unwrap() + 5;
    let names = labels(&call(
        &mut c,
        "textDocument/completion",
        uri3,
        position(&text, blank),
    ));
    assert!(
        names.contains(&"fetchType".to_string()) && names.contains(&"username".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"sql".to_string()),
        "`sql` is present already"
    );

    // Enum values of a plugin property.
    let text = FLOW.replace("fetchTyp: FETCH_ONE", "fetchType: ");
    let uri4 = "untitled:enum.yaml";
    c.open(uri4, &text);
    let values = labels(&call(
        &mut c,
        "textDocument/completion",
        uri4,
        at(&text, "fetchType: ", 11),
    ));
    assert!(
        values.contains(&"FETCH_ONE".to_string()) && values.contains(&"STORE".to_string()),
        "{values:?}"
    );

    // Hover: the plugin's description, its documentation page, and a property's doc.
    let hover = call(
        &mut c,
        "textDocument/hover",
        uri,
        at(FLOW, "SlackIncomingWebhook", 3),
    );
    let h = hover["contents"]["value"].as_str().unwrap();
    assert!(
        h.contains("Incoming Webhook")
            && h.contains("https://kestra.io/plugins/plugin-slack/io.kestra.plugin.slack.slackincomingwebhook"),
        "{h}"
    );
    let hover = call(&mut c, "textDocument/hover", uri, at(FLOW, "commands:", 2));
    let h = hover["contents"]["value"].as_str().unwrap();
    assert!(h.starts_with("**commands**") && h.contains("dbt"), "{h}");
}

/// A project's own plugin, described by the JSON Schema `kestra plugins doc --schema` writes
/// (shape of Kestra's `JsonSchemaGenerator`), named by `plugins` in `kflow.toml`.
const CUSTOM_SCHEMA: &str = r##"{
  "properties": {
    "title": "Send a message to the in-house chat.",
    "properties": {
      "id": {"type": "string"},
      "type": {"const": "com.acme.chat.Send"},
      "channel": {"type": "string", "$dynamic": true, "title": "The channel to post to."},
      "urgent": {"type": "boolean", "$dynamic": false}
    },
    "required": ["id", "type", "channel"]
  },
  "outputs": {"properties": {"messageId": {"type": "string"}}}
}"##;

const CUSTOM_FLOW: &str = "id: custom\nnamespace: company.team\ntasks:\n  - id: send\n    type: com.acme.chat.Send\n    chanel: ops\n    \n";

#[test]
fn custom_plugins_from_kflow_toml_are_described_and_followed() {
    let dir = crate::diagnostics::tempdir("custom-plugins");
    std::fs::create_dir_all(dir.join("plugins/tasks")).unwrap();
    let schema = dir.join("plugins/tasks/com.acme.chat.Send.json");
    std::fs::write(&schema, CUSTOM_SCHEMA).unwrap();
    std::fs::write(dir.join("kflow.toml"), "plugins = [\"plugins\"]\n").unwrap();
    let flow = dir.join("flow.yaml");
    std::fs::write(&flow, CUSTOM_FLOW).unwrap();
    let mut c = plain();
    let u = crate::client::uri(&flow);
    c.open(&u, CUSTOM_FLOW);
    let diags = c.diagnostics(&u, Some(1));
    assert!(
        diags.iter().any(|d| d["code"] == "unknown-property"
            && d["message"]
                .as_str()
                .unwrap()
                .contains("did you mean `channel`")),
        "{diags:#?}"
    );
    assert!(
        diags.iter().all(|d| d["code"] != "unchecked-plugin"),
        "{diags:#?}"
    );

    let blank = CUSTOM_FLOW.len() - 1;
    let names = labels(&call(
        &mut c,
        "textDocument/completion",
        &u,
        position(CUSTOM_FLOW, blank),
    ));
    assert!(names.contains(&"urgent".to_string()), "{names:?}");
    let hover = call(
        &mut c,
        "textDocument/hover",
        &u,
        at(CUSTOM_FLOW, "chat.Send", 2),
    );
    let h = hover["contents"]["value"].as_str().unwrap();
    assert!(h.contains("in-house chat"), "{h}");

    // The plugin gains `chanel` (its description changes on disk): the server notices.
    std::fs::write(
        &schema,
        CUSTOM_SCHEMA
            .replace("\"urgent\"", "\"chanel\"")
            .replace("\"channel\"]", "\"id\"]"),
    )
    .unwrap();
    let diags = c.diagnostics(&u, Some(1));
    assert!(
        diags
            .iter()
            .all(|d| d["code"] != "unknown-property" && d["code"] != "missing-property"),
        "{diags:#?}"
    );
}
