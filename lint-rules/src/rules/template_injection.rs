//! Reports a value from outside the flow pasted into code: shell commands, scripts, SQL.
//!
//! ## What it does
//! Kestra renders expressions before a task runs, so `{{ … }}` inside a script or a query
//! becomes part of the code. This rule follows values whoever starts or triggers the flow
//! controls — free-text inputs (STRING, JSON, URI, EMAIL, YAML, ARRAY…; not INT, FLOAT,
//! BOOLEAN, SELECT, DATE… whose values Kestra validates), `trigger.*` of flows with a trigger
//! other than Schedule (webhook bodies, headers and query, messages, upstream flow outputs),
//! `execution.labels`, and the `body` and `headers` of HTTP Request tasks — into the `script`,
//! (trigger variables Kestra makes itself, such as a message batch's storage `uri`, `count` or
//! `date`, are not outside values)
//! `commands` and `beforeCommands` of script tasks, the `sql` of query tasks and a Request's JSON
//! `body` written as text. A value that
//! goes through a filter making it safe there is not reported: one yielding a number or a
//! boolean (`number`, `length`, `startsWith`…), `escapeChar('shell')` in shell code, `toJson`
//! in Python or JavaScript code and in JSON.
//!
//! ## Why
//! Whoever controls the value controls the code: `{{ trigger.body.name }}` in a shell command
//! lets the caller of a webhook run commands on the worker; an input in a `WHERE` clause is SQL
//! injection. It is the flow equivalent of GitHub Actions' template injection.
//!
//! ## Example
//! ```yaml
//! tasks:
//!   - id: greet
//!     type: io.kestra.plugin.scripts.shell.Commands
//!     commands:
//!       - echo "Hello {{ trigger.body.name }}"
//! triggers:
//!   - id: hook
//!     type: io.kestra.plugin.core.trigger.Webhook
//!     key: "{{ secret('WEBHOOK_KEY') }}"
//! ```
//!
//! ## Fix
//! Pass the value as data, not code: through `env:` (`NAME: "{{ trigger.body.name }}"`, then
//! `echo "Hello $NAME"`) or `inputFiles` for scripts, and query parameters for SQL.

use kflow_syntax::pebble::{self, BinaryOp, Expr, ExprKind, Node, Segment, StrPart};
use kflow_syntax::Span;

use crate::context::Context;
use crate::finding::{Finding, Severity};
use crate::script::Lang;

pub const ID: &str = "template-injection";
pub const SEVERITY: Severity = Severity::Warning;

/// Input types whose values Kestra validates into something that cannot carry code.
const SAFE_INPUT_TYPES: &[&str] = &[
    "INT", "FLOAT", "BOOLEAN", "BOOL", "SELECT", "ENUM", "MULTISELECT", "DATE", "DATETIME",
    "TIME", "DURATION", "FILE", "SECRET",
];

/// Trigger variables whose values Kestra produces.
const KESTRA_MADE_TRIGGER_VARS: &[&str] = &[
    "uri",
    "count",
    "date",
    "next",
    "previous",
    "executionId",
    "namespace",
    "flowId",
    "flowRevision",
    "state",
];

/// Filters whose result is a number or a boolean: safe anywhere.
const SCALAR_FILTERS: &[&str] = &[
    "number", "length", "abs", "startsWith", "endsWith", "timestamp", "timestampMilli",
    "timestampMicro", "timestampNano", "md5", "sha1", "sha256", "sha512",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Code {
    Shell,
    Python,
    JavaScript,
    /// Another script language (Groovy, Ruby, R…).
    OtherScript,
    Sql,
    /// A JSON request body written as text with expressions in it.
    Json,
}

impl Code {
    fn name(self) -> &'static str {
        match self {
            Code::Shell => "shell code",
            Code::Python => "Python code",
            Code::JavaScript => "JavaScript code",
            Code::OtherScript => "script code",
            Code::Sql => "SQL",
            Code::Json => "a JSON body",
        }
    }

    fn safe_filter(self, name: &str, args: Option<&pebble::Args>) -> bool {
        if SCALAR_FILTERS.contains(&name) {
            return true;
        }
        match self {
            Code::Shell => {
                name == "escapeChar"
                    && args
                        .and_then(|a| a.positional.first())
                        .is_some_and(|a| matches!(&a.kind, ExprKind::Str(s) if s == "shell"))
            }
            Code::Python | Code::JavaScript | Code::Json => matches!(name, "toJson" | "json"),
            Code::OtherScript | Code::Sql => false,
        }
    }

    fn fix(self) -> &'static str {
        match self {
            Code::Sql => "pass it as a query parameter",
            Code::Json => "write it with `| toJson` (which quotes and escapes it) or build the body as a YAML map",
            _ => "pass it through `env:` (or `inputFiles`) and read it there",
        }
    }
}

