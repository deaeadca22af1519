//! Reading inline scripts as code: Python, shell (sh/bash) and JavaScript (Node).
//!
//! [`analyze`] tokenizes a script (no full parser: enough to tell code from comments and strings),
//! follows simple assignments and returns language-independent [`ScriptFacts`] with byte spans into
//! the script. Helpers on top of the facts answer what lint rules ask: is this script only a
//! download ([`single_download`]) or a single API call ([`single_request`]), which files it writes
//! ([`written_files`]), which Kestra plugin would do its job ([`dedicated_plugin`]), and which Python
//! imports are not declared ([`python_third_party_imports`]).
//!
//! Pebble expressions (`{{ … }}`) in the script are opaque text: Kestra renders them before the
//! script runs. Code embedded in code is analysed too (`$(…)` bodies, `python -c '…'`,
//! `python - <<EOF` heredocs, `node -e`, Python `os.system("…")` / `subprocess.run([…])`), with
//! its spans mapped back into the outer script where the text maps 1:1.

mod apis;
mod calls;
mod classify;
mod deps;
mod facts;
mod flow;
mod javascript;
mod js_lexer;
mod lexer;
mod plugins;
mod program;
mod python;
mod python_lexer;
mod shell;
mod text;

#[cfg(test)]
mod tests;

pub(crate) use text::{squash_key, url_host};

pub use classify::{
    single_download, single_request, writes_unnamed_files, written_files, Download, Request,
};
pub use deps::{
    declared_from_installs, is_python_stdlib, normalize_requirement, python_distribution,
    python_third_party_imports, python_third_party_imports_excluding, ThirdPartyImport,
};
pub use facts::{
    Call, FileRead, FileWrite, HttpCall, Import, PackageInstall, ScriptFacts, Statement,
    StatementKind, StrArg, UrlArg,
};
pub use plugins::{
    dedicated_plugin, dedicated_plugins, named_plugin_types, plugin_for_url, PluginHint,
};

use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    Shell,
    JavaScript,
}

impl Lang {
    /// The language of the `script` property of a Kestra script task type
    /// (`io.kestra.plugin.scripts.python.Script` → Python). `commands` of any `…Commands` task are
    /// always shell: use [`Lang::Shell`] for them.
    pub fn of_script_task(task_type: &str) -> Option<Lang> {
        let group = task_type
            .strip_prefix("io.kestra.plugin.scripts.")?
            .split('.')
            .next()?;
        match group {
            "python" | "jython" => Some(Lang::Python),
            "shell" => Some(Lang::Shell),
            "node" => Some(Lang::JavaScript),
            _ => None,
        }
    }
}

/// Code found inside code, to analyse as its own script.
#[derive(Clone, Debug)]
pub(crate) struct Embedded {
    pub lang: Lang,
    pub text: String,
    /// Offset of `text` in the outer script when `exact`.
    pub base: usize,
    /// `text` is a verbatim slice of the outer script, so spans map by adding `base`.
    pub exact: bool,
    /// Where the code sits in the outer script: the span every fact gets when not `exact`.
    pub span: Span,
    pub in_loop: bool,
}

/// Levels of code-in-code followed.
const MAX_EMBED_DEPTH: u32 = 4;

pub fn analyze(lang: Lang, script: &str) -> ScriptFacts {
    let (mut facts, embedded) = analyze_one(lang, script);
    let mut queue: Vec<(Embedded, u32)> = embedded.into_iter().map(|e| (e, 1)).collect();
    // Embedded code is re-read once per level: bound the total so nesting cannot blow up.
    let mut budget = script.len().saturating_mul(2) + 4096;
    while let Some((outer, depth)) = queue.pop() {
        if depth > MAX_EMBED_DEPTH || outer.text.len() > budget {
            continue;
        }
        budget -= outer.text.len();
        let (mut sub, inner) = analyze_one(outer.lang, &outer.text);
        let map = |s: Span| {
            if outer.exact {
                s.shift(outer.base)
            } else {
                outer.span
            }
        };
        for e in inner {
            let exact = outer.exact && e.exact;
            let base = if exact { e.base + outer.base } else { 0 };
            let span = map(e.span);
            queue.push((
                Embedded {
                    base,
                    exact,
                    span,
                    in_loop: e.in_loop || outer.in_loop,
                    ..e
                },
                depth + 1,
            ));
        }
        map_spans(&mut sub, map);
        if outer.in_loop {
            sub.http_calls.iter_mut().for_each(|h| h.in_loop = true);
            sub.other_calls.iter_mut().for_each(|c| c.in_loop = true);
        }
        merge(&mut facts, sub);
    }
    facts.statements.sort_by_key(|s| (s.span.start, s.span.end));
    facts.statement_count = facts
        .statements
        .iter()
        .filter(|s| !matches!(s.kind, StatementKind::Import | StatementKind::Boilerplate))
        .count();
    facts
}

fn analyze_one(lang: Lang, script: &str) -> (ScriptFacts, Vec<Embedded>) {
    match lang {
        Lang::Python => python::analyze(script),
        Lang::Shell => shell::analyze(script),
        Lang::JavaScript => javascript::analyze(script),
    }
}

fn map_spans(f: &mut ScriptFacts, map: impl Fn(Span) -> Span) {
    let opt = |a: &mut Option<StrArg>| {
        if let Some(a) = a {
            a.span = map(a.span);
        }
    };
    f.imports.iter_mut().for_each(|i| i.span = map(i.span));
    for h in &mut f.http_calls {
        h.span = map(h.span);
        opt(&mut h.url);
    }
    for w in &mut f.file_writes {
        w.span = map(w.span);
        opt(&mut w.path);
        w.data_spans.iter_mut().for_each(|s| *s = map(*s));
    }
    for r in &mut f.file_reads {
        r.span = map(r.span);
        opt(&mut r.path);
    }
    for spans in [&mut f.loops, &mut f.prints, &mut f.kestra_outputs] {
        spans.iter_mut().for_each(|s| *s = map(*s));
    }
    f.kestra_outputs_http
        .iter_mut()
        .for_each(|(s, _)| *s = map(*s));
    f.package_installs
        .iter_mut()
        .for_each(|p| p.span = map(p.span));
    f.statements.iter_mut().for_each(|s| s.span = map(s.span));
    f.other_calls.iter_mut().for_each(|c| c.span = map(c.span));
}

fn merge(into: &mut ScriptFacts, mut sub: ScriptFacts) {
    let offset = into.http_calls.len();
    for w in &mut sub.file_writes {
        w.from_http = w.from_http.map(|h| h + offset);
    }
    for (_, h) in &mut sub.kestra_outputs_http {
        *h += offset;
    }
    into.kestra_outputs_http
        .append(&mut sub.kestra_outputs_http);
    into.imports.append(&mut sub.imports);
    into.http_calls.append(&mut sub.http_calls);
    into.file_writes.append(&mut sub.file_writes);
    into.file_reads.append(&mut sub.file_reads);
    into.loops.append(&mut sub.loops);
    into.prints.append(&mut sub.prints);
    into.kestra_outputs.append(&mut sub.kestra_outputs);
    into.package_installs.append(&mut sub.package_installs);
    into.statements.append(&mut sub.statements);
    into.other_calls.append(&mut sub.other_calls);
    into.uses_signing |= sub.uses_signing;
}
