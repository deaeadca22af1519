//! What an inline script does, in terms that do not depend on its language.
//!
//! Every fact carries byte spans into the script text that was analysed.

use crate::span::Span;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScriptFacts {
    /// Python `import a.b as c` / `from a.b import c`; JS `require('x')` / `import … from 'x'`.
    pub imports: Vec<Import>,
    pub http_calls: Vec<HttpCall>,
    /// Files created or written, one entry per target (an `open(…, 'w')` and the writes through it are one entry).
    pub file_writes: Vec<FileWrite>,
    pub file_reads: Vec<FileRead>,
    /// Whole loops: `for`/`while` statements with their bodies, comprehensions, `.map(…)`/`.forEach(…)` calls.
    pub loops: Vec<Span>,
    /// `print(…)`, logging calls, `echo`/`printf`, `console.log(…)`.
    pub prints: Vec<Span>,
    /// `::{"outputs": …}::` printed, or `Kestra.outputs(…)`.
    pub kestra_outputs: Vec<Span>,
    /// Those of them that pass on (all or part of) an HTTP response: index into `http_calls`.
    pub kestra_outputs_http: Vec<(Span, usize)>,
    /// `pip install …`, `uv pip install …`, `npm install …` in shell code.
    pub package_installs: Vec<PackageInstall>,
    /// Every statement with what it is, in text order.
    pub statements: Vec<Statement>,
    /// Statements that do work: neither imports nor boilerplate (see [`StatementKind`]).
    pub statement_count: usize,
    /// Every call that is not an HTTP call, for plugin detection.
    pub other_calls: Vec<Call>,
    /// The script computes signatures (hmac, AWS SigV4, OAuth1, `crypto.createHmac`, `curl --aws-sigv4`…).
    pub uses_signing: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Dotted module path (Python) or module specifier (JS, `node:` prefix dropped); `.`-led when relative.
    pub module: String,
    /// Names imported from the module (`from m import a, b`, `import {a} from 'm'`); `*` for a star import.
    pub names: Vec<String>,
    /// The module name in the text.
    pub span: Span,
    /// `from . import x` / `from .m import x`.
    pub relative: bool,
    /// Inside a `try:` block (usually an optional dependency with a fallback).
    pub guarded: bool,
}

/// A string argument: a URL, a file name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrArg {
    /// The resolved text when `literal`; otherwise only its constant prefix (the part known before run time).
    pub value: String,
    /// The text with unknown pieces shown as written (`{name}`, `$VAR`, `${x}`).
    pub text: String,
    /// The argument in the script (or the literal it was resolved from).
    pub span: Span,
    /// Fully known text. Pebble `{{ … }}` counts as known text: Kestra renders it before the script runs.
    pub literal: bool,
}

impl StrArg {
    /// The host when the (known part of the) value is a URL with a scheme: `https://u@Host:8080/x` → `Host`.
    pub fn host(&self) -> Option<&str> {
        super::text::url_host(&self.value).filter(|h| !h.is_empty())
    }
}

/// The URL argument of an HTTP call.
pub type UrlArg = StrArg;

#[derive(Clone, Debug, PartialEq)]
pub struct HttpCall {
    /// `requests`, `httpx`, `urllib`, `aiohttp`, `urllib3`, `wget`, `curl`, `fetch`, `axios`, `got`, `https`, `http`…
    pub client: String,
    /// Upper-case method (`GET` when not said otherwise).
    pub method: String,
    pub url: Option<UrlArg>,
    /// The whole call (shell: the whole command).
    pub span: Span,
    pub in_loop: bool,
    /// Variable holding the response (`r = requests.get(…)`, `with urlopen(u) as resp`, `(res) => …`).
    pub result_var: Option<String>,
    /// File the response body is saved to: `curl -o`, `wget -O`, `urlretrieve`, or written later from the response.
    pub output_file: Option<String>,
    /// Credentials are passed: `auth=`, an Authorization / API key header, `curl -u`…
    pub has_auth: bool,
    /// The script signs requests (see [`ScriptFacts::uses_signing`]).
    pub has_signing: bool,
    /// Page / offset / cursor parameters in the query string or request parameters.
    pub has_pagination_params: bool,
    /// The response goes through other processing (parsed into a DataFrame, piped to `tar`, passed to a function…)
    /// rather than only being saved, printed or emitted as outputs.
    pub response_transformed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileWrite {
    /// The file name, when the call names it.
    pub path: Option<StrArg>,
    /// Where the file is created: `open(…)`, `to_csv(…)`, the `> file` redirection, `curl -o` command…
    pub span: Span,
    /// Calls that put data into it after creation (`f.write(…)`, `json.dump(x, f)`).
    pub data_spans: Vec<Span>,
    /// Index into `http_calls` when the data written is that call's response.
    pub from_http: Option<usize>,
    /// The response was processed before being written (only meaningful with `from_http`).
    pub transformed: bool,
    pub append: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRead {
    pub path: Option<StrArg>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// Resolved dotted callee: import aliases expanded and variables bound to a call replaced by that call,
    /// shown with its first literal argument: `s3 = boto3.client("s3"); s3.download_file(…)` gives
    /// `boto3.client(s3).download_file`. Shell commands give the command and its sub-commands: `aws s3 cp`.
    pub callee: String,
    /// Literal string arguments in order (shell: the non-option words after the callee).
    pub args: Vec<String>,
    pub span: Span,
    pub in_loop: bool,
}

impl Call {
    /// `callee(first literal argument)`: what plugin patterns are matched against.
    pub fn signature(&self) -> String {
        format!(
            "{}({})",
            self.callee,
            self.args.first().map(String::as_str).unwrap_or("")
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageInstall {
    /// `pip` (pip, pip3, python -m pip, uv pip, uv add, poetry add) or `npm` (npm, yarn, pnpm).
    pub manager: String,
    /// The requirement as written (`pandas==2.1`, `requests[socks]`), or the file after `-r`.
    pub spec: String,
    pub span: Span,
    /// `-r requirements.txt`: the packages are not known from the script.
    pub requirements_file: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statement {
    pub span: Span,
    pub kind: StatementKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementKind {
    /// `import …`, `const x = require(…)`.
    Import,
    /// Prints and logs, `raise_for_status()`, status checks, `mkdir`, `set -e`, `cd`, structure
    /// (`def`/`try:`/`else:`/closing braces/`if __name__ == "__main__":`), `raise`/`exit`, output emission.
    Boilerplate,
    /// `name = <literal, f-string, environment lookup, dict/list of those>`.
    Constant,
    /// Only unpacks a response already fetched: `data = r.json()`, `for chunk in r.iter_content():`.
    ResponseUse,
    /// Anything else.
    Code,
}
