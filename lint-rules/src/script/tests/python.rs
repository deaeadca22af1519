//! Python scripts.

use super::{at, py};
use crate::script::{single_download, single_request, written_files, StatementKind};

#[test]
fn download_then_transform_is_not_a_download() {
    let src = r#"import io
import pandas as pd
import requests

url = "https://example.com/data/orders.csv"
r = requests.get(url)
r.raise_for_status()
df = pd.read_csv(io.StringIO(r.text))
df["total"] = df["qty"] * df["price"]
df.to_parquet("orders.parquet")
"#;
    let facts = py(src);
    let http = &facts.http_calls[0];
    assert_eq!(
        http.url.as_ref().unwrap().value,
        "https://example.com/data/orders.csv",
        "resolved through `url`"
    );
    assert_eq!(at(src, http.url.as_ref().unwrap().span), "url");
    assert!(http.response_transformed);
    assert_eq!(facts.file_writes[0].from_http, Some(0));
    assert!(facts.file_writes[0].transformed);
    assert!(single_download(&facts).is_none());
    assert!(single_request(&facts).is_none());
}

#[test]
fn urls_in_comments_strings_and_logs_trigger_nothing() {
    let src = "# requests.get('https://example.com/a.csv')\nprint(\"see https://x/a.csv\")\nnote = \"requests.get('https://example.com/b.csv')\"\n\"\"\"\nrequests.get('https://example.com/c.csv')\n\"\"\"\n";
    let facts = py(src);
    assert!(facts.http_calls.is_empty());
    assert!(facts.other_calls.iter().all(|c| c.callee == "print"));
    assert!(single_download(&facts).is_none() && single_request(&facts).is_none());
}

#[test]
fn streamed_download_with_fstring_url_and_header() {
    let src = r#"import os
import requests

BASE = "https://data.example.org"
os.makedirs("data", exist_ok=True)
with requests.get(f"{BASE}/exports/{os.environ['DAY']}/big.zip", stream=True, headers={"X-Api-Key": "{{ secret('KEY') }}"}) as r:
    r.raise_for_status()
    with open(os.path.join("data", "big.zip"), "wb") as f:
        for chunk in r.iter_content(chunk_size=8192):
            if chunk:
                f.write(chunk)
"#;
    let facts = py(src);
    let http = &facts.http_calls[0];
    let url = http.url.as_ref().unwrap();
    assert!(!url.literal);
    assert_eq!(
        url.value, "https://data.example.org/exports/",
        "constant prefix kept"
    );
    assert!(http.has_auth);
    let d = single_download(&facts).expect("streaming to one file is still a download");
    assert_eq!(d.file.unwrap().value, "data/big.zip");
    let kinds: Vec<_> = facts.statements.iter().map(|s| s.kind).collect();
    assert!(kinds.contains(&StatementKind::ResponseUse));
}

#[test]
fn urlretrieve_and_copyfileobj_are_downloads() {
    let facts = py("from urllib.request import urlretrieve\nurlretrieve('https://example.com/x.csv', 'x.csv')\nprint('done')\n");
    assert_eq!(
        single_download(&facts).unwrap().file.unwrap().value,
        "x.csv"
    );
    let src = "import shutil, urllib.request\nwith urllib.request.urlopen('https://e.com/a.gz') as resp, open('a.gz', 'wb') as out:\n    shutil.copyfileobj(resp, out)\n";
    let facts = py(src);
    assert_eq!(facts.http_calls[0].client, "urllib");
    assert_eq!(facts.http_calls[0].result_var.as_deref(), Some("resp"));
    assert_eq!(single_download(&facts).unwrap().file.unwrap().value, "a.gz");
}

#[test]
fn session_and_httpx_clients() {
    let src = "import requests as rq\ns = rq.Session()\ns.headers.update({'Authorization': 'Bearer x'})\nr = s.post('https://api.example.com/v1/jobs', json={'a': 1})\nprint(r.json())\n";
    let facts = py(src);
    assert_eq!(facts.http_calls.len(), 1);
    assert_eq!(facts.http_calls[0].method, "POST");
    assert!(facts
        .other_calls
        .iter()
        .any(|c| c.callee == "requests.Session().headers.update"));
    let facts = py("import httpx\nwith httpx.Client() as c:\n    r = c.get('https://x.org/a', params={'page': 2})\nprint(r.text)\n");
    assert_eq!(facts.http_calls[0].client, "httpx");
    assert!(facts.http_calls[0].has_pagination_params);
}

