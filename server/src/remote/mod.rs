//! Working with a Kestra server: `kflow deploy`, `kflow run --server`, `kflow lint --server`.
//!
//! `target.rs` says which server and with which credentials (`--server URL|NAME`, the
//! `[server.NAME]` profiles of `kflow.toml`, the `KESTRA_*` environment variables);
//! `client.rs` speaks Kestra's HTTP API and detects the server's line (1.x or 2.x), which picks
//! the operations `api.rs` names; `sse.rs` reads server-sent events; `deploy.rs`, `follow.rs`
//! and `validate.rs` are the three commands' parts; `record.rs` turns the server's execution
//! into kflow's execution record.

mod api;
mod client;
pub mod deploy;
pub mod follow;
mod record;
mod sse;
mod target;
pub mod validate;

pub use target::{ServerArgs, Target};

/// A runtime for the client, for the commands that are not async themselves.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}
