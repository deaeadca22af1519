//! `kflow lsp`: the language server, over stdio. Analysis lives in `kflow_lint_rules::ide` and
//! the rules; this module only keeps documents, schedules checks and converts positions.
//!
//! Messages are handled one at a time, in the order they arrive (`concurrency_level(1)`):
//! tower-lsp-server's default concurrent handling can apply `didChange` edits out of order.
//! Handlers stay short; checks run in spawned tasks after a debounce.

mod actions;
mod analysis;
mod backend;
mod capabilities;
mod config;
mod convert;
mod documents;
mod features;
mod graph;
mod rule_docs;
mod runs;
mod state;
mod structure;
mod subflows;
mod sync;
mod wire;
mod workspace;

use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::Args;
use tower_lsp_server::{LspService, Server};

use backend::Backend;

#[derive(Args)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the only transport; accepted because clients pass it).
    #[arg(long)]
    stdio: bool,
    /// Quiet time after an edit before the document is checked, in milliseconds.
    #[arg(long, default_value_t = 100)]
    debounce_ms: u64,
}

pub fn run(args: LspArgs) -> u8 {
    let _ = args.stdio;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::ANALYSIS_STACK)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the server's runtime: {e}");
            return 2;
        }
    };
    let code = runtime.block_on(serve(Duration::from_millis(args.debounce_ms)));
    // The stdin reader may still be blocked in a read: do not wait for it.
    runtime.shutdown_background();
    code
}

async fn serve(debounce: Duration) -> u8 {
    let (guarded, to_server) = tokio::io::duplex(1 << 16);
    tokio::spawn(wire::guard(tokio::io::stdin(), to_server));
    let (out, framework_out, writer) = wire::output(tokio::io::stdout());
    let (service, socket) = LspService::build(|client| Backend::new(client, debounce, out))
        .custom_method(wire::INVALID_MESSAGE, Backend::invalid_message)
        .custom_method("kflow/documentText", Backend::document_text)
        .custom_method(wire::RUN_FLOW, Backend::run_flow)
        .finish();
    let state = service.inner().state.clone();
    Server::new(guarded, framework_out, socket)
        .concurrency_level(1)
        .serve(service)
        .await;
    // The client exited or the connection closed: runs still going are killed, as on shutdown.
    runs::cancel_all(&state, runs::RUN_GRACE).await;
    // Let the last frames reach the client.
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    // LSP: exit code 0 after `shutdown` then `exit`, 1 when the client went away without it.
    if state.shutdown_requested.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}
