//! Navigation: definitions and references of task ids, inputs and variables from expressions,
//! rename as one WorkspaceEdit, and Subflow `namespace` + `flowId` to the flow's file.

use serde_json::{json, Value};

use crate::client::{apply_edits, at, example, plain, uri, Client};

fn pos_params(uri: &str, pos: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": pos})
}

#[test]
fn definitions_and_references_of_tasks_inputs_and_variables() {
    let (u, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&u, &text);
    let def = c.call(
        "textDocument/definition",
        pos_params(&u, at(&text, "outputs.users.code == 200", 9)),
    );
    assert_eq!(def[0]["uri"], u);
    assert_eq!(def[0]["range"]["start"], at(&text, "users\n", 0));
    let mut params = pos_params(&u, at(&text, "users\n", 1));
    params["context"] = json!({"includeDeclaration": true});
    let refs = c.call("textDocument/references", params);
    assert_eq!(
        refs.as_array().unwrap().len(),
        4,
        "the id and three reads: {refs}"
    );
    let def = c.call(
        "textDocument/definition",
        pos_params(&u, at(&text, "vars.base", 6)),
    );
    assert_eq!(def[0]["range"]["start"], at(&text, "base:", 0));
    let (u2, text2) = example("antipatterns/broken_references.yaml");
    c.open(&u2, &text2);
    let def = c.call(
        "textDocument/definition",
        pos_params(&u2, at(&text2, "inputs.regoin", 2)),
    );
    assert!(def.is_null(), "a misspelt input has no definition: {def}");
}

#[test]
fn rename_updates_every_reference() {
    let (u, text) = example("clean/parallel_requests.yaml");
    let mut c = plain();
    c.open(&u, &text);
    let pos = at(&text, "outputs.orders.body", 9);
    let range = c.call("textDocument/prepareRename", pos_params(&u, pos.clone()));
    assert_eq!(range["start"], at(&text, "orders.body", 0));
    let mut params = pos_params(&u, pos.clone());
    params["newName"] = json!("order_list");
    let edit = c.call("textDocument/rename", params);
    let renamed = apply_edits(&text, edit["changes"][&u].as_array().unwrap());
    assert!(renamed.contains("- id: order_list") && renamed.contains("outputs.order_list.body"));
    assert!(
        !renamed.contains("outputs.orders") && !renamed.contains("id: orders"),
        "{renamed}"
    );
    // A dashed id is written with brackets in expressions.
    let mut params = pos_params(&u, pos.clone());
    params["newName"] = json!("order-list");
    let edit = c.call("textDocument/rename", params);
    let renamed = apply_edits(&text, edit["changes"][&u].as_array().unwrap());
    assert!(renamed.contains("outputs['order-list'].body"), "{renamed}");
    // Invalid names and clashes are refused with a message.
    for bad in ["no spaces", "users"] {
        let mut params = pos_params(&u, pos.clone());
        params["newName"] = json!(bad);
        let r = c.request("textDocument/rename", params);
        assert!(r["error"]["message"].as_str().is_some(), "{bad}: {r}");
    }
}

#[test]
fn subflow_namespace_and_flow_id_lead_to_the_flow_file() {
    let dir = crate::diagnostics::tempdir("subflow");
    std::fs::create_dir_all(dir.join("flows/child")).unwrap();
    let child = "id: child\nnamespace: company.team\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n";
    std::fs::write(dir.join("flows/child/child.yaml"), child).unwrap();
    let parent = "id: parent\nnamespace: company.team\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: company.team\n    flowId: child\n";
    let parent_path = dir.join("flows/parent.yaml");
    std::fs::write(&parent_path, parent).unwrap();
    let mut c = Client::initialized(json!({}), json!({}), Some(&dir));
    let u = uri(&parent_path);
    c.open(&u, parent);
    let def = c.call(
        "textDocument/definition",
        pos_params(&u, at(parent, "flowId: child", 9)),
    );
    assert_eq!(
        def["uri"],
        uri(&dir.join("flows/child/child.yaml")),
        "{def}"
    );
    assert_eq!(def["range"]["start"], json!({"line": 0, "character": 4}));
    let def = c.call(
        "textDocument/definition",
        pos_params(&u, at(parent, "namespace: company.team\n    flowId", 12)),
    );
    assert_eq!(def["uri"], uri(&dir.join("flows/child/child.yaml")));
}
