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
