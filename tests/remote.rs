//! `kflow deploy`, `kflow run --server` and `kflow lint --server` against the Kestra API
//! stand-in (`support/kestra_api`), for the 1.3 and 2.0 lines, faults included.

#[path = "support/kestra_api/mod.rs"]
mod kestra_api;
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use kestra_api::{Fault, KestraApi, Line, PASSWORD, TOKEN, USER};

const LINES: [Line; 2] = [Line::V1_3, Line::V2_0];

const HELLO: &str = "id: hello\nnamespace: company.team\ninputs:\n  - id: name\n    type: STRING\ntasks:\n  - id: greet\n    type: io.kestra.plugin.core.log.Log\n    message: Hello {{ inputs.name }}\n  - id: bye\n    type: io.kestra.plugin.core.log.Log\n    message: Bye\n";
const OTHER: &str = "id: other\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: x\n";

/// `kflow` with the stand-in's basic-auth credentials.
fn kflow() -> Command {
    let mut c = support::kflow();
    c.env("KESTRA_USERNAME", USER)
        .env("KESTRA_PASSWORD", PASSWORD)
        .env_remove("KESTRA_API_TOKEN")
        .env("NO_COLOR", "1");
    c
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out: Output = cmd.stdin(Stdio::null()).output().expect("run kflow");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn assert_spec_followed(api: &KestraApi) {
    assert_eq!(
        api.violations(),
        Vec::<String>::new(),
        "requests outside the specification"
    );
}

#[test]
fn deploy_creates_then_reports_unchanged_updated_and_a_dry_run_diff() {
    for line in LINES {
        let api = KestraApi::start(line);
        let dir = project(&[("flows/hello.yml", HELLO), ("flows/other.yml", OTHER)]);
        let flows = dir.path().join("flows");
        let deploy = |extra: &[&str]| {
            run(kflow()
                .arg("deploy")
                .arg(&flows)
                .args(["--server", &api.url])
                .args(extra))
        };
        let (code, out, err) = deploy(&["--format", "json"]);
        assert_eq!(code, 0, "{line:?} {out}{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let statuses: Vec<(&str, &str)> = report["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["id"].as_str().unwrap(), f["status"].as_str().unwrap()))
            .collect();
        assert_eq!(
            statuses,
            [("hello", "created"), ("other", "created")],
            "{line:?}"
        );
        assert_eq!(
            api.flow("company.team", "hello"),
            Some((HELLO.to_string(), 1))
        );

        let (code, out, _) = deploy(&[]);
        assert_eq!(code, 0);
        assert!(
            out.contains("unchanged company.team.hello (revision 1)"),
            "{out}"
        );
        assert!(out.contains("0 created, 0 updated, 2 unchanged"), "{out}");

        let changed = HELLO.replace("message: Bye", "message: Goodbye");
        std::fs::write(flows.join("hello.yml"), &changed).unwrap();
        let (code, out, _) = deploy(&["--dry-run"]);
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("-    message: Bye\n+    message: Goodbye"),
            "{out}"
        );
        assert!(out.contains("would be updated company.team.hello"), "{out}");
        assert_eq!(
            api.flow("company.team", "hello").unwrap().1,
            1,
            "a dry run changes nothing"
        );

        let (code, out, _) = deploy(&[]);
        assert_eq!(code, 0);
        assert!(
            out.contains("updated company.team.hello (revision 2)"),
            "{out}"
        );
        assert_eq!(api.flow("company.team", "hello"), Some((changed, 2)));
        assert_spec_followed(&api);
    }
}

#[test]
fn deploy_is_blocked_by_lint_errors_unless_forced() {
    let api = KestraApi::start(Line::V1_3);
    let broken = "id: broken\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n";
    let dir = project(&[("broken.yml", broken), ("hello.yml", HELLO)]);
    let (code, out, err) = run(kflow()
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert!(api.requests().is_empty(), "{:?}", api.requests());
    let (code, out, err) = run(kflow()
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url, "--force"]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(api.flow("company.team", "broken").is_some());
    assert_spec_followed(&api);
}

#[test]
fn a_failed_flow_is_reported_and_the_others_still_deployed() {
    let api = KestraApi::start(Line::V2_0);
    // The first create fails with a server error, and so do its retries (none: writes are
    // never retried).
    api.inject(Fault::Status {
        method: "POST",
        path: "/flows",
        status: 500,
    });
    let dir = project(&[("hello.yml", HELLO), ("other.yml", OTHER)]);
    let (code, out, err) = run(kflow()
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("failed company.team.hello"), "{out}");
    assert!(out.contains("500"), "{out}");
    assert!(out.contains("created company.team.other"), "{out}");
    assert!(
        err.contains("1 failed: the others were deployed as reported"),
        "{err}"
    );
    assert_eq!(api.flow_ids("company.team"), ["other"]);
    // A conflict (the flow appeared meanwhile) is a failure too, said as the server said it.
    api.inject(Fault::Status {
        method: "POST",
        path: "/flows",
        status: 409,
    });
    let (code, out, _) = run(kflow()
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url]));
    assert_eq!(code, 1);
    assert!(
        out.contains("failed company.team.hello") && out.contains("409"),
        "{out}"
    );
    assert_spec_followed(&api);
}

