//! Values of expressions: strings (with f-string / template fields), responses, files, call results.

use super::super::calls::{Arg, Root};
use super::super::facts::StrArg;
use super::super::lexer::{StrPart, TokKind, NONE};
use super::super::program::Bind;
use super::super::text::StrValue;
use super::{chain_end, member, str_arg};
use super::{Flow, Value};

impl<'p, 'a> Flow<'p, 'a> {
    pub(super) fn receiver_value(&self, id: usize) -> Value {
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
                let mut v = self
                    .vars
                    .get(p.code.text(t))
                    .cloned()
                    .unwrap_or(Value::Unknown);
                for &seg in &call.segments[..call.segments.len() - 1] {
                    v = member(v, p.code.text(seg));
                }
                v
            }
            _ => Value::Unknown,
        }
    }

    pub(super) fn first_value(&mut self, id: usize) -> Value {
        let p = self.p;
        match p.calls[id].positional().next().map(|a| (a.start, a.end)) {
            Some((a, b)) => self.eval(a, b),
            None => Value::Unknown,
        }
    }

    pub(super) fn join_paths(&mut self, id: usize) -> Value {
        let p = self.p;
        let parts: Vec<(usize, usize)> =
            p.calls[id].positional().map(|a| (a.start, a.end)).collect();
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
    pub(super) fn eval(&mut self, mut a: usize, mut b: usize) -> Value {
        let p = self.p;
        let code = &p.code;
        loop {
            if a >= b {
                return Value::Unknown;
            }
            if code.is_word(a, "await")
                || code.is_word(a, "yield")
                || code.is_op(a, "*")
                || code.is_op(a, "...")
            {
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

    pub(super) fn call_covering(&self, a: usize, b: usize) -> Option<usize> {
        let p = self.p;
        let id = *self.call_by_close.get(b - 1)?;
        (id != NONE && p.calls[id as usize].chain_start == a).then_some(id as usize)
    }

    /// `name(.name | [..] | (..))*` covering `[a, b)`: the root's value carried through members.
    pub(super) fn eval_chain(&self, a: usize, b: usize) -> Option<Value> {
        let p = self.p;
        let code = &p.code;
        if !code.is_name(a) {
            return None;
        }
        let mut value = self
            .vars
            .get(code.text(a))
            .cloned()
            .unwrap_or(Value::Unknown);
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
            Value::Module(p) if p.starts_with("process.env.") => {
                Some(Value::Str(StrValue::unknown("{env}")))
            }
            other => Some(other),
        }
    }

    /// String literals, names bound to strings and `+` between them; f-string / template fields resolved
    /// when they name a known string.
    pub(super) fn eval_str(&mut self, a: usize, b: usize) -> Option<StrValue> {
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
                    _ => out.push_unknown(&format!(
                        "{{{}}}",
                        &code.src[code.toks[t].start as usize..code.toks[end - 1].end as usize]
                    )),
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
    pub(super) fn mentioned_response(&mut self, a: usize, b: usize) -> Option<Value> {
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
                Some(Value::Resp { http, .. }) => Some(Value::Resp {
                    http: *http,
                    transformed: true,
                }),
                _ => None,
            }
        })
    }

    pub(super) fn is_str_expr(&mut self, a: usize, b: usize) -> bool {
        matches!(self.eval(a, b), Value::Str(_))
    }

    pub(super) fn literal_text(&self, a: usize, b: usize) -> Option<String> {
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

    pub(super) fn arg_str(&mut self, arg: Option<&Arg>) -> Option<StrValue> {
        let arg = arg?;
        match self.eval(arg.start, arg.end) {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn str_arg(&mut self, arg: Option<&Arg>) -> Option<StrArg> {
        let p = self.p;
        let arg = arg?;
        let span = p.code.span_of(arg.start, arg.end - 1);
        match self.eval(arg.start, arg.end) {
            Value::Str(s) | Value::PathObj(s) => Some(str_arg(s, span)),
            _ => None,
        }
    }

    pub(super) fn path_arg(&self, path: &StrValue, id: usize) -> StrArg {
        let p = self.p;
        str_arg(
            path.clone(),
            p.code.span_of(p.calls[id].chain_start, p.calls[id].open),
        )
    }

    pub(super) fn bind(&mut self, bind: &Bind) -> Value {
        let (a, b) = bind.rhs;
        let mut value = self.eval(a, b);
        if bind.iterate {
            value = match value {
                Value::Resp { .. } => value,
                _ => Value::Unknown,
            };
        }
        if let Value::Resp {
            http,
            transformed: false,
        } = value
        {
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
}
