//! Shell scripts.

use super::{at, sh};
use crate::script::{single_download, single_request, written_files, StatementKind};

#[test]
fn wget_saves_under_the_url_name() {
    let facts = sh("set -euo pipefail\nwget -q https://example.com/files/a.csv\n");
    let d = single_download(&facts).expect("a download");
    assert_eq!(d.file.unwrap().value, "a.csv");
    assert_eq!(facts.statements[0].kind, StatementKind::Boilerplate);
    let facts = sh("wget -qO- https://example.com/a.csv");
    assert!(facts.file_writes.is_empty());
    assert!(single_request(&facts).is_some());
}

#[test]
fn curl_piped_to_jq_is_a_request() {
    let src = "curl https://api/x | jq .";
    let facts = sh(src);
    assert!(single_download(&facts).is_none());
    let r = single_request(&facts).expect("a request");
    assert_eq!(r.url.unwrap().value, "https://api/x");
    assert_eq!(at(src, r.call_span), "curl https://api/x");
    let facts = sh("curl -s https://api.example.com/v1/items | jq -r '.items[0].name'");
    assert!(
        single_request(&facts).is_some(),
        "showing a field is still printing"
    );
}

#[test]
fn curl_piped_into_processing_is_transformed() {
    let facts = sh("curl -sL https://example.com/a.tar.gz | tar xz");
    assert!(facts.http_calls[0].response_transformed);
    assert!(single_request(&facts).is_none() && single_download(&facts).is_none());
    let facts = sh("curl -s https://example.com/a.json | jq '.items' > items.json");
    assert_eq!(facts.file_writes[0].from_http, Some(0));
    assert!(facts.file_writes[0].transformed);
    assert!(single_download(&facts).is_none());
    let facts = sh("curl -s https://example.com/a.json > a.json");
    assert_eq!(
        single_download(&facts).unwrap().file.unwrap().value,
        "a.json"
    );
    let facts = sh("curl -s https://example.com/a.json | tee a.json");
    assert_eq!(
        single_download(&facts).unwrap().file.unwrap().value,
        "a.json"
    );
}

#[test]
fn variables_resolve_and_loops_count() {
    let src = r#"BASE="https://example.com/api"
OUT=result.json
mkdir -p out && curl -s -H "Authorization: Bearer $TOKEN" "$BASE/items?page=1" > "out/$OUT"
for i in 1 2 3; do
  curl -sO "$BASE/file$i.csv"
done
"#;
    let facts = sh(src);
    let first = &facts.http_calls[0];
    assert_eq!(
        first.url.as_ref().unwrap().value,
        "https://example.com/api/items?page=1"
    );
    assert!(first.has_auth && first.has_pagination_params && !first.in_loop);
    assert_eq!(first.output_file.as_deref(), Some("out/result.json"));
    let second = &facts.http_calls[1];
    assert!(second.in_loop);
    assert!(!second.url.as_ref().unwrap().literal);
    assert_eq!(
        second.url.as_ref().unwrap().value,
        "https://example.com/api/file"
    );
    assert_eq!(facts.loops.len(), 1);
    assert!(
        at(src, facts.loops[0]).starts_with("for i in")
            && at(src, facts.loops[0]).ends_with("done")
    );
    assert_eq!(written_files(&facts), ["out/result.json"]);
    assert!(crate::script::writes_unnamed_files(&facts));
}

#[test]
fn cloud_clis_and_git_are_other_calls() {
    let facts = sh("aws s3 cp s3://my-bucket/exports/orders.csv ./orders.csv\ngsutil -m cp gs://b/x.parquet .\ngit clone https://github.com/kestra-io/examples.git\n");
    let callees: Vec<_> = facts
        .other_calls
        .iter()
        .map(|c| c.callee.as_str())
        .collect();
    assert_eq!(callees, ["aws s3 cp", "gsutil cp", "git clone"]);
    assert_eq!(
        facts.other_calls[0].args,
        ["s3://my-bucket/exports/orders.csv", "./orders.csv"]
    );
    assert_eq!(written_files(&facts), ["orders.csv", "x.parquet"]);
    assert!(facts.http_calls.is_empty());
}

#[test]
fn comments_quotes_and_heredocs_are_not_commands() {
    let src = "# curl -o a.csv https://example.com/a.csv\necho 'curl https://example.com/b'\ncat > notes.txt <<'EOF'\ncurl https://example.com/c\nEOF\necho \"see https://x/a.csv\"\n";
    let facts = sh(src);
    assert!(facts.http_calls.is_empty());
    assert_eq!(written_files(&facts), ["notes.txt"]);
    assert_eq!(facts.prints.len(), 2);
}

#[test]
fn installs_outputs_and_embedded_code() {
    let src = "pip install -q pandas==2.1 \"requests[socks]\" -r requirements.txt\necho '::{\"outputs\":{\"n\":3}}::'\nTOKEN=$(curl -s https://auth.example.com/token | jq -r .token)\npython3 - <<'PY'\nimport requests\nrequests.post('https://hooks.slack.com/services/T/B/X', json={'text': 'hi'})\nPY\n";
    let facts = sh(src);
    let specs: Vec<_> = facts
        .package_installs
        .iter()
        .map(|p| (p.spec.as_str(), p.requirements_file))
        .collect();
    assert_eq!(
        specs,
        [
            ("pandas==2.1", false),
            ("requests[socks]", false),
            ("requirements.txt", true)
        ]
    );
    assert_eq!(facts.kestra_outputs.len(), 1);
    let urls: Vec<_> = facts.http_calls.iter().map(|h| at(src, h.span)).collect();
    assert!(urls.contains(&"curl -s https://auth.example.com/token"));
    assert!(urls
        .contains(&"requests.post('https://hooks.slack.com/services/T/B/X', json={'text': 'hi'})"));
    assert_eq!(facts.imports[0].module, "requests");
    assert_eq!(at(src, facts.imports[0].span), "requests");
}

#[test]
fn case_functions_and_xargs() {
    let src = "case \"$1\" in\n  a|b) echo a ;;\n  *) curl -o z.bin https://z.example/z.bin ;;\nesac\nfetch() {\n  curl -s \"$1\"\n}\ncat urls.txt | xargs -n1 curl -sO\n";
    let facts = sh(src);
    assert_eq!(facts.http_calls.len(), 3);
    assert_eq!(facts.http_calls[0].output_file.as_deref(), Some("z.bin"));
    assert!(facts.http_calls[2].in_loop, "xargs runs it per line");
}

#[test]
fn substitutions_inside_loops_loop() {
    let facts = sh("for u in a b; do\n  body=$(curl -s \"https://x.org/$u\")\n  echo \"$body\"\ndone\nonce=$(curl -s https://x.org/once)\n");
    let in_loop: Vec<bool> = facts.http_calls.iter().map(|h| h.in_loop).collect();
    assert_eq!(in_loop.iter().filter(|l| **l).count(), 1);
    assert_eq!(in_loop.len(), 2);
}
