//! The bundled engine: the runtime pieces a task needs once its properties are rendered
//! (storage, KV, HTTP, scripts, serdes, inputs, the execution record). The executor that walks
//! a flow calls these plain async APIs; Pebble rendering lives in `render`.
//!
//! Entry points, each taking rendered values (`*Spec::from_properties` reads a task's rendered
//! property object) and returning the task's outputs or a [`task::TaskError`]:
//! - [`storage::Storage`] (`kestra://` ↔ files), [`kv::KvStore`];
//! - [`http::request`], [`http::download`];
//! - [`scripts::WorkingDir::create`] → render with its `extra_vars` → [`scripts::run_script`];
//! - [`serdes::csv_to_ion`], [`serdes::ion_to_csv`], [`serdes::json_to_ion`], [`serdes::ion_to_json`];
//! - [`inputs::declarations`] + [`inputs::resolve`] at execution creation;
//! - [`record::Execution`] (saved with `save`), [`record::mask`] for secrets.

pub mod codec;
pub mod exec;
pub mod hash;
pub mod http;
pub mod ids;
pub mod inputs;
pub mod kv;
pub mod props;
pub mod record;
pub mod render;
pub mod scripts;
pub mod serdes;
pub mod storage;
pub mod task;
pub mod time;

#[cfg(test)]
mod testutil;
