//! Serialization tasks of `io.kestra.plugin.serdes`: CSV and JSON to and from Ion (the
//! converters are `crate::serdes`).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::runnable::{not_in_family, outcome, to_map, Prepared};
use crate::exec::registry::{Call, Family, Kind};
use crate::exec::state::{BoxFut, Exec, Outcome};
use crate::task::TaskError;

pub(crate) const FAMILY: Family = Family {
    kind: Kind::Runnable,
    types: &[
        "io.kestra.plugin.serdes.csv.CsvToIon",
        "io.kestra.plugin.serdes.csv.IonToCsv",
        "io.kestra.plugin.serdes.json.JsonToIon",
        "io.kestra.plugin.serdes.json.IonToJson",
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
        "CsvToIon" => {
            let spec = crate::serdes::CsvToIonSpec::from_properties(&map)?;
            to_map(&crate::serdes::csv_to_ion(&spec, &storage, &key, &log).await?)
        }
        "IonToCsv" => {
            let spec = crate::serdes::IonToCsvSpec::from_properties(&map)?;
            to_map(&crate::serdes::ion_to_csv(&spec, &storage, &key, &log).await?)
        }
        "JsonToIon" => {
            let spec = crate::serdes::JsonToIonSpec::from_properties(&map)?;
            to_map(&crate::serdes::json_to_ion(&spec, &storage, &key, &log).await?)
        }
        "IonToJson" => {
            let spec = crate::serdes::IonToJsonSpec::from_properties(&map)?;
            to_map(&crate::serdes::ion_to_json(&spec, &storage, &key, &log).await?)
        }
        _ => return Err(not_in_family(call)),
    })
}
