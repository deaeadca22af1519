//! JavaScript (Node) scripts.

use super::{at, js};
use crate::script::{single_download, single_request, written_files};

#[test]
fn fetch_then_write_file_is_a_download() {
    let src = "const fs = require('fs');\nconst url = \"https://example.com/data/a.csv\";\nconst r = await fetch(url); fs.writeFileSync('a.csv', await r.text())\n";
    let facts = js(src);
    assert_eq!(facts.imports[0].module, "fs");
    let http = &facts.http_calls[0];
    assert_eq!(http.client, "fetch");
    assert_eq!(http.result_var.as_deref(), Some("r"));
    let d = single_download(&facts).expect("a download");
    assert_eq!(d.url.unwrap().value, "https://example.com/data/a.csv");
    assert_eq!(d.file.unwrap().value, "a.csv");
    assert_eq!(
        at(src, d.write_span),
        "fs.writeFileSync('a.csv', await r.text())"
    );
}

#[test]
fn https_get_piped_to_a_write_stream() {
    let src = "const https = require(\"node:https\");\nconst fs = require(\"fs\");\nconst file = fs.createWriteStream(\"report.pdf\");\nhttps.get(\"https://example.com/report.pdf\", (res) => {\n  res.pipe(file);\n  file.on(\"finish\", () => file.close());\n});\n";
    let facts = js(src);
    assert_eq!(facts.imports[0].module, "https");
    assert_eq!(facts.http_calls[0].result_var.as_deref(), Some("res"));
    assert_eq!(
        single_download(&facts).unwrap().file.unwrap().value,
        "report.pdf"
    );
}

#[test]
fn axios_request_printed_and_emitted() {
    let src = "import axios from \"axios\";\nconst Kestra = require(\"@kestra-io/libs\");\n// fetch(\"https://commented.example/x\")\nconst res = await axios.get(\"https://api.example.com/v1/items\", { headers: { Authorization: `Bearer ${process.env.TOKEN}` } });\nconsole.log(res.data);\nKestra.outputs({ count: res.data.length });\n";
    let facts = js(src);
    assert_eq!(facts.http_calls.len(), 1);
    assert!(facts.http_calls[0].has_auth);
    assert_eq!(facts.kestra_outputs.len(), 1);
    let r = single_request(&facts).expect("a request");
    assert_eq!(r.client, "axios");
    assert!(single_download(&facts).is_none());
}

#[test]
fn fetch_options_give_the_method() {
    let facts = js("const r = await fetch('https://x.org/api', { method: 'POST', body: JSON.stringify({a: 1}) });\nconsole.log(await r.json());\n");
    assert_eq!(facts.http_calls[0].method, "POST");
    let facts = js("const r = await axios({ url: 'https://x.org/api', method: 'put' });");
    assert_eq!(facts.http_calls[0].method, "PUT");
    assert_eq!(
        facts.http_calls[0].url.as_ref().unwrap().value,
        "https://x.org/api"
    );
}

#[test]
fn map_for_of_and_templates_loop() {
    let src = "const urls = [\"https://a/1\", \"https://a/2\"];\nconst out = await Promise.all(urls.map(u => fetch(u).then(r => r.json())));\nfor (const u of urls) {\n  const r = await fetch(`${u}?page=2`);\n}\nconsole.log(JSON.stringify(out));\n";
    let facts = js(src);
    assert_eq!(facts.http_calls.len(), 2);
    assert!(facts.http_calls.iter().all(|h| h.in_loop));
    assert!(facts.http_calls[1].has_pagination_params);
    assert_eq!(facts.loops.len(), 2);
    assert!(single_request(&facts).is_none());
}

#[test]
fn regex_and_comments_hide_nothing_else() {
    let src = "const re = /fetch\\('https:\\/\\/x'\\)/g; /* fetch('https://y') */\nconst s = 'fetch(\"https://z\")';\nconsole.log(re.test(s));\n";
    let facts = js(src);
    assert!(facts.http_calls.is_empty());
    assert!(written_files(&facts).is_empty());
}