#[test]
fn any_id_is_sent_whole_and_a_flow_defined_twice_blocks_the_deploy() {
    let api = KestraApi::start(Line::V2_0);
    let odd = "id: \"my#flow\"\nnamespace: \"my space\"\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: x\n";
    let dir = project(&[("odd.yml", odd)]);
    for expected in ["created", "unchanged"] {
        let (code, out, err) = run(kflow()
            .arg("deploy")
            .args(["--force", "--server", &api.url])
            .arg(dir.path()));
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.contains(&format!("{expected} my space.my#flow")),
            "{out}"
        );
    }
    assert_eq!(api.flow_ids("my space"), ["my#flow"]);
    let dir = project(&[("a.yml", HELLO), ("b.yml", HELLO)]);
    let (code, _, err) = run(kflow()
        .arg("deploy")
        .args(["--server", &api.url])
        .arg(dir.path()));
    assert_eq!(code, 1);
    assert!(
        err.contains("both define company.team.hello") && err.contains("nothing was sent"),
        "{err}"
    );
    assert_eq!(api.flow_ids("company.team"), Vec::<String>::new());
    assert_spec_followed(&api);
}

#[test]
fn delete_only_when_asked_and_namespace_files_are_uploaded() {
    let api = KestraApi::start(Line::V1_3);
    api.add_flow(
        "company.team",
        "stale",
        "id: stale\nnamespace: company.team\ntasks: []\n",
    );
    let dir = project(&[
        ("flows/hello.yml", HELLO),
        ("files/scripts/etl.py", "print(1)\n"),
    ]);
    let base = || {
        let mut c = kflow();
        c.arg("deploy")
            .arg(dir.path().join("flows"))
            .args(["--server", &api.url]);
        c
    };
    let (code, out, _) = run(base()
        .arg("--namespace-files")
        .arg(dir.path().join("files")));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(" uploaded namespace file company.team:/scripts/etl.py"),
        "{out}"
    );
    assert_eq!(api.flow_ids("company.team"), ["hello", "stale"]);
    assert_eq!(
        api.namespace_file("company.team", "/scripts/etl.py")
            .as_deref(),
        Some(&b"print(1)\n"[..])
    );
    let (code, out, _) = run(base().args(["--delete", "--dry-run"]));
    assert_eq!(code, 0);
    assert!(out.contains("would be deleted company.team.stale"), "{out}");
    assert_eq!(api.flow_ids("company.team"), ["hello", "stale"]);
    let (code, out, _) = run(base().arg("--delete"));
    assert_eq!(code, 0);
    assert!(out.contains("deleted company.team.stale"), "{out}");
    assert_eq!(api.flow_ids("company.team"), ["hello"]);
    assert_spec_followed(&api);
}

#[test]
fn credentials_come_from_the_environment_and_a_401_says_which() {
    let api = KestraApi::start(Line::V2_0);
    let dir = project(&[("hello.yml", HELLO)]);
    let mut none = kflow();
    none.env_remove("KESTRA_USERNAME")
        .env_remove("KESTRA_PASSWORD");
    let (code, _, err) = run(none
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url]));
    assert_eq!(code, 2);
    assert!(
        err.contains("401") && err.contains("KESTRA_USERNAME"),
        "{err}"
    );
    let mut token = kflow();
    token
        .env_remove("KESTRA_USERNAME")
        .env("KESTRA_API_TOKEN", TOKEN);
    let (code, out, err) = run(token
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("warning"), "{err}");
    // Skipping certificate checks is said every time.
    let (code, _, err) =
        run(kflow()
            .arg("deploy")
            .arg(dir.path())
            .args(["--server", &api.url, "--insecure"]));
    assert_eq!(code, 0);
    assert!(
        err.contains("warning: --insecure: the certificate of"),
        "{err}"
    );
    // The password from standard input.
    let mut stdin = kflow();
    stdin
        .env_remove("KESTRA_PASSWORD")
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url, "--password-stdin"]);
    let mut child = stdin
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        format!("{PASSWORD}\n").as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_spec_followed(&api);
}

