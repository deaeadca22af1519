//! What each call does: HTTP, file writes and reads, prints, outputs, shell code inside Python.

use super::super::apis;
use super::super::calls::split_args;
use super::super::calls::Root;
use super::super::facts::Call;
use super::super::facts::{FileRead, FileWrite, StrArg};
use super::super::lexer::NONE;
use super::super::text::{self, StrValue};
use super::super::{Embedded, Lang};
use super::{as_transformed, module_specifier, normalize};
use super::{Flow, Role, Value};
use crate::span::Span;

impl<'p, 'a> Flow<'p, 'a> {
    pub(super) fn effect(&mut self, id: usize) -> Role {
        let p = self.p;
        let call = &p.calls[id];
        let norm = normalize(&self.names[id]);
        let method = call.method(&p.code);
        let receiver = self.receiver_value(id);
        let (role, value) = self.effect_of(id, &norm, method, &receiver);
        let value = match (&value, &receiver) {
            // Methods of a response give response data (`r.json()`, `r.iter_content()`).
            (Value::Obj(_) | Value::Unknown, Value::Resp { .. }) if role == Role::Trivial => {
                receiver.clone()
            }
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

    pub(super) fn effect_of(
        &mut self,
        id: usize,
        norm: &str,
        method: &str,
        receiver: &Value,
    ) -> (Role, Value) {
        let p = self.p;
        let lang = self.lang;
        let call = &p.calls[id];
        let span = p.code.span_of(call.chain_start, call.close);
        if self.http_of[id] != NONE {
            let http = self.http_of[id] as usize;
            self.fill_http(id, http);
            return (
                Role::Http,
                Value::Resp {
                    http,
                    transformed: false,
                },
            );
        }
        if apis::is_kestra_outputs(norm) {
            self.facts.kestra_outputs.push(span);
            if let Some(http) = self.response_in_args(id) {
                self.facts.kestra_outputs_http.push((span, http));
            }
            return (Role::Boilerplate, Value::Unknown);
        }
        if apis::is_print(lang, norm) {
            self.facts.prints.push(span);
            let first = call.positional().next().map(|a| (a.start, a.end));
            if let Some(Value::Str(s)) = first.map(|(a, b)| self.eval(a, b)) {
                if s.text.trim_start().starts_with("::") {
                    self.facts.kestra_outputs.push(span);
                    if let Some(http) = self.response_in_args(id) {
                        self.facts.kestra_outputs_http.push((span, http));
                    }
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
        if matches!(
            norm,
            "pathlib.Path" | "pathlib.PurePath" | "pathlib.PosixPath"
        ) {
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
        if lang == Lang::Python && (apis::is_frame_writer(method) || norm.starts_with("numpy.save"))
        {
            if let Some(role) = self.frame_write(id, norm, receiver, span) {
                return (role, Value::Unknown);
            }
        }
        if lang == Lang::Python && method == "save" && !matches!(receiver, Value::Module(_)) {
            let path = self.str_arg(call.positional().next());
            if path
                .as_ref()
                .is_some_and(|p| p.literal && text::looks_like_file_name(&p.value))
            {
                self.new_write(path, span, false);
                return (Role::Write, Value::Unknown);
            }
        }
        if apis::is_sdk_download_to_path(method) {
            let code = &p.code;
            let arg = call
                .keyword(code, apis::SDK_FILENAME_KEYS)
                .or_else(|| call.positional().last());
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
            let path = self.str_arg(call.arg(
                &p.code,
                0,
                &["path", "filepath_or_buffer", "source", "file"],
            ));
            if path.is_some() {
                self.facts.file_reads.push(FileRead { path, span });
            }
            let value = self
                .transformed_from_args(id)
                .unwrap_or(Value::Obj(self.signature(id)));
            return (Role::Other, value);
        }
        if lang == Lang::JavaScript && norm == "require" {
            if let Some(spec) = call
                .positional()
                .next()
                .and_then(|a| self.literal_text(a.start, a.end))
            {
                return (Role::Trivial, Value::Module(module_specifier(&spec)));
            }
        }
        if matches!(
            norm,
            "os.path.join" | "posixpath.join" | "path.join" | "path.resolve" | "path.posix.join"
        ) {
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
        if apis::is_boilerplate(lang, norm)
            || matches!(
                norm,
                "asyncio.run" | "asyncio.get_event_loop().run_until_complete"
            )
        {
            return (Role::Boilerplate, Value::Unknown);
        }
        if apis::is_trivial_builtin(lang, norm) || apis::is_error_constructor(norm) {
            return (Role::Trivial, Value::Unknown);
        }
        if call.segments.is_empty()
            && matches!(call.root, Root::Name(_))
            && self.local_functions.contains(norm)
        {
            return (Role::Trivial, Value::Unknown);
        }
        if lang == Lang::Python {
            self.embedded_shell(id, norm);
        }
        let value = self
            .transformed_from_args(id)
            .unwrap_or_else(|| Value::Obj(self.signature(id)));
        (Role::Other, value)
    }

    pub(super) fn open_file(
        &mut self,
        path: Option<StrArg>,
        mode: Option<StrValue>,
        span: Span,
    ) -> (Role, Value) {
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
    pub(super) fn frame_write(
        &mut self,
        id: usize,
        norm: &str,
        receiver: &Value,
        span: Span,
    ) -> Option<Role> {
        let p = self.p;
        let call = &p.calls[id];
        let code = &p.code;
        let arg = call.arg(
            code,
            0,
            &[
                "path",
                "path_or_buf",
                "file",
                "fname",
                "excel_writer",
                "filename",
                "fp",
            ],
        )?;
        let (a, b) = (arg.start, arg.end);
        let data = if norm.starts_with("numpy.save") {
            call.positional()
                .nth(1)
                .map(|x| self.eval(x.start, x.end))
                .unwrap_or(Value::Unknown)
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

    pub(super) fn js_file_effect(
        &mut self,
        id: usize,
        norm: &str,
        method: &str,
        receiver: &Value,
        span: Span,
    ) -> Option<(Role, Value)> {
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
            let value = if data_pos.is_none() {
                Value::File { write: Some(w) }
            } else {
                Value::Unknown
            };
            return Some((Role::Write, value));
        }
        if let Some(pos) = apis::js_read_file(norm) {
            let path = self.str_arg(call.positional().nth(pos));
            self.facts.file_reads.push(FileRead { path, span });
            return Some((Role::Read, Value::File { write: None }));
        }
        let piping = method == "pipe"
            || method == "pipeTo"
            || norm.ends_with("pipeline")
            || norm == "stream.finished";
        if piping {
            let args: Vec<(usize, usize)> = call.positional().map(|a| (a.start, a.end)).collect();
            let values: Vec<Value> = args.iter().map(|&(a, b)| self.eval(a, b)).collect();
            let source = if method.starts_with("pipe") && !norm.ends_with("pipeline") {
                receiver.clone()
            } else {
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
    pub(super) fn embedded_shell(&mut self, id: usize, norm: &str) {
        let p = self.p;
        let is_shell_call = matches!(norm, "os.system" | "os.popen")
            || (norm.starts_with("subprocess.")
                && matches!(
                    norm,
                    "subprocess.run"
                        | "subprocess.call"
                        | "subprocess.check_call"
                        | "subprocess.check_output"
                        | "subprocess.Popen"
                        | "subprocess.getoutput"
                        | "subprocess.getstatusoutput"
                ));
        if !is_shell_call {
            return;
        }
        let call = &p.calls[id];
        let Some(arg) = call.arg(&p.code, 0, &["args", "cmd", "command"]) else {
            return;
        };
        let code = &p.code;
        let span = code.span_of(arg.start, arg.end - 1);
        let in_loop = self.in_loop[call.chain_start];
        if arg.end == arg.start + 1 {
            if let Some(lit) = code.str_lit(arg.start) {
                if let Some(text) = lit.literal_text() {
                    self.embedded.push(Embedded {
                        lang: Lang::Shell,
                        text,
                        base: lit.content.0 as usize,
                        exact: lit.exact,
                        span,
                        in_loop,
                    });
                    return;
                }
            }
        }
        if code.is_op(arg.start, "[") && code.partner(arg.start) == Some(arg.end - 1) {
            // An argv list: quote each literal word, show unknown ones as variables.
            let mut words = Vec::new();
            for item in split_args(code, arg.start, arg.end - 1) {
                match self.eval(item.start, item.end) {
                    Value::Str(s) if s.literal => {
                        words.push(format!("'{}'", s.text.replace('\'', "")))
                    }
                    _ => words.push("\"$ARG\"".into()),
                }
            }
            self.embedded.push(Embedded {
                lang: Lang::Shell,
                text: words.join(" "),
                base: 0,
                exact: false,
                span,
                in_loop,
            });
        }
    }

    /// An argument that is response data passed into other processing marks the response transformed,
    /// and the call's result is transformed response data.
    pub(super) fn transformed_from_args(&mut self, id: usize) -> Option<Value> {
        let p = self.p;
        let call = &p.calls[id];
        let mut found = None;
        for arg in &call.args {
            if let Value::Resp { http, .. } = self.eval(arg.start, arg.end) {
                self.facts.http_calls[http].response_transformed = true;
                found = Some(Value::Resp {
                    http,
                    transformed: true,
                });
            }
        }
        found
    }

    pub(super) fn new_write(&mut self, path: Option<StrArg>, span: Span, append: bool) -> usize {
        self.facts.file_writes.push(FileWrite {
            path,
            span,
            data_spans: Vec::new(),
            from_http: None,
            transformed: false,
            append,
        });
        self.facts.file_writes.len() - 1
    }

    /// Links argument `index` (or a keyword in `names`) of call `id` as data written to file `w`.
    /// The HTTP call whose whole body an argument of call `id` passes on (`r.json()`, `r.text`,
    /// not `r.json()["total"]` or `r.status_code`), if any.
    fn response_in_args(&mut self, id: usize) -> Option<usize> {
        let args: Vec<(usize, usize)> = self.p.calls[id]
            .positional()
            .map(|a| (a.start, a.end))
            .collect();
        args.into_iter().find_map(|(a, b)| {
            let code = &self.p.code;
            let text = &code.src[code.toks[a].start as usize..code.toks[b - 1].end as usize];
            if !passes_whole_body(text) {
                return None;
            }
            match self.eval(a, b) {
                Value::Resp { http, .. } => Some(http),
                _ => None,
            }
        })
    }

    pub(super) fn link_arg(
        &mut self,
        w: usize,
        id: usize,
        index: usize,
        names: &[&str],
        span: Span,
    ) {
        let p = self.p;
        let code = &p.code;
        let value = match p.calls[id].arg(code, index, names) {
            Some(arg) => self.eval(arg.start, arg.end),
            None => Value::Unknown,
        };
        self.link(w, &value, span);
    }

    pub(super) fn link(&mut self, w: usize, data: &Value, span: Span) {
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
}

/// Whether `text` reads a whole response body: `.json()`, `.text` or `.content` with nothing
/// taken out of it after (`[…]`, `.get(…)`, another member).
fn passes_whole_body(text: &str) -> bool {
    [".json()", ".text", ".content"].iter().any(|m| {
        text.match_indices(m).any(|(i, _)| {
            let rest = &text[i + m.len()..];
            let next = rest.trim_start().chars().next();
            let ident_goes_on = rest
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            !ident_goes_on && !matches!(next, Some('[' | '.' | '('))
        })
    })
}
