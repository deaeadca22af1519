//! Walks a Python or JS [`Program`] in text order, following simple assignments, and turns its
//! calls into facts: HTTP calls, file writes and reads, prints, outputs, other calls.
//!
//! Values are tracked per name without scopes: good enough for scripts, which are mostly flat.

mod effects;
mod http;
mod values;

use std::collections::{HashMap, HashSet};

use super::apis;
use super::calls::{Arg, Root};
use super::facts::{HttpCall, ScriptFacts, Statement, StatementKind, StrArg};
use super::lexer::{TokKind, NONE};
use super::program::{Program, Shape, Stmt};
use super::text::{self, StrValue};
use super::{Embedded, Lang};
use crate::span::Span;

/// What a name or expression holds, as far as we can tell.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Unknown,
    /// A module or something reached through it (`os.path`, `@aws-sdk/client-s3.S3Client`).
    Module(String),
    /// The result of a call, shown as its signature (`boto3.client(s3)`).
    Obj(String),
    Str(StrValue),
    /// An HTTP response or data taken from it.
    Resp {
        http: usize,
        transformed: bool,
    },
    /// An open file; `write` indexes `file_writes` when opened for writing.
    File {
        write: Option<usize>,
    },
    /// A `pathlib.Path`.
    PathObj(StrValue),
    /// A dict / list / object literal: its tokens `[start, end)`, searched for header and parameter keys.
    Literal(usize, usize),
}

/// What a call amounts to, for classifying its statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Http,
    Boilerplate,
    /// Conversions, environment lookups, methods of a response, calls of local functions.
    Trivial,
    Write,
    Read,
    Other,
}

const MAX_NAME: usize = 256;
/// Tokens the fallback "does this expression mention a response" scan may look at in total.
const SCAN_BUDGET: usize = 2_000_000;

pub(super) fn run(lang: Lang, program: &Program<'_>) -> (ScriptFacts, Vec<Embedded>) {
    let in_loop = program.runs_in_loop();
    let mut flow = Flow::new(lang, program, HashMap::new(), in_loop.clone());
    flow.walk();
    if !program.functions.is_empty() {
        // Function bodies come before the code that sets up what they use (`def fetch(session): …`
        // then `session = aiohttp.ClientSession()`): walk again with the names bound by the first walk.
        let seeds = flow
            .vars
            .into_iter()
            .filter(|(_, v)| {
                matches!(
                    v,
                    Value::Module(_) | Value::Obj(_) | Value::Str(_) | Value::PathObj(_)
                )
            })
            .collect();
        flow = Flow::new(lang, program, seeds, in_loop);
        flow.walk();
    }
    flow.finish();
    (flow.facts, flow.embedded)
}

struct Flow<'p, 'a> {
    lang: Lang,
    p: &'p Program<'a>,
    vars: HashMap<String, Value>,
    /// Resolved callee of each call, constructor arguments shown (`boto3.client(s3).download_file`).
    names: Vec<String>,
    values: Vec<Value>,
    /// The HTTP call whose response a call works on (the call itself, `.then(…)`, `r.json()`).
    resp_of: Vec<u32>,
    http_of: Vec<u32>,
    call_by_close: Vec<u32>,
    in_loop: Vec<bool>,
    local_functions: HashSet<String>,
    facts: ScriptFacts,
    embedded: Vec<Embedded>,
    budget: usize,
}

impl<'p, 'a> Flow<'p, 'a> {
    fn new(
        lang: Lang,
        program: &'p Program<'a>,
        seeds: HashMap<String, Value>,
        in_loop: Vec<bool>,
    ) -> Flow<'p, 'a> {
        let n_calls = program.calls.len();
        let mut call_by_close = vec![NONE; program.code.len()];
        for (id, call) in program.calls.iter().enumerate() {
            if call.close != call.open {
                call_by_close[call.close] = id as u32;
            }
        }
        let mut flow = Flow {
            lang,
            p: program,
            vars: seeds,
            names: vec![String::new(); n_calls],
            values: vec![Value::Unknown; n_calls],
            resp_of: vec![NONE; n_calls],
            http_of: vec![NONE; n_calls],
            call_by_close,
            in_loop,
            local_functions: program.functions.iter().map(|f| f.name.clone()).collect(),
            facts: ScriptFacts::default(),
            embedded: Vec::new(),
            budget: SCAN_BUDGET,
        };
        for decl in &program.imports {
            flow.facts.imports.push(decl.fact.clone());
            for (local, path) in &decl.bindings {
                flow.vars.insert(local.clone(), Value::Module(path.clone()));
            }
        }
        flow
    }

