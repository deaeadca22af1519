//! Rule fixtures: one flow per rule under `tests/fixtures/<rule-id>.yaml`, its expected findings
//! written inline under the line they point at, as rust-analyzer's `//^^^` annotations:
//!
//! ```yaml
//!     cron: "0 25 * * *"
//! #         ^^^^^^^^^^^^ invalid-cron
//! ```
//!
//! The carets give the columns of the finding on the nearest line above that is not an
//! annotation; the word after them names the rule. A fixture's findings of every rule it
//! annotates (always its own) must be exactly the annotated ones, and the messages of its own
//! rule are snapshot-reviewed (`tests/snapshots/`). Leading `# kflow.toml: …` lines give the
//! fixture a project configuration (`kestra-version = "2.0"`).
//!
//! Each rule's documented Example is checked here too: linted as a flow, it must report its
//! rule. An Example that elides part of itself (`…`, a 60-line script) only illustrates: it
//! must parse, and its rule's fixture shows the real case.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kflow_lint_rules::{rules, Config, Finding};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The rule ids `kflow_lint_rules` knows.
fn known_rule(id: &str) -> bool {
    rules::ALL.iter().any(|r| r.id == id)
}

/// `# kflow.toml: <line>` lines at the top of a fixture, as one configuration.
fn config_of(text: &str) -> Config {
    let toml: String = text
        .lines()
        .map_while(|l| l.strip_prefix("# kflow.toml: "))
        .map(|l| format!("{l}\n"))
        .collect();
    Config::parse(&toml, known_rule).unwrap_or_else(|e| panic!("fixture configuration: {e}"))
}

/// One expected finding: 1-based line, columns `[start, end)` counted in characters, rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    line: usize,
    start: usize,
    end: usize,
    rule: String,
}

/// A `#   ^^^ rule` line: the caret columns (0-based, characters) and the rule.
fn annotation(line: &str) -> Option<(usize, usize, String)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let chars: Vec<char> = line.chars().collect();
    let start = chars.iter().position(|&c| c == '^')?;
    if !rest.trim_start().starts_with('^') {
        return None;
    }
    let end = start + chars[start..].iter().take_while(|&&c| c == '^').count();
    let rule: String = chars[end..].iter().collect::<String>().trim().to_string();
    (!rule.is_empty()).then_some((start, end, rule))
}

fn expectations(text: &str) -> Vec<Expected> {
    let mut out = Vec::new();
    let mut target = None;
    for (n, line) in text.lines().enumerate() {
        match annotation(line) {
            Some((start, end, rule)) => {
                let line = target
                    .unwrap_or_else(|| panic!("annotation on line {} has no line above", n + 1));
                assert!(known_rule(&rule), "line {}: unknown rule `{rule}`", n + 1);
                out.push(Expected {
                    line,
                    start,
                    end,
                    rule,
                });
            }
            None => target = Some(n + 1),
        }
    }
    out.sort();
    out
}

fn actual(
    doc: &kflow_syntax::Document,
    findings: &[Finding],
    rules: &BTreeSet<String>,
) -> Vec<Expected> {
    let mut out: Vec<Expected> = findings
        .iter()
        .filter(|f| rules.contains(f.rule))
        .map(|f| {
            let start = doc.line_index.line_col(&doc.text, f.span.start as usize);
            let end = doc.line_index.line_col(&doc.text, f.span.end as usize);
            // A finding over several lines is annotated on its first line, to its end.
            let end_col = if end.line == start.line {
                end.column as usize - 1
            } else {
                doc.text[doc.line_index.line_start(start.line as usize - 1)..]
                    .lines()
                    .next()
                    .map_or(0, |l| l.chars().count())
            };
            Expected {
                line: start.line as usize,
                start: start.column as usize - 1,
                end: end_col.max(start.column as usize),
                rule: f.rule.to_string(),
            }
        })
        .collect();
    out.sort();
    out
}

