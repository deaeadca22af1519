//! The script tasks of a flow, read as code once per document: the text of `script` (or of the
//! joined `commands`), its facts, and the way back from a span in that text to the file.

use kflow_java::glob::PathMatcher;
use kflow_syntax::model::TaskIdx;
use kflow_syntax::yaml::{NodeId, ScalarMap};
use kflow_syntax::Span;

use crate::script::{self, Lang, ScriptFacts};
use crate::source::Source;

/// One scalar of the analysed text: where it starts in the text and how it maps to the file.
struct Piece {
    start: usize,
    map: ScalarMap,
}

pub struct ScriptTask {
    pub task: TaskIdx,
    pub node: NodeId,
    /// The analysed property: `script` or `commands`.
    pub property: &'static str,
    pub lang: Lang,
    pub text: String,
    pub facts: ScriptFacts,
    /// Facts of `beforeCommands` (package installs), analysed as shell.
    pub before: ScriptFacts,
    pieces: Vec<Piece>,
}

impl ScriptTask {
    /// Where a span of the analysed text is in the file.
    pub fn file_span(&self, span: Span) -> Span {
        let i = self
            .pieces
            .partition_point(|p| p.start <= span.start as usize)
            .saturating_sub(1);
        let Some(piece) = self.pieces.get(i) else {
            return span;
        };
        let local = Span::new(
            span.start as usize - piece.start,
            (span.end as usize).saturating_sub(piece.start),
        );
        piece.map.span(local)
    }

    /// Lines of the analysed text.
    pub fn line_count(&self) -> usize {
        self.text.lines().count()
    }

    /// `outputFiles` globs declared on the task.
    pub fn output_globs<'c>(&self, cx: &Source<'c>) -> Vec<&'c str> {
        let tree = cx.tree;
        tree.get_value(self.node, "outputFiles")
            .and_then(|v| tree.items(v))
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| tree.str(i))
            .collect()
    }
}

/// Script languages kflow reads, by task type.
fn script_lang(type_name: &str) -> Option<(&'static str, Lang)> {
    let rest = type_name.strip_prefix("io.kestra.plugin.scripts.")?;
    if rest.ends_with(".Commands") {
        return Some(("commands", Lang::Shell));
    }
    if rest.ends_with(".Script") {
        return Lang::of_script_task(type_name).map(|l| ("script", l));
    }
    None
}

/// The string scalars of a property: the value itself, or each item of a list.
fn scalars(cx: &Source, node: NodeId, key: &str) -> Vec<NodeId> {
    let tree = cx.tree;
    let Some(v) = tree.get_value(node, key) else {
        return Vec::new();
    };
    match tree.items(v) {
        Some(items) => items
            .iter()
            .copied()
            .filter(|&i| tree.scalar(i).is_some())
            .collect(),
        None => tree.scalar(v).map(|_| vec![v]).unwrap_or_default(),
    }
}

/// Joins scalars with newlines, remembering where each starts.
fn join(cx: &Source, nodes: &[NodeId]) -> (String, Vec<Piece>) {
    let tree = cx.tree;
    let mut text = String::new();
    let mut pieces = Vec::new();
    for &n in nodes {
        let node = tree.node(tree.resolve(n));
        let Some(scalar) = tree.scalar(n) else {
            continue;
        };
        if !text.is_empty() {
            text.push('\n');
        }
        pieces.push(Piece {
            start: text.len(),
            map: ScalarMap::new(&cx.doc.text, node.span, &scalar.value, scalar.style),
        });
        text.push_str(&scalar.value);
    }
    (text, pieces)
}

pub fn collect(cx: &Source) -> Vec<ScriptTask> {
    let Some(flow) = cx.flow else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for idx in flow.task_indices() {
        let task = flow.task(idx);
        let Some(type_name) = task.type_.as_ref().map(|t| t.name.as_str()) else {
            continue;
        };
        let Some((property, lang)) = script_lang(type_name) else {
            continue;
        };
        let nodes = scalars(cx, task.node, property);
        if nodes.is_empty() {
            continue;
        }
        let (text, pieces) = join(cx, &nodes);
        let (before_text, _) = join(cx, &scalars(cx, task.node, "beforeCommands"));
        out.push(ScriptTask {
            task: idx,
            node: task.node,
            property,
            lang,
            facts: script::analyze(lang, &text),
            before: script::analyze(Lang::Shell, &before_text),
            text,
            pieces,
        });
    }
    out
}

/// What Kestra would collect with these `outputFiles` patterns: its `PathMatcherPredicate`
/// anchored at the working directory, asked with paths relative to it. A pattern Kestra would
/// reject matches everything (the run fails on it anyway; no file is reported uncollected).
pub fn output_files_matcher(patterns: &[&str]) -> impl Fn(&str) -> bool {
    const WD: &str = "/wd";
    let matchers: Vec<Option<PathMatcher>> = patterns
        .iter()
        .map(|p| PathMatcher::new(Some(WD), &[p.to_string()]).ok())
        .collect();
    move |path| {
        let full = format!("{WD}/{path}");
        matchers
            .iter()
            .any(|m| m.as_ref().is_none_or(|m| m.matches(&full)))
    }
}

/// What a script task is, for the rules that would replace it: the most specific wins.
pub enum Verdict {
    /// Talks to a system a Kestra plugin handles.
    Plugin(script::PluginHint),
    /// Only downloads one file.
    Download(script::Download),
    /// Only makes one API call.
    Request(script::Request),
    /// Real client logic: none of the above.
    Code,
}

impl ScriptTask {
    pub fn verdict(&self) -> Verdict {
        if let Some(hint) = script::dedicated_plugin(&self.facts) {
            return Verdict::Plugin(hint);
        }
        if let Some(d) = script::single_download(&self.facts) {
            return Verdict::Download(d);
        }
        if let Some(r) = script::single_request(&self.facts) {
            return Verdict::Request(r);
        }
        Verdict::Code
    }
}

#[cfg(test)]
mod tests {
    use super::output_files_matcher;

    fn m(pattern: &str, path: &str) -> bool {
        output_files_matcher(&[pattern])(path)
    }

    #[test]
    fn java_style_globs() {
        assert!(m("*.csv", "a.csv"));
        assert!(!m("*.csv", "out/a.csv"));
        assert!(m("**.csv", "out/a.csv"));
        assert!(m("out/**", "out/x/y.json"));
        assert!(!m("**/*.csv", "a.csv"));
        assert!(m("report.json", "report.json"));
        assert!(!m("report.json", "report.jsonl"));
        assert!(m("{a,b}.txt", "b.txt"));
        // Kestra rejects it at run time; not a reason to report the file as uncollected.
        assert!(m("[abc", "x"));
    }

    #[test]
    fn many_stars_take_linear_time() {
        let pattern = format!("{}b", "*a".repeat(12));
        let path = "a".repeat(5_000);
        assert!(!m(&pattern, &path));
    }
}
