//! `kflow lint --server`: the server's own validation (`POST …/flows/validate`) added to the
//! local findings under the rule id `server-validation`. Kestra answers one entry per flow with
//! its `constraints` (errors, one per line), `warnings` and `infos`; a message that names a
//! property path (`tasks[0].format: must not be null`, or Jackson's reference chain
//! `Flow["tasks"]->java.util.ArrayList[0]->…["typo"]`) is placed on that property, any other
//! on the flow's first line.

use kflow_lint_rules::{Finding, Severity};
use kflow_syntax::{Document, Span};
use reqwest::Method;
use serde_json::Value;

use super::client::{ApiError, Client};

pub const RULE: &str = "server-validation";

/// A connected server for `kflow lint`, whose files are checked on rayon's threads: each asks
/// through the client's runtime.
pub struct Remote {
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Remote {
    pub fn connect(args: &super::ServerArgs, anchor: &std::path::Path) -> Result<Remote, String> {
        let target = super::target::resolve(args, anchor)?;
        let runtime = super::runtime()?;
        let client = runtime
            .block_on(Client::connect(target))
            .map_err(|e| e.message)?;
        Ok(Remote { runtime, client })
    }

    /// The server's findings on `doc`, validated as the server would get it (namespace
    /// prefix included).
    pub fn validate(&self, doc: &Document) -> Result<Vec<Finding>, String> {
        let source = match super::deploy::flow_key(doc) {
            Some((ns, _)) => super::deploy::server_source(doc, &self.client.target.namespace(&ns)),
            None => doc.text.clone(),
        };
        self.runtime
            .block_on(validate(&self.client, &source, doc))
            .map_err(|e| e.message)
    }
}

/// Asks the server to validate `source` and turns its answer into findings on `doc`.
pub async fn validate(
    client: &Client,
    source: &str,
    doc: &Document,
) -> Result<Vec<Finding>, ApiError> {
    let rb = client
        .request(Method::POST, client.url(&["flows", "validate"]))
        .header("Content-Type", "application/x-yaml")
        .body(source.to_string());
    let answer = client.json(rb).await?;
    Ok(findings(&answer, doc))
}

/// The findings of a validate answer (an array; kflow sends one flow, index 0).
pub fn findings(answer: &Value, doc: &Document) -> Vec<Finding> {
    let mut out = Vec::new();
    for entry in answer.as_array().into_iter().flatten() {
        if let Some(text) = entry.get("constraints").and_then(Value::as_str) {
            for message in messages(text) {
                out.push(finding(doc, &message, Severity::Error));
            }
        }
        for (key, severity) in [("warnings", Severity::Warning), ("infos", Severity::Info)] {
            for w in entry
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(text) = w.as_str() {
                    out.push(finding(doc, text, severity));
                }
            }
        }
        if entry.get("outdated").and_then(Value::as_bool) == Some(true) {
            let f = finding(
                doc,
                "the server has a newer revision of this flow",
                Severity::Info,
            );
            out.push(f);
        }
    }
    out
}

/// The messages of a `constraints` text: one per line, a line that starts with a space
/// continuing the previous one (Jackson's ` at [Source: …]`).
fn messages(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ => out.push(line.trim().to_string()),
        }
    }
    out
}

fn finding(doc: &Document, message: &str, severity: Severity) -> Finding {
    let span = property_path(message)
        .and_then(|path| span_of(doc, &path))
        .unwrap_or_else(|| first_line(doc));
    let mut f = Finding::new(RULE, span, format!("the server says: {message}"));
    f.severity = severity;
    f
}

fn first_line(doc: &Document) -> Span {
    let end = doc.text.find(['\n', '\r']).unwrap_or(doc.text.len());
    Span::new(0, end)
}