    fn walk(&mut self) {
        let p = self.p;
        let mut next_call = 0;
        for stmt in &p.stmts {
            let first = next_call;
            while next_call < p.calls.len() && p.calls[next_call].open < stmt.end {
                next_call += 1;
            }
            self.statement(stmt, first..next_call);
        }
    }

    fn statement(&mut self, stmt: &Stmt, calls: std::ops::Range<usize>) {
        let p = self.p;
        // Names first (open order: receivers before chained calls), so callbacks can bind responses.
        for id in calls.clone() {
            self.names[id] = self.resolve(id);
            self.detect_http(id);
        }
        // Effects in close order: arguments and receivers are evaluated before the calls using them.
        let mut order: Vec<usize> = calls.collect();
        order.sort_by_key(|&id| p.calls[id].close);
        let mut roles = Vec::with_capacity(order.len());
        for id in order {
            roles.push(self.effect(id));
        }
        let mut bound = Vec::with_capacity(stmt.binds.len());
        for bind in &stmt.binds {
            bound.push(self.bind(bind));
        }
        let kind = self.classify(stmt, &roles, &bound);
        let code = &p.code;
        if stmt.end > stmt.start {
            let span = code.span_of(stmt.start, stmt.end - 1);
            self.facts.statements.push(Statement { span, kind });
        }
    }

    fn resolve(&self, id: usize) -> String {
        let p = self.p;
        let call = &p.calls[id];
        let code = &p.code;
        let mut name = match call.root {
            Root::Name(t) => self.base_of(code.text(t)),
            Root::Call(r) => self.signature(r),
            Root::Other => "?".to_string(),
        };
        for &seg in &call.segments {
            name.push('.');
            name.push_str(code.text(seg));
        }
        if name.len() > MAX_NAME {
            name.truncate(text::floor_boundary(&name, MAX_NAME));
        }
        name
    }

    fn base_of(&self, name: &str) -> String {
        match self.vars.get(name) {
            Some(Value::Module(path)) => path.clone(),
            Some(Value::Obj(sig)) => sig.clone(),
            Some(Value::PathObj(_)) => "pathlib.Path()".into(),
            Some(Value::File { .. }) => "file".into(),
            Some(Value::Resp {
                transformed: false, ..
            }) => "response".into(),
            _ => name.to_string(),
        }
    }

    /// `callee(first literal argument)`.
    fn signature(&self, id: usize) -> String {
        let p = self.p;
        let first = p.calls[id]
            .positional()
            .next()
            .and_then(|a| self.literal_text(a.start, a.end))
            .filter(|s| s.len() <= 64 && !s.contains(['(', ')']))
            .unwrap_or_default();
        format!("{}({first})", self.names[id])
    }

    fn detect_http(&mut self, id: usize) {
        let p = self.p;
        let call = &p.calls[id];
        let receiver_resp = match call.root {
            Root::Call(r) => self.resp_of[r],
            Root::Name(t) if !call.segments.is_empty() => match self.vars.get(p.code.text(t)) {
                Some(Value::Resp { http, .. }) => *http as u32,
                _ => NONE,
            },
            _ => NONE,
        };
        let norm = normalize(&self.names[id]);
        if let Some(api) = apis::http_api(self.lang, &norm) {
            let idx = self.facts.http_calls.len();
            let code = &p.code;
            self.facts.http_calls.push(HttpCall {
                client: api.client.to_string(),
                method: "GET".into(),
                url: None,
                span: code.span_of(call.chain_start, call.close),
                in_loop: self.in_loop[call.chain_start],
                result_var: None,
                output_file: None,
                has_auth: false,
                has_signing: false,
                has_pagination_params: false,
                response_transformed: false,
            });
            self.http_of[id] = idx as u32;
            self.resp_of[id] = idx as u32;
        } else if receiver_resp != NONE {
            self.resp_of[id] = receiver_resp;
        }
        // Callbacks receiving the response: `https.get(u, res => …)`, `fetch(u).then(r => …)`.
        let resp = self.resp_of[id];
        if resp != NONE && self.lang == Lang::JavaScript {
            for arg in &p.calls[id].args {
                if let Some(param) = callback_param(&p.code, arg) {
                    let http = resp as usize;
                    if self.facts.http_calls[http].result_var.is_none() {
                        self.facts.http_calls[http].result_var = Some(param.to_string());
                    }
                    self.vars.insert(
                        param.to_string(),
                        Value::Resp {
                            http,
                            transformed: false,
                        },
                    );
                }
            }
        }
    }

