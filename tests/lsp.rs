//! End-to-end tests of `kflow lsp`: a JSON-RPC client in Rust drives the built binary over
//! pipes, on the flows of `../shared/examples`.

#[path = "lsp/client.rs"]
mod client;
mod support;

#[path = "lsp/actions.rs"]
mod actions;
#[path = "lsp/completion.rs"]
mod completion;
#[path = "lsp/diagnostics.rs"]
mod diagnostics;
#[path = "lsp/fuzz_edits.rs"]
mod fuzz_edits;
#[path = "lsp/graph.rs"]
mod graph;
#[path = "lsp/hostile.rs"]
mod hostile;
#[path = "lsp/hover.rs"]
mod hover;
#[path = "lsp/navigation.rs"]
mod navigation;
#[path = "lsp/ordering.rs"]
mod ordering;
#[path = "lsp/plugins.rs"]
mod plugins;
#[path = "lsp/run.rs"]
mod run;
#[path = "lsp/structure.rs"]
mod structure;
