use std::time::{Duration, Instant};

use super::*;
use crate::storage::{ExecutionKey, Storage, TaskRunKey};
use crate::task::CollectLog;
use crate::testutil::TempDir;

struct Fixture {
    dir: TempDir,
    storage: Storage,
    key: TaskRunKey,
    runner: ScriptEnv,
}

fn fixture() -> Fixture {
    let dir = TempDir::new("scripts");
    let storage = Storage::open(dir.path().join("storage")).unwrap();
    let key = TaskRunKey {
        execution: ExecutionKey {
            namespace: "company.team".into(),
            flow_id: "scripts".into(),
            execution_id: "E1".into(),
        },
        task_id: "run".into(),
        task_run_id: "TR1".into(),
    };
    let runner = ScriptEnv {
        cache_dir: dir.path().join("cache"),
        python: "python3".into(),
        namespace: "company.team".into(),
    };
    Fixture {
        dir,
        storage,
        key,
        runner,
    }
}

async fn run(f: &Fixture, spec: &ScriptSpec, log: &CollectLog) -> Result<ScriptOutput, TaskError> {
    let workdir = WorkingDir::create(&f.dir.path().join("work")).unwrap();
    run_script(spec, &workdir, &f.runner, &f.storage, &f.key, log).await
}

/// True when the tool runs here; tests needing it are skipped (with a note) otherwise.
fn available(argv: &[&str]) -> bool {
    let ok = std::process::Command::new(argv[0])
        .args(&argv[1..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "skipped: `{}` is not available on this machine",
            argv.join(" ")
        );
    }
    ok
}

fn has(log: &CollectLog, level: Level, text: &str) -> bool {
    log.lines()
        .iter()
        .any(|(l, m)| *l == level && m.contains(text))
}

#[tokio::test]
async fn shell_commands_protocol_env_and_levels() {
    let f = fixture();
    let log = CollectLog::default();
    let mut spec = ScriptSpec::new(ScriptKind::ShellCommands(vec![
        "echo hello $GREETING".into(),
        "echo to-stderr >&2".into(),
        r#"echo '::{"outputs":{"n":3,"s":"x"},"metrics":[{"name":"rows","type":"counter","value":2}]}::'"#.into(),
        r#"echo '::{"outputs":{"n":4},"logs":[{"level":"WARN","message":"careful"}]}::'"#.into(),
        "test -d \"$WORKING_DIR\" && test -d \"$OUTPUT_DIR\" && echo dirs-ok".into(),
    ]));
    spec.env = vec![("GREETING".into(), "world".into())];
    spec.before_commands = vec!["echo before".into()];
    spec.container_image = Some("ubuntu".into());
    let out = run(&f, &spec, &log).await.unwrap();
    assert_eq!(out.state, ScriptState::Success);
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.vars["n"], 4, "later lines overwrite");
    assert_eq!(out.vars["s"], "x");
    assert_eq!(out.metrics[0].name, "rows");
    assert!(has(&log, Level::Info, "hello world"));
    assert!(has(&log, Level::Error, "to-stderr"));
    assert!(has(&log, Level::Warn, "careful"));
    assert!(has(&log, Level::Info, "before"));
    assert!(has(&log, Level::Info, "dirs-ok"));
    assert!(has(&log, Level::Info, "containerImage 'ubuntu' ignored"));
    assert!(!log.lines().iter().any(|(_, m)| m.starts_with("::")));
}

#[tokio::test]
async fn failures_keep_outputs_and_fail_fast_stops() {
    let f = fixture();
    let log = CollectLog::default();
    let mut spec = ScriptSpec::new(ScriptKind::ShellCommands(vec![
        r#"echo '::{"outputs":{"partial":true}}::'"#.into(),
        "echo data > out.txt".into(),
        "false".into(),
        "echo after-false".into(),
    ]));
    spec.output_files = vec!["out.txt".into()];
    let out = run(&f, &spec, &log).await.unwrap();
    assert_eq!(out.state, ScriptState::Failed);
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        out.error.as_deref(),
        Some("Command failed with exit code 1")
    );
    assert_eq!(out.vars["partial"], true);
    assert!(out.output_files.contains_key("out.txt"));
    assert!(!has(&log, Level::Info, "after-false"));
    spec.fail_fast = false;
    let log = CollectLog::default();
    let out = run(&f, &spec, &log).await.unwrap();
    assert_eq!(out.state, ScriptState::Success);
    assert!(has(&log, Level::Info, "after-false"));
}

