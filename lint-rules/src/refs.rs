//! Reads of task outputs in the flow's expressions (`outputs.ID.NAME…`), with their spans in the
//! file: what the fetch-pattern rules look at downstream of a task. Also what the reference
//! rules (undefined, unknown, dashed, conditional) share about paths: the variables Kestra
//! provides, a path's first name, a dashed id split by the parser.

use kflow_syntax::expr::Expression;
use kflow_syntax::model::TaskIdx;
use kflow_syntax::pebble::{self, CallKind, ExprKind, PathRef, Segment};
use kflow_syntax::Span;

use crate::source::Source;

pub struct OutputRead<'a> {
    pub expr: &'a Expression,
    /// The task holding the expression, if any.
    pub owner: Option<TaskIdx>,
    /// The task id read.
    pub task: &'a str,
    /// The output name (`uri`, `body`, `outputFiles`…) and its span in the expression source.
    pub output: Option<(&'a str, Span)>,
    /// For `outputFiles['x']` / `outputFiles.x`: the file key, with the span in the expression
    /// source running from the `.outputFiles` dot to the end of the key access.
    pub file_key: Option<(String, Span)>,
    /// The whole path, in the expression source.
    pub span: Span,
    /// Where the read is used as a file URI: a `from`/`files`/`items` value, or the argument of
    /// `read()`, `fileSize()`, `fileExists()`, `isFileEmpty()`. (`inputFiles` values are not:
    /// Kestra writes inline content there as the file's text.)
    pub as_file: bool,
    /// The file-reading function whose argument the read is, when it is one.
    pub file_function: Option<&'a str>,
    /// The mapping key whose value holds the expression (for a list item, the list's key).
    pub key: Option<&'a str>,
}

impl OutputRead<'_> {
    pub fn file_span(&self, span: Span) -> Span {
        self.expr.file_span(span)
    }
}

const FILE_PROPERTIES: &[&str] = &["from", "files", "items"];
const FILE_FUNCTIONS: &[&str] = &["read", "fileSize", "fileExists", "isFileEmpty"];

/// Variables Kestra puts in the rendering context (some only in some places: `workingDir` in
/// scripts, `response` in HTTP trigger conditions, `item` in 2.0 loops).
pub const CONTEXT_ROOTS: &[&str] = &[
    "flow",
    "execution",
    "task",
    "taskrun",
    "parent",
    "parents",
    "inputs",
    "outputs",
    "vars",
    "labels",
    "envs",
    "globals",
    "kestra",
    "trigger",
    "schedule",
    "workingDir",
    "outputDir",
    "outputFiles",
    "bucketPath",
    "response",
    "item",
    "tasks",
    "namespace",
    "flowId",
    "error",
];

/// The first segment after the root, as a name (`.x` or `['x']`).
pub fn first_name<'a>(path: &PathRef<'a>) -> Option<(&'a str, Span)> {
    match path.segments.first()? {
        Segment::Name(n, s) | Segment::Key(n, s) => Some((n, *s)),
        _ => None,
    }
}

/// If the text right after `span` continues the name with `-part`, the dashed id it spells.
pub fn dashed_name(source: &str, name: &str, span: Span) -> Option<String> {
    let rest = source.get(span.end as usize..)?;
    let rest = rest.trim_start();
    let tail = rest.strip_prefix('-')?.trim_start();
    let len = tail
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(tail.len());
    (len > 0).then(|| format!("{name}-{}", &tail[..len]))
}

/// Spans (in the expression source) of arguments of file-reading functions, with the function.
fn file_arguments(e: &Expression) -> Vec<(Span, &str)> {
    pebble::template_calls(&e.template)
        .into_iter()
        .filter(|c| c.kind == CallKind::Function && FILE_FUNCTIONS.contains(&c.name))
        .filter_map(|c| Some((c.args?.positional.first()?.span, c.name)))
        .collect()
}