    fn classify(&mut self, stmt: &Stmt, roles: &[Role], bound: &[Value]) -> StatementKind {
        let p = self.p;
        let quiet = |r: &Role| matches!(r, Role::Boilerplate | Role::Trivial);
        let all_quiet = roles.iter().all(quiet);
        let code = &p.code;
        match stmt.shape {
            Shape::Import => StatementKind::Import,
            Shape::Def | Shape::Structural => StatementKind::Boilerplate,
            Shape::Exit if all_quiet => StatementKind::Boilerplate,
            Shape::Check {
                cond_start,
                cond_end,
            } if all_quiet && self.is_response_check(cond_start, cond_end) => {
                StatementKind::Boilerplate
            }
            Shape::Loop
                if !bound.is_empty() && all_quiet && bound.iter().all(is_plain_response) =>
            {
                StatementKind::ResponseUse
            }
            Shape::Simple | Shape::With if !stmt.binds.is_empty() => {
                let constant = all_quiet
                    && bound.iter().all(|v| !matches!(v, Value::Resp { .. }))
                    && stmt
                        .binds
                        .iter()
                        .all(|bind| !has_computation(code, bind.rhs.0, bind.rhs.1))
                    && roles.iter().all(|r| *r == Role::Trivial);
                if constant {
                    StatementKind::Constant
                } else if all_quiet && bound.iter().all(is_plain_response) {
                    StatementKind::ResponseUse
                } else if !roles.is_empty() && roles.iter().all(|r| *r == Role::Boilerplate) {
                    StatementKind::Boilerplate
                } else {
                    StatementKind::Code
                }
            }
            Shape::Simple if stmt.binds.is_empty() => {
                let only_text = (stmt.start..stmt.end).all(|t| {
                    matches!(code.kind(t), Some(TokKind::Str | TokKind::Pebble))
                        || is_punct(code, t)
                });
                if only_text || (!roles.is_empty() && all_quiet) {
                    StatementKind::Boilerplate
                } else {
                    StatementKind::Code
                }
            }
            _ => StatementKind::Code,
        }
    }

    /// A condition only about a response (`r.status_code != 200`, `not resp.ok`) or `__name__`.
    fn is_response_check(&self, a: usize, b: usize) -> bool {
        let p = self.p;
        const ALLOWED: &[&str] = &[
            "not",
            "and",
            "or",
            "is",
            "in",
            "None",
            "True",
            "False",
            "null",
            "undefined",
            "typeof",
            "instanceof",
            "__name__",
            "len",
            "isinstance",
        ];
        let code = &p.code;
        (a..b).all(|t| {
            !code.is_name(t)
                || (t > 0 && (code.is_op(t - 1, ".") || code.is_op(t - 1, "?.")))
                || ALLOWED.contains(&code.text(t))
                || matches!(self.vars.get(code.text(t)), Some(Value::Resp { .. }))
        })
    }

    fn finish(&mut self) {
        let p = self.p;
        let code = &p.code;
        for &(a, b) in &p.loops {
            if a <= b && b < code.len() {
                self.facts.loops.push(code.span_of(a, b));
            }
        }
        self.facts.loops.sort_by_key(|s| (s.start, s.end));
        self.facts.loops.dedup();
        let signing = self
            .facts
            .imports
            .iter()
            .any(|i| i.module.split(['.', '/']).any(apis::is_signing_name))
            || (0..code.len()).any(|t| code.is_name(t) && apis::is_signing_name(code.text(t)));
        self.facts.uses_signing = signing;
        // The single untransformed write of each response names its output file.
        let mut saved_to: Vec<(u32, Option<usize>)> = vec![(0, None); self.facts.http_calls.len()];
        for (w, write) in self.facts.file_writes.iter().enumerate() {
            if let Some(h) = write.from_http.filter(|_| !write.transformed) {
                saved_to[h] = (saved_to[h].0 + 1, Some(w));
            }
        }
        for (http, (count, write)) in self.facts.http_calls.iter_mut().zip(saved_to) {
            http.has_signing |= signing;
            if let (None, 1, Some(w)) = (&http.output_file, count, write) {
                let path = self.facts.file_writes[w].path.as_ref();
                http.output_file = path.filter(|p| p.literal).map(|p| p.value.clone());
            }
        }
        self.facts.statement_count = self
            .facts
            .statements
            .iter()
            .filter(|s| !matches!(s.kind, StatementKind::Import | StatementKind::Boilerplate))
            .count();
    }
}

