//! Script tasks (`io.kestra.plugin.scripts.{python,shell,node}.{Script,Commands}`), run as
//! local processes by `crate::scripts`, in the enclosing WorkingDirectory's folder or one of
//! their own.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::runnable::{to_map, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome};
use crate::record::State;
use crate::task::{Level, TaskError, TaskLog};

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.scripts.python.Script",
        "io.kestra.plugin.scripts.python.Commands",
        "io.kestra.plugin.scripts.shell.Script",
        "io.kestra.plugin.scripts.shell.Commands",
        "io.kestra.plugin.scripts.node.Script",
        "io.kestra.plugin.scripts.node.Commands",
    ],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move {
        match work(exec, call).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::failed(e.message),
        }
    })
}

/// A failed script keeps its outputs (exit code, files): the outcome is built here.
async fn work(exec: Arc<Exec>, call: &Call<'_>) -> Result<Outcome, TaskError> {
    let Prepared {
        raw,
        mut vars,
        key,
        log,
        ..
    } = Prepared::new(&exec, call);
    let (def, type_, scope, timeout, key, log) =
        (call.def, call.type_, call.scope, call.timeout, &key, &log);
    let work_root = exec.opts.storage.root().join(".kflow-work");
    let own;
    let workdir: &crate::scripts::WorkingDir = match &scope.workdir {
        Some(w) => w,
        None => {
            own = crate::scripts::WorkingDir::create(&work_root)?;
            &own
        }
    };
    let declared: Vec<String> = match def.get("outputFiles") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    if let Value::Object(extra) = workdir.extra_vars(&declared) {
        vars.extend(extra);
    }
    let rendered = exec.render_json(&raw, &vars).map_err(TaskError::new)?;
    let map = match rendered {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let mut spec = crate::scripts::ScriptSpec::from_properties(type_, &map, &exec.namespace)?;
    if let Some(image) = spec.container_image.take() {
        if !exec.said_container.swap(true, Ordering::SeqCst) {
            log.log(
                Level::Info,
                &format!("containerImage '{image}' ignored: kflow runs scripts as local processes"),
            );
        }
    }
    spec.timeout = timeout;
    let runner = crate::scripts::ScriptEnv {
        cache_dir: exec.opts.cache_dir.clone(),
        python: exec.opts.python.clone(),
        namespace: exec.namespace.clone(),
    };
    let out =
        crate::scripts::run_script(&spec, workdir, &runner, &exec.opts.storage, key, log).await?;
    let outputs = to_map(&out);
    Ok(match out.state {
        crate::scripts::ScriptState::Success => Outcome::ok(outputs),
        crate::scripts::ScriptState::Failed => Outcome {
            state: State::Failed,
            outputs: Some(outputs),
            message: out.error,
        },
    })
}
