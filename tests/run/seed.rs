//! The three seed flows of `../shared/examples/seed`, URLs rewritten to the local server.

use crate::server::*;

fn seed(name: &str, base: &str) -> String {
    let path = format!(
        "{}/../../shared/examples/seed/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .replace(
            "https://huggingface.co/datasets/kestra/datasets/raw/main/csv/orders.csv",
            &format!("{base}/orders.csv"),
        )
        .replace(
            "https://dummyjson.com/products",
            &format!("{base}/products"),
        )
}

#[test]
fn download_stores_the_csv_and_converts_it_to_ion() {
    let server = Server::start();
    let dir = TempDir::new("seed-dl");
    let (code, rec, err) = run_json(
        dir.path(),
        &seed("fetch_with_download.yaml", &server.base),
        &[],
        &[],
    );
    assert_eq!(code, 0, "{err}\n{rec}");
    assert_eq!(rec["state"], "SUCCESS");
    let uri = outputs(&rec, "download_orders")["uri"]
        .as_str()
        .expect("uri")
        .to_string();
    assert!(
        uri.starts_with("kestra:///company/team/fetch-with-download/executions/"),
        "{uri}"
    );
    let bytes = std::fs::read(storage_file(dir.path(), &uri)).expect("stored csv");
    assert_eq!(bytes, ORDERS_CSV.as_bytes());
    let ion_uri = outputs(&rec, "csv_to_ion")["uri"]
        .as_str()
        .expect("ion uri")
        .to_string();
    assert!(ion_uri.ends_with(".ion"));
    let ion = std::fs::read_to_string(storage_file(dir.path(), &ion_uri)).expect("ion file");
    assert!(
        ion.contains("order_id:\"1\"") && ion.contains("\"Carl, Jr\""),
        "{ion}"
    );
    let n = ORDERS_CSV.len();
    assert!(
        logs(&rec).contains(&format!("Downloaded {n} bytes with status 200")),
        "{:?}",
        logs(&rec)
    );
}

#[test]
fn request_logs_status_and_first_title() {
    let server = Server::start();
    let dir = TempDir::new("seed-req");
    let (code, rec, err) = run_json(
        dir.path(),
        &seed("fetch_with_request.yaml", &server.base),
        &[],
        &[],
    );
    assert_eq!(code, 0, "{err}\n{rec}");
    let logs = logs(&rec);
    assert!(logs.contains(&"API status: 200".to_string()), "{logs:?}");
    assert!(logs.iter().any(|l| l.contains("Product 1")), "{logs:?}");
}

#[test]
fn python_script_paginates_with_requests_from_local_wheels() {
    let Ok(wheels) = std::env::var("KFLOW_TEST_WHEELS") else {
        eprintln!(
            "SKIPPED: set KFLOW_TEST_WHEELS to a folder made by `pip download requests -d <dir>` \
             (.ci/run does) to run the python seed flow offline"
        );
        return;
    };
    assert!(
        std::path::Path::new(&wheels).is_dir(),
        "KFLOW_TEST_WHEELS={wheels} is not a directory: run `pip download requests -d {wheels}`"
    );
    let server = Server::start();
    let dir = TempDir::new("seed-py");
    let cache = dir.path().join("user-cache");
    let cache = cache.to_str().unwrap();
    let envs = [
        ("PIP_NO_INDEX", "1"),
        ("PIP_FIND_LINKS", wheels.as_str()),
        ("KFLOW_CACHE_DIR", cache),
    ];
    let flow = seed("fetch_with_script.yaml", &server.base);
    let (code, rec, err) = run_json(dir.path(), &flow, &[], &envs);
    assert_eq!(code, 0, "{err}\n{rec}");
    // A second storage folder reuses the user's environment instead of building its own.
    let other = TempDir::new("seed-py-again");
    let (code, again, err) = run_json(other.path(), &flow, &[], &envs);
    assert_eq!(code, 0, "{err}\n{again}");
    let built: Vec<_> = std::fs::read_dir(std::path::Path::new(cache).join("python"))
        .expect("the user cache holds the environment")
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    assert_eq!(built.len(), 1, "one environment for both runs");
    for d in [dir.path(), other.path()] {
        assert!(!has_cache_folder(d), "no environment under {}", d.display());
    }
    let uri = outputs(&rec, "fetch_all_products")["outputFiles"]["all_products.json"]
        .as_str()
        .expect("output file")
        .to_string();
    let text = std::fs::read_to_string(storage_file(dir.path(), &uri)).expect("all_products.json");
    let all: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(all.as_array().map(Vec::len), Some(25));
    assert!(logs(&rec).iter().any(|l| l.contains("Product 25")));
}

/// Whether a folder called `.kflow-cache` exists anywhere below `dir`.
fn has_cache_folder(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| {
            let path = e.path();
            path.is_dir() && (e.file_name() == ".kflow-cache" || has_cache_folder(&path))
        })
}