/// Where a value comes from, in words, when someone other than the flow's author sets it.
struct Sources<'c> {
    free_inputs: Vec<&'c str>,
    outside_triggers: bool,
    requests: Vec<&'c str>,
}

impl Sources<'_> {
    /// The outside source a path reads, if any.
    fn of(&self, root: &str, segments: &[String]) -> Option<String> {
        let first = segments.first().map(String::as_str);
        match root {
            "inputs" => first
                .filter(|i| self.free_inputs.contains(i))
                .map(|i| format!("input `{i}` (free text, set by whoever starts the flow)")),
            // Trigger variables Kestra itself makes (a storage URI, a count, dates, ids) carry
            // nothing from outside.
            "trigger"
                if self.outside_triggers
                    && !first.is_some_and(|f| KESTRA_MADE_TRIGGER_VARS.contains(&f)) =>
            {
                Some("`trigger` (the trigger's payload, set outside the flow)".to_string())
            }
            "execution" if first == Some("labels") => {
                Some("`execution.labels` (set by whoever starts the flow)".to_string())
            }
            "outputs" => {
                let task = first?;
                let output = segments.get(1).map(String::as_str);
                (self.requests.contains(&task) && matches!(output, Some("body" | "headers")))
                    .then(|| format!("`outputs.{task}.{}` (a remote server's response)", output.unwrap_or_default()))
            }
            _ => None,
        }
    }
}

/// The outside source an expression's value carries in `code`, with the span of the read.
fn tainted(e: &Expr, code: Code, sources: &Sources) -> Option<(String, Span)> {
    match &e.kind {
        ExprKind::Var(_) | ExprKind::Attr { .. } | ExprKind::Index { .. } => {
            let (root, segments) = chain(e)?;
            if let Some(s) = sources.of(&root, &segments) {
                return Some((s, e.span));
            }
            // `x[inputs.key]`: the key is data, the value is what is printed.
            None
        }
        ExprKind::Filter { input, filter } => {
            if code.safe_filter(&filter.name.name, filter.args.as_ref()) {
                None
            } else {
                tainted(input, code, sources)
            }
        }
        ExprKind::MethodCall { object, .. } => tainted(object, code, sources),
        ExprKind::Call { name, args } => {
            if name.name == "secret" || name.name == "render" {
                return None;
            }
            args.positional
                .iter()
                .chain(args.named.iter().map(|n| &n.value))
                .find_map(|a| tainted(a, code, sources))
        }
        ExprKind::Binary {
            op, left, right, ..
        } => {
            // Comparisons and logic give booleans; arithmetic gives numbers (or fails).
            let value_carrying = matches!(
                op,
                BinaryOp::Concat | BinaryOp::NullCoalesce | BinaryOp::UndefinedCoalesce
            );
            if value_carrying {
                tainted(left, code, sources).or_else(|| tainted(right, code, sources))
            } else {
                None
            }
        }
        ExprKind::Ternary { then, otherwise, .. } => {
            tainted(then, code, sources).or_else(|| tainted(otherwise, code, sources))
        }
        ExprKind::Interpolated(parts) => parts.iter().find_map(|p| match p {
            StrPart::Expr(x) => tainted(x, code, sources),
            StrPart::Lit { .. } => None,
        }),
        ExprKind::List(items) => items.iter().find_map(|x| tainted(x, code, sources)),
        ExprKind::Map(entries) => entries.iter().find_map(|m| tainted(&m.value, code, sources)),
        _ => None,
    }
}

