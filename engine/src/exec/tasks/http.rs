//! HTTP tasks: `http.Request` and `http.Download` (the client is `crate::http`).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::runnable::{not_in_family, outcome, to_map, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome};
use crate::task::TaskError;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.core.http.Request",
        "io.kestra.plugin.core.http.Download",
    ],
    run,
    refuse: None,
};

fn run<'a>(exec: Arc<Exec>, call: &'a Call<'a>) -> BoxFut<'a, Outcome> {
    Box::pin(async move { outcome(work(exec, call).await) })
}

async fn work(exec: Arc<Exec>, call: &Call<'_>) -> Result<Map<String, Value>, TaskError> {
    let Prepared { map, key, log, .. } = Prepared::rendered(&exec, call)?;
    let storage = exec.opts.storage.clone();
    Ok(match call.name() {
        "Request" => {
            let spec = crate::http::HttpCall::from_properties(&map)?;
            to_map(&crate::http::request(&spec, &storage).await?)
        }
        "Download" => {
            let spec = crate::http::DownloadSpec::from_properties(&map)?;
            to_map(&crate::http::download(&spec, &storage, &key, &log).await?)
        }
        _ => return Err(not_in_family(call)),
    })
}