// ----- helpers -------------------------------------------------------------------------------------

/// Drops constructor arguments: `boto3.client(s3).download_file` → `boto3.client().download_file`.
pub(super) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0u32;
    for c in name.chars() {
        match c {
            '(' => {
                if depth == 0 {
                    out.push('(');
                }
                depth += 1;
            }
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.push(')');
                }
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn member(value: Value, name: &str) -> Value {
    match value {
        Value::Module(p) => Value::Module(format!("{p}.{name}")),
        Value::Obj(s) if s.len() < MAX_NAME => Value::Obj(format!("{s}.{name}")),
        Value::Resp { .. } => value,
        _ => Value::Unknown,
    }
}

fn as_transformed(value: Value) -> Value {
    match value {
        Value::Resp { http, .. } => Value::Resp {
            http,
            transformed: true,
        },
        other => other,
    }
}

fn is_plain_response(v: &Value) -> bool {
    matches!(
        v,
        Value::Resp {
            transformed: false,
            ..
        }
    )
}

fn str_arg(s: StrValue, span: Span) -> StrArg {
    StrArg {
        value: s.known().to_string(),
        literal: s.literal,
        text: s.text,
        span,
    }
}

/// `node:fs` → `fs`.
pub(super) fn module_specifier(spec: &str) -> String {
    spec.strip_prefix("node:").unwrap_or(spec).to_string()
}

/// End of a postfix chain `name(.name | [..] | (..))*` starting at `t`, bounded by `limit`.
fn chain_end(code: &super::lexer::Code<'_>, mut t: usize, limit: usize) -> usize {
    t += 1;
    while t < limit {
        if (code.is_op(t, ".") || code.is_op(t, "?.")) && code.is_name(t + 1) {
            t += 2;
        } else if code.is_op(t, "(") || code.is_op(t, "[") {
            t = code.skip_group(t);
        } else {
            break;
        }
    }
    t.min(limit)
}

/// End of an object value starting at `t`: the next top-level `,` or the end of the object.
fn value_end(code: &super::lexer::Code<'_>, mut t: usize, limit: usize) -> usize {
    while t < limit {
        if code.is_op(t, ",") || code.is_op(t, "}") {
            break;
        }
        if code.is_op(t, "(") || code.is_op(t, "[") || code.is_op(t, "{") {
            t = code.skip_group(t);
        } else {
            t += 1;
        }
    }
    t.min(limit)
}

/// Comprehensions, lambdas and arrow functions are computation, not constants.
fn has_computation(code: &super::lexer::Code<'_>, a: usize, b: usize) -> bool {
    (a..b.min(a + 4096)).any(|t| {
        code.is_word(t, "for")
            || code.is_word(t, "lambda")
            || code.is_word(t, "function")
            || code.is_op(t, "=>")
    }) || (a..b.min(a + 4096)).any(|t| {
        code.kind(t) == Some(TokKind::Op) && matches!(code.text(t), "*" | "/" | "%" | "**" | "//")
    })
}

fn is_punct(code: &super::lexer::Code<'_>, t: usize) -> bool {
    code.kind(t) == Some(TokKind::Op)
        && matches!(
            code.text(t),
            "(" | ")" | "[" | "]" | "{" | "}" | ";" | "," | ":"
        )
}

/// The response parameter of a callback argument: `res => …`, `(res) => …`, `function (res) {…}`.
fn callback_param<'a>(code: &super::lexer::Code<'a>, arg: &Arg) -> Option<&'a str> {
    let mut t = arg.start;
    if code.is_word(t, "async") {
        t += 1;
    }
    if code.is_word(t, "function") {
        t += 1;
        if code.is_name(t) && !code.is_op(t, "(") {
            t += 1;
        }
        return (code.is_op(t, "(") && code.is_name(t + 1)).then(|| code.text(t + 1));
    }
    if code.is_name(t) && code.is_op(t + 1, "=>") {
        return Some(code.text(t));
    }
    if code.is_op(t, "(")
        && code.is_name(t + 1)
        && (code.is_op(t + 2, ")") || code.is_op(t + 2, ","))
    {
        let close = code.partner(t)?;
        return code.is_op(close + 1, "=>").then(|| code.text(t + 1));
    }
    None
}
