//! The Kestra API stand-in of `tests/support/kestra_api` as a program, for the editor suites
//! (`editors/*/test.sh`): `kestra_api_standin [1.3|2.0]` prints its URL on one line, then serves
//! until killed. Credentials: `admin@kestra.io` / `Kestra-2025` (basic) or `test-api-token`.

#[path = "support/kestra_api/mod.rs"]
mod kestra_api;

fn main() {
    let line = match std::env::args().nth(1).as_deref() {
        Some("2.0") => kestra_api::Line::V2_0,
        _ => kestra_api::Line::V1_3,
    };
    let api = kestra_api::KestraApi::start(line);
    println!("{}", api.url);
    loop {
        std::thread::park();
    }
}