/// `root.a['b'].c` as (root, [a, b, c]), read by the one reader of variable paths
/// (`pebble::expr_paths`); `None` unless `e` is exactly such a chain (no method call in it).
fn chain(e: &Expr) -> Option<(String, Vec<String>)> {
    let path = pebble::expr_paths(e)
        .into_iter()
        .find(|p| p.span == e.span)?;
    let mut segments = Vec::new();
    for segment in &path.segments {
        match segment {
            Segment::Name(name, _) | Segment::Key(name, _) => segments.push(name.to_string()),
            Segment::Index(..) | Segment::Dynamic(_) => segments.push("[…]".into()),
            Segment::Call(..) => return None,
        }
    }
    Some((path.root.0.to_string(), segments))
}

/// What kind of code a property of a task holds, if any. `text` is the value as written.
fn code_of(type_: &str, property: &str, lang: Option<Lang>, text: &str) -> Option<Code> {
    if type_ == "io.kestra.plugin.core.http.Request" && property == "body" {
        // JSON written as text; not a body that is one expression (`{{ inputs.payload }}`, a
        // Pebble map literal), which Kestra serialises itself.
        let t = text.trim_start();
        let json_text = (t.starts_with('{') || t.starts_with('['))
            && !t.starts_with("{{")
            && !t.starts_with("{%");
        return json_text.then_some(Code::Json);
    }
    if type_.starts_with("io.kestra.plugin.scripts.") {
        return match property {
            "commands" | "beforeCommands" => Some(Code::Shell),
            "script" => Some(match lang {
                Some(Lang::Python) => Code::Python,
                Some(Lang::JavaScript) => Code::JavaScript,
                Some(Lang::Shell) => Code::Shell,
                None => Code::OtherScript,
            }),
            _ => None,
        };
    }
    (property == "sql").then_some(Code::Sql)
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    let tree = cx.tree;
    let free_inputs: Vec<&str> = flow
        .inputs
        .iter()
        .filter(|i| {
            let t = i.type_.as_ref().map_or("STRING", |t| t.name.as_str());
            !SAFE_INPUT_TYPES.contains(&t.to_ascii_uppercase().as_str())
        })
        .filter_map(|i| i.id.as_ref().map(|n| n.name.as_str()))
        .collect();
    let outside_triggers = flow.triggers.iter().any(|&t| {
        flow.plugins[t]
            .type_
            .as_ref()
            .is_some_and(|n| !n.name.ends_with(".Schedule"))
    });
    let requests: Vec<&str> = crate::http_tasks::requests(cx)
        .into_iter()
        .filter_map(|(t, _)| flow.task(t).id.as_ref().map(|n| n.name.as_str()))
        .collect();
    let sources = Sources {
        free_inputs,
        outside_triggers,
        requests,
    };
    for rendered in cx.rendered_expressions() {
        let Some(owner) = rendered.owner else { continue };
        let task = flow.task(owner);
        let at = tree.span(rendered.expr.node).start as usize;
        let Some(property) = cx.property_at(task.node, at) else {
            continue;
        };
        let type_ = cx.catalog.canonical(task.type_name());
        let lang = Lang::of_script_task(type_);
        let e = rendered.expr;
        let Some(code) = code_of(type_, property, lang, e.source(tree)) else {
            continue;
        };
        let mut found = None;
        pebble::walk_nodes(&e.template.nodes, &mut |node| {
            if found.is_none() {
                if let Node::Print(p) = node {
                    found = tainted(&p.expr, code, &sources);
                }
            }
        });
        if let Some((source, span)) = found {
            out.push(Finding::new(
                ID,
                e.file_span(span),
                format!(
                    "{source} is pasted into {} of `{property}`: whoever sets it can change what runs; {}",
                    code.name(),
                    code.fix()
                ),
            ));
        }
    }
}
