//! Completion: plugin types with their required properties as a snippet, missing properties,
//! enum values, input types, and inside `{{ }}` task ids in scope, outputs, inputs,
//! variables, context fields, filters and functions.

use serde_json::{json, Value};

use crate::client::{self, example, plain, Client};

fn complete(c: &mut Client, uri: &str, pos: Value) -> Vec<Value> {
    let result = c.call(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": pos}),
    );
    result["items"].as_array().cloned().unwrap_or_default()
}

fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["label"].as_str().unwrap()).collect()
}

/// Opens `text` as a new document and completes at the `‸` marker.
fn complete_at(c: &mut Client, name: &str, text_with_cursor: &str) -> Vec<Value> {
    let at = text_with_cursor.find('‸').unwrap();
    let text = text_with_cursor.replacen('‸', "", 1);
    let uri = format!("untitled:{name}.yaml");
    c.open(&uri, &text);
    complete(c, &uri, client::position(&text, at))
}

#[test]
fn task_types_come_with_docs_and_required_properties() {
    let mut c = plain();
    let items = complete_at(
        &mut c,
        "types",
        "id: f\nnamespace: n\ntasks:\n  - id: get\n    type: Reque‸\n",
    );
    let request = items
        .iter()
        .find(|i| i["label"] == "io.kestra.plugin.core.http.Request")
        .expect("Request offered");
    assert_eq!(request["insertTextFormat"], 2, "a snippet");
    assert!(request["textEdit"]["newText"]
        .as_str()
        .unwrap()
        .contains("\n    uri: ${1}"));
    assert!(request["documentation"]["value"]
        .as_str()
        .unwrap()
        .contains("Outputs"));
    assert!(items.len() > 50, "the whole catalog of task types");
}

#[test]
fn properties_not_yet_present_enum_values_and_input_types() {
    let (uri, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    // A new key in the `alert` Log task, which has `level` and `message` already.
    let edited = text.replace("    level: ERROR\n", "    level: ERROR\n    ‸\n");
    let items = complete_at(&mut c, "props", &edited);
    let names = labels(&items);
    assert!(
        names.contains(&"description") && names.contains(&"retry"),
        "{names:?}"
    );
    assert!(!names.contains(&"level") && !names.contains(&"message"));
    let values = complete_at(&mut c, "enum", &text.replace("level: ERROR", "level: ‸"));
    assert!(labels(&values).contains(&"WARN"));
    let inputs = complete_at(
        &mut c,
        "inputs",
        "id: f\nnamespace: n\ninputs:\n  - id: day\n    type: ‸\n",
    );
    let names = labels(&inputs);
    assert!(
        names.contains(&"DATE") && names.contains(&"STRING"),
        "{names:?}"
    );
}

#[test]
fn expressions_complete_what_is_in_scope() {
    let (_, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    // In `check` (after the Parallel): `both`, `users`, `orders`; not `check` itself nor `ok`.
    let t = text.replace("{{ outputs.users.code == 200 }}", "{{ outputs.‸ }}");
    let ids = complete_at(&mut c, "scope", &t);
    let mut names = labels(&ids);
    names.sort();
    assert_eq!(names, ["both", "orders", "users"]);
    let t = text.replace("{{ outputs.users.code == 200 }}", "{{ outputs.users.‸ }}");
    let outs = complete_at(&mut c, "outputs", &t);
    assert!(labels(&outs).contains(&"body") && labels(&outs).contains(&"code"));
    let t = text.replace("{{ vars.base }}/users/42\"", "{{ vars.‸ }}\"");
    assert_eq!(labels(&complete_at(&mut c, "vars", &t)), ["base"]);
    let t = text.replace("{{ flow.id }}", "{{ execution.‸ }}");
    assert!(labels(&complete_at(&mut c, "context", &t)).contains(&"startDate"));
    let t = text.replace("{{ flow.id }}", "{{ taskrun.‸ }}");
    assert!(labels(&complete_at(&mut c, "taskrun", &t)).contains(&"attemptsCount"));
    let t = text.replace("{{ flow.id }}", "{{ flow.‸ }}");
    assert!(labels(&complete_at(&mut c, "flow", &t)).contains(&"namespace"));
    let t = text.replace("{{ flow.id }}", "{{ flow.id | ‸ }}");
    let filters = complete_at(&mut c, "filters", &t);
    let jq = filters.iter().find(|i| i["label"] == "jq").unwrap();
    assert_eq!(jq["detail"], "jq(expression)");
    let t = text.replace("{{ flow.id }}", "{{ ‸ }}");
    let roots = complete_at(&mut c, "roots", &t);
    let names = labels(&roots);
    assert!(names.contains(&"outputs") && names.contains(&"taskrun") && names.contains(&"now"));
    let inputs = complete_at(
        &mut c,
        "inputs-expr",
        "id: f\nnamespace: n\ninputs:\n  - id: day\n    type: DATE\ntasks:\n  - id: l\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ inputs.‸ }}\"\n",
    );
    assert_eq!(labels(&inputs), ["day"]);
}
