//! The task registry: which task types the runner runs, each by exactly one family, looked up
//! by its full type name (aliases resolved first) — never by the end of a name, so
//! `com.acme.log.Log` is not the core Log. The walk reaches task families only through the
//! registry the executor installs (`exec::run`), so no family module and the walk depend on
//! each other.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value};

use super::options::RunOptions;
use super::state::{BoxFut, Exec, Outcome, RunInfo, Scope};
use crate::record::Execution;

/// How the walk runs a family's tasks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Runs other tasks through the walk: no attempts or timeout of its own, and
    /// `allowFailure` applies to whatever state it ends in.
    Flowable,
    /// Does one piece of work: attempts under `retry` and `timeout`, stopped when the
    /// execution is killed.
    Runnable,
}

/// One task run handed to its family.
pub(crate) struct Call<'a> {
    pub def: &'a Value,
    /// The full type name (aliases resolved), one of the family's `types`.
    pub type_: &'a str,
    pub info: &'a RunInfo,
    pub scope: &'a Scope,
    /// The attempt's `timeout`, for runnable tasks (scripts enforce it on their processes).
    pub timeout: Option<Duration>,
}

impl Call<'_> {
    /// The simple class name (`Log` of `io.kestra.plugin.core.log.Log`): unique within a
    /// family, which only receives its own full types.
    pub fn name(&self) -> &str {
        self.type_.rsplit('.').next().unwrap_or(self.type_)
    }
}

pub(crate) type RunFn = for<'a> fn(Arc<Exec>, &'a Call<'a>) -> BoxFut<'a, Outcome>;

/// A task (full type, its definition) the family refuses to run before the execution starts,
/// and why: a setting Kestra acts on that a local run cannot honour.
pub(crate) type RefuseFn = fn(&str, &Map<String, Value>) -> Option<String>;

/// The executor's entry point, which Subflow tasks call for their child executions.
pub(crate) type StartFn = fn(Value, Execution, RunOptions) -> BoxFut<'static, Execution>;

/// The tasks of one module of `tasks/`.
pub(crate) struct Family {
    pub kind: Kind,
    /// Full type names.
    pub types: &'static [&'static str],
    pub run: RunFn,
    pub refuse: Option<RefuseFn>,
}

pub(crate) struct Registry {
    by_type: HashMap<&'static str, &'static Family>,
    pub start: StartFn,
}

impl Registry {
    pub fn new(families: &'static [Family], start: StartFn) -> Registry {
        let mut by_type = HashMap::new();
        for family in families {
            for t in family.types {
                by_type.insert(*t, family);
            }
        }
        Registry { by_type, start }
    }

    pub fn family(&self, full_type: &str) -> Option<&'static Family> {
        self.by_type.get(full_type).copied()
    }
}

static INSTALLED: OnceLock<&'static Registry> = OnceLock::new();

/// Makes `registry` the one the walk uses (the first call wins; every caller passes the same).
pub(crate) fn install(registry: fn() -> &'static Registry) {
    INSTALLED.get_or_init(registry);
}

/// The installed registry; `None` only if no execution was started through `exec::run`.
pub(crate) fn installed() -> Option<&'static Registry> {
    INSTALLED.get().copied()
}
