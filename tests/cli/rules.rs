//! Each correctness rule on small flows: what fires, where, and what must not fire.

use std::time::Duration;

use crate::formats::tempdir;
use crate::support::{lint_json, run_with_deadline};

/// (rule, line) of every warning and error `kflow lint` reports on `yaml`, with an optional
/// kflow.toml beside it.
pub fn findings_with(yaml: &str, toml: Option<&str>) -> Vec<(String, u64)> {
    let dir = tempdir();
    let path = dir.join("flow.yaml");
    std::fs::write(&path, yaml).unwrap();
    if let Some(t) = toml {
        std::fs::write(dir.join("kflow.toml"), t).unwrap();
    }
    let (json, _) = lint_json(&[&path]);
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] != "info")
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

pub fn findings(yaml: &str) -> Vec<(String, u64)> {
    findings_with(yaml, None)
}

pub fn f(rule: &str, line: u64) -> (String, u64) {
    (rule.to_string(), line)
}

const HEAD: &str = "id: t\nnamespace: company.team\n";

#[test]
fn branches_loops_and_loop_conditions() {
    let flow = format!(
        "{HEAD}tasks:
  - id: choose
    type: io.kestra.plugin.core.flow.If
    condition: \"{{{{ true }}}}\"
    then:
      - id: yes
        type: io.kestra.plugin.core.debug.Return
        format: y
    else:
      - id: no
        type: io.kestra.plugin.core.log.Log
        message: \"{{{{ outputs.yes.value }}}}\"
  - id: after
    type: io.kestra.plugin.core.log.Log
    message: \"{{{{ outputs.yes.value }}}}\"
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [a, b]
    tasks:
      - id: inner
        type: io.kestra.plugin.core.debug.Return
        format: \"{{{{ taskrun.value }}}}\"
      - id: same_iteration
        type: io.kestra.plugin.core.log.Log
        message: \"{{{{ outputs.inner[taskrun.value].value }}}}\"
  - id: outside
    type: io.kestra.plugin.core.log.Log
    message: \"{{{{ outputs.inner.value }}}} {{{{ outputs.inner['a'].value }}}}\"
  - id: loop
    type: io.kestra.plugin.core.flow.LoopUntil
    condition: \"{{{{ outputs.step.value == '3' }}}}\"
    tasks:
      - id: step
        type: io.kestra.plugin.core.debug.Return
        format: \"{{{{ outputs.loop.iterationCount }}}}\"
"
    );
    assert_eq!(
        findings(&flow),
        [
            f("undefined-reference", 14),
            f("conditional-reference", 17),
            f("undefined-reference", 30)
        ]
    );
}

#[test]
fn inputs_vars_dashes_and_unknown_names() {
    let flow = format!(
        "{HEAD}inputs:
  - id: server-fqn
    type: STRING
    defaults: x
variables:
  base: https://example.com
tasks:
  - id: produce-output
    type: io.kestra.plugin.core.debug.Return
    format: \"{{{{ inputs.server-fqn }}}}\"
  - id: use
    type: io.kestra.plugin.core.log.Log
    message: \"{{{{ outputs.produce-output.value }}}} {{{{ vars.bse }}}} {{{{ inputs['server-fqn'] }}}} {{{{ flow.id | upperr }}}}\"
"
    );
    assert_eq!(
        findings(&flow),
        [
            f("dashed-reference", 12),
            f("dashed-reference", 15),
            f("undefined-reference", 15),
            f("unknown-function", 15)
        ]
    );
}

#[test]
fn expression_and_jq_syntax_errors_are_located_inside_the_string() {
    let flow = format!(
        "{HEAD}tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: |
      first line
      {{{{ flow.id | jq('.items[0') }}}}
      {{% if flow.id %}}x{{% elif y %}}z{{% endif %}}
"
    );
    let got = findings(&flow);
    assert!(got.contains(&f("expression-syntax", 8)), "{got:?}");
    assert!(got.contains(&f("expression-syntax", 9)), "{got:?}");
}