#[test]
fn a_profile_names_the_server_its_tenant_and_namespace_prefix_and_reads_retry() {
    let api = KestraApi::start(Line::V1_3);
    let toml = format!(
        "[server.local]\nurl = \"{}\"\nnamespace-prefix = \"dev\"\n",
        api.url
    );
    let dir = project(&[("kflow.toml", &toml), ("hello.yml", HELLO)]);
    // A server error on the first read and a slow answer: reads are retried, then it works.
    api.inject(Fault::Status {
        method: "GET",
        path: "/api/v1/configs",
        status: 503,
    });
    api.inject(Fault::Slow {
        method: "GET",
        path: "/flows/dev.company.team/hello",
        delay: Duration::from_millis(300),
    });
    let (code, out, err) = run(kflow()
        .arg("deploy")
        .arg(dir.path().join("hello.yml"))
        .args(["--server", "local"]));
    assert_eq!(code, 0, "{out}{err}");
    let (source, _) = api
        .flow("dev.company.team", "hello")
        .expect("deployed with the prefix");
    assert!(source.contains("namespace: dev.company.team\n"), "{source}");
    let (code, _, err) = run(kflow()
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", "nope"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("no [server.nope]") && err.contains("it names local"),
        "{err}"
    );
    assert_spec_followed(&api);
}

/// The lines of a plain run that show tasks and logs, durations removed.
fn progress_lines(out: &str) -> Vec<String> {
    out.lines()
        .take_while(|l| !l.starts_with("execution ") && !l.starts_with("outputs:"))
        .map(|l| match l.find(" (") {
            Some(i) if l.ends_with(')') => l[..i].to_string(),
            _ => l.to_string(),
        })
        .collect()
}

#[test]
fn a_server_run_prints_like_a_local_run_and_passes_its_inputs() {
    for line in LINES {
        let api = KestraApi::start(line);
        let dir = project(&[("hello.yml", HELLO)]);
        let flow = dir.path().join("hello.yml");
        let (code, remote, err) = run(kflow().arg("run").arg(&flow).args([
            "--input",
            "name=World",
            "--progress",
            "plain",
            "--server",
            &api.url,
        ]));
        assert_eq!(code, 0, "{line:?} {remote}{err}");
        let (code, local, err) = run(kflow().arg("run").arg(&flow).args([
            "--input",
            "name=World",
            "--progress",
            "plain",
        ]));
        assert_eq!(code, 0, "{local}{err}");
        assert_eq!(
            progress_lines(&remote),
            progress_lines(&local),
            "{line:?}\n{remote}\n{local}"
        );
        assert!(remote.contains("  INFO greet: Hello World\n"), "{remote}");
        assert!(remote.contains("SUCCESS\n"), "{remote}");
        let executions = api.executions();
        assert_eq!(executions.len(), 1);
        assert_eq!(executions[0].0, "SUCCESS");
        assert_eq!(executions[0].1["name"], "World");
        assert_spec_followed(&api);
    }
}

#[test]
fn file_inputs_go_as_files_and_output_files_come_back() {
    for line in LINES {
        let api = KestraApi::start(line);
        let flow = "id: files\nnamespace: company.team\ninputs:\n  - id: data\n    type: FILE\ntasks:\n  - id: write\n    type: io.kestra.plugin.core.storage.Write\n    content: result\n    extension: .txt\n";
        let dir = project(&[("files.yml", flow), ("data.csv", "a,b\n1,2\n")]);
        let outputs = dir.path().join("out");
        let (code, out, err) = run(kflow()
            .arg("run")
            .arg(dir.path().join("files.yml"))
            .arg("--input")
            .arg(format!("data={}", dir.path().join("data.csv").display()))
            .args(["--server", &api.url, "--outputs"])
            .arg(&outputs));
        assert_eq!(code, 0, "{line:?} {out}{err}");
        let executions = api.executions();
        let uri = executions[0].1["data"].as_str().unwrap().to_string();
        assert!(
            uri.starts_with("kestra:///") && uri.ends_with("/data.csv"),
            "{uri}"
        );
        assert_eq!(api.file(&uri).as_deref(), Some(&b"a,b\n1,2\n"[..]));
        let written = outputs.join("write").join("out.txt");
        assert_eq!(
            std::fs::read_to_string(&written).unwrap(),
            "result",
            "{line:?}"
        );
        assert!(out.contains("output file:"), "{out}");
        assert_spec_followed(&api);
    }
}