/// The fixture files, sorted.
fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn render(expected: &[Expected]) -> String {
    expected
        .iter()
        .map(|e| format!("  {}:{}-{} {}", e.line, e.start, e.end, e.rule))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_fixture_reports_exactly_its_annotations() {
    let mut failures = Vec::new();
    for path in fixtures() {
        let rule = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(known_rule(&rule), "{}: no rule `{rule}`", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = kflow_syntax::parse(&text);
        let findings = kflow_lint_rules::check(&doc, &config_of(&text));
        let expected = expectations(&text);
        assert!(
            expected.iter().any(|e| e.rule == rule),
            "{}: annotate at least one `{rule}` finding",
            path.display()
        );
        let mut rules: BTreeSet<String> = expected.iter().map(|e| e.rule.clone()).collect();
        rules.insert(rule.clone());
        let got = actual(&doc, &findings, &rules);
        if got != expected {
            failures.push(format!(
                "{}:\n expected:\n{}\n found:\n{}",
                path.display(),
                render(&expected),
                render(&got)
            ));
        }
        let messages: Vec<String> = findings
            .iter()
            .filter(|f| f.rule == rule)
            .map(|f| {
                let at = doc.line_index.line_col(&doc.text, f.span.start as usize);
                format!("{}:{} {}", at.line, at.column, f.message)
            })
            .collect();
        insta::assert_snapshot!(format!("fixture__{rule}"), messages.join("\n"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The ```yaml block of a rule doc's `## Example`.
fn example_of(doc: &str) -> Option<String> {
    let section = doc.split("## Example").nth(1)?;
    let section = section.split("\n## ").next()?;
    let block = section.split("```yaml").nth(1)?.split("```").next()?;
    Some(block.trim_matches('\n').to_string())
}

/// Keys of a flow's top level: an Example starting with one is flow-level.
const FLOW_KEYS: &[&str] = &[
    "id:",
    "namespace:",
    "description:",
    "labels:",
    "inputs:",
    "variables:",
    "tasks:",
    "errors:",
    "finally:",
    "afterExecution:",
    "outputs:",
    "triggers:",
    "pluginDefaults:",
    "concurrency:",
    "retry:",
    "sla:",
    "checks:",
    "disabled:",
    "revision:",
];

/// An Example is often a fragment: a list of tasks, some flow-level keys, or the properties of
/// one task. The flow around it is added.
fn as_flow(example: &str) -> String {
    let indent =
        |text: &str, by: &str| -> String { text.lines().map(|l| format!("{by}{l}\n")).collect() };
    let first = example
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("");
    let body = if first.starts_with("- ") {
        format!("tasks:\n{}", indent(example, "  "))
    } else if FLOW_KEYS.iter().any(|k| first.starts_with(k)) {
        format!("{example}\n")
    } else {
        let mut task = String::from("tasks:\n  - id: example_task\n");
        if !example.lines().any(|l| l.starts_with("type:")) {
            task.push_str("    type: io.kestra.plugin.core.log.Log\n");
            if !example.lines().any(|l| l.starts_with("message:")) {
                task.push_str("    message: hi\n");
            }
        }
        task + &indent(example, "    ")
    };
    let top = |key: &str| body.lines().any(|l| l.starts_with(key));
    let mut flow = String::new();
    if !top("id:") {
        flow.push_str("id: example\n");
    }
    if !top("namespace:") {
        flow.push_str("namespace: company.team\n");
    }
    flow.push_str(&body);
    if !top("tasks:") {
        flow.push_str(
            "tasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
        );
    }
    flow
}

#[test]
fn every_rule_doc_example_reports_its_rule() {
    let mut silent = Vec::new();
    for rule in rules::ALL {
        let doc = rules::doc(rule.id);
        let example = example_of(doc).unwrap_or_else(|| panic!("{}: no ```yaml Example", rule.id));
        let flow = as_flow(&example);
        // A `# kflow.toml:` line in the Example sets the project for it (a 2.0 rule).
        let parsed = kflow_syntax::parse(&flow);
        let findings = kflow_lint_rules::check(&parsed, &config_of(&example));
        if example.contains('…') {
            assert!(
                parsed.errors.is_empty(),
                "{}: the Example does not parse\n{flow}",
                rule.id
            );
            continue;
        }
        if !findings.iter().any(|f| f.rule == rule.id) {
            let found: Vec<&str> = findings.iter().map(|f| f.rule).collect();
            silent.push(format!("{}: {found:?}\n{flow}", rule.id));
        }
    }
    assert!(
        silent.is_empty(),
        "Examples that do not report their rule:\n{}",
        silent.join("\n")
    );
}