#[test]
fn function_called_in_a_loop_puts_its_calls_in_the_loop() {
    let src = "import requests\n\ndef download(url, path):\n    r = requests.get(url)\n    with open(path, 'wb') as f:\n        f.write(r.content)\n\nfor name in ['a', 'b']:\n    download('https://x.org/' + name + '.csv', name + '.csv')\n";
    let facts = py(src);
    assert!(facts.http_calls[0].in_loop);
    assert!(single_download(&facts).is_none());
    let once = py("import requests\n\ndef main():\n    r = requests.get('https://x.org/a.csv')\n    open('a.csv', 'wb').write(r.content)\n\nif __name__ == '__main__':\n    main()\n");
    assert!(!once.http_calls[0].in_loop);
    assert_eq!(single_download(&once).unwrap().file.unwrap().value, "a.csv");
}

#[test]
fn aiohttp_gather_over_a_comprehension_loops() {
    let src = "import asyncio, aiohttp\n\nasync def fetch(session, url):\n    async with session.get(url) as resp:\n        return await resp.json()\n\nasync def main():\n    async with aiohttp.ClientSession() as session:\n        return await asyncio.gather(*[fetch(session, f'https://api.x.com/{i}') for i in range(5)])\n\nasyncio.run(main())\n";
    let facts = py(src);
    assert_eq!(facts.http_calls.len(), 1);
    assert_eq!(facts.http_calls[0].client, "aiohttp");
    assert!(facts.http_calls[0].in_loop);
    assert!(single_request(&facts).is_none());
}

#[test]
fn writes_through_handles_paths_and_frames() {
    let src = "import csv, json\nfrom pathlib import Path\nPath('a.txt').write_text('x')\np = Path('b.bin')\np.write_bytes(b'1')\nwith open('c.csv', 'w', newline='') as fh:\n    w = csv.writer(fh)\n    w.writerow([1, 2])\nwith open('log.txt', 'a') as lg:\n    lg.write('x')\ndf.to_csv('d.csv', index=False)\ndf.to_csv()\nout = open('e.json', mode='w')\njson.dump({}, out)\nopen('r.txt').read()\n";
    let facts = py(src);
    assert_eq!(
        written_files(&facts),
        ["a.txt", "b.bin", "c.csv", "log.txt", "d.csv", "e.json"]
    );
    assert!(facts.file_writes[3].append);
    assert_eq!(
        facts.file_writes[2].data_spans.len(),
        1,
        "writerow through csv.writer"
    );
    assert_eq!(facts.file_reads.len(), 1);
}

#[test]
fn imports_aliases_and_kestra_outputs() {
    let src = "from kestra import Kestra\nimport json\nKestra.outputs({'n': 1})\nprint('::{\"outputs\": {\"m\": 2}}::')\nprint(f\"::{json.dumps({'outputs': {}})}::\")\nprint('plain')\n";
    let facts = py(src);
    assert_eq!(facts.kestra_outputs.len(), 3);
    assert_eq!(facts.prints.len(), 3);
    assert_eq!(facts.imports[0].module, "kestra");
    assert_eq!(facts.imports[0].names, ["Kestra"]);
    assert_eq!(at(src, facts.imports[0].span), "kestra");
}

#[test]
fn os_system_and_subprocess_are_read_as_shell() {
    let src = "import os, subprocess\nos.system(\"curl -sSfo raw.json https://api.example.com/raw\")\nsubprocess.run(['pip', 'install', 'polars'], check=True)\n";
    let facts = py(src);
    assert_eq!(facts.http_calls.len(), 1);
    assert_eq!(facts.http_calls[0].client, "curl");
    assert_eq!(
        at(src, facts.http_calls[0].span),
        "curl -sSfo raw.json https://api.example.com/raw"
    );
    assert_eq!(written_files(&facts), ["raw.json"]);
    assert_eq!(facts.package_installs[0].spec, "polars");
}

#[test]
fn pebble_is_opaque_text() {
    let src = "import requests\nr = requests.get(\"https://example.com/{{ inputs.day }}/orders.csv\")\nopen(\"{{ inputs.name }}.csv\", \"wb\").write(r.content)\n";
    let facts = py(src);
    let url = facts.http_calls[0].url.as_ref().unwrap();
    assert!(url.literal);
    assert_eq!(url.value, "https://example.com/{{ inputs.day }}/orders.csv");
    assert!(single_download(&facts).is_some());
}

#[test]
fn signing_is_not_a_plain_request() {
    let src = "import hmac, hashlib, requests\nsig = hmac.new(b'k', b'm', hashlib.sha256).hexdigest()\nr = requests.get('https://api.x.com/a', headers={'X-Sig': sig})\nprint(r.text)\n";
    let facts = py(src);
    assert!(facts.uses_signing && facts.http_calls[0].has_signing);
    assert!(single_request(&facts).is_none());
}
