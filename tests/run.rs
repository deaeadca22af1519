//! End-to-end tests of `kflow run` and `kflow executions`, driving the built binary against an
//! HTTP server on 127.0.0.1 (never the internet; every wait has a deadline).

#[path = "run/faults.rs"]
mod faults;
#[path = "run/flowables.rs"]
mod flowables;
#[path = "run/inputs.rs"]
mod inputs;
#[path = "run/kestra_lines.rs"]
mod kestra_lines;
#[path = "run/parity.rs"]
mod parity;
#[path = "run/progress.rs"]
mod progress;
#[path = "run/seed.rs"]
mod seed;
#[path = "run/server.rs"]
mod server;
#[cfg(unix)]
#[path = "run/signals.rs"]
mod signals;
mod support;
