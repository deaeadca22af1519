use serde_json::json;

use super::*;
use crate::testutil::TempDir;

fn env() -> (TempDir, Storage, ExecutionKey) {
    let dir = TempDir::new("inputs");
    let storage = Storage::open(dir.path().join("storage")).unwrap();
    let key = ExecutionKey {
        namespace: "company.team".into(),
        flow_id: "my_flow".into(),
        execution_id: "EXEC".into(),
    };
    (dir, storage, key)
}

const FLOW: &str = r#"
id: my_flow
namespace: company.team
inputs:
  - id: name
    type: STRING
    validator: "^[a-z]+$"
  - id: count
    type: INT
    min: 1
    max: 10
    defaults: 5
  - id: ratio
    type: FLOAT
    required: false
  - id: flag
    type: BOOL
    defaults: true
  - id: when
    type: DATETIME
    after: "2020-01-01T00:00:00Z"
    required: false
  - id: day
    type: DATE
    required: false
  - id: at
    type: TIME
    required: false
  - id: wait
    type: DURATION
    max: PT1H
    required: false
  - id: color
    type: SELECT
    values: [red, green]
    defaults: red
  - id: tags
    type: MULTISELECT
    values: [a, b, c]
    required: false
  - id: nums
    type: ARRAY
    itemType: INT
    required: false
  - id: conf
    type: JSON
    required: false
  - id: yml
    type: YAML
    required: false
  - id: site
    type: URI
    required: false
  - id: mail
    type: EMAIL
    required: false
  - id: token
    type: SECRET
    required: false
  - id: request.user
    type: STRING
    defaults: bob
  - id: data
    type: FILE
    required: false
    allowedFileExtensions: [".csv"]
"#;

fn decls() -> Vec<InputDecl> {
    let doc = kflow_syntax::parse(FLOW);
    declarations(&doc).unwrap()
}

fn given(pairs: &[&str]) -> Vec<(String, String)> {
    pairs.iter().map(|p| parse_assignment(p).unwrap()).collect()
}

#[tokio::test]
async fn types_defaults_and_nesting() {
    let (dir, storage, key) = env();
    let csv = dir.path().join("local.csv");
    std::fs::write(&csv, "a,b\n").unwrap();
    let data = format!("data={}", csv.display());
    let provided = given(&[
        "name=alice",
        "ratio=0.1",
        "flag=TRUE",
        "when=2024-01-31T12:00:00+02:00",
        "day=2024-02-29",
        "at=10:15:30",
        "wait=PT90M",
        "tags=[\"a\",\"c\"]",
        "nums=[\"1\", 2]",
        "conf={\"k\": [1, 2]}",
        "yml=a: 1\nb: [x, y]",
        "site=https://kestra.io/docs",
        "mail=me@example.com",
        "token=s3cr3t",
        &data,
    ]);
    let out = resolve(&decls(), &provided, &storage, &key).await;
    let wait_error = out.clone().unwrap_err();
    assert_eq!(wait_error.len(), 1, "{wait_error:?}");
    assert_eq!(wait_error[0].id, "wait");
    assert_eq!(wait_error[0].message, "It must be less than `PT1H`");

    let mut provided = provided;
    provided.retain(|(k, _)| k != "wait");
    let out = resolve(&decls(), &provided, &storage, &key).await.unwrap();
    let v = &out.values;
    assert_eq!(v["name"], "alice");
    assert_eq!(v["count"], 5, "default");
    assert_eq!(v["ratio"], json!(0.1));
    assert_eq!(v["flag"], true);
    assert_eq!(v["when"], "2024-01-31T10:00:00Z");
    assert_eq!(v["day"], "2024-02-29");
    assert_eq!(v["at"], "10:15:30");
    assert_eq!(v["wait"], serde_json::Value::Null);
    assert_eq!(v["color"], "red");
    assert_eq!(v["tags"], json!(["a", "c"]));
    assert_eq!(v["nums"], json!([1, 2]));
    assert_eq!(v["conf"], json!({"k": [1, 2]}));
    assert_eq!(v["yml"], json!({"a": 1, "b": ["x", "y"]}));
    assert_eq!(v["request"], json!({"user": "bob"}));
    assert_eq!(out.secrets, vec!["s3cr3t"]);
    let uri = v["data"].as_str().unwrap();
    assert_eq!(
        uri,
        "kestra:///company/team/my-flow/executions/EXEC/inputs/data/local.csv"
    );
    assert_eq!(storage.read(uri).await.unwrap(), b"a,b\n");
}

