//! What a rule receives: the [`Source`] (the document, catalog and configuration) and the facts
//! the analysis modules compute from it, each computed once and shared by the rules that need
//! it. The modules computing them take a `&Source`, so none depends on this one.

use std::cell::OnceCell;
use std::ops::Deref;

use kflow_syntax::Document;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::props::Issue;
use crate::refs::OutputRead;
use crate::script_tasks::ScriptTask;
pub use crate::source::{first_visit, Source};

pub struct Context<'a> {
    source: Source<'a>,
    prop_issues: OnceCell<Vec<Issue>>,
    script_tasks: OnceCell<Vec<ScriptTask>>,
    reads: OnceCell<Vec<OutputRead<'a>>>,
}

impl<'a> Deref for Context<'a> {
    type Target = Source<'a>;

    fn deref(&self) -> &Source<'a> {
        &self.source
    }
}

impl<'a> Context<'a> {
    pub fn new(doc: &'a Document, catalog: &'a Catalog, config: &'a Config) -> Context<'a> {
        Context {
            source: Source::new(doc, catalog, config),
            prop_issues: OnceCell::new(),
            script_tasks: OnceCell::new(),
            reads: OnceCell::new(),
        }
    }

    /// The flow's script tasks, read as code.
    pub fn script_tasks(&self) -> &[ScriptTask] {
        self.script_tasks
            .get_or_init(|| crate::script_tasks::collect(&self.source))
    }

    /// Property problems of every typed object, shared by the property rules.
    pub fn prop_issues(&self) -> &[Issue] {
        self.prop_issues
            .get_or_init(|| crate::props::issues(&self.source))
    }

    /// Reads of task outputs in the rendered expressions.
    pub fn output_reads(&self) -> &[OutputRead<'a>] {
        self.reads
            .get_or_init(|| crate::refs::output_reads(&self.source))
    }

    /// Reads of the `body` output of Request tasks.
    pub fn request_body_reads(&self) -> Vec<&OutputRead<'a>> {
        self.output_reads()
            .iter()
            .filter(|r| {
                matches!(r.output, Some(("body", _)))
                    && crate::http_tasks::is_request(&self.source, r.task)
            })
            .collect()
    }
}
