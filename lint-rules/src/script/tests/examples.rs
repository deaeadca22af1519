//! The scripts of the shared example flows and of the fetch-patterns guide.

use super::{at, py, sh};
use crate::script::{single_download, single_request, written_files, StatementKind};

/// `antipatterns/script_only_downloads.yaml`
const ONLY_DOWNLOADS: &str = r#"import requests

response = requests.get("https://example.com/data/orders.csv", timeout=30)
response.raise_for_status()
with open("orders.csv", "wb") as f:
    f.write(response.content)
"#;

/// `antipatterns/script_single_request.yaml`
const SINGLE_REQUEST: &str = r#"import requests
r = requests.get("https://api.example.com/v1/status", timeout=10)
print(r.status_code, r.json()["state"])
"#;

/// `antipatterns/script_missing_output_files.yaml`
const MISSING_OUTPUT_FILES: &str = r#"import json
rows = [{"n": i, "sq": i * i} for i in range(100)]
with open("report.json", "w") as f:
    json.dump(rows, f)
"#;

/// `seed/fetch_with_script.yaml` (the guide's paginated fetch).
pub(super) const PAGINATED: &str = r#"import json
import requests

all_products = []
limit = 10
skip = 0
while True:
    response = requests.get(
        "https://dummyjson.com/products",
        params={"limit": limit, "skip": skip},
        timeout=30,
    )
    response.raise_for_status()
    payload = response.json()
    products = payload.get("products", [])
    if not products:
        break
    all_products.extend(products)
    skip += limit
    if skip >= payload.get("total", 0):
        break

with open("all_products.json", "w") as f:
    json.dump(all_products, f)
"#;

/// `clean/download_then_script.yaml`
const SUMMARIZE: &str = r#"import pandas as pd
df = pd.read_csv("orders.csv")
df.groupby("status").size().to_csv("summary.csv")
"#;

#[test]
fn script_only_downloads_is_a_single_download() {
    let facts = py(ONLY_DOWNLOADS);
    assert_eq!(facts.http_calls.len(), 1);
    let http = &facts.http_calls[0];
    assert_eq!(
        (http.client.as_str(), http.method.as_str()),
        ("requests", "GET")
    );
    assert_eq!(http.result_var.as_deref(), Some("response"));
    assert_eq!(http.output_file.as_deref(), Some("orders.csv"));
    let d = single_download(&facts).expect("a single download");
    assert_eq!(
        d.url.as_ref().map(|u| u.value.as_str()),
        Some("https://example.com/data/orders.csv")
    );
    assert!(d.url.as_ref().unwrap().literal);
    assert_eq!(
        d.file.as_ref().map(|f| f.value.as_str()),
        Some("orders.csv")
    );
    assert_eq!(
        at(ONLY_DOWNLOADS, d.call_span),
        r#"requests.get("https://example.com/data/orders.csv", timeout=30)"#
    );
    assert_eq!(
        at(ONLY_DOWNLOADS, d.write_span),
        r#"open("orders.csv", "wb")"#
    );
    assert!(single_request(&facts).is_none());
    assert_eq!(written_files(&facts), ["orders.csv"]);
}

#[test]
fn script_single_request_is_a_request_not_a_download() {
    let facts = py(SINGLE_REQUEST);
    let r = single_request(&facts).expect("a single request");
    assert_eq!(r.method, "GET");
    assert_eq!(r.url.unwrap().value, "https://api.example.com/v1/status");
    assert!(single_download(&facts).is_none());
    assert_eq!(facts.prints.len(), 1);
}

#[test]
fn missing_output_files_sees_the_json_dump_target() {
    let facts = py(MISSING_OUTPUT_FILES);
    assert_eq!(written_files(&facts), ["report.json"]);
    let write = &facts.file_writes[0];
    assert_eq!(write.data_spans.len(), 1);
    assert_eq!(
        at(MISSING_OUTPUT_FILES, write.data_spans[0]),
        "json.dump(rows, f)"
    );
    assert!(facts.http_calls.is_empty());
    // The list comprehension is a loop.
    assert_eq!(facts.loops.len(), 1);
}

#[test]
fn paginated_fetch_is_neither_download_nor_request() {
    let facts = py(PAGINATED);
    assert_eq!(facts.http_calls.len(), 1);
    let http = &facts.http_calls[0];
    assert!(http.in_loop);
    assert!(http.has_pagination_params, "skip= in params");
    assert!(single_download(&facts).is_none());
    assert!(single_request(&facts).is_none());
    assert_eq!(written_files(&facts), ["all_products.json"]);
    assert!(at(PAGINATED, facts.loops[0]).starts_with("while True:"));
    assert!(at(PAGINATED, facts.loops[0]).ends_with("break"));
}

#[test]
fn summarize_reads_and_writes_without_http() {
    let facts = py(SUMMARIZE);
    assert!(facts.http_calls.is_empty());
    assert_eq!(written_files(&facts), ["summary.csv"]);
    assert_eq!(
        facts.file_reads[0].path.as_ref().unwrap().value,
        "orders.csv"
    );
}

#[test]
fn long_inline_script_counts_statements() {
    let mut src = String::from("total = 0\n");
    for i in 0..60 {
        src.push_str(&format!("total += {i} * {i}  # step {i}\n"));
    }
    src.push_str("print(total)\n");
    let facts = py(&src);
    assert_eq!(facts.statement_count, 61);
    assert!(facts.file_writes.is_empty());
    assert_eq!(
        facts
            .statements
            .iter()
            .filter(|s| s.kind == StatementKind::Boilerplate)
            .count(),
        1
    );
}

#[test]
fn shell_curl_download_is_a_single_download() {
    let src = "curl -fsSL -o data.zip https://example.com/archive/data.zip";
    let facts = sh(src);
    let d = single_download(&facts).expect("a single download");
    assert_eq!(d.client, "curl");
    assert_eq!(d.url.unwrap().value, "https://example.com/archive/data.zip");
    assert_eq!(d.file.unwrap().value, "data.zip");
    assert_eq!(facts.http_calls[0].output_file.as_deref(), Some("data.zip"));
}