#[test]
fn cron_duration_dag_and_switch() {
    let flow = format!(
        "{HEAD}tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Sleep
    duration: 5m
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: d1
          type: io.kestra.plugin.core.debug.Return
          format: a
        dependsOn: [d2]
      - task:
          id: d2
          type: io.kestra.plugin.core.debug.Return
          format: b
        dependsOn: [d1, nope]
  - id: route
    type: io.kestra.plugin.core.flow.Switch
    value: x
    cases:
      A: []
triggers:
  - id: nightly
    type: io.kestra.plugin.core.trigger.Schedule
    cron: \"0 25 * * *\"
"
    );
    let got = findings(&flow);
    for expected in [
        f("invalid-duration", 6),
        f("invalid-dag", 19),
        f("empty-branch", 24),
        f("empty-branch", 21),
        f("invalid-cron", 28),
    ] {
        assert!(got.contains(&expected), "{expected:?} missing from {got:?}");
    }
    assert!(
        got.iter().filter(|(r, _)| r == "invalid-dag").count() >= 2,
        "{got:?}"
    );
}

#[test]
fn flow_level_rules() {
    let flow = "id: nightly
namespace: company.team
labels:
  system.owner: me
inputs:
  - id: user
    type: STRNG
  - id: day
    type: STRING
tasks:
  - id: again
    type: io.kestra.plugin.core.flow.Subflow
    namespace: company.team
    flowId: nightly
triggers:
  - id: every_hour
    type: io.kestra.plugin.core.trigger.Schedule
    cron: \"0 * * * *\"
";
    let got = findings(flow);
    for expected in [
        f("reserved-label", 4),
        f("invalid-input", 7),
        f("missing-input-default", 8),
        f("recursive-subflow", 12),
    ] {
        assert!(got.contains(&expected), "{expected:?} missing from {got:?}");
    }
}

#[test]
fn target_version_decides_what_exists() {
    let flow = format!(
        "{HEAD}tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: [a]
    tasks:
      - id: log
        type: io.kestra.plugin.core.log.Log
        message: hi
"
    );
    assert_eq!(findings(&flow), []);
    // Under 2.0 the migration rule says how to move to `Loop`, beside the removal itself.
    assert_eq!(
        findings_with(&flow, Some("kestra-version = \"2.0\"\n")),
        [f("migrate-loop", 5), f("unknown-task-type", 5)]
    );
    let loop_flow = flow.replace("flow.ForEach", "flow.Loop");
    assert_eq!(findings(&loop_flow), [f("unknown-task-type", 5)]);
    assert_eq!(
        findings_with(&loop_flow, Some("kestra-version = \"2.0\"\n")),
        []
    );
}

#[test]
fn pebble_names_follow_the_target_version() {
    // `json` (filter and function) and `currentEachOutput` are gone in 2.0; `regexMatch`,
    // `loopOutputs` and `dayOfWeek` are new in it (Kestra core's pebble Extension at each line).
    let flow = format!(
        "{HEAD}tasks:
  - id: log
    type: io.kestra.plugin.core.log.Log
    message:
      - \"{{{{ {{'a': 1}} | json }}}} {{{{ json('[1]') }}}}\"
      - \"{{{{ 'a1' | regexMatch('[0-9]') }}}} {{{{ dayOfWeek('2026-12-05') }}}}\"
      - \"{{{{ 'x' | jsonn }}}}\"
"
    );
    let v2_toml = "kestra-version = \"2.0\"\n";
    let v2 = Some(v2_toml);
    assert_eq!(
        findings(&flow),
        [
            f("unknown-function", 8),
            f("unknown-function", 8),
            f("unknown-function", 9)
        ]
    );
    assert_eq!(
        findings_with(&flow, v2),
        [
            f("unknown-function", 7),
            f("unknown-function", 7),
            f("unknown-function", 9)
        ]
    );
    let dir = tempdir();
    std::fs::write(dir.join("flow.yaml"), &flow).unwrap();
    std::fs::write(dir.join("kflow.toml"), v2_toml).unwrap();
    let out = run_with_deadline(
        &["lint", dir.join("flow.yaml").to_str().unwrap()],
        Duration::from_secs(60),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("the filter `json` was removed in Kestra 2.0; use `toJson`")
            && text.contains("the function `json` was removed in Kestra 2.0; use `fromJson`")
            && !text.contains("did you mean `json`?"),
        "{text}"
    );
    let out = run_with_deadline(
        &[
            "lint",
            "--format",
            "json",
            tempdir_with(&flow).join("flow.yaml").to_str().unwrap(),
        ],
        Duration::from_secs(60),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("the filter `regexMatch` needs Kestra 2.0 (kestra-version is 1.3)"),
        "{text}"
    );
}

/// A folder holding `flow` as `flow.yaml` (removed when the value is dropped).
fn tempdir_with(flow: &str) -> crate::support::TempDir {
    let dir = tempdir();
    std::fs::write(dir.join("flow.yaml"), flow).unwrap();
    dir
}