#[tokio::test]
async fn python_script_prelude_and_output_globs() {
    let f = fixture();
    let log = CollectLog::default();
    let script = r#"
import json, os
flag = true
nothing = null
os.makedirs("out/deep", exist_ok=True)
for name in ["top.csv", "out/a.csv", "out/deep/b.csv", "note.txt", "report 1.txt"]:
    with open(name, "w") as f:
        f.write(name)
print("::" + json.dumps({"outputs": {"flag": flag, "nothing": nothing}}) + "::")
"#;
    let mut spec = ScriptSpec::new(ScriptKind::PythonScript(script.into()));
    spec.output_files = vec!["*.csv".into(), "**/*.csv".into(), "report 1.txt".into()];
    let out = run(&f, &spec, &log).await.unwrap();
    assert_eq!(out.state, ScriptState::Success, "{:?}", log.lines());
    assert_eq!(out.vars["flag"], true);
    assert_eq!(out.vars["nothing"], serde_json::Value::Null);
    let keys: Vec<&str> = out.output_files.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        vec!["out/a.csv", "out/deep/b.csv", "report 1.txt", "top.csv"]
    );
    let uri = &out.output_files["out/a.csv"];
    assert!(uri.starts_with("kestra:///company/team/scripts/executions/E1/tasks/run/TR1/"));
    assert!(uri.ends_with("-a.csv"));
    assert!(out.output_files["report 1.txt"].ends_with("-report+1.txt"));
    assert_eq!(f.storage.read(uri).await.unwrap(), b"out/a.csv");
}

#[tokio::test]
async fn node_script_and_shell_script() {
    if !available(&["node", "--version"]) {
        return;
    }
    let f = fixture();
    let log = CollectLog::default();
    let spec = ScriptSpec::new(ScriptKind::NodeScript(
        "console.log('::' + JSON.stringify({outputs: {sum: 1 + 2}}) + '::'); console.error('warned');".into(),
    ));
    let out = run(&f, &spec, &log).await.unwrap();
    assert_eq!(out.state, ScriptState::Success, "{:?}", log.lines());
    assert_eq!(out.vars["sum"], 3);
    assert!(has(&log, Level::Error, "warned"));
    let spec = ScriptSpec::new(ScriptKind::ShellScript("x=5\necho \"value $x\"".into()));
    let log = CollectLog::default();
    run(&f, &spec, &log).await.unwrap();
    assert!(has(&log, Level::Info, "value 5"));
}

#[tokio::test]
async fn input_files_and_namespace_files() {
    let f = fixture();
    let stored = "kestra:///company/team/scripts/executions/E1/inputs/data/in.csv";
    f.storage.put_bytes(stored, b"a,b\n").await.unwrap();
    f.storage
        .put_bytes(
            "kestra:///company/team/_files/scripts/helper.sh",
            b"echo helper-ran",
        )
        .await
        .unwrap();
    f.storage
        .put_bytes("kestra:///company/team/_files/skip.sql", b"select 1")
        .await
        .unwrap();
    let log = CollectLog::default();
    let mut spec = ScriptSpec::new(ScriptKind::ShellCommands(vec![
        "cat sub/dir/inline.txt".into(),
        "cat stored.csv".into(),
        "sh scripts/helper.sh".into(),
        "cat ns.sh".into(),
        "test ! -e skip.sql && echo no-sql".into(),
    ]));
    spec.input_files = vec![
        ("sub/dir/inline.txt".into(), "inline content".into()),
        ("stored.csv".into(), stored.into()),
        ("ns.sh".into(), "nsfile:///scripts/helper.sh".into()),
    ];
    spec.namespace_files = Some(NamespaceFiles {
        include: vec!["scripts/**".into()],
        exclude: Vec::new(),
        namespaces: vec!["company.team".into()],
    });
    let out = run(&f, &spec, &log).await.unwrap();
    assert_eq!(out.state, ScriptState::Success, "{:?}", log.lines());
    for expected in [
        "inline content",
        "a,b",
        "helper-ran",
        "echo helper-ran",
        "no-sql",
    ] {
        assert!(
            has(&log, Level::Info, expected),
            "{expected}: {:?}",
            log.lines()
        );
    }
    for bad in ["../escape.txt", "/etc/evil", "a/../../x"] {
        let mut spec = ScriptSpec::new(ScriptKind::ShellCommands(vec!["true".into()]));
        spec.input_files = vec![(bad.into(), "x".into())];
        let err = run(&f, &spec, &log).await.unwrap_err();
        assert!(err.message.contains("refused"), "{bad}: {err}");
    }
    assert!(!f.dir.path().join("escape.txt").exists());
}