/// The key of the mapping entry holding `e`: its own key, or for an item of a list (`files:
/// [...]`), the key of the list.
fn holding_key<'a>(cx: &Source<'a>, e: &'a Expression) -> Option<&'a str> {
    if let Some(key) = e.key.as_deref() {
        return Some(key);
    }
    let list = cx.parent(e.node)?;
    cx.tree.items(list)?;
    let (_, entry) = cx.holder(list)?;
    cx.tree.str(entry.key)
}

/// Computes the reads; rules use [`crate::context::Context::output_reads`], which caches them.
pub fn output_reads<'a>(cx: &Source<'a>) -> Vec<OutputRead<'a>> {
    let mut out = Vec::new();
    for rendered in cx.rendered_expressions() {
        let (e, owner) = (rendered.expr, rendered.owner);
        let file_args = file_arguments(e);
        let key = holding_key(cx, e);
        let whole_value_is_file = key.is_some_and(|k| FILE_PROPERTIES.contains(&k));
        let source = e.source(cx.tree);
        for path in &rendered.paths {
            if path.local || path.root.0 != "outputs" {
                continue;
            }
            let (task, mut rest) = match path.segments.first() {
                Some(Segment::Name(n, _)) | Some(Segment::Key(n, _)) => (*n, &path.segments[1..]),
                _ => continue,
            };
            // Loop-value indices come before the output name.
            while let Some(Segment::Dynamic(_) | Segment::Index(..)) = rest.first() {
                rest = &rest[1..];
            }
            let output = match rest.first() {
                Some(Segment::Name(n, s)) | Some(Segment::Key(n, s)) => Some((*n, *s)),
                _ => None,
            };
            let file_key = match (output, rest.get(1)) {
                (
                    Some(("outputFiles", name_span)),
                    Some(Segment::Name(k, s) | Segment::Key(k, s)),
                ) => {
                    // From the `.` before `outputFiles` to the end of `['k']` / `.k`.
                    let start = source[..name_span.start as usize]
                        .rfind('.')
                        .unwrap_or(name_span.start as usize);
                    let mut end = s.end as usize;
                    if let Some(close) = source[end..]
                        .find(']')
                        .filter(|&i| source[end..end + i].trim().is_empty())
                    {
                        end += close + 1;
                    }
                    Some((k.to_string(), Span::new(start, end)))
                }
                _ => None,
            };
            let file_function = file_args
                .iter()
                .find(|(a, _)| a.start <= path.span.start && path.span.end <= a.end)
                .map(|(_, name)| *name);
            let as_file = whole_value_is_file || file_function.is_some();
            out.push(OutputRead {
                expr: e,
                owner,
                task,
                output,
                file_key,
                span: path.span,
                as_file,
                file_function,
                key,
            });
        }
    }
    out
}

/// Whether the value of `e` is the whole of what the path at `path` reads: `{{ outputs.a.body }}`,
/// also through conversions that keep all of it (`| toJson`, `fromJson(…)`), but not a part
/// taken out of it (`fromJson(outputs.a.body).total`, `| jq('.x')`, `| length`).
pub fn is_whole_value(cx: &Source, e: &Expression, path: Span) -> bool {
    use kflow_syntax::pebble::{Expr, Node};
    const KEEP_ALL_FILTERS: &[&str] = &["toJson", "json", "string", "trim", "yaml", "toIon"];
    const KEEP_ALL_FUNCTIONS: &[&str] = &["fromJson", "json", "yaml", "fromIon"];
    let source = e.source(cx.tree);
    let nodes: Vec<&Node> = e
        .template
        .nodes
        .iter()
        .filter(|n| !matches!(n, Node::Text(s) if source[s.range()].trim().is_empty()))
        .collect();
    let [Node::Print(p)] = nodes.as_slice() else {
        return false;
    };
    let mut expr: &Expr = &p.expr;
    loop {
        match &expr.kind {
            ExprKind::Filter { input, filter }
                if KEEP_ALL_FILTERS.contains(&filter.name.name.as_str()) =>
            {
                expr = input;
            }
            ExprKind::Call { name, args }
                if KEEP_ALL_FUNCTIONS.contains(&name.name.as_str())
                    && args.positional.len() == 1 =>
            {
                expr = &args.positional[0];
            }
            _ => break,
        }
    }
    expr.span == path
}
