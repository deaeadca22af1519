//! End-to-end tests: scripts in, facts and classifications out.

mod examples;
mod javascript;
mod plugins_and_deps;
mod python;
mod robustness;
mod shell;

use super::{analyze, Lang, ScriptFacts};
use crate::span::Span;

fn py(src: &str) -> ScriptFacts {
    analyze(Lang::Python, src)
}

fn sh(src: &str) -> ScriptFacts {
    analyze(Lang::Shell, src)
}

fn js(src: &str) -> ScriptFacts {
    analyze(Lang::JavaScript, src)
}

fn at(src: &str, span: Span) -> &str {
    &src[span.range()]
}

#[test]
fn languages_of_script_tasks() {
    assert_eq!(
        Lang::of_script_task("io.kestra.plugin.scripts.python.Script"),
        Some(Lang::Python)
    );
    assert_eq!(
        Lang::of_script_task("io.kestra.plugin.scripts.shell.Commands"),
        Some(Lang::Shell)
    );
    assert_eq!(
        Lang::of_script_task("io.kestra.plugin.scripts.node.Script"),
        Some(Lang::JavaScript)
    );
    assert_eq!(
        Lang::of_script_task("io.kestra.plugin.core.http.Request"),
        None
    );
}

#[test]
fn url_hosts() {
    let facts = py("import requests\nrequests.get(f'https://user@API.example.com:8443/v1/{x}')\n");
    assert_eq!(
        facts.http_calls[0].url.as_ref().unwrap().host(),
        Some("API.example.com")
    );
    let facts = sh("curl \"$URL\"");
    assert_eq!(facts.http_calls[0].url.as_ref().unwrap().host(), None);
}