#[test]
fn nested_objects_retry_and_inputs_are_checked() {
    let flow = format!(
        "{HEAD}inputs:
  - id: n
    type: INT
    defaults: 3
    maxx: 4
tasks:
  - id: get
    type: io.kestra.plugin.core.http.Request
    uri: https://example.com
    options:
      timeout:
        connectTimeout: PT5S
      alowFailed: true
    retry:
      type: constant
      interval: PT10S
      maxAttempt: 3
      maxInterval: PT1M
"
    );
    let got = findings(&flow);
    for expected in [
        f("unknown-property", 7),
        f("unknown-property", 15),
        f("deprecated-property", 19),
        f("unknown-property", 20),
    ] {
        assert!(got.contains(&expected), "{expected:?} missing from {got:?}");
    }
}

#[test]
fn documentation_is_not_read_as_expressions() {
    // Markdown that shows Pebble as an example: Kestra does not render descriptions.
    let flow = format!(
        "{HEAD}description: |
  Read a secret with `{{{{ secret('API_KEY') `, branch with `{{% if x %}}`.
inputs:
  - id: day
    type: STRING
    description: \"Use {{{{ like this\"
tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    description: \"{{{{ outputs.nope.x }}}} {{% endif %}}\"
    message: hi
  - id: event
    type: io.kestra.plugin.googleworkspace.calendar.InsertEvent
    calendarId: primary
    summary: standup
    startTime: {{dateTime: '2026-12-07T09:00:00Z'}}
    endTime: {{dateTime: '2026-12-07T09:15:00Z'}}
    description: \"{{{{ outputs.nope.x }}}}\"
outputs:
  - id: o
    type: STRING
    value: x
    description: \"{{{{ unclosed\"
"
    );
    // Only the calendar event's description is rendered (its plugin declares it dynamic).
    assert_eq!(findings(&flow), [f("undefined-reference", 20)]);
}

#[test]
fn request_rules_need_evidence_of_a_file() {
    // JSON API calls whose bodies are passed on or picked apart: no finding.
    let flow = format!(
        "{HEAD}tasks:
  - id: prom
    type: io.kestra.plugin.core.http.Request
    uri: http://127.0.0.1:9090/api/v1/query?query=up
  - id: exports
    type: io.kestra.plugin.core.http.Request
    uri: https://api.example.com/v1/exports?limit=100
  - id: tls
    type: io.kestra.plugin.core.http.Request
    uri: https://api.ssllabs.com/api/v3/analyze?host=example.com
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    inputFiles:
      exports.json: \"{{{{ outputs.exports.body }}}}\"
    script: print(open('exports.json').read())
  - id: total
    type: io.kestra.plugin.core.output.OutputValues
    values:
      total: \"{{{{ fromJson(outputs.prom.body).data.result | length }}}}\"
      status: \"{{{{ json(outputs.tls.body).status }}}}\"
"
    );
    assert_eq!(findings(&flow), []);
    // A file asked for in the query, and a whole body kept in outputs: findings.
    let flow = format!(
        "{HEAD}tasks:
  - id: sheet
    type: io.kestra.plugin.core.http.Request
    uri: https://www.googleapis.com/drive/v3/files/abc?alt=media
  - id: api
    type: io.kestra.plugin.core.http.Request
    uri: https://api.example.com/v1/items
  - id: keep
    type: io.kestra.plugin.core.output.OutputValues
    values:
      all: \"{{{{ fromJson(outputs.api.body) | toJson }}}}\"
"
    );
    assert_eq!(
        findings(&flow),
        [
            f("request-file-payload", 5),
            f("large-payload-in-outputs", 13)
        ]
    );
}