#[test]
fn json_is_the_record_a_local_run_prints_and_a_failed_execution_exits_1() {
    let flow = "id: fails\nnamespace: company.team\ntasks:\n  - id: say\n    type: io.kestra.plugin.core.log.Log\n    message: before\n  - id: boom\n    type: io.kestra.plugin.core.execution.Fail\n";
    let dir = project(&[("fails.yml", flow)]);
    let (code, local, err) = run(kflow()
        .arg("run")
        .arg(dir.path().join("fails.yml"))
        .args(["--format", "json"]));
    assert_eq!(code, 1, "{local}{err}");
    let local: serde_json::Value = serde_json::from_str(&local).unwrap();
    let shape = |record: &serde_json::Value| {
        let keys: Vec<String> = record.as_object().unwrap().keys().cloned().collect();
        let runs: Vec<(String, String)> = record["taskRuns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["taskId"].as_str().unwrap().into(),
                    r["state"].as_str().unwrap().into(),
                )
            })
            .collect();
        let logs: Vec<String> = record["logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{} {}", l["level"], l["message"]))
            .collect();
        (keys, record["state"].clone(), runs, logs)
    };
    for line in LINES {
        let api = KestraApi::start(line);
        let (code, out, err) = run(kflow()
            .arg("run")
            .arg(dir.path().join("fails.yml"))
            .args(["--server", &api.url, "--format", "json"]));
        assert_eq!(code, 1, "{out}{err}");
        let remote: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(remote["state"], "FAILED");
        assert_eq!(
            shape(&remote),
            shape(&local),
            "{line:?}\n{remote:#}\n{local:#}"
        );
        assert_spec_followed(&api);
    }
}

#[test]
fn dropped_event_streams_are_reopened_without_a_duplicated_line() {
    for line in LINES {
        let api = KestraApi::start(line);
        let mut flow = String::from("id: many\nnamespace: company.team\ntasks:\n");
        for n in 0..6 {
            flow.push_str(&format!(
                "  - id: t{n}\n    type: io.kestra.plugin.core.log.Log\n    message: line {n}\n"
            ));
        }
        let dir = project(&[("many.yml", &flow)]);
        api.inject(Fault::DropStream {
            path: "/logs/",
            after: 2,
        });
        api.inject(Fault::DropStream {
            path: "/logs/",
            after: 4,
        });
        api.inject(Fault::DropStream {
            path: "/follow",
            after: 3,
        });
        let (code, out, err) = run(kflow().arg("run").arg(dir.path().join("many.yml")).args([
            "--server",
            &api.url,
            "--progress",
            "plain",
        ]));
        assert_eq!(code, 0, "{out}{err}");
        for n in 0..6 {
            let log = format!("  INFO t{n}: line {n}\n");
            assert_eq!(out.matches(&log).count(), 1, "{line:?} {log:?} in\n{out}");
            assert_eq!(out.matches(&format!("\nt{n} SUCCESS")).count(), 1, "{out}");
        }
        let follows = api
            .requests()
            .iter()
            .filter(|r| r.ends_with("/follow"))
            .count();
        // The execution's stream was cut after 3 of its many events: it was opened again.
        assert!(follows >= 3, "{:?}", api.requests());
        assert_spec_followed(&api);
    }
}