#[tokio::test]
async fn every_problem_is_reported_with_its_input() {
    let (dir, storage, key) = env();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "x").unwrap();
    let data = format!("data={}", txt.display());
    let provided = given(&[
        "name=Alice",
        "count=11",
        "ratio=abc",
        "when=2019-01-01T00:00:00Z",
        "day=2023-02-29",
        "color=blue",
        "tags=[\"z\"]",
        "nums=[\"x\"]",
        "conf={oops",
        "site=not a uri",
        "mail=nope",
        "unknown=1",
        &data,
    ]);
    let errors = resolve(&decls(), &provided, &storage, &key)
        .await
        .unwrap_err();
    let by_id = |id: &str| {
        errors
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.to_string())
            .unwrap_or_else(|| panic!("no error for {id}: {errors:?}"))
    };
    assert_eq!(
        by_id("name"),
        "input 'name': it must match the pattern `^[a-z]+$`"
    );
    assert_eq!(by_id("count"), "input 'count': it must be less than `10`");
    assert!(by_id("ratio").contains("Expected `FLOAT` but received `abc`"));
    assert!(by_id("when").contains("it must be after"));
    assert!(by_id("day").contains("not a valid calendar date"));
    assert!(by_id("color").contains("it must match the values"));
    assert!(by_id("tags").contains("it must match the values"));
    assert!(by_id("nums").contains("Unable to parse array element as `INT`"));
    assert!(by_id("conf").contains("Expected `JSON`"));
    assert_eq!(
        by_id("site"),
        "input 'site': Expected `URI` but received `not a uri`"
    );
    assert_eq!(
        by_id("mail"),
        "input 'mail': The input must be a valid email"
    );
    assert!(by_id("unknown").contains("no input with this id"));
    assert!(by_id("data").contains("allowed extensions"));
    assert_eq!(errors.len(), 13, "{errors:?}");
}

#[tokio::test]
async fn required_and_edge_values() {
    let (_d, storage, key) = env();
    let errors = resolve(&decls(), &[], &storage, &key).await.unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "input 'name': missing required input"
    );
    let mut decl = InputDecl::new("n", InputType::Int);
    decl.required = true;
    for (raw, ok) in [
        ("+7", true),
        ("2147483648", false),
        (" 7", false),
        ("7.0", false),
    ] {
        let out = resolve(
            std::slice::from_ref(&decl),
            &given(&[&format!("n={raw}")]),
            &storage,
            &key,
        )
        .await;
        assert_eq!(out.is_ok(), ok, "{raw}: {out:?}");
    }
    let b = InputDecl::new("b", InputType::Bool);
    let out = resolve(&[b], &given(&["b=yes"]), &storage, &key)
        .await
        .unwrap();
    assert_eq!(
        out.values["b"], false,
        "Boolean.valueOf: only 'true' is true"
    );
    assert!(parse_assignment("novalue").is_err());
    assert_eq!(
        parse_assignment("k=a=b").unwrap(),
        ("k".into(), "a=b".into())
    );
    let email = InputDecl::new("e", InputType::Email);
    assert!(resolve(&[email], &given(&["e="]), &storage, &key)
        .await
        .is_ok());
}

#[test]
fn unknown_types_are_reported() {
    let doc =
        kflow_syntax::parse("id: f\nnamespace: n\ninputs:\n  - id: x\n    type: NOPE\ntasks: []\n");
    let errors = declarations(&doc).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "input 'x': unknown input type 'NOPE'"
    );
}