#[test]
fn one_problem_one_finding() {
    // An unclosed `{{`: the syntax error only, not also a guess at what it reads.
    let flow = format!(
        "{HEAD}tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    message: \"{{{{ outputs.x\"
"
    );
    assert_eq!(findings(&flow), [f("expression-syntax", 6)]);
    // A YAML error cuts a task short: the syntax error first, and no \"requires `message`\".
    let flow = format!(
        "{HEAD}tasks:
  - id: a
    type: io.kestra.plugin.core.log.Log
    levle: INFO
  - id: b
    type: io.kestra.plugin.core.log.Log
    message: \"{{{{ outputs.a.value }}}}\"
    x: [unclosed
"
    );
    let got = findings(&flow);
    assert_eq!(
        got.first().map(|(r, _)| r.as_str()),
        Some("syntax"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .all(|(r, _)| r == "syntax" || r == "unknown-property"),
        "{got:?}"
    );
}

#[test]
fn scheduled_inputs_follow_the_target_version() {
    // Kestra 2.0's FlowValidator rejects a required input without defaults that a Schedule or a
    // Webhook does not set (its test flows scheduled-missing-inputs-defaults*.yaml); since
    // 2.0.0-rc12 an input marked `required: false` is exempt (kestra f7f092584, as Kestra's
    // migration program documents it).
    let flow = format!(
        "{HEAD}inputs:
  - id: user
    type: STRING
    defaults: John
  - id: user2
    type: STRING
    required: false
  - id: user3
    type: STRING
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hey {{{{ inputs.user }}}}
triggers:
  - id: every_minute
    type: io.kestra.plugin.core.trigger.Schedule
    cron: \"*/1 * * * *\"
    inputs:
      user3: Jane
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: a-secret-key
"
    );
    assert_eq!(findings(&flow), []);
    // The Schedule sets `user3`, the Webhook does not.
    assert_eq!(
        findings_with(&flow, Some("kestra-version = \"2.0\"\n")),
        [f("missing-input-default", 10)]
    );
    let no_user3 = flow.replace("    inputs:\n      user3: Jane\n", "");
    assert_eq!(findings(&no_user3), [f("missing-input-default", 10)]);
}

#[test]
fn outside_values_pasted_into_code() {
    let flow = format!(
        "{HEAD}inputs:
  - id: customer
    type: STRING
  - id: limit
    type: INT
tasks:
  - id: greet
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo \"Hello {{{{ trigger.body.name }}}}\"
  - id: greet_safely
    type: io.kestra.plugin.scripts.shell.Commands
    env:
      NAME: \"{{{{ trigger.body.name }}}}\"
    commands:
      - echo \"Hello $NAME, {{{{ inputs.limit }}}} rows, {{{{ trigger.body.name | length }}}} letters\"
  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: jdbc:postgresql://127.0.0.1:5432/shop
    sql: SELECT * FROM orders WHERE customer = '{{{{ inputs.customer }}}}' LIMIT {{{{ inputs.limit }}}}
  - id: py
    type: io.kestra.plugin.scripts.python.Script
    script: |
      name = {{{{ inputs.customer | toJson }}}}
      print(name)
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: a-long-secret-key
"
    );
    assert_eq!(
        findings(&flow),
        [f("template-injection", 12), f("template-injection", 22)]
    );
    // With a Schedule only, `trigger` is Kestra's own (dates).
    let scheduled = flow.replace(
        "type: io.kestra.plugin.core.trigger.Webhook\n    key: a-long-secret-key",
        "type: io.kestra.plugin.core.trigger.Schedule\n    cron: \"0 * * * *\"",
    );
    assert!(
        findings(&scheduled)
            .iter()
            .all(|(r, l)| r != "template-injection" || *l == 22),
        "{:?}",
        findings(&scheduled)
    );
}

#[test]
fn json_bodies_and_printed_secrets() {
    let flow = format!(
        "{HEAD}tasks:
  - id: relay
    type: io.kestra.plugin.core.http.Request
    uri: https://hooks.example.com/relay
    method: POST
    body: '{{\"text\": \"{{{{ trigger.body.message }}}}\"}}'
  - id: relay_safely
    type: io.kestra.plugin.core.http.Request
    uri: https://hooks.example.com/relay
    method: POST
    body: '{{\"text\": {{{{ trigger.body.message | toJson }}}}}}'
  - id: whole
    type: io.kestra.plugin.core.http.Request
    uri: https://hooks.example.com/relay
    method: POST
    body: \"{{{{ trigger.body }}}}\"
  - id: sh
    type: io.kestra.plugin.scripts.shell.Commands
    commands:
      - echo {{{{ secret('TOKEN') }}}}
      - 'curl -H \"Authorization: {{{{ secret(''TOKEN'') }}}}\" https://api.example.com -o a.json'
      - python3 report.py a.json
triggers:
  - id: hook
    type: io.kestra.plugin.core.trigger.Webhook
    key: \"{{{{ secret('WEBHOOK_KEY') }}}}\"
"
    );
    assert_eq!(
        findings(&flow),
        [f("template-injection", 8), f("secret-exposure", 22)]
    );
}
