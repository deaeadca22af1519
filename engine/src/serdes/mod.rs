//! Serdes tasks (kestra-io/plugin-serdes): CSV and JSON to and from Ion files in storage.

pub mod csv;
pub mod ion;
pub mod java_fmt;
mod props;
mod tasks;

pub use props::zone_offset_minutes;
pub use tasks::{
    csv_to_ion, ion_to_csv, ion_to_json, json_to_ion, ConvertOutput, CsvToIonSpec, IonToCsvSpec,
    IonToJsonSpec, JsonToIonSpec, OnBadLines, OnEmptyHeader,
};
