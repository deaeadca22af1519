//! Hover: type and property docs, what an expression path refers to, filter signatures, and
//! the explanation of the rule whose diagnostic is under the cursor.

use serde_json::{json, Value};

use crate::client::{at, example, plain};

fn hover(c: &mut crate::client::Client, uri: &str, pos: Value) -> String {
    let r = c.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos}),
    );
    r["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn hovers_explain_types_properties_paths_and_rules() {
    let (uri, text) = example("antipatterns/broken_references.yaml");
    let mut c = plain();
    c.open(&uri, &text);
    let t = hover(&mut c, &uri, at(&text, "http.Download", 6));
    assert!(
        t.contains("**io.kestra.plugin.core.http.Download**") && t.contains("Outputs"),
        "{t}"
    );
    let t = hover(&mut c, &uri, at(&text, "uri: \"https", 1));
    assert!(t.starts_with("**uri**") && t.contains("Required"), "{t}");
    // `inputs.regoin` is a typo: the hover explains undefined-reference.
    let t = hover(&mut c, &uri, at(&text, "regoin", 2));
    assert!(
        t.contains("`undefined-reference`") && t.contains("#### Why"),
        "{t}"
    );
    // `outputs.download_orders` names a task that ran before.
    let t = hover(&mut c, &uri, at(&text, "outputs.download_orders.body", 10));
    assert!(
        t.contains("task `download_orders`") && t.contains("io.kestra.plugin.core.http.Download"),
        "{t}"
    );
    assert!(
        t.contains("line 8") && t.contains("has finished before"),
        "{t}"
    );
    let (uri2, text2) = example("seed/fetch_with_download.yaml");
    c.open(&uri2, &text2);
    let t = hover(&mut c, &uri2, at(&text2, "length }}", 1));
    assert!(t.contains("output `length`"), "{t}");
    let (uri3, text3) = example("clean/parallel_requests.yaml");
    c.open(&uri3, &text3);
    let t = hover(&mut c, &uri3, at(&text3, "jq('.name')", 0));
    assert!(t.contains("jq(expression)"), "{t}");
    let t = hover(&mut c, &uri3, at(&text3, "vars.base", 6));
    assert!(
        t.contains("variable `base`") && t.contains("https://api.example.com/v1"),
        "{t}"
    );
    let t = hover(&mut c, &uri3, at(&text3, "flow.id", 6));
    assert!(t.contains("flow.id"), "{t}");
}
