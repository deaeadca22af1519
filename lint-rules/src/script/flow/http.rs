//! Details of an HTTP call: method, URL, credentials, pagination parameters.

use super::super::apis;
use super::super::apis::{ArgPos, HttpApi, MethodFrom};
use super::super::calls::Arg;
use super::super::facts::StrArg;
use super::super::lexer::TokKind;
use super::super::text::{self, StrValue};
use super::super::Lang;
use super::{normalize, str_arg, value_end};
use super::{Flow, Value};

impl<'p, 'a> Flow<'p, 'a> {
    pub(super) fn fill_http(&mut self, id: usize, http: usize) {
        let p = self.p;
        let api = apis::http_api(self.lang, &normalize(&self.names[id])).unwrap_or(HttpApi {
            client: "",
            method: MethodFrom::Fixed("GET"),
            url: ArgPos {
                index: 0,
                names: &[],
            },
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
                        url = self
                            .object_key_str(first.start, first.end, "url")
                            .map(|v| str_arg(v, code.span_of(first.start, first.end - 1)));
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
        if self.lang == Lang::Python
            && matches!(api.client, "urllib")
            && call.arg(code, 1, &["data"]).is_some()
            && api.out.is_none()
        {
            method = "POST".into();
        }
        let mut keys = Vec::new();
        for arg in &call.args {
            if let Some(k) = arg.key {
                keys.push(code.text(k).to_string());
            }
            self.collect_keys(arg.start, arg.end, &mut keys, true);
        }
        let has_auth_object = call
            .args
            .iter()
            .any(|a| self.mentions(a.start, a.end, |n| n.ends_with("Auth") || n == "auth"));
        let signed = call
            .args
            .iter()
            .any(|a| self.mentions(a.start, a.end, apis::is_signing_name));
        let out = api
            .out
            .and_then(|pos| self.str_arg(call.arg(code, pos.index, pos.names)));
        let span = self.facts.http_calls[http].span;
        let h = &mut self.facts.http_calls[http];
        h.method = method;
        h.has_auth = keys.iter().any(|k| text::is_auth_key(k)) || has_auth_object;
        h.has_signing |= signed;
        h.has_pagination_params = keys.iter().any(|k| text::is_pagination_key(k))
            || url
                .as_ref()
                .is_some_and(|u| text::url_query_keys(&u.text).any(text::is_pagination_key));
        h.url = url;
        if let Some(out) = out {
            h.output_file = out.literal.then(|| out.value.clone());
            let w = self.new_write(Some(out), span, false);
            self.facts.file_writes[w].from_http = Some(http);
        }
    }

    pub(super) fn url_from_request_object(&mut self, arg: &Arg) -> Option<StrArg> {
        let p = self.p;
        let code = &p.code;
        let span = code.span_of(arg.start, arg.end - 1);
        if code.is_op(arg.start, "{") {
            let host = self
                .object_key_str(arg.start, arg.end, "hostname")
                .or_else(|| self.object_key_str(arg.start, arg.end, "host"))?;
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
    pub(super) fn collect_keys(
        &self,
        a: usize,
        b: usize,
        keys: &mut Vec<String>,
        follow_names: bool,
    ) {
        let p = self.p;
        let code = &p.code;
        let b = b.min(a + 4096);
        for t in a..b {
            let next_is_colon = code.is_op(t + 1, ":") && t + 1 < b;
            match code.kind(t) {
                Some(TokKind::Str) => {
                    let Some(text) = code.str_lit(t).and_then(|l| l.literal_text()) else {
                        continue;
                    };
                    if next_is_colon {
                        keys.push(text);
                    } else if let Some((k, _)) = text.split_once(':') {
                        if !k.is_empty()
                            && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                        {
                            keys.push(k.to_string());
                        }
                    }
                }
                Some(TokKind::Name)
                    if next_is_colon && (code.is_op(t - 1, "{") || code.is_op(t - 1, ",")) =>
                {
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
    pub(super) fn mentions(&self, a: usize, b: usize, pred: impl Fn(&str) -> bool) -> bool {
        let p = self.p;
        let code = &p.code;
        (a..b.min(a + 4096)).any(|t| code.is_name(t) && pred(code.text(t)))
    }

    /// The string value of `key: value` inside an object literal (or a name bound to one) at `[a, b)`.
    pub(super) fn object_key_str(&mut self, a: usize, b: usize, key: &str) -> Option<StrValue> {
        let p = self.p;
        let code = &p.code;
        let (a, b) = match self.vars.get(code.text(a)) {
            Some(Value::Literal(x, y)) if b == a + 1 && code.is_name(a) => (*x, *y),
            _ => (a, b),
        };
        let mut t = a;
        while t + 2 < b.min(a + 4096) {
            let is_key = (code.is_name(t) && code.text(t) == key)
                || code
                    .str_lit(t)
                    .and_then(|l| l.literal_text())
                    .is_some_and(|s| s == key);
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
}
