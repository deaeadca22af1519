//! `kflow migrate --to 2.0` end to end: the diff, `--write`, exit codes and line breaks on a
//! small flow, and every flow of `../shared/corpus` migrated in a temporary copy (each parses as
//! before, keeps every comment, reaches a fixed point, and what is left is either a migration
//! rule's finding with its reason or a removal the README lists as not automated).

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use kflow_lint_rules::migrate;
use support::{kflow, shared, yaml_files_under};

const FLOW: &str = "id: hello\r\nnamespace: company.team\r\n# the loop\r\ntasks:\r\n  - id: each\r\n    type: io.kestra.plugin.core.flow.EachSequential # old\r\n    value: [a, b]\r\n    tasks:\r\n      - id: log\r\n        type: io.kestra.plugin.core.log.Log\r\n        message: '{{ taskrun.value }}'\r\n";

fn migrate_cmd(args: &[&str]) -> (i32, String, String) {
    let out = kflow().arg("migrate").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn previews_then_writes_keeping_line_breaks_then_has_nothing_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.yaml");
    std::fs::write(&file, FLOW).unwrap();
    let path = file.to_str().unwrap();

    let (code, diff, _) = migrate_cmd(&["--to", "2.0", path]);
    assert_eq!(code, 1, "a pending change fails the check");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        FLOW,
        "preview writes nothing"
    );
    let header = diff.lines().find(|l| l.starts_with("@@ ")).unwrap();
    assert!(header.ends_with(" migrate-loop"), "{header}");
    assert!(diff.contains("-    type: io.kestra.plugin.core.flow.EachSequential # old\r\n"));
    assert!(diff.contains("+    type: io.kestra.plugin.core.flow.Loop # old\r\n"));
    assert!(diff.contains("+        message: '{{ item.value }}'\r\n"));

    let (code, out, err) = migrate_cmd(&["--to", "2.0", "--write", path]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        written,
        FLOW.replace("flow.EachSequential", "flow.Loop")
            .replace("value: [a, b]", "values: [a, b]")
            .replace("taskrun.value", "item.value")
    );

    let (code, out, _) = migrate_cmd(&["--to", "2.0", path]);
    assert_eq!(
        (code, out.as_str()),
        (0, ""),
        "a second run changes nothing"
    );
}

#[test]
fn what_cannot_be_migrated_is_reported_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("items.yaml");
    let flow = "id: items\nnamespace: t\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEachItem\n    items: \"{{ inputs.file }}\"\n    namespace: t\n    flowId: child\n";
    std::fs::write(&file, flow).unwrap();
    let (code, out, err) = migrate_cmd(&["--to", "2.0", "--write", file.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("items.yaml:5:11: migrate-loop: `ForEachItem` was removed in Kestra 2.0; use `Loop`; not rewritten automatically"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), flow);
}

#[test]
fn only_2_0_is_a_target() {
    let (code, _, err) = migrate_cmd(&["--to", "3.1", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("migrates to Kestra 2.0 only"), "{err}");
}

/// The removals 2.0 makes that `kflow migrate` leaves to a person, as the README says: the state
/// store and the tasks without a drop-in replacement, `currentEachOutput()`, and inputs only a
/// person can give a value.
fn documented_as_manual(f: &kflow_lint_rules::Finding) -> bool {
    const TASKS: &[&str] = &[
        "`Get`",
        "`Set`",
        "`Delete`",
        "`Template`",
        "`Toggle`",
        "`Resume`",
        "`Count`",
    ];
    match f.rule {
        "missing-input-default" => true,
        "unknown-function" => f.message.contains("`currentEachOutput`"),
        "unknown-task-type" => TASKS.iter().any(|t| f.message.starts_with(t)),
        _ => false,
    }
}

/// The comments of a text, as written, with how many times each appears.
fn comments(text: &str) -> BTreeMap<String, usize> {
    let doc = kflow_syntax::parse(text);
    let mut out = BTreeMap::new();
    for c in &doc.tree.comments {
        *out.entry(text[c.span.range()].trim_end().to_string())
            .or_default() += 1;
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for rel in yaml_files_under(from) {
        let dest = to.join(&rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), dest).unwrap();
    }
}

#[test]
fn the_corpus_migrates_to_a_fixed_point_keeping_every_comment() {
    let corpus = shared().join("corpus");
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus, dir.path());
    let root = dir.path().to_str().unwrap();
    let (code, _, err) = migrate_cmd(&["--to", "2.0", "--write", root]);
    assert!(code == 0 || code == 1, "{err}");

    let config = migrate::config_for(&kflow_lint_rules::Config::default(), migrate::TO);
    let (mut changed, mut left) = (0, 0);
    for rel in yaml_files_under(&corpus) {
        let name = rel.display().to_string();
        let Ok(before) = std::fs::read_to_string(corpus.join(&rel)) else {
            continue;
        };
        let after = std::fs::read_to_string(dir.path().join(&rel)).unwrap();
        let new = kflow_syntax::parse(&after);
        // What is left: no migration rule may still hold a safe fix it failed to apply, and any
        // other removal is one the README lists as not automated.
        let again = migrate::migrate(&after, &config);
        assert_eq!(again.text, after, "{name}: migrating again changes it");
        for f in again.left {
            if !f.rule.starts_with("migrate-") {
                assert!(
                    documented_as_manual(&f),
                    "{name}: `{}` left, not documented as manual: {}",
                    f.rule,
                    f.message
                );
            }
            if f.rule.starts_with("migrate-") {
                left += 1;
                assert!(
                    !f.fixes.iter().any(|x| x.is_safe()),
                    "{name}: `{}` was left with a safe fix: {}",
                    f.rule,
                    f.message
                );
                let reasoned = ["automatically", "by hand", "apply to no object"];
                assert!(
                    reasoned.iter().any(|r| f.message.contains(r)),
                    "{name}: `{}` left without a reason: {}",
                    f.rule,
                    f.message
                );
            }
        }
        if before == after {
            continue;
        }
        changed += 1;
        let old = kflow_syntax::parse(&before);
        assert!(
            new.errors.len() <= old.errors.len(),
            "{name} does not parse after migrating: {:?}",
            new.errors
        );
        let kept = comments(&after);
        for (comment, n) in comments(&before) {
            assert!(
                kept.get(&comment).copied().unwrap_or(0) >= n,
                "{name} lost the comment {comment:?}"
            );
        }
    }
    assert!(changed > 300, "only {changed} flows changed");
    assert!(left > 0, "the corpus has loops that cannot be rewritten");

    let (code, out, _) = migrate_cmd(&["--to", "2.0", root]);
    assert!(out.is_empty(), "a second run changes something:\n{out}");
    assert_eq!(code, 1, "the not-automatable changes are still to be made");
}