/// One step of a property path: a key or a list index.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// The property path a message names: `tasks[0].format: …` (a constraint violation), or the
/// reference chain of a Jackson error (`…Flow["tasks"]->java.util.ArrayList[0]->…["typo"])`).
fn property_path(message: &str) -> Option<Vec<Step>> {
    if let Some(chain) = message.split("reference chain: ").nth(1) {
        let mut steps = Vec::new();
        for link in chain.trim_end_matches(')').split("->") {
            if let Some(key) = link.split("[\"").nth(1) {
                steps.push(Step::Key(key.trim_end_matches("\"]").to_string()));
            } else if let Some(n) = link
                .rsplit('[')
                .next()
                .and_then(|i| i.trim_end_matches(']').parse().ok())
            {
                steps.push(Step::Index(n));
            }
        }
        return (!steps.is_empty()).then_some(steps);
    }
    let (head, _) = message.split_once(": ")?;
    let head = head.rsplit(' ').next()?;
    let mut steps = Vec::new();
    for part in head.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        steps.push(Step::Key(name.to_string()));
        for index in rest.split('[') {
            let index = index.trim_end_matches(']');
            if !index.is_empty() {
                steps.push(Step::Index(index.parse().ok()?));
            }
        }
    }
    // A lone word before a colon ("Invalid type: …") is not a path.
    (steps.len() > 1 || head.contains('[')).then_some(steps)
}

/// The span of the deepest node of `path` in the document: the key of the last property found
/// (the property itself when it is there, its parent's when it is missing).
fn span_of(doc: &Document, path: &[Step]) -> Option<Span> {
    let tree = &doc.tree;
    let mut node = tree.root?;
    let mut span = None;
    for step in path {
        let resolved = tree.resolve(node);
        match step {
            Step::Key(k) => {
                let Some(entry) = tree.get(resolved, k) else {
                    break;
                };
                span = Some(tree.span(entry.key));
                node = entry.value;
            }
            Step::Index(i) => {
                let Some(item) = tree.items(resolved).and_then(|items| items.get(*i)) else {
                    break;
                };
                // An item's span is the whole item: its first line is what to point at.
                let s = tree.span(*item);
                let text = &doc.text[s.start as usize..s.end as usize];
                let end = text.find(['\n', '\r']).map_or(text.len(), |e| e);
                span = Some(Span::new(s.start as usize, s.start as usize + end));
                node = *item;
            }
        }
    }
    span
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &str = "id: f\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    typo: 1\n";

    fn at(doc: &Document, f: &Finding) -> String {
        doc.text[f.span.start as usize..f.span.end as usize].to_string()
    }

    #[test]
    fn paths_and_reference_chains_point_at_the_property() {
        let doc = kflow_syntax::parse(FLOW);
        let answer = serde_json::json!([{
            "index": 0,
            "constraints": "tasks[0].message: must not be null\nUnrecognized field \"typo\"\n at [Source: x] (through reference chain: io.kestra.core.models.flows.Flow[\"tasks\"]->java.util.ArrayList[0]->io.kestra.plugin.core.log.Log[\"typo\"])\nInvalid flow",
            "warnings": ["tasks[0].type: deprecated"],
        }]);
        let found = findings(&answer, &doc);
        assert_eq!(found.len(), 4);
        assert_eq!(at(&doc, &found[0]), "id: a"); // message is missing: its task
        assert_eq!(at(&doc, &found[1]), "typo");
        assert_eq!(at(&doc, &found[2]), "id: f"); // no path: the first line
        assert_eq!(at(&doc, &found[3]), "type");
        assert_eq!(found[3].severity, Severity::Warning);
        assert!(found.iter().all(|f| f.rule == RULE));
        assert!(found[1].message.contains("Unrecognized field"));
    }

    #[test]
    fn a_valid_flow_has_no_findings() {
        let doc = kflow_syntax::parse(FLOW);
        let answer =
            serde_json::json!([{"index": 0, "deprecationPaths": [], "warnings": [], "infos": []}]);
        assert!(findings(&answer, &doc).is_empty());
    }
}
