//! Functions backed by the host: `secret`, `kv`, `errorLogs`, `read`, `fileSize`, `fileExists`,
//! `isFileEmpty`, and `fileURI` (computed from the flow namespace).

use kflow_syntax::Span;
use serde_json::Value;

use super::super::args::Bound;
use super::super::error::{fail, EResult, EvalError};
use super::super::exec::Renderer;
use super::super::filters::{cast_error, cast_str};
use super::super::json_read::parse_json;
use super::super::value::Val;

/// Owned copy of a host-provided JSON value.
fn owned(v: Value) -> Val<'static> {
    match v {
        Value::String(s) => Val::Str(s.into()),
        Value::Null | Value::Bool(_) | Value::Number(_) => {
            // Scalars carry no borrow.
            match Val::from_json(&v) {
                Val::Int(i) => Val::Int(i),
                Val::Float(f) => Val::Float(f),
                Val::Bool(b) => Val::Bool(b),
                _ => Val::Null,
            }
        }
        other => parse_json(&other.to_string()).unwrap_or(Val::Null),
    }
}

impl<'c, 't> Renderer<'c, 't> {
    /// `secret(key, namespace, subkey)`: the namespace is the host's business.
    pub(super) fn secret(&mut self, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
        let key = match a.val("key") {
            Val::Null => return fail("The 'secret' function expects an argument 'key'.", span),
            k => cast_str(&k, span)?.to_string(),
        };
        let value = self
            .sh
            .host
            .secret(&key)
            .map_err(|e| EvalError::other(e, span))?;
        let sub = match a.val("subkey") {
            Val::Null => return Ok(Val::str(value)),
            sub => cast_str(&sub, span)?.to_string(),
        };
        let parsed = parse_json(&value).map_err(|_| {
            EvalError::other(
                format!("The secret '{key}' is not a JSON object, it has no subkey '{sub}'"),
                span,
            )
        })?;
        match parsed.as_true_map().and_then(|m| m.get(&sub)) {
            Some(v) => Ok(Val::str(v.to_java_string())),
            None => fail(
                format!("Unable to find the subkey '{sub}' in the secret '{key}'"),
                span,
            ),
        }
    }

    /// `kv(key, namespace, errorOnMissing=true)`.
    pub(super) fn kv(&mut self, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
        let key = match a.val("key") {
            Val::Null => return fail("The 'kv' function expects an argument 'key'.", span),
            k => cast_str(&k, span)?.to_string(),
        };
        let ns = match a.val("namespace") {
            Val::Null => None,
            v => Some(cast_str(&v, span)?.to_string()),
        };
        let error_on_missing = match a.val("errorOnMissing") {
            Val::Null => true,
            Val::Bool(b) => b,
            other => return Err(cast_error(&other, "java.lang.Boolean", span)),
        };
        let v = self
            .sh
            .host
            .kv(&key, ns.as_deref(), error_on_missing)
            .map_err(|e| EvalError::other(e, span))?;
        Ok(owned(v))
    }

    /// `errorLogs()`: the execution's ERROR log entries (Kestra's `ErrorLogsFunction`).
    pub(super) fn error_logs(&mut self, span: Span) -> EResult<Val<'c>> {
        let logs = self
            .sh
            .host
            .error_logs()
            .map_err(|e| EvalError::other(e, span))?;
        Ok(owned(logs))
    }

    /// `read`, `fileSize`, `fileExists`, `isFileEmpty`, `fileURI`.
    pub(super) fn file_function(&mut self, n: &str, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
        let host = self.sh.host;
        let host_err = |e: String| EvalError::other(e, span);
        let path = match a.val("path") {
            Val::Null => {
                return fail(
                    format!("The '{n}' function expects an argument 'path'."),
                    span,
                )
            }
            p => p.to_java_string(),
        };
        let ns = match a.val("namespace") {
            Val::Null => None,
            v => Some(cast_str(&v, span)?.to_string()),
        };
        if n == "fileURI" {
            if path.contains("../") {
                return fail("Path must not contain '../'", span);
            }
            let ns = match ns {
                Some(ns) => ns,
                None => self.flow_namespace().ok_or_else(|| {
                    host_err(
                        "The 'fileURI' function needs the flow namespace (`flow.namespace`)".into(),
                    )
                })?,
            };
            return Ok(Val::str(format!(
                "kestra:///{}/_files/{}",
                ns.replace('.', "/"),
                path.trim_start_matches('/')
            )));
        }
        // A namespace given explicitly points at that namespace's files.
        let target = match ns {
            Some(ns) if !path.contains("://") => {
                format!("nsfile://{ns}/{}", path.trim_start_matches('/'))
            }
            _ => path,
        };
        // Kestra 2.0 stores ION as binary and `read()` returns its bytes (kestra 66f239b3e); the
        // engine writes ION as text, so it refuses rather than give what 1.x gave — except as
        // `fromIon`'s argument, which reads the same rows from either.
        if n == "read"
            && self.sh.line >= (2, 0)
            && target.ends_with(".ion")
            && !self.read_for_from_ion
        {
            return fail(
                format!(
                    "'{target}' is an ION file: under Kestra 2.0, read() gives its binary bytes, \
                     which kflow does not reproduce (it writes ION as text); fromIon(read(…)) reads \
                     its rows"
                ),
                span,
            );
        }
        match n {
            "read" => host.read(&target).map(Val::string).map_err(host_err),
            "fileSize" => host
                .file_size(&target)
                .map(|s| Val::Int(s as i64))
                .map_err(host_err),
            "fileExists" => host.file_exists(&target).map(Val::Bool).map_err(host_err),
            _ => host
                .file_size(&target)
                .map(|s| Val::Bool(s == 0))
                .map_err(host_err),
        }
    }

    fn flow_namespace(&self) -> Option<String> {
        let flow = self.scopes.get("flow")?;
        match flow.as_true_map()?.get("namespace")? {
            Val::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }
}
