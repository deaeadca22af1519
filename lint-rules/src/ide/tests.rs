//! The editor features on small flows.

use kflow_syntax::Span;

use super::*;
use crate::catalog::Catalog;
use crate::config::Config;

/// The text without its `|` cursor marker, and the marker's offset.
fn cursor(s: &str) -> (String, usize) {
    let at = s.find('‸').expect("a ‸ marks the cursor");
    (s.replacen('‸', "", 1), at)
}

fn labels(text_with_cursor: &str) -> Vec<String> {
    let (text, at) = cursor(text_with_cursor);
    let doc = kflow_syntax::parse(&text);
    complete(&doc, Catalog::builtin(), at)
        .into_iter()
        .map(|c| c.label)
        .collect()
}

const FLOW: &str = "id: f
namespace: n
inputs:
  - id: region
    type: STRING
variables:
  base: https://x
tasks:
  - id: dl
    type: io.kestra.plugin.core.http.Download
    uri: \"{{ vars.base }}/{{ inputs.region }}\"
  - id: log
    type: io.kestra.plugin.core.log.Log
    message: \"{{ outputs.dl.uri }}\"
";

#[test]
fn completes_task_types_with_required_properties() {
    let (text, at) = cursor("id: f\nnamespace: n\ntasks:\n  - id: a\n    type: Downl‸\n");
    let doc = kflow_syntax::parse(&text);
    let all = complete(&doc, Catalog::builtin(), at);
    let dl = all
        .iter()
        .find(|c| c.label == "io.kestra.plugin.core.http.Download")
        .expect("Download offered");
    assert!(dl.snippet);
    assert!(dl.insert.contains("\n    uri: ${1}"), "{}", dl.insert);
    assert!(!dl.doc.is_empty());
    assert_eq!(&text[dl.replace.range()], "Downl");
    assert!(all.iter().all(|c| c.kind == CandidateKind::PluginType));
}

#[test]
fn completes_missing_properties_and_enum_values() {
    let props = labels("id: f\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n    ‸\n");
    assert!(props.contains(&"level".to_string()));
    assert!(!props.contains(&"message".to_string()));
    let values =
        labels("tasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    level: ‸\n");
    assert!(values.contains(&"ERROR".to_string()), "{values:?}");
    let types = labels("inputs:\n  - id: a\n    type: ‸\n");
    assert!(types.contains(&"STRING".to_string()) && types.contains(&"SELECT".to_string()));
}

#[test]
fn completes_outputs_of_tasks_in_scope_only() {
    let text = FLOW.replace("{{ outputs.dl.uri }}", "{{ outputs.‸ }}");
    let ids = labels(&text);
    assert_eq!(ids, ["dl"]);
    let text = FLOW.replace("{{ outputs.dl.uri }}", "{{ outputs.dl.‸ }}");
    let outs = labels(&text);
    assert!(outs.contains(&"uri".to_string()) && outs.contains(&"code".to_string()));
    let early = FLOW.replace("{{ vars.base }}", "{{ outputs.‸ }}");
    assert!(
        labels(&early).is_empty(),
        "a task cannot read itself or later tasks"
    );
}

#[test]
fn completes_inputs_vars_context_filters_and_functions() {
    assert_eq!(
        labels(&FLOW.replace("{{ inputs.region }}", "{{ inputs.‸ }}")),
        ["region"]
    );
    assert_eq!(
        labels(&FLOW.replace("{{ vars.base }}", "{{ vars.‸ }}")),
        ["base"]
    );
    let flow_fields = labels(&FLOW.replace("{{ vars.base }}", "{{ flow.‸ }}"));
    assert!(flow_fields.contains(&"namespace".to_string()));
    let filters = labels(&FLOW.replace("{{ vars.base }}", "{{ vars.base | ‸ }}"));
    assert!(filters.contains(&"jq".to_string()) && filters.contains(&"upper".to_string()));
    let roots = labels(&FLOW.replace("{{ vars.base }}", "{{ ‸ }}"));
    assert!(roots.contains(&"outputs".to_string()) && roots.contains(&"now".to_string()));
}

#[test]
fn hovers_types_properties_and_paths() {
    let doc = kflow_syntax::parse(FLOW);
    let cat = Catalog::builtin();
    let at = FLOW.find("Download").unwrap();
    let h = hover(&doc, cat, &[], at).expect("type hover");
    assert!(h.markdown.contains("io.kestra.plugin.core.http.Download"));
    let at = FLOW.find("uri:").unwrap() + 1;
    assert!(hover(&doc, cat, &[], at)
        .unwrap()
        .markdown
        .starts_with("**uri**"));
    let at = FLOW.find("dl.uri").unwrap() + 4;
    let h = hover(&doc, cat, &[], at).unwrap();
    assert!(h.markdown.contains("output `uri`"), "{}", h.markdown);
    let at = FLOW.find("outputs.dl").unwrap() + 8;
    let h = hover(&doc, cat, &[], at).unwrap();
    assert!(
        h.markdown.contains("task `dl`") && h.markdown.contains("line 9"),
        "{}",
        h.markdown
    );
}

