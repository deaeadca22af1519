use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::test_server::{Received, Reply, TestServer};

/// Tests that hold or measure much memory run one at a time (RSS is per process).
static MEMORY_HEAVY: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
use super::*;
use crate::storage::{ExecutionKey, Storage, TaskRunKey};
use crate::task::CollectLog;
use crate::testutil::TempDir;

fn setup() -> (TempDir, Storage, TaskRunKey) {
    let dir = TempDir::new("http");
    let storage = Storage::open(dir.path()).unwrap();
    let key = TaskRunKey {
        execution: ExecutionKey {
            namespace: "company.team".into(),
            flow_id: "my_flow".into(),
            execution_id: "EXEC".into(),
        },
        task_id: "http_download".into(),
        task_run_id: "TASKRUN".into(),
    };
    (dir, storage, key)
}

fn files_under(storage: &Storage, key: &TaskRunKey) -> Vec<String> {
    let dir = storage.root().join(key.prefix().trim_start_matches('/'));
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn request_sends_everything_and_reports_outputs() {
    let (_d, storage, _key) = setup();
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let record = seen.clone();
    let server = TestServer::start(move |r| {
        record.lock().unwrap().push(r.clone());
        Reply::Full {
            status: 201,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Multi".into(), "a".into()),
                ("X-Multi".into(), "b".into()),
            ],
            body: br#"{"ok":true}"#.to_vec(),
        }
    })
    .await;
    let mut call = HttpCall::get(server.url("/api/items?fixed=1"));
    call.method = "post".into();
    call.params = vec![("q".into(), vec!["a b".into(), "c".into()])];
    call.headers = vec![("X-Token".into(), "t".into())];
    call.body = Some(r#"{"name":"x"}"#.into());
    call.options.auth = Some(HttpAuth::Bearer {
        token: "secret".into(),
    });
    let out = request(&call, &storage).await.unwrap();
    assert_eq!(out.code, 201);
    assert_eq!(out.body.as_deref(), Some(r#"{"ok":true}"#));
    assert_eq!(out.headers["x-multi"], vec!["a", "b"]);
    assert_eq!(out.uri, server.url("/api/items?fixed=1&q=a+b&q=c"));
    let got = seen.lock().unwrap()[0].clone();
    assert_eq!(got.method, "POST");
    assert_eq!(got.header("user-agent"), Some("Kestra"));
    assert_eq!(got.header("x-token"), Some("t"));
    assert_eq!(got.header("authorization"), Some("Bearer secret"));
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.body, br#"{"name":"x"}"#);
}

#[tokio::test]
async fn form_data_urlencoded_multipart_and_basic_auth() {
    let (_d, storage, _key) = setup();
    let file = "kestra:///company/team/my-flow/executions/EXEC/inputs/f/up.txt";
    storage.put_bytes(file, b"file content").await.unwrap();
    let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
    let record = seen.clone();
    let server = TestServer::start(move |r| {
        record.lock().unwrap().push(r.clone());
        Reply::ok("")
    })
    .await;
    let mut call = HttpCall::get(server.url("/form"));
    call.method = "POST".into();
    call.form_data = vec![
        ("a".into(), FormValue::Text("1 2".into())),
        (
            "b".into(),
            FormValue::from_json(&serde_json::json!({"x": 1}), false),
        ),
    ];
    call.options.auth = Some(HttpAuth::Basic {
        username: "u".into(),
        password: "p".into(),
    });
    request(&call, &storage).await.unwrap();
    call.content_type = Some("multipart/form-data".into());
    call.form_data = vec![
        ("text".into(), FormValue::Text("hello".into())),
        (
            "upload".into(),
            FormValue::from_json(
                &serde_json::json!({"name": "renamed.txt", "content": file}),
                true,
            ),
        ),
    ];
    request(&call, &storage).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0].header("authorization"), Some("Basic dTpw"));
    assert_eq!(
        seen[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        String::from_utf8_lossy(&seen[0].body),
        "a=1+2&b=%7B%22x%22%3A1%7D"
    );
    let multipart = String::from_utf8_lossy(&seen[1].body).into_owned();
    assert!(seen[1]
        .header("content-type")
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    assert!(
        multipart.contains("name=\"text\"\r\n\r\nhello"),
        "{multipart}"
    );
    assert!(
        multipart.contains("filename=\"renamed.txt\""),
        "{multipart}"
    );
    assert!(multipart.contains("file content"));
}

#[tokio::test]
async fn status_handling() {
    let (_d, storage, _key) = setup();
    let server = TestServer::start(|r| match r.target.as_str() {
        "/missing" => Reply::status(404, "nope"),
        "/boom" => Reply::status(500, "err"),
        _ => Reply::ok("fine"),
    })
    .await;
    let err = request(&HttpCall::get(server.url("/missing")), &storage)
        .await
        .unwrap_err();
    assert_eq!(err.message, "Failed http request with response code '404'");
    let err = request(&HttpCall::get(server.url("/boom")), &storage)
        .await
        .unwrap_err();
    assert!(err.message.contains("'500'"));
    let mut allowed = HttpCall::get(server.url("/missing"));
    allowed.options.allow_failed = true;
    let out = request(&allowed, &storage).await.unwrap();
    assert_eq!((out.code, out.body.as_deref()), (404, Some("nope")));
    let mut listed = HttpCall::get(server.url("/ok"));
    listed.options.allowed_response_codes = Some(vec![201]);
    let err = request(&listed, &storage).await.unwrap_err();
    assert!(err.message.contains("allowedResponseCodes"), "{err}");
    let err = request(&HttpCall::get("ftp://example.invalid/x"), &storage)
        .await
        .unwrap_err();
    assert!(err.message.contains("only http and https"));
    let err = request(&HttpCall::get("not a url"), &storage)
        .await
        .unwrap_err();
    assert!(err.message.contains("invalid uri"));
}

#[tokio::test]
async fn redirects_followed_by_default() {
    let (_d, storage, _key) = setup();
    let server = TestServer::start(|r| match r.target.as_str() {
        "/old" => Reply::Full {
            status: 302,
            headers: vec![("Location".into(), "/new".into())],
            body: Vec::new(),
        },
        "/loop" => Reply::Full {
            status: 302,
            headers: vec![("Location".into(), "/loop".into())],
            body: Vec::new(),
        },
        _ => Reply::ok("moved here"),
    })
    .await;
    let out = request(&HttpCall::get(server.url("/old")), &storage)
        .await
        .unwrap();
    assert_eq!(
        (out.code, out.uri.as_str()),
        (200, server.url("/new").as_str())
    );
    let mut no_follow = HttpCall::get(server.url("/old"));
    no_follow.options.follow_redirects = false;
    let out = request(&no_follow, &storage).await.unwrap();
    assert_eq!(out.code, 302);
    let err = request(&HttpCall::get(server.url("/loop")), &storage)
        .await
        .unwrap_err();
    assert!(err.message.contains("redirect"), "{err}");
}

#[tokio::test]
async fn request_body_limit_and_utf8() {
    let _serial = MEMORY_HEAVY.lock().await;
    let (_d, storage, _key) = setup();
    let server = TestServer::start(|r| match r.target.as_str() {
        "/big" => Reply::Generated {
            len: MAX_REQUEST_BODY + 1,
        },
        "/edge" => Reply::Generated {
            len: MAX_REQUEST_BODY,
        },
        _ => Reply::ok(vec![0xff, 0xfe]),
    })
    .await;
    let err = request(&HttpCall::get(server.url("/big")), &storage)
        .await
        .unwrap_err();
    assert!(err.message.contains("Download"), "{err}");
    let out = request(&HttpCall::get(server.url("/edge")), &storage)
        .await
        .unwrap();
    assert_eq!(out.body.map(|b| b.len() as u64), Some(MAX_REQUEST_BODY));
    let err = request(&HttpCall::get(server.url("/bin")), &storage)
        .await
        .unwrap_err();
    assert!(err.message.contains("UTF-8"), "{err}");
}

#[tokio::test]
async fn download_names_and_outputs() {
    let (_d, storage, key) = setup();
    let server = TestServer::start(|r| match r.target.as_str() {
        "/named" => Reply::Full {
            status: 200,
            headers: vec![(
                "Content-Disposition".into(),
                "attachment; filename=\"report.csv\"".into(),
            )],
            body: b"a,b\n1,2\n".to_vec(),
        },
        _ => Reply::ok("data"),
    })
    .await;
    let log = CollectLog::default();
    let out = download(
        &DownloadSpec::new(HttpCall::get(server.url("/named"))),
        &storage,
        &key,
        &log,
    )
    .await
    .unwrap();
    assert_eq!(
        out.uri,
        "kestra:///company/team/my-flow/executions/EXEC/tasks/http-download/TASKRUN/report.csv"
    );
    assert_eq!((out.code, out.length), (200, 8));
    assert_eq!(out.headers["content-length"], vec!["8"]);
    assert_eq!(storage.read(&out.uri).await.unwrap(), b"a,b\n1,2\n");
    let out = download(
        &DownloadSpec::new(HttpCall::get(server.url("/files/x.json?v=2"))),
        &storage,
        &key,
        &log,
    )
    .await
    .unwrap();
    assert!(out.uri.ends_with(".json"), "{}", out.uri);
    let mut save = DownloadSpec::new(HttpCall::get(server.url("/named")));
    save.save_as = Some("my file.csv".into());
    let out = download(&save, &storage, &key, &log).await.unwrap();
    assert!(out.uri.ends_with("/my+file.csv"), "{}", out.uri);
    assert!(storage.path_of(&out.uri).unwrap().ends_with("my+file.csv"));
    assert!(storage.exists(&out.uri).await.unwrap());
}

#[tokio::test]
async fn download_failures_leave_nothing_behind() {
    let (_d, storage, key) = setup();
    let server = TestServer::start(|r| match r.target.as_str() {
        "/cut" => Reply::CutAfter {
            announced: 1_000_000,
            sent: 200_000,
        },
        "/lie" => Reply::Full {
            status: 200,
            headers: vec![("content-length".into(), "10".into())],
            body: b"0123456789".to_vec(),
        },
        "/empty" => Reply::ok(""),
        "/404" => Reply::status(404, "nope"),
        "/stall" => Reply::Stall { sent: 1000 },
        _ => Reply::ok("x"),
    })
    .await;
    let log = CollectLog::default();
    let err = download(
        &DownloadSpec::new(HttpCall::get(server.url("/cut"))),
        &storage,
        &key,
        &log,
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("failed"), "{err}");
    assert!(
        files_under(&storage, &key).is_empty(),
        "{:?}",
        files_under(&storage, &key)
    );

    let err = download(
        &DownloadSpec::new(HttpCall::get(server.url("/empty"))),
        &storage,
        &key,
        &log,
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("failOnEmptyResponse"), "{err}");
    assert!(files_under(&storage, &key).is_empty());
    let mut lenient = DownloadSpec::new(HttpCall::get(server.url("/empty")));
    lenient.fail_on_empty_response = false;
    let out = download(&lenient, &storage, &key, &log).await.unwrap();
    assert_eq!(out.length, 0);
    assert!(log
        .lines()
        .iter()
        .any(|(l, m)| *l == crate::task::Level::Warn && m.contains("empty")));
    std::fs::remove_file(storage.path_of(&out.uri).unwrap()).unwrap();

    let err = download(
        &DownloadSpec::new(HttpCall::get(server.url("/404"))),
        &storage,
        &key,
        &log,
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("404"));

    let mut stall = DownloadSpec::new(HttpCall::get(server.url("/stall")));
    stall.call.options.read_idle_timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let err = download(&stall, &storage, &key, &log).await.unwrap_err();
    // The idle timeout ended it, not the stalled server (which never answers).
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        err.message.contains("timed out") || err.message.contains("failed"),
        "{err}"
    );
    assert!(files_under(&storage, &key).is_empty());

    // The task's own timeout: the future is dropped mid-body.
    let stall = DownloadSpec::new(HttpCall::get(server.url("/stall")));
    let dropped = tokio::time::timeout(
        Duration::from_millis(300),
        download(&stall, &storage, &key, &log),
    )
    .await;
    assert!(dropped.is_err());
    assert!(files_under(&storage, &key).is_empty());

    let ok = download(
        &DownloadSpec::new(HttpCall::get(server.url("/lie"))),
        &storage,
        &key,
        &log,
    )
    .await;
    assert!(ok.is_ok());
}

#[tokio::test]
async fn download_connect_timeout_and_refused() {
    let (_d, storage, key) = setup();
    // A port nobody listens on: bind, read the port, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut call = HttpCall::get(format!("http://127.0.0.1:{port}/x"));
    call.options.connect_timeout = Some(Duration::from_secs(2));
    let err = download(
        &DownloadSpec::new(call),
        &storage,
        &key,
        &CollectLog::default(),
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("could not connect"), "{err}");
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn large_download_streams_with_low_memory() {
    let _serial = MEMORY_HEAVY.lock().await;
    let (_d, storage, key) = setup();
    const LEN: u64 = 256 * 1024 * 1024;
    let server = TestServer::start(|_| Reply::Generated { len: LEN }).await;
    let before = rss_kib();
    let out = download(
        &DownloadSpec::new(HttpCall::get(server.url("/big.bin"))),
        &storage,
        &key,
        &CollectLog::default(),
    )
    .await
    .unwrap();
    let after = rss_kib();
    assert_eq!(out.length, LEN);
    assert_eq!(storage.size(&out.uri).await.unwrap(), LEN);
    // Other tests run in parallel in this process: allow slack, far below the 256 MiB body.
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!(
        "RSS before {before} KiB, after {after} KiB (+{grown_mib} MiB) for a 256 MiB download"
    );
    assert!(grown_mib < 64, "RSS grew by {grown_mib} MiB");
}
