//! Questions lint rules ask about a script, answered from its facts.

use super::facts::{FileWrite, HttpCall, ScriptFacts, StatementKind, StrArg, UrlArg};
use crate::span::Span;

/// A script whose whole job is to download one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Download {
    /// Index into `facts.http_calls`.
    pub http: usize,
    pub client: String,
    pub url: Option<UrlArg>,
    /// The file the body is saved to (`None` when its name is not known).
    pub file: Option<StrArg>,
    pub has_auth: bool,
    /// The HTTP call.
    pub call_span: Span,
    /// Where the file is created (`open(…)`, `curl -o` command, `> file`).
    pub write_span: Span,
    /// The response is also passed to Kestra outputs (`Kestra.outputs(…)`).
    pub also_outputs: bool,
}

/// A script whose whole job is one API call whose response is only printed or emitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub http: usize,
    pub client: String,
    pub method: String,
    pub url: Option<UrlArg>,
    pub has_auth: bool,
    pub call_span: Span,
}

/// Exactly one HTTP GET, not in a loop, without pagination, signing or processing of the response,
/// saved to exactly one file, and no other statement of substance (imports, prints, status checks,
/// `raise_for_status()`, `mkdir`, constants and unpacking the response are fine).
pub fn single_download(facts: &ScriptFacts) -> Option<Download> {
    let (index, http) = only_plain_call(facts)?;
    // Emitting other outputs as well is more than a download; passing the response on as outputs
    // too is still a download (and a payload kept in outputs).
    let outputs_are_the_response = facts.kestra_outputs.iter().all(|s| {
        facts
            .kestra_outputs_http
            .iter()
            .any(|&(o, h)| o == *s && h == index)
    });
    if http.method != "GET" || !facts.file_reads.is_empty() || !outputs_are_the_response {
        return None;
    }
    let [write] = facts.file_writes.as_slice() else {
        return None;
    };
    if write.from_http != Some(index) || write.transformed {
        return None;
    }
    if !only_these_statements(facts, http, Some(write)) {
        return None;
    }
    Some(Download {
        http: index,
        client: http.client.clone(),
        url: http.url.clone(),
        file: write.path.clone(),
        has_auth: http.has_auth,
        call_span: http.span,
        write_span: write.span,
        also_outputs: !facts.kestra_outputs.is_empty(),
    })
}

/// Exactly one HTTP call, not in a loop, without pagination or signing, whose response is only
/// printed, logged or emitted as outputs; no file written or read.
pub fn single_request(facts: &ScriptFacts) -> Option<Request> {
    let (index, http) = only_plain_call(facts)?;
    if !facts.file_writes.is_empty()
        || !facts.file_reads.is_empty()
        || !only_these_statements(facts, http, None)
    {
        return None;
    }
    Some(Request {
        http: index,
        client: http.client.clone(),
        method: http.method.clone(),
        url: http.url.clone(),
        has_auth: http.has_auth,
        call_span: http.span,
    })
}

fn only_plain_call(facts: &ScriptFacts) -> Option<(usize, &HttpCall)> {
    let [http] = facts.http_calls.as_slice() else {
        return None;
    };
    let plain = !http.in_loop
        && !http.has_pagination_params
        && !http.has_signing
        && !http.response_transformed;
    plain.then_some((0, http))
}

/// Every statement doing work is the HTTP call itself or the write of its response.
fn only_these_statements(facts: &ScriptFacts, http: &HttpCall, write: Option<&FileWrite>) -> bool {
    let mut anchors = vec![http.span.start];
    if let Some(w) = write {
        anchors.push(w.span.start);
        anchors.extend(w.data_spans.iter().map(|s| s.start));
    }
    facts
        .statements
        .iter()
        .filter(|s| s.kind == StatementKind::Code)
        .all(|s| {
            anchors
                .iter()
                .any(|&a| s.span.start <= a && a < s.span.end.max(s.span.start + 1))
        })
}

/// Literal names of the files the script writes, in order, without duplicates (`./` dropped;
/// `/dev/…` ignored).
pub fn written_files(facts: &ScriptFacts) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in &facts.file_writes {
        let Some(path) = w.path.as_ref().filter(|p| p.literal) else {
            continue;
        };
        let name = path.value.strip_prefix("./").unwrap_or(&path.value);
        if name.is_empty() || name.starts_with("/dev/") || out.iter().any(|o| o == name) {
            continue;
        }
        out.push(name.to_string());
    }
    out
}

/// Some file is written under a name not known before run time (a variable, an f-string…).
pub fn writes_unnamed_files(facts: &ScriptFacts) -> bool {
    facts
        .file_writes
        .iter()
        .any(|w| !w.path.as_ref().is_some_and(|p| p.literal))
}