#[test]
fn hover_explains_the_rule_under_the_cursor() {
    let text = FLOW.replace("outputs.dl.uri", "outputs.dl.body");
    let doc = kflow_syntax::parse(&text);
    let findings = crate::check(&doc, &Config::default());
    let at = text.find("body").unwrap();
    let h = hover(&doc, Catalog::builtin(), &findings, at).unwrap();
    assert!(
        h.markdown.contains("`unknown-output`") && h.markdown.contains("#### Why"),
        "{}",
        h.markdown
    );
}

#[test]
fn definitions_references_and_rename() {
    let doc = kflow_syntax::parse(FLOW);
    let use_at = FLOW.find("outputs.dl").unwrap() + 9;
    let def = definition(&doc, use_at);
    assert_eq!(
        def,
        [Span::new(
            FLOW.find("dl\n").unwrap(),
            FLOW.find("dl\n").unwrap() + 2
        )]
    );
    assert_eq!(references(&doc, def[0].start as usize, true).len(), 2);
    let edits = rename(&doc, use_at, "fetch").unwrap();
    let mut text = FLOW.to_string();
    for e in edits.iter().rev() {
        text.replace_range(e.span.range(), &e.new_text);
    }
    assert!(text.contains("id: fetch") && text.contains("outputs.fetch.uri"));
    let edits = rename(&doc, use_at, "my-task").unwrap();
    let mut text = FLOW.to_string();
    for e in edits.iter().rev() {
        text.replace_range(e.span.range(), &e.new_text);
    }
    assert!(text.contains("outputs['my-task'].uri"), "{text}");
    assert!(rename(&doc, use_at, "log").is_err());
    assert!(rename(&doc, use_at, "a b").is_err());
    let input_at = FLOW.find("inputs.region").unwrap() + 8;
    assert_eq!(references(&doc, input_at, true).len(), 2);
    let var_at = FLOW.find("vars.base").unwrap() + 6;
    assert_eq!(definition(&doc, var_at).len(), 1);
}

#[test]
fn outline_folds_and_tokens() {
    let doc = kflow_syntax::parse(FLOW);
    let syms = symbols(&doc);
    let tasks = syms.iter().find(|s| s.name == "tasks").unwrap();
    assert_eq!(
        tasks
            .children
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["dl", "log"]
    );
    let folds = folding_ranges(&doc);
    assert!(folds.iter().any(|f| doc.line_index.line_of(f.start) == 7));
    let toks = semantic_tokens(&doc);
    let kinds: Vec<TokenKind> = toks.iter().map(|t| t.kind).collect();
    assert!(
        kinds.contains(&TokenKind::Delimiter)
            && kinds.contains(&TokenKind::Variable)
            && kinds.contains(&TokenKind::Property)
    );
    for t in &toks {
        assert!(!FLOW[t.span.range()].contains('\n'));
    }
}

#[test]
fn quick_fixes_include_ignores_and_suggestions() {
    let text = FLOW.replace("outputs.dl.uri", "outputs.dl.urii");
    let doc = kflow_syntax::parse(&text);
    let findings = crate::check(&doc, &Config::default());
    let at = text.find("urii").unwrap();
    let actions = quick_fixes(&doc, &findings, Span::empty(at));
    let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
    assert!(titles.contains(&"Use `uri`"), "{titles:?}");
    let ignore = actions
        .iter()
        .find(|a| a.title == "Ignore `unknown-output` on this line")
        .unwrap();
    let mut fixed = text.clone();
    let e = &ignore.edits[0];
    fixed.replace_range(e.span.range(), &e.new_text);
    let after = crate::check(&kflow_syntax::parse(&fixed), &Config::default());
    assert!(after.iter().all(|f| f.rule != "unknown-output"), "{fixed}");
    assert!(titles.contains(&"Ignore `unknown-output` in this file"));
}

#[test]
fn subflow_targets() {
    let text = "id: a\nnamespace: n\ntasks:\n  - id: s\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: other.ns\n    flowId: child\n";
    let doc = kflow_syntax::parse(text);
    let t = subflow_target(&doc, text.find("child").unwrap() + 1).unwrap();
    assert_eq!(
        (t.namespace.as_str(), t.flow_id.as_str()),
        ("other.ns", "child")
    );
    assert_eq!(
        flow_identity(&doc).map(|(n, i, _)| (n, i)),
        Some(("n".into(), "a".into()))
    );
}

#[test]
fn tokens_hold_whole_characters() {
    // Interpolated literal parts end with the characters themselves, not with a quote.
    let text = "id: f\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: '{{ \"é #{ inputs.a } ü😀\" }}'\n";
    let doc = kflow_syntax::parse(text);
    let toks = semantic_tokens(&doc);
    assert!(toks.len() >= 6);
    for t in toks {
        assert!(text.get(t.span.range()).is_some(), "{t:?}");
    }
}

#[test]
fn an_unclosed_expression_above_does_not_capture_keys() {
    let props = labels("id: f\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: \"{{ outputs.\"\n    ‸\n");
    assert!(props.contains(&"level".to_string()), "{props:?}");
    let multi = labels(&FLOW.replace(
        "message: \"{{ outputs.dl.uri }}\"",
        "message: |\n      first line\n      {{ outputs.‸ }}",
    ));
    assert_eq!(multi, ["dl"]);
}