#[cfg(unix)]
#[tokio::test]
async fn output_files_do_not_follow_symlinks_out() {
    let f = fixture();
    let secret = f.dir.path().join("secret.txt");
    std::fs::write(&secret, "secret").unwrap();
    let log = CollectLog::default();
    let mut spec = ScriptSpec::new(ScriptKind::ShellCommands(vec![
        format!("ln -s {} link.txt", secret.display()),
        format!("ln -s {} linkdir", f.dir.path().display()),
        "echo mine > mine.txt".into(),
    ]));
    spec.output_files = vec!["*.txt".into(), "**".into()];
    let out = run(&f, &spec, &log).await.unwrap();
    let keys: Vec<&str> = out.output_files.keys().map(String::as_str).collect();
    assert!(keys.contains(&"mine.txt"), "{keys:?}");
    assert!(keys.iter().all(|k| !k.starts_with("link")), "{keys:?}");
    // The script file itself is never a match of *.txt.
    assert!(keys.iter().all(|k| !k.ends_with(".py")));
}

#[cfg(unix)]
#[tokio::test]
async fn timeout_kills_the_whole_process_tree() {
    let f = fixture();
    let log = CollectLog::default();
    let mut spec = ScriptSpec::new(ScriptKind::ShellCommands(vec![
        "sleep 30 &".into(),
        "echo child=$!".into(),
        "sleep 30".into(),
    ]));
    spec.timeout = Some(Duration::from_millis(700));
    let started = Instant::now();
    let out = run(&f, &spec, &log).await.unwrap();
    // Far below the children's 30 s: the timeout, not the children, ended the run.
    assert!(started.elapsed() < Duration::from_secs(25));
    assert_eq!(out.state, ScriptState::Failed);
    assert!(
        out.error
            .as_deref()
            .unwrap()
            .contains("timed out after PT0.7S"),
        "{:?}",
        out.error
    );
    let child: u32 = log
        .lines()
        .iter()
        .find_map(|(_, m)| m.strip_prefix("child=").and_then(|p| p.parse().ok()))
        .expect("child pid logged");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = std::fs::read_to_string(format!("/proc/{child}/status")).unwrap_or_default();
    assert!(
        status.is_empty() || status.contains("State:\tZ"),
        "background child still alive: {status}"
    );
}

#[tokio::test]
async fn command_line_like_kestra() {
    let mut spec = ScriptSpec::new(ScriptKind::ShellCommands(vec![]));
    spec.before_commands = vec!["b1".into()];
    assert_eq!(
        command_line(&spec, &["c1".into(), "c2".into()]),
        vec!["/bin/sh", "-c", "set -e\nb1\nc1\nc2"]
    );
    spec.fail_fast = false;
    spec.interpreter = vec!["/bin/bash".into(), "-c".into()];
    assert_eq!(
        command_line(&spec, &["c".into()]),
        vec!["/bin/bash", "-c", "b1\nc"]
    );
}

