//! Walks a Python or JS [`Program`] in text order, following simple assignments, and turns its
//! calls into facts: HTTP calls, file writes and reads, prints, outputs, other calls.
//!
//! Values are tracked per name without scopes: good enough for scripts, which are mostly flat.

use std::collections::{HashMap, HashSet};

use super::apis::{self, ArgPos, HttpApi, MethodFrom};
use super::calls::{Arg, Root};
use super::facts::{Call, FileRead, FileWrite, HttpCall, ScriptFacts, Statement, StatementKind, StrArg};
use super::lexer::{StrPart, TokKind, NONE};
use super::program::{Bind, Program, Shape, Stmt};
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
    Resp { http: usize, transformed: bool },
    /// An open file; `write` indexes `file_writes` when opened for writing.
    File { write: Option<usize> },
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
    let mut flow = Flow::new(lang, program, HashMap::new());
    flow.walk();
    if !program.functions.is_empty() {
        // Function bodies come before the code that sets up what they use (`def fetch(session): …`
        // then `session = aiohttp.ClientSession()`): walk again with the names bound by the first walk.
        let seeds = flow
            .vars
            .into_iter()
            .filter(|(_, v)| matches!(v, Value::Module(_) | Value::Obj(_) | Value::Str(_) | Value::PathObj(_)))
            .collect();
        flow = Flow::new(lang, program, seeds);
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
    fn new(lang: Lang, program: &'p Program<'a>, seeds: HashMap<String, Value>) -> Flow<'p, 'a> {
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
            in_loop: program.runs_in_loop(),
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

    // ----- names -------------------------------------------------------------------------------

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
            Some(Value::Resp { transformed: false, .. }) => "response".into(),
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
                    self.vars.insert(param.to_string(), Value::Resp { http, transformed: false });
                }
            }
        }
    }

    // ----- effects -----------------------------------------------------------------------------

    fn effect(&mut self, id: usize) -> Role {
        let p = self.p;
        let call = &p.calls[id];
        let norm = normalize(&self.names[id]);
        let method = call.method(&p.code);
        let receiver = self.receiver_value(id);
        let (role, value) = self.effect_of(id, &norm, method, &receiver);
        let value = match (&value, &receiver) {
            // Methods of a response give response data (`r.json()`, `r.iter_content()`).
            (Value::Obj(_) | Value::Unknown, Value::Resp { .. }) if role == Role::Trivial => receiver.clone(),
            _ => value,
        };
        self.values[id] = value;
        if role != Role::Http {
            let call = &p.calls[id];
            let args = call
                .args
                .iter()
                .filter(|a| !a.star)
                .filter_map(|a| self.literal_text(a.start, a.end))
                .collect();
            self.facts.other_calls.push(Call {
                callee: self.names[id].clone(),
                args,
                span: p.code.span_of(call.chain_start, call.close),
                in_loop: self.in_loop[call.chain_start],
            });
        }
        role
    }

    fn effect_of(&mut self, id: usize, norm: &str, method: &str, receiver: &Value) -> (Role, Value) {
        let p = self.p;
        let lang = self.lang;
        let call = &p.calls[id];
        let span = p.code.span_of(call.chain_start, call.close);
        if self.http_of[id] != NONE {
            let http = self.http_of[id] as usize;
            self.fill_http(id, http);
            return (Role::Http, Value::Resp { http, transformed: false });
        }
        if apis::is_kestra_outputs(norm) {
            self.facts.kestra_outputs.push(span);
            return (Role::Boilerplate, Value::Unknown);
        }
        if apis::is_print(lang, norm) {
            self.facts.prints.push(span);
            let first = call.positional().next().map(|a| (a.start, a.end));
            if let Some(Value::Str(s)) = first.map(|(a, b)| self.eval(a, b)) {
                if s.text.trim_start().starts_with("::") {
                    self.facts.kestra_outputs.push(span);
                }
            }
            return (Role::Boilerplate, Value::Unknown);
        }
        if let Some(mode_pos) = apis::open_mode_arg(lang, norm) {
            let path = self.str_arg(call.arg(&p.code, 0, &["file", "filename", "name", "path"]));
            let mode = self.arg_str(call.arg(&p.code, mode_pos.index, mode_pos.names));
            return self.open_file(path, mode, span);
        }
        if let Value::PathObj(path) = receiver {
            let path = Some(self.path_arg(path, id));
            match method {
                "open" => {
                    let mode = self.arg_str(call.arg(&p.code, 0, &["mode"]));
                    return self.open_file(path, mode, span);
                }
                "write_text" | "write_bytes" => {
                    let w = self.new_write(path, span, false);
                    self.link_arg(w, id, 0, &["data"], span);
                    return (Role::Write, Value::Unknown);
                }
                "read_text" | "read_bytes" => {
                    self.facts.file_reads.push(FileRead { path, span });
                    return (Role::Read, Value::Unknown);
                }
                _ => {}
            }
        }
        if matches!(norm, "pathlib.Path" | "pathlib.PurePath" | "pathlib.PosixPath") {
            let value = match self.first_value(id) {
                Value::Str(s) => Value::PathObj(s),
                _ => Value::PathObj(StrValue::unknown("{path}")),
            };
            return (Role::Trivial, value);
        }
        if let Value::File { write } = receiver {
            if let Some(w) = *write {
                if method.starts_with("write") {
                    self.link_arg(w, id, 0, &[], span);
                    return (Role::Write, Value::Unknown);
                }
            }
            return (Role::Trivial, Value::Unknown);
        }
        if matches!(norm, "csv.writer" | "csv.DictWriter") {
            return (Role::Trivial, self.first_value(id));
        }
        if let Some((obj, handle)) = apis::dump_into_handle(norm) {
            if let Some(h) = call.positional().nth(handle).map(|a| (a.start, a.end)) {
                if let Value::File { write: Some(w) } = self.eval(h.0, h.1) {
                    self.link_arg(w, id, obj, &[], span);
                    return (Role::Write, Value::Unknown);
                }
            }
        }
        if lang == Lang::Python && (apis::is_frame_writer(method) || norm.starts_with("numpy.save")) {
            if let Some(role) = self.frame_write(id, norm, receiver, span) {
                return (role, Value::Unknown);
            }
        }
        if lang == Lang::Python && method == "save" && !matches!(receiver, Value::Module(_)) {
            let path = self.str_arg(call.positional().next());
            if path.as_ref().is_some_and(|p| p.literal && text::looks_like_file_name(&p.value)) {
                self.new_write(path, span, false);
                return (Role::Write, Value::Unknown);
            }
        }
        if apis::is_sdk_download_to_path(method) {
            let code = &p.code;
            let arg = call.keyword(code, apis::SDK_FILENAME_KEYS).or_else(|| call.positional().last());
            let path = self.str_arg(arg);
            self.new_write(path, span, false);
            return (Role::Other, Value::Unknown);
        }
        if lang == Lang::JavaScript {
            if let Some(result) = self.js_file_effect(id, norm, method, receiver, span) {
                return result;
            }
        }
        if apis::is_path_reader(norm) {
            let path = self.str_arg(call.arg(&p.code, 0, &["path", "filepath_or_buffer", "source", "file"]));
            if path.is_some() {
                self.facts.file_reads.push(FileRead { path, span });
            }
            let value = self.transformed_from_args(id).unwrap_or(Value::Obj(self.signature(id)));
            return (Role::Other, value);
        }
        if lang == Lang::JavaScript && norm == "require" {
            if let Some(spec) = call.positional().next().and_then(|a| self.literal_text(a.start, a.end)) {
                return (Role::Trivial, Value::Module(module_specifier(&spec)));
            }
        }
        if matches!(norm, "os.path.join" | "posixpath.join" | "path.join" | "path.resolve" | "path.posix.join") {
            return (Role::Trivial, self.join_paths(id));
        }
        if apis::is_env_lookup(norm) {
            return (Role::Trivial, Value::Str(StrValue::unknown("{env}")));
        }
        if apis::is_passthrough(lang, norm) {
            return (Role::Trivial, self.first_value(id));
        }
        if matches!(receiver, Value::Resp { .. }) || self.resp_of[id] != NONE {
            return (Role::Trivial, receiver.clone());
        }
        if apis::is_boilerplate(lang, norm) || matches!(norm, "asyncio.run" | "asyncio.get_event_loop().run_until_complete") {
            return (Role::Boilerplate, Value::Unknown);
        }
        if apis::is_trivial_builtin(lang, norm) || apis::is_error_constructor(norm) {
            return (Role::Trivial, Value::Unknown);
        }
        if call.segments.is_empty() && matches!(call.root, Root::Name(_)) && self.local_functions.contains(norm) {
            return (Role::Trivial, Value::Unknown);
        }
        if lang == Lang::Python {
            self.embedded_shell(id, norm);
        }
        let value = self.transformed_from_args(id).unwrap_or_else(|| Value::Obj(self.signature(id)));
        (Role::Other, value)
    }

    fn open_file(&mut self, path: Option<StrArg>, mode: Option<StrValue>, span: Span) -> (Role, Value) {
        let mode = mode.map(|m| m.text).unwrap_or_default();
        if mode.contains(['w', 'a', 'x']) {
            let w = self.new_write(path, span, mode.contains('a'));
            (Role::Write, Value::File { write: Some(w) })
        } else {
            self.facts.file_reads.push(FileRead { path, span });
            (Role::Read, Value::File { write: None })
        }
    }

    /// `df.to_csv(path)`, `np.save(path, a)`: a write whose data is the receiver (or the second argument).
    fn frame_write(&mut self, id: usize, norm: &str, receiver: &Value, span: Span) -> Option<Role> {
        let p = self.p;
        let call = &p.calls[id];
        let code = &p.code;
        let arg = call.arg(code, 0, &["path", "path_or_buf", "file", "fname", "excel_writer", "filename", "fp"])?;
        let (a, b) = (arg.start, arg.end);
        let data = if norm.starts_with("numpy.save") {
            call.positional().nth(1).map(|x| self.eval(x.start, x.end)).unwrap_or(Value::Unknown)
        } else {
            receiver.clone()
        };
        let data = as_transformed(data);
        let w = match self.eval(a, b) {
            Value::File { write: Some(w) } => w,
            Value::File { write: None } | Value::Unknown if !self.is_str_expr(a, b) => return None,
            _ => {
                let path = self.str_arg(Some(arg));
                self.new_write(path, span, false)
            }
        };
        self.link(w, &data, span);
        Some(Role::Write)
    }

    fn js_file_effect(&mut self, id: usize, norm: &str, method: &str, receiver: &Value, span: Span) -> Option<(Role, Value)> {
        let p = self.p;
        let call = &p.calls[id];
        if let Some((path_pos, data_pos, append)) = apis::js_write_file(norm) {
            let path = self.str_arg(call.positional().nth(path_pos));
            let w = self.new_write(path, span, append);
            if let Some(d) = data_pos {
                self.link_arg(w, id, d, &[], span);
            }
            if let Some(src) = apis::js_read_file(norm) {
                let path = self.str_arg(call.positional().nth(src));
                self.facts.file_reads.push(FileRead { path, span });
            }
            let value = if data_pos.is_none() { Value::File { write: Some(w) } } else { Value::Unknown };
            return Some((Role::Write, value));
        }
        if let Some(pos) = apis::js_read_file(norm) {
            let path = self.str_arg(call.positional().nth(pos));
            self.facts.file_reads.push(FileRead { path, span });
            return Some((Role::Read, Value::File { write: None }));
        }
        let piping = method == "pipe" || method == "pipeTo" || norm.ends_with("pipeline") || norm == "stream.finished";
        if piping {
            let args: Vec<(usize, usize)> = call.positional().map(|a| (a.start, a.end)).collect();
            let values: Vec<Value> = args.iter().map(|&(a, b)| self.eval(a, b)).collect();
            let source = if method.starts_with("pipe") && !norm.ends_with("pipeline") { receiver.clone() } else {
                values.first().cloned().unwrap_or(Value::Unknown)
            };
            if let Some(Value::File { write: Some(w) }) = values.last() {
                self.link(*w, &source, span);
                return Some((Role::Write, Value::Unknown));
            }
        }
        None
    }

    /// Python `os.system("…")` / `subprocess.run("…", shell=True)` / `subprocess.run([…])`: shell code.
    fn embedded_shell(&mut self, id: usize, norm: &str) {
        let p = self.p;
        let is_shell_call = matches!(norm, "os.system" | "os.popen")
            || (norm.starts_with("subprocess.")
                && matches!(norm, "subprocess.run" | "subprocess.call" | "subprocess.check_call" | "subprocess.check_output" | "subprocess.Popen" | "subprocess.getoutput" | "subprocess.getstatusoutput"));
        if !is_shell_call {
            return;
        }
        let call = &p.calls[id];
        let Some(arg) = call.arg(&p.code, 0, &["args", "cmd", "command"]) else { return };
        let code = &p.code;
        let span = code.span_of(arg.start, arg.end - 1);
        let in_loop = self.in_loop[call.chain_start];
        if arg.end == arg.start + 1 {
            if let Some(lit) = code.str_lit(arg.start) {
                if let Some(text) = lit.literal_text() {
                    self.embedded.push(Embedded { lang: Lang::Shell, text, base: lit.content.0 as usize, exact: lit.exact, span, in_loop });
                    return;
                }
            }
        }
        if code.is_op(arg.start, "[") && code.partner(arg.start) == Some(arg.end - 1) {
            // An argv list: quote each literal word, show unknown ones as variables.
            let mut words = Vec::new();
            for item in super::calls::split_args(code, arg.start, arg.end - 1) {
                match self.eval(item.start, item.end) {
                    Value::Str(s) if s.literal => words.push(format!("'{}'", s.text.replace('\'', ""))),
                    _ => words.push("\"$ARG\"".into()),
                }
            }
            self.embedded.push(Embedded { lang: Lang::Shell, text: words.join(" "), base: 0, exact: false, span, in_loop });
        }
    }

    /// An argument that is response data passed into other processing marks the response transformed,
    /// and the call's result is transformed response data.
    fn transformed_from_args(&mut self, id: usize) -> Option<Value> {
        let p = self.p;
        let call = &p.calls[id];
        let mut found = None;
        for arg in &call.args {
            if let Value::Resp { http, .. } = self.eval(arg.start, arg.end) {
                self.facts.http_calls[http].response_transformed = true;
                found = Some(Value::Resp { http, transformed: true });
            }
        }
        found
    }

    // ----- HTTP details ------------------------------------------------------------------------

    fn fill_http(&mut self, id: usize, http: usize) {
        let p = self.p;
        let api = apis::http_api(self.lang, &normalize(&self.names[id])).unwrap_or(HttpApi {
            client: "",
            method: MethodFrom::Fixed("GET"),
            url: ArgPos { index: 0, names: &[] },
            out: None,
        });
        let call = &p.calls[id];
        let code = &p.code;
        let mut url = None;
        let mut method = "GET".to_string();
        match api.method {
            MethodFrom::Fixed(m) => method = m.to_string(),
            MethodFrom::Name => method = call.method(code).to_ascii_uppercase(),
            MethodFrom::Arg(pos) => {
                if let Some(m) = self.arg_str(call.arg(code, pos.index, pos.names)) {
                    method = m.text.to_ascii_uppercase();
                }
            }
            MethodFrom::Options(index) => {
                if let Some(opts) = call.positional().nth(index) {
                    if let Some(m) = self.object_key_str(opts.start, opts.end, "method") {
                        method = m.text.to_ascii_uppercase();
                    }
                }
            }
            MethodFrom::Config => {
                if let Some(first) = call.positional().next() {
                    if code.is_op(first.start, "{") {
                        url = self.object_key_str(first.start, first.end, "url").map(|v| str_arg(v, code.span_of(first.start, first.end - 1)));
                        if let Some(m) = self.object_key_str(first.start, first.end, "method") {
                            method = m.text.to_ascii_uppercase();
                        }
                    } else if let Some(opts) = call.positional().nth(1) {
                        if let Some(m) = self.object_key_str(opts.start, opts.end, "method") {
                            method = m.text.to_ascii_uppercase();
                        }
                    }
                }
            }
        }
        if method == "DEL" {
            method = "DELETE".into();
        }
        if url.is_none() {
            let arg = call.arg(code, api.url.index, api.url.names);
            url = self.str_arg(arg);
            // `https.get({hostname, path})` and `urlopen(Request(url))`.
            if url.is_none() {
                if let Some(arg) = arg {
                    url = self.url_from_request_object(arg);
                }
            }
        }
        if self.lang == Lang::Python && matches!(api.client, "urllib") && call.arg(code, 1, &["data"]).is_some() && api.out.is_none() {
            method = "POST".into();
        }
        let mut keys = Vec::new();
        for arg in &call.args {
            if let Some(k) = arg.key {
                keys.push(code.text(k).to_string());
            }
            self.collect_keys(arg.start, arg.end, &mut keys, true);
        }
        let has_auth_object = call.args.iter().any(|a| self.mentions(a.start, a.end, |n| n.ends_with("Auth") || n == "auth"));
        let signed = call.args.iter().any(|a| self.mentions(a.start, a.end, apis::is_signing_name));
        let out = api.out.and_then(|pos| self.str_arg(call.arg(code, pos.index, pos.names)));
        let span = self.facts.http_calls[http].span;
        let h = &mut self.facts.http_calls[http];
        h.method = method;
        h.has_auth = keys.iter().any(|k| text::is_auth_key(k)) || has_auth_object;
        h.has_signing |= signed;
        h.has_pagination_params = keys.iter().any(|k| text::is_pagination_key(k))
            || url.as_ref().is_some_and(|u| text::url_query_keys(&u.text).any(text::is_pagination_key));
        h.url = url;
        if let Some(out) = out {
            h.output_file = out.literal.then(|| out.value.clone());
            let w = self.new_write(Some(out), span, false);
            self.facts.file_writes[w].from_http = Some(http);
        }
    }

    fn url_from_request_object(&mut self, arg: &Arg) -> Option<StrArg> {
        let p = self.p;
        let code = &p.code;
        let span = code.span_of(arg.start, arg.end - 1);
        if code.is_op(arg.start, "{") {
            let host = self.object_key_str(arg.start, arg.end, "hostname").or_else(|| self.object_key_str(arg.start, arg.end, "host"))?;
            let mut url = StrValue::literal("https://");
            url.append(&host);
            match self.object_key_str(arg.start, arg.end, "path") {
                Some(path) => url.append(&path),
                None => url.push_unknown("{path}"),
            }
            return Some(str_arg(url, span));
        }
        // `Request(url)` built earlier or inline: its first argument.
        let id = self.call_covering(arg.start, arg.end)?;
        let call = &p.calls[id];
        let inner = call.arg(code, 0, &["url"])?;
        self.str_arg(Some(inner))
    }

    /// Keys of dict/object literals in `[a, b)`: `"Authorization": …`, `page: …`, header strings `"X-Api-Key: …"`.
    fn collect_keys(&self, a: usize, b: usize, keys: &mut Vec<String>, follow_names: bool) {
        let p = self.p;
        let code = &p.code;
        let b = b.min(a + 4096);
        for t in a..b {
            let next_is_colon = code.is_op(t + 1, ":") && t + 1 < b;
            match code.kind(t) {
                Some(TokKind::Str) => {
                    let Some(text) = code.str_lit(t).and_then(|l| l.literal_text()) else { continue };
                    if next_is_colon {
                        keys.push(text);
                    } else if let Some((k, _)) = text.split_once(':') {
                        if !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
                            keys.push(k.to_string());
                        }
                    }
                }
                Some(TokKind::Name) if next_is_colon && (code.is_op(t - 1, "{") || code.is_op(t - 1, ",")) => {
                    keys.push(code.text(t).to_string());
                }
                Some(TokKind::Name) if follow_names && !code.is_op(t.saturating_sub(1), ".") => {
                    if let Some(Value::Literal(x, y)) = self.vars.get(code.text(t)).cloned() {
                        self.collect_keys(x, y, keys, false);
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether a name token in `[a, b)` satisfies `pred`.
    fn mentions(&self, a: usize, b: usize, pred: impl Fn(&str) -> bool) -> bool {
        let p = self.p;
        let code = &p.code;
        (a..b.min(a + 4096)).any(|t| code.is_name(t) && pred(code.text(t)))
    }

    /// The string value of `key: value` inside an object literal (or a name bound to one) at `[a, b)`.
    fn object_key_str(&mut self, a: usize, b: usize, key: &str) -> Option<StrValue> {
        let p = self.p;
        let code = &p.code;
        let (a, b) = match self.vars.get(code.text(a)) {
            Some(Value::Literal(x, y)) if b == a + 1 && code.is_name(a) => (*x, *y),
            _ => (a, b),
        };
        let mut t = a;
        while t + 2 < b.min(a + 4096) {
            let is_key = (code.is_name(t) && code.text(t) == key)
                || code.str_lit(t).and_then(|l| l.literal_text()).is_some_and(|s| s == key);
            if is_key && code.is_op(t + 1, ":") {
                let end = value_end(code, t + 2, b);
                if let Value::Str(s) = self.eval(t + 2, end) {
                    return Some(s);
                }
            }
            t += 1;
        }
        None
    }

    // ----- writes ------------------------------------------------------------------------------

    fn new_write(&mut self, path: Option<StrArg>, span: Span, append: bool) -> usize {
        self.facts.file_writes.push(FileWrite { path, span, data_spans: Vec::new(), from_http: None, transformed: false, append });
        self.facts.file_writes.len() - 1
    }

    /// Links argument `index` (or a keyword in `names`) of call `id` as data written to file `w`.
    fn link_arg(&mut self, w: usize, id: usize, index: usize, names: &[&str], span: Span) {
        let p = self.p;
        let code = &p.code;
        let value = match p.calls[id].arg(code, index, names) {
            Some(arg) => self.eval(arg.start, arg.end),
            None => Value::Unknown,
        };
        self.link(w, &value, span);
    }

    fn link(&mut self, w: usize, data: &Value, span: Span) {
        let write = &mut self.facts.file_writes[w];
        if write.span != span && !write.data_spans.contains(&span) {
            write.data_spans.push(span);
        }
        if let Value::Resp { http, transformed } = *data {
            if write.from_http.is_none() {
                write.from_http = Some(http);
            }
            write.transformed |= transformed;
            if transformed {
                self.facts.http_calls[http].response_transformed = true;
            }
        }
    }

    // ----- values ------------------------------------------------------------------------------

    fn receiver_value(&self, id: usize) -> Value {
        let p = self.p;
        let call = &p.calls[id];
        match call.root {
            Root::Call(r) => {
                let mut v = self.values[r].clone();
                for &seg in &call.segments[..call.segments.len().saturating_sub(1)] {
                    v = member(v, p.code.text(seg));
                }
                v
            }
            Root::Name(t) if !call.segments.is_empty() => {
                let mut v = self.vars.get(p.code.text(t)).cloned().unwrap_or(Value::Unknown);
                for &seg in &call.segments[..call.segments.len() - 1] {
                    v = member(v, p.code.text(seg));
                }
                v
            }
            _ => Value::Unknown,
        }
    }

    fn first_value(&mut self, id: usize) -> Value {
        let p = self.p;
        match p.calls[id].positional().next().map(|a| (a.start, a.end)) {
            Some((a, b)) => self.eval(a, b),
            None => Value::Unknown,
        }
    }

    fn join_paths(&mut self, id: usize) -> Value {
        let p = self.p;
        let parts: Vec<(usize, usize)> = p.calls[id].positional().map(|a| (a.start, a.end)).collect();
        let mut out = StrValue::literal("");
        for (i, (a, b)) in parts.into_iter().enumerate() {
            if i > 0 && !out.text.ends_with('/') {
                out.push_literal("/");
            }
            match self.eval(a, b) {
                Value::Str(s) => out.append(&s),
                _ => out.push_unknown("{path}"),
            }
        }
        Value::Str(out)
    }

    /// The value of the expression in tokens `[a, b)`.
    fn eval(&mut self, mut a: usize, mut b: usize) -> Value {
        let p = self.p;
        let code = &p.code;
        loop {
            if a >= b {
                return Value::Unknown;
            }
            if code.is_word(a, "await") || code.is_word(a, "yield") || code.is_op(a, "*") || code.is_op(a, "...") {
                a += 1;
                continue;
            }
            if code.is_op(a, "(") && code.partner(a) == Some(b - 1) {
                a += 1;
                b -= 1;
                continue;
            }
            break;
        }
        if let Some(id) = self.call_covering(a, b) {
            return self.values[id].clone();
        }
        if let Some(v) = self.eval_chain(a, b) {
            return v;
        }
        if let Some(s) = self.eval_str(a, b) {
            return Value::Str(s);
        }
        if (code.is_op(a, "{") || code.is_op(a, "[")) && code.partner(a) == Some(b - 1) {
            if let Some(v) = self.mentioned_response(a, b) {
                return v;
            }
            return Value::Literal(a, b);
        }
        self.mentioned_response(a, b).unwrap_or(Value::Unknown)
    }

    fn call_covering(&self, a: usize, b: usize) -> Option<usize> {
        let p = self.p;
        let id = *self.call_by_close.get(b - 1)?;
        (id != NONE && p.calls[id as usize].chain_start == a).then_some(id as usize)
    }

    /// `name(.name | [..] | (..))*` covering `[a, b)`: the root's value carried through members.
    fn eval_chain(&self, a: usize, b: usize) -> Option<Value> {
        let p = self.p;
        let code = &p.code;
        if !code.is_name(a) {
            return None;
        }
        let mut value = self.vars.get(code.text(a)).cloned().unwrap_or(Value::Unknown);
        if matches!(code.text(a), "os" | "process") && !self.vars.contains_key(code.text(a)) {
            value = Value::Module(code.text(a).to_string());
        }
        let mut t = a + 1;
        while t < b {
            if (code.is_op(t, ".") || code.is_op(t, "?.")) && code.is_name(t + 1) {
                value = member(value, code.text(t + 1));
                t += 2;
            } else if code.is_op(t, "(") {
                let close = code.partner(t)?;
                value = match self.call_by_close[close] {
                    NONE => Value::Unknown,
                    id => self.values[id as usize].clone(),
                };
                t = close + 1;
            } else if code.is_op(t, "[") {
                let close = code.partner(t)?;
                value = match value {
                    Value::Resp { .. } => value,
                    Value::Module(p) if p == "os.environ" => Value::Str(StrValue::unknown("{env}")),
                    _ => Value::Unknown,
                };
                t = close + 1;
            } else {
                return None;
            }
        }
        match value {
            Value::Module(p) if p.starts_with("process.env.") => Some(Value::Str(StrValue::unknown("{env}"))),
            other => Some(other),
        }
    }

    /// String literals, names bound to strings and `+` between them; f-string / template fields resolved
    /// when they name a known string.
    fn eval_str(&mut self, a: usize, b: usize) -> Option<StrValue> {
        let p = self.p;
        let code = &p.code;
        let mut out = StrValue::literal("");
        let mut any = false;
        let mut t = a;
        while t < b {
            if let Some(lit) = code.str_lit(t) {
                for part in &lit.parts {
                    match part {
                        StrPart::Lit(s) => out.push_literal(s),
                        StrPart::Expr(e) => match self.vars.get(e.as_str()) {
                            Some(Value::Str(s)) if s.literal => out.push_literal(&s.text.clone()),
                            _ => out.push_unknown(&format!("{{{e}}}")),
                        },
                    }
                }
                any = true;
                t += 1;
                // `"…{}…".format(x)` / `"%s" % x`: the rest is unknown.
                if (code.is_op(t, ".") && code.is_word(t + 1, "format")) || code.is_op(t, "%") {
                    out.push_unknown(&format!("{{{}}}", code.text(t + 1)));
                    return Some(out);
                }
            } else if code.is_name(t) {
                let end = chain_end(code, t, b);
                match self.eval_chain(t, end) {
                    Some(Value::Str(s)) => {
                        out.append(&s);
                        any |= s.literal || !s.text.is_empty();
                    }
                    _ => out.push_unknown(&format!("{{{}}}", &code.src[code.toks[t].start as usize..code.toks[end - 1].end as usize])),
                }
                t = end;
            } else {
                return None;
            }
            if t < b {
                if code.is_op(t, "+") {
                    t += 1;
                } else if code.kind(t) != Some(TokKind::Str) {
                    return None;
                }
            }
        }
        any.then_some(out)
    }

    /// A response mentioned anywhere in `[a, b)` (a composite expression: transformed data).
    fn mentioned_response(&mut self, a: usize, b: usize) -> Option<Value> {
        let p = self.p;
        let code = &p.code;
        let len = b - a;
        if len > self.budget {
            return None;
        }
        self.budget -= len;
        (a..b).find_map(|t| {
            if !code.is_name(t) || (t > 0 && code.is_op(t - 1, ".")) {
                return None;
            }
            match self.vars.get(code.text(t)) {
                Some(Value::Resp { http, .. }) => Some(Value::Resp { http: *http, transformed: true }),
                _ => None,
            }
        })
    }

    fn is_str_expr(&mut self, a: usize, b: usize) -> bool {
        matches!(self.eval(a, b), Value::Str(_))
    }

    fn literal_text(&self, a: usize, b: usize) -> Option<String> {
        let p = self.p;
        let code = &p.code;
        if b == a + 1 {
            if let Some(lit) = code.str_lit(a) {
                return lit.literal_text();
            }
            if let Some(Value::Str(s)) = self.vars.get(code.text(a)).filter(|_| code.is_name(a)) {
                return s.literal.then(|| s.text.clone());
            }
        }
        None
    }

    fn arg_str(&mut self, arg: Option<&Arg>) -> Option<StrValue> {
        let arg = arg?;
        match self.eval(arg.start, arg.end) {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    fn str_arg(&mut self, arg: Option<&Arg>) -> Option<StrArg> {
        let p = self.p;
        let arg = arg?;
        let span = p.code.span_of(arg.start, arg.end - 1);
        match self.eval(arg.start, arg.end) {
            Value::Str(s) | Value::PathObj(s) => Some(str_arg(s, span)),
            _ => None,
        }
    }

    fn path_arg(&self, path: &StrValue, id: usize) -> StrArg {
        let p = self.p;
        str_arg(path.clone(), p.code.span_of(p.calls[id].chain_start, p.calls[id].open))
    }

    // ----- bindings and statements -------------------------------------------------------------

    fn bind(&mut self, bind: &Bind) -> Value {
        let (a, b) = bind.rhs;
        let mut value = self.eval(a, b);
        if bind.iterate {
            value = match value {
                Value::Resp { .. } => value,
                _ => Value::Unknown,
            };
        }
        if let Value::Resp { http, transformed: false } = value {
            if let Some(first) = bind.targets.first() {
                let h = &mut self.facts.http_calls[http];
                if h.result_var.is_none() && bind.targets.len() == 1 {
                    h.result_var = Some(first.name.clone());
                }
            }
        }
        let tuple = bind.targets.len() > 1;
        for target in &bind.targets {
            let v = match (&target.member, tuple) {
                (Some(m), _) if !m.is_empty() => member(value.clone(), m),
                (_, true) => match value {
                    Value::Resp { .. } => value.clone(),
                    _ => Value::Unknown,
                },
                _ => value.clone(),
            };
            self.vars.insert(target.name.clone(), v);
        }
        value
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
            Shape::Check { cond_start, cond_end } if all_quiet && self.is_response_check(cond_start, cond_end) => {
                StatementKind::Boilerplate
            }
            Shape::Loop if !bound.is_empty() && all_quiet && bound.iter().all(is_plain_response) => StatementKind::ResponseUse,
            Shape::Simple | Shape::With if !stmt.binds.is_empty() => {
                let constant = all_quiet
                    && bound.iter().all(|v| !matches!(v, Value::Resp { .. }))
                    && stmt.binds.iter().all(|bind| !has_computation(code, bind.rhs.0, bind.rhs.1))
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
                let only_text = (stmt.start..stmt.end).all(|t| matches!(code.kind(t), Some(TokKind::Str | TokKind::Pebble)) || is_punct(code, t));
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
            "not", "and", "or", "is", "in", "None", "True", "False", "null", "undefined", "typeof", "instanceof",
            "__name__", "len", "isinstance",
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
        let signing = self.facts.imports.iter().any(|i| i.module.split(['.', '/']).any(apis::is_signing_name))
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
        Value::Resp { http, .. } => Value::Resp { http, transformed: true },
        other => other,
    }
}

fn is_plain_response(v: &Value) -> bool {
    matches!(v, Value::Resp { transformed: false, .. })
}

fn str_arg(s: StrValue, span: Span) -> StrArg {
    StrArg { value: s.known().to_string(), literal: s.literal, text: s.text, span }
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
    (a..b.min(a + 4096)).any(|t| code.is_word(t, "for") || code.is_word(t, "lambda") || code.is_word(t, "function") || code.is_op(t, "=>"))
        || (a..b.min(a + 4096)).any(|t| code.kind(t) == Some(TokKind::Op) && matches!(code.text(t), "*" | "/" | "%" | "**" | "//"))
}

fn is_punct(code: &super::lexer::Code<'_>, t: usize) -> bool {
    code.kind(t) == Some(TokKind::Op) && matches!(code.text(t), "(" | ")" | "[" | "]" | "{" | "}" | ";" | "," | ":")
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
    if code.is_op(t, "(") && code.is_name(t + 1) && (code.is_op(t + 2, ")") || code.is_op(t + 2, ",")) {
        let close = code.partner(t)?;
        return code.is_op(close + 1, "=>").then(|| code.text(t + 1));
    }
    None
}
