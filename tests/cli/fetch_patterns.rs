//! The fetch-pattern rules on positive cases and near misses beyond the shared examples.

use crate::rules::{f, findings};

const HEAD: &str = "id: t\nnamespace: company.team\ntasks:\n";

fn task(body: &str) -> String {
    format!("{HEAD}{body}")
}

#[test]
fn urls_in_comments_and_logs_do_not_count() {
    let flow = task(
        "  - id: report
    type: io.kestra.plugin.scripts.python.Script
    script: |
      # data comes from https://example.com/data/orders.csv
      import json, os, urllib.request
      print(\"see https://example.com/data/orders.csv for the source\")
      print(json.dumps({\"cwd\": os.getcwd()}))
",
    );
    assert_eq!(findings(&flow), []);
}

#[test]
fn download_then_transform_is_real_work() {
    let flow = task(
        "  - id: enrich
    type: io.kestra.plugin.scripts.python.Script
    dependencies: [requests, pandas]
    outputFiles: [summary.csv]
    script: |
      import io
      import pandas as pd
      import requests
      r = requests.get(\"https://example.com/data/orders.csv\", timeout=30)
      df = pd.read_csv(io.StringIO(r.text))
      df.groupby(\"status\").size().to_csv(\"summary.csv\")
",
    );
    assert_eq!(findings(&flow), []);
}

#[test]
fn custom_images_may_bring_packages() {
    let flow = task(
        "  - id: crunch
    type: io.kestra.plugin.scripts.python.Script
    containerImage: ghcr.io/kestra-io/pydata:latest
    script: |
      import pandas as pd
      print(pd.__version__)
",
    );
    assert_eq!(findings(&flow), []);
}

#[test]
fn dedicated_plugins_win_over_generic_rules() {
    let flow = task(
        "  - id: gcs
    type: io.kestra.plugin.scripts.python.Script
    dependencies: [requests]
    outputFiles: [a.csv]
    script: |
      import requests
      r = requests.get(\"https://storage.googleapis.com/my-bucket/a.csv\")
      open(\"a.csv\", \"wb\").write(r.content)
",
    );
    assert_eq!(findings(&flow), [f("prefer-dedicated-plugin", 5)]);
}

#[test]
fn long_scripts_with_outputs_are_fine() {
    let body: String = (0..60).map(|i| format!("      x{i} = {i}\n")).collect();
    let with_files = task(&format!(
        "  - id: long
    type: io.kestra.plugin.scripts.python.Script
    outputFiles: [out.txt]
    script: |
{body}      open(\"out.txt\", \"w\").write(str(x0))
"
    ));
    assert_eq!(findings(&with_files), []);
    let without = with_files.replace("    outputFiles: [out.txt]\n", "");
    assert_eq!(findings(&without), [f("long-inline-script", 6)]);
    let configured = crate::rules::findings_with(&without, Some("max-script-lines = 100\n"));
    assert_eq!(configured, []);
}

#[test]
fn api_calls_with_an_official_plugin_name_it() {
    let flow = task(
        "  - id: notify
    type: io.kestra.plugin.core.http.Request
    uri: https://hooks.slack.com/services/T000/B000/XXXX
    method: POST
    body: '{\"text\": \"done\"}'
  - id: issue
    type: io.kestra.plugin.core.http.Request
    uri: https://api.github.com/repos/acme/app/issues
    method: POST
  - id: sheet
    type: io.kestra.plugin.scripts.python.Script
    dependencies: [requests]
    script: |
      import requests
      rows = requests.get('https://sheets.googleapis.com/v4/spreadsheets/abc/values/A1:B9').json()
      print(len(rows))
",
    );
    let dir = crate::formats::tempdir();
    let path = dir.join("flow.yaml");
    std::fs::write(&path, &flow).unwrap();
    let (json, _) = crate::support::lint_json(&[&path]);
    let messages: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "prefer-dedicated-plugin")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    // The current Slack plugin, not the deprecated notifications one.
    assert!(
        messages[0].contains("io.kestra.plugin.slack.SlackIncomingWebhook"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("io.kestra.plugin.github.issues.Create"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("io.kestra.plugin.googleworkspace.sheets.Read"),
        "{messages:?}"
    );
}

#[test]
fn scripts_passing_response_bodies_to_outputs() {
    // One GET saved to a file and passed to Kestra.outputs too: still a download.
    let both = task(
        "  - id: fetch
    type: io.kestra.plugin.scripts.python.Script
    dependencies: [requests, kestra]
    outputFiles: [data.json]
    script: |
      import requests
      from kestra import Kestra
      r = requests.get('https://example.com/api/export/data.json')
      with open('data.json', 'w') as f:
          f.write(r.text)
      Kestra.outputs({'data': r.json()})
",
    );
    assert_eq!(findings(&both), [f("script-single-download", 5)]);
    // Only a field of it: real work, not a download.
    let field = both.replace("{'data': r.json()}", "{'total': r.json()['total']}");
    assert_eq!(findings(&field), []);
    // An API call whose whole body goes to outputs: the payload is kept in the execution.
    let emit = task(
        "  - id: api
    type: io.kestra.plugin.scripts.python.Script
    dependencies: [requests, kestra]
    script: |
      import requests
      from kestra import Kestra
      r = requests.get('https://api.example.com/v1/items')
      rows = r.json()
      for row in rows:
          print(row['id'])
      Kestra.outputs({'items': r.json(), 'count': len(rows)})
",
    );
    // (Printing and emitting is all it does besides the call: a Request task would do.)
    assert_eq!(
        findings(&emit),
        [
            f("script-single-request", 5),
            f("large-payload-in-outputs", 14)
        ]
    );
}
