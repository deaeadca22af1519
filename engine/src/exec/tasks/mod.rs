//! The task families the runner runs, one module each, and what they share (`runnable`,
//! `flowable`, `files`). A family names its full types; the registry hands it only those.

mod execution;
mod files;
mod flow;
mod flowable;
mod http;
mod kv;
mod loop_until;
mod pause;
mod runnable;
mod scripts;
mod serdes;
mod state_store;
mod storage;
mod subflow;
mod values;

use super::registry::Family;

pub(crate) static FAMILIES: &[Family] = &[
    flow::FAMILY,
    pause::FAMILY,
    loop_until::FAMILY,
    subflow::FAMILY,
    values::FAMILY,
    http::FAMILY,
    storage::FAMILY,
    kv::FAMILY,
    state_store::FAMILY,
    serdes::FAMILY,
    execution::FAMILY,
    scripts::FAMILY,
];
