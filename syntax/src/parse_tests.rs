//! End-to-end tests of `parse` on well-formed and hostile input.

use crate::model::Section;
use crate::{parse, parse_bytes};

fn located(text: &str) -> Vec<(u32, String)> {
    let doc = parse(text);
    doc.errors
        .iter()
        .map(|e| {
            (
                doc.line_index.line_col(text, e.span.start as usize).line,
                e.message.clone(),
            )
        })
        .collect()
}

#[test]
fn spans_are_exact_bytes() {
    let text =
        "id: é\nnamespace: a.b\ntasks:\n  - id: t1\n    type: io.kestra.plugin.core.log.Log\n";
    let doc = parse(text);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let flow = doc.flow.unwrap();
    let ns = flow.namespace.unwrap();
    assert_eq!(&text[ns.span.range()], "a.b");
    let t = &flow.tasks[0];
    assert_eq!(
        &text[t.type_.as_ref().unwrap().span.range()],
        "io.kestra.plugin.core.log.Log"
    );
    assert_eq!(
        &text[t.id.as_ref().unwrap().key_span.unwrap().range()],
        "id"
    );
}

#[test]
fn nested_tasks_through_every_flowable_property() {
    let text = r#"id: f
namespace: n
tasks:
  - id: p
    type: io.kestra.plugin.core.flow.Parallel
    tasks:
      - id: a
        type: t
      - id: s
        type: io.kestra.plugin.core.flow.Switch
        cases:
          X:
            - id: cx
              type: t
        defaults:
          - id: cd
            type: t
  - id: i
    type: io.kestra.plugin.core.flow.If
    then:
      - id: th
        type: t
    else:
      - id: el
        type: t
  - id: dag
    type: io.kestra.plugin.core.flow.Dag
    tasks:
      - task:
          id: d1
          type: t
      - task:
          id: d2
          type: t
        dependsOn: [d1]
errors:
  - id: e
    type: t
finally:
  - id: fin
    type: t
afterExecution:
  - id: ae
    type: t
"#;
    let doc = parse(text);
    let flow = doc.flow.unwrap();
    let ids: Vec<&str> = flow
        .tasks
        .iter()
        .map(|t| t.id.as_ref().unwrap().name.as_str())
        .collect();
    for id in [
        "p", "a", "s", "cx", "cd", "i", "th", "el", "dag", "d1", "d2", "e", "fin", "ae",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let cx = flow.tasks_named("cx").next().unwrap();
    assert_eq!(flow.task(cx).section, Section::Case("X".into()));
    let parents: Vec<&str> = flow
        .ancestors(cx)
        .map(|a| flow.task(a).id.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(parents, ["s", "p"]);
    let d2 = flow.tasks_named("d2").next().unwrap();
    assert_eq!(flow.task(d2).depends_on[0].name, "d1");
    let ae = flow.tasks_named("ae").next().unwrap();
    assert_eq!(flow.task(ae).section, Section::AfterExecution);
}

#[test]
fn comments_are_kept_but_not_inside_strings() {
    let text =
        "id: a # kflow: ignore[x]\nmsg: \"not # a comment\"\nscript: |\n  # inside block\n# top\n";
    let doc = parse(text);
    let comments: Vec<&str> = doc
        .tree
        .comments
        .iter()
        .map(|c| &text[c.span.range()])
        .collect();
    assert_eq!(comments, ["# kflow: ignore[x]", "# top"]);
}

#[test]
fn a_comment_after_a_quoted_value_is_a_comment() {
    let text = "a: \"x # y\"  # kflow: ignore[r]\nb: 'it''s' # two\nc: d\n";
    let doc = parse(text);
    let comments: Vec<&str> = doc
        .tree
        .comments
        .iter()
        .map(|c| &text[c.span.range()])
        .collect();
    assert_eq!(comments, ["# kflow: ignore[r]", "# two"]);
    let values: Vec<&str> = doc
        .tree
        .nodes
        .iter()
        .map(|n| &text[n.span.range()])
        .collect();
    assert!(
        values.contains(&"\"x # y\"") && values.contains(&"'it''s'"),
        "{values:?}"
    );
}

#[test]
fn duplicate_keys_point_at_the_second_one() {
    let errs = located("id: a\nnamespace: b\nid: c\n");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, 3);
    assert!(errs[0].1.contains("duplicate key `id`"));
}

#[test]
fn second_document_is_reported() {
    let errs = located("id: a\n---\nid: b\n");
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].0, 2);
}

#[test]
fn tabs_truncation_and_bad_utf8_are_located() {
    let errs = located("id: a\ntasks:\n\t- id: x\n");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, 3);

    let errs = located("id: a\nmessage: \"unterminated\n");
    assert_eq!(errs.len(), 1, "{errs:?}");

    let doc = parse_bytes(b"id: a\nnamespace: \xff\xfe\n");
    assert_eq!(doc.errors.len(), 1);
    assert_eq!(
        doc.line_index
            .line_col(&doc.text, doc.errors[0].span.start as usize)
            .line,
        2
    );
}

#[test]
fn empty_and_binary_inputs() {
    let doc = parse("");
    assert!(doc.errors.is_empty());
    assert!(doc.flow.is_none());
    let doc = parse_bytes(b"\x00\x01\x02binary");
    assert_eq!(doc.errors.len(), 1);
}

#[test]
fn deep_nesting_is_capped() {
    let text = format!("id: a\nx: {}", "[".repeat(200_000));
    let doc = parse(&text);
    assert!(
        doc.errors.iter().any(|e| e.message.contains("nesting")),
        "{:?}",
        doc.errors
    );
}

#[test]
fn alias_bomb_is_not_expanded() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..30 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
    }
    text.push_str("id: bomb\nnamespace: n\ntasks: *a29\n");
    let doc = parse(&text);
    // The tree stays as small as the text.
    assert!(doc.tree.nodes.len() < 1000);
    let flow = doc.flow.unwrap();
    assert!(flow.tasks.len() < crate::model::MAX_WALK);
}

#[test]
fn alias_bomb_of_tasks_hits_the_walk_budget() {
    let mut text = String::from("t0: &t0 [{id: a, type: b}, {id: a, type: b}, {id: a, type: b}]\n");
    for i in 1..20 {
        let prev = format!("{{id: x, type: y, tasks: *t{}}}", i - 1);
        text.push_str(&format!("t{i}: &t{i} [{}]\n", vec![prev; 4].join(", ")));
    }
    text.push_str("id: bomb\nnamespace: n\ntasks: *t19\n");
    let doc = parse(&text);
    let flow = doc.flow.unwrap();
    assert!(flow.tasks.len() < crate::model::MAX_WALK);
    assert!(!flow.problems.is_empty());
}

#[test]
fn recursive_alias_is_an_error_not_a_cycle() {
    let doc = parse("a: &a [1, *a]\n");
    assert_eq!(doc.errors.len(), 1, "{:?}", doc.errors);
}

#[test]
fn duplicate_keys_in_large_mappings() {
    let mut text: String = (0..100).map(|i| format!("k{i}: v\n")).collect();
    text.push_str("k7: again\nk99: again\n");
    let errs = located(&text);
    assert_eq!(errs.iter().map(|e| e.0).collect::<Vec<_>>(), [101, 102]);
}
