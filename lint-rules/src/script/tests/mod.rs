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