/// Builds a tiny wheel with Python's zipfile (no network, no build backend).
fn build_wheel(dir: &std::path::Path) -> String {
    let script = r#"
import sys, zipfile, base64, hashlib
out = sys.argv[1]
files = {
    "kflowdemo/__init__.py": "VALUE = 42\n",
    "kflowdemo-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: kflowdemo\nVersion: 0.1\n",
    "kflowdemo-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: kflow-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
with zipfile.ZipFile(out, "w") as z:
    for name, content in files.items():
        data = content.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("kflowdemo-0.1.dist-info/RECORD,,")
    z.writestr("kflowdemo-0.1.dist-info/RECORD", "\n".join(record) + "\n")
"#;
    let wheel = dir.join("kflowdemo-0.1-py3-none-any.whl");
    let status = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&wheel)
        .status()
        .unwrap();
    assert!(status.success());
    wheel.to_string_lossy().into_owned()
}

#[tokio::test]
async fn python_dependencies_in_a_cached_venv() {
    if !available(&["python3", "-m", "venv", "--help"]) {
        return;
    }
    let f = fixture();
    let wheel = build_wheel(f.dir.path());
    let mut spec = ScriptSpec::new(ScriptKind::PythonScript(
        "import kflowdemo, sys\nprint('::{\"outputs\":{\"v\":%d,\"venv\":\"%s\"}}::' % (kflowdemo.VALUE, sys.prefix))".into(),
    ));
    spec.dependencies = vec![wheel.clone()];
    // Two concurrent first runs: one builds, the other waits on the lock and reuses it.
    let (log_a, log_b) = (CollectLog::default(), CollectLog::default());
    let started = Instant::now();
    let (a, b) = tokio::join!(run(&f, &spec, &log_a), run(&f, &spec, &log_b));
    let first = started.elapsed();
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.state, ScriptState::Success, "{:?}", log_a.lines());
    assert_eq!(b.state, ScriptState::Success, "{:?}", log_b.lines());
    assert_eq!(a.vars["v"], 42);
    assert_eq!(a.vars["venv"], b.vars["venv"]);
    let venvs = std::fs::read_dir(f.runner.cache_dir.join("python"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .count();
    assert_eq!(venvs, 1);
    let started = Instant::now();
    let log = CollectLog::default();
    let again = run(&f, &spec, &log).await.unwrap();
    let second = started.elapsed();
    assert_eq!(again.vars["venv"], a.vars["venv"]);
    eprintln!("venv: first (two concurrent runs) {first:?}, second {second:?}");
    // The same environment is reused (its path is the same and no second venv exists); how
    // much faster that is goes to benches, not to assertions.
    assert!(second < Duration::from_secs(2), "{second:?}");
    // Order and duplicates do not change the key.
    assert_eq!(
        cache_key(&["b".into(), "a".into()]),
        cache_key(&["a".into(), "b".into(), "a".into()])
    );
}

#[tokio::test]
async fn node_dependencies_in_a_cached_folder() {
    if !available(&["npm", "--version"]) {
        return;
    }
    let f = fixture();
    // A local package: npm links it without the registry.
    let pkg = f.dir.path().join("kflowdemo");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        pkg.join("package.json"),
        r#"{"name":"kflowdemo","version":"0.1.0","main":"index.js"}"#,
    )
    .unwrap();
    std::fs::write(pkg.join("index.js"), "module.exports = { value: 42 };").unwrap();
    let mut spec = ScriptSpec::new(ScriptKind::NodeScript(
        "const d = require('kflowdemo'); console.log('::' + JSON.stringify({outputs: {v: d.value}}) + '::');".into(),
    ));
    spec.dependencies = vec![pkg.to_string_lossy().into_owned()];
    let log = CollectLog::default();
    let out = run(&f, &spec, &log).await.unwrap();
    assert_eq!(out.state, ScriptState::Success, "{:?}", log.lines());
    assert_eq!(out.vars["v"], 42);
    let again = run(&f, &spec, &CollectLog::default()).await.unwrap();
    assert_eq!(again.vars["v"], 42);
}