#[test]
fn ctrl_c_kills_the_execution_on_the_server() {
    for line in LINES {
        let api = KestraApi::start(line);
        let flow = "id: long\nnamespace: company.team\ntasks:\n  - id: start\n    type: io.kestra.plugin.core.log.Log\n    message: started\n  - id: wait\n    type: io.kestra.plugin.core.flow.Sleep\n    duration: PT1H\n";
        let dir = project(&[("long.yml", flow)]);
        let mut child = kflow()
            .arg("run")
            .arg(dir.path().join("long.yml"))
            .args(["--server", &api.url, "--progress", "plain"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut seen = String::new();
        while !seen.contains("wait RUNNING") {
            let mut l = String::new();
            assert!(reader.read_line(&mut l).unwrap() > 0, "ended early: {seen}");
            seen.push_str(&l);
        }
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(1), "{seen}{rest}");
        assert!(rest.contains("wait KILLED"), "{rest}");
        assert!(rest.contains("KILLED\n"), "{rest}");
        assert_eq!(api.executions()[0].0, "KILLED", "{line:?}");
        let kill = match line {
            Line::V1_3 => "DELETE /api/v1/main/executions/exec1/kill",
            Line::V2_0 => "DELETE /api/v1/main/executions/exec1/actions/kill",
        };
        assert!(
            api.requests().iter().any(|r| r == kill),
            "{:?}",
            api.requests()
        );
        assert_spec_followed(&api);
    }
}

#[test]
fn a_write_left_unanswered_is_reported_as_maybe_applied() {
    let api = KestraApi::start(Line::V1_3);
    let dir = project(&[("hello.yml", HELLO)]);
    api.inject(Fault::Slow {
        method: "POST",
        path: "/api/v1/main/flows",
        delay: Duration::from_millis(2000),
    });
    let (code, out, err) = run(kflow()
        .env("KFLOW_SERVER_TIMEOUT", "0.3")
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", &api.url]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("failed company.team.hello"), "{out}");
    assert!(
        out.contains("the server may still apply the change"),
        "{out}"
    );
    assert_spec_followed(&api);
}

#[test]
fn errors_on_the_server_side_are_clear() {
    let api = KestraApi::start(Line::V1_3);
    let dir = project(&[("hello.yml", HELLO)]);
    api.inject(Fault::Status {
        method: "POST",
        path: "/executions/company.team/hello",
        status: 404,
    });
    let (code, _, err) = run(kflow()
        .arg("run")
        .arg(dir.path().join("hello.yml"))
        .args(["--server", &api.url, "-i", "name=x"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot start company.team.hello: 404"),
        "{err}"
    );
    // Local-run options have no meaning on a server.
    let (code, _, err) = run(kflow().arg("run").arg(dir.path().join("hello.yml")).args([
        "--server",
        &api.url,
        "--secrets",
        "s.env",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
    let (code, _, err) = run(kflow()
        .arg("deploy")
        .arg(dir.path())
        .args(["--server", "http://127.0.0.1:9"]));
    assert_eq!(code, 2);
    assert!(err.contains("127.0.0.1:9"), "{err}");
}

#[test]
fn lint_adds_the_servers_validation_at_the_property_it_names() {
    for line in LINES {
        let api = KestraApi::start(line);
        let custom = "id: custom\nnamespace: company.team\ntasks:\n  - id: call\n    type: com.acme.Custom\n    timeout: PT1M\n";
        let dir = project(&[("custom.yml", custom), ("hello.yml", HELLO)]);
        let (code, out, err) = run(kflow()
            .arg("lint")
            .arg(dir.path())
            .args(["--format", "json", "--server", &api.url]));
        let json: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        let server: Vec<&serde_json::Value> = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "server-validation")
            .collect();
        assert_eq!(server.len(), 1, "{line:?} {out}");
        assert!(
            server[0]["message"]
                .as_str()
                .unwrap()
                .contains("tasks[0].endpoint: must not be null"),
            "{out}"
        );
        assert_eq!(server[0]["line"], 4, "{out}");
        assert_eq!(code, 1, "{out}");
        let validated = api
            .requests()
            .iter()
            .filter(|r| r.ends_with("/flows/validate"))
            .count();
        assert_eq!(validated, 2);
        assert_spec_followed(&api);
    }
}

#[test]
fn the_stand_in_rejects_what_the_specification_does_not_have() {
    // The checks the other tests rely on: 2.0 has no `executions/trigger` and no `…/kill`;
    // a missing or wrong content type is refused too.
    use std::io::{Read, Write};
    let api = KestraApi::start(Line::V2_0);
    let addr = api.url.trim_start_matches("http://").to_string();
    let status = |request: &str| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer.split(' ').nth(1).unwrap_or("").to_string()
    };
    assert_eq!(
        status("POST /api/v1/main/executions/trigger/a/b HTTP/1.1\r\ncontent-length: 0\r\n\r\n"),
        "400"
    );
    assert_eq!(
        status("DELETE /api/v1/main/executions/e/kill HTTP/1.1\r\n\r\n"),
        "400"
    );
    assert_eq!(status("POST /api/v1/main/flows HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"), "400");
    assert_eq!(status("GET /api/v1/main/flows/a/b HTTP/1.1\r\n\r\n"), "401");
    assert_eq!(api.violations().len(), 3, "{:?}", api.violations());
    assert!(api.violations()[0]
        .contains("no such operation in the Kestra 2.0.0-SNAPSHOT specification"));
}
