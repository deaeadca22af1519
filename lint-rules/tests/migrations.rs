//! Migration fixtures: each flow of `tests/migrations/` migrated to Kestra 2.0, the result and
//! what is left (with its reasons) snapshot-reviewed, no expression the migration wrote that
//! Pebble cannot parse, and a second migration changing nothing.

use std::path::Path;

use kflow_lint_rules::migrate;
use kflow_lint_rules::Config;

#[test]
fn migrations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/migrations");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let config = migrate::config_for(&Config::default(), migrate::TO);
    for path in names {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let before = std::fs::read_to_string(&path).unwrap();
        let m = migrate::migrate(&before, &config);
        let rules = m.rules();
        let left: Vec<String> = m
            .left
            .iter()
            .map(|f| {
                let at = m
                    .doc
                    .line_index
                    .line_col(&m.doc.text, f.span.start as usize);
                format!("{}:{} {}: {}", at.line, at.column, f.rule, f.message)
            })
            .collect();
        let report = format!(
            "rules: {}\nleft:\n{}\n---\n{}",
            rules.join(", "),
            left.join("\n"),
            m.text
        );
        insta::assert_snapshot!(format!("migration__{name}"), report);
        // What a migration writes must itself be valid Pebble.
        let syntax_errors = |doc: &kflow_syntax::Document| {
            kflow_lint_rules::check(doc, &config)
                .into_iter()
                .filter(|f| f.rule == "expression-syntax")
                .count()
        };
        assert!(
            syntax_errors(&m.doc) <= syntax_errors(&kflow_syntax::parse(&before)),
            "{name}: the migration wrote an expression Pebble cannot parse"
        );
        let again = migrate::migrate(&m.text, &config);
        assert_eq!(again.text, m.text, "{name}: a second run changes something");
        assert!(m.doc.errors.is_empty(), "{name}: {:?}", m.doc.errors);
    }
}
