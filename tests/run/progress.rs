//! How `kflow run` shows progress: the live view under a pseudo-terminal (Python's `pty`
//! module runs the binary on one, sized 100×30), plain lines through a pipe or with
//! `--progress plain`, `NO_COLOR`, and a Ctrl-C that leaves the terminal clean.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::server::{kflow, TempDir};

/// A Log, a Sleep, a ForEach over a shell task, and a failing task allowed to fail after a
/// retry half a second later: every kind of row the view draws (loop values, attempts,
/// WARNING), each state lasting a few frames.
const FLOW: &str = r#"id: progress
namespace: t.progress
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello from the flow
  - id: nap
    type: io.kestra.plugin.core.flow.Sleep
    duration: PT0.6S
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    values: ["alpha", "beta"]
    tasks:
      - id: shout
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - echo "value {{ taskrun.value }}"
          - sleep 0.4
  - id: broken
    type: io.kestra.plugin.core.execution.Fail
    allowFailure: true
    retry:
      type: constant
      interval: PT0.5S
      maxAttempts: 2
outputs:
  - id: greeting
    type: STRING
    value: hi
"#;

/// The plain lines of [`FLOW`], durations written `(…)`, the execution id `ID`.
const PLAIN: &str = "hello RUNNING
  INFO hello: hello from the flow
hello SUCCESS (…)
nap RUNNING
nap SUCCESS (…)
each RUNNING
  shout [alpha] RUNNING
    INFO shout: value alpha
  shout [alpha] SUCCESS (…)
  shout [beta] RUNNING
    INFO shout: value beta
  shout [beta] SUCCESS (…)
each SUCCESS (…)
broken RUNNING
  WARN broken: attempt 1 failed: Task failure; retrying in PT0.5S
broken RETRYING
broken RUNNING
  ERROR broken: Task failure
broken WARNING (…)
outputs:
  greeting  hi
execution ID WARNING
record: RECORD
";

const TASKS: [&str; 5] = ["hello", "nap", "each", "shout", "broken"];
const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

/// Runs argv[1:] on a new pseudo-terminal and prints all it wrote; exits with its status
/// (128 + the signal when killed). With PTY_INTERRUPT_WHEN, sends SIGINT half a second after
/// that file appears. Kills it past PTY_DEADLINE seconds.
const PTY: &str = r#"
import errno, fcntl, os, pty, select, signal, struct, sys, termios, time
deadline = time.monotonic() + float(os.environ.pop("PTY_DEADLINE", "120"))
marker = os.environ.pop("PTY_INTERRUPT_WHEN", "")
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    os.execv(sys.argv[1], sys.argv[1:])
out = bytearray()
interrupted = False
seen = None
status = None
while time.monotonic() < deadline:
    if marker and seen is None and os.path.exists(marker):
        seen = time.monotonic()
    # Half a second later: a few frames with the task running have been drawn by then.
    if seen is not None and not interrupted and time.monotonic() > seen + 0.5:
        os.kill(pid, signal.SIGINT)
        interrupted = True
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            data = os.read(fd, 65536)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if not data:
            break
        out += data
    elif status is None:
        done, now = os.waitpid(pid, os.WNOHANG)
        if done:
            status = now
    else:
        break
else:
    os.kill(pid, signal.SIGKILL)
    sys.stderr.write("pty: deadline passed\n")
if status is None:
    _, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(bytes(out))
sys.stdout.flush()
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"#;

/// What a run printed and its exit code.
struct Ran {
    code: i32,
    text: String,
}

/// `kflow run FLOW` (in `dir`) on a pseudo-terminal, with `envs` (`None` removes one).
#[cfg(unix)]
fn under_pty(dir: &Path, extra: &[&str], envs: &[(&str, Option<&str>)]) -> Ran {
    let flow = dir.join("flow.yaml");
    let storage = dir.join("storage");
    // The binary and the environment the suite gives it, on the pseudo-terminal.
    let base = crate::support::kflow();
    let mut command = Command::new("python3");
    command
        .arg("-c")
        .arg(PTY)
        .arg(base.get_program())
        .arg("run")
        .arg(&flow)
        .arg("--storage")
        .arg(&storage)
        .args(extra)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env("PTY_DEADLINE", "120")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => command.env(k, v),
            None => command.env_remove(k),
        };
    }
    for (k, v) in envs {
        match v {
            Some(v) => command.env(k, v),
            None => command.env_remove(k),
        };
    }
    let mut child = command.spawn().expect("python3 starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).ok();
        v
    });
    let until = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            panic!("kflow run on a pseudo-terminal did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = String::from_utf8_lossy(&out.join().unwrap()).replace("\r\n", "\n");
    let said = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    assert!(said.is_empty(), "pty harness: {said}\noutput:\n{text}");
    Ran {
        code: status.code().unwrap_or(-1),
        text,
    }
}

fn write_flow(name: &str, flow: &str) -> TempDir {
    let dir = TempDir::new(name);
    std::fs::write(dir.path().join("flow.yaml"), flow).unwrap();
    dir
}

/// The text without its escape sequences (`ESC [` … final byte).
fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How many colour (SGR, `ESC [ … m`) sequences the text holds.
fn colour_sequences(text: &str) -> usize {
    text.split("\x1b[")
        .skip(1)
        .filter(|rest| {
            let end = rest.find(|c: char| ('@'..='~').contains(&c));
            end.is_some_and(|e| rest[e..].starts_with('m'))
        })
        .count()
}

/// Whether the text moves the cursor up (the live view's redraw).
fn moves_cursor_up(text: &str) -> bool {
    text.split("\x1b[").skip(1).any(|rest| {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with('A')
    })
}

/// Plain output with durations, the execution id and the record path made constant.
fn normalized(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = if let Some(rest) = line.strip_prefix("execution ") {
            let state = rest.split_whitespace().nth(1).unwrap_or("");
            format!("execution ID {state}")
        } else if line.starts_with("record: ") {
            "record: RECORD".to_string()
        } else {
            match line.rfind(" (") {
                Some(at) if line.ends_with("ms)") || line.ends_with("s)") => {
                    format!("{} (…)", &line[..at])
                }
                _ => line.to_string(),
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The lines of the final table, split into cells (the text after the last frame).
fn table_rows(text: &str) -> Vec<Vec<String>> {
    let plain = strip_escapes(text);
    let start = plain.rfind("TASK").expect("a table");
    plain[start..]
        .lines()
        .take_while(|l| !l.starts_with("outputs:") && !l.starts_with("execution "))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn through_a_pipe_the_lines_are_plain() {
    let dir = write_flow("progress-pipe", FLOW);
    let flow = dir.path().join("flow.yaml");
    let storage = dir.path().join("storage");
    let out = kflow(
        &[
            "run",
            flow.to_str().unwrap(),
            "--storage",
            storage.to_str().unwrap(),
        ],
        &[],
        Duration::from_secs(120),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        !text.contains('\x1b'),
        "escape sequences in a pipe: {text:?}"
    );
    assert_eq!(normalized(&text), PLAIN);
}

#[cfg(unix)]
#[test]
fn on_a_terminal_the_view_is_live_with_a_table_at_the_end() {
    let dir = write_flow("progress-live", FLOW);
    let ran = under_pty(dir.path(), &[], &[]);
    let text = &ran.text;
    assert_eq!(ran.code, 0, "{text}");
    // Redrawn in place, cursor hidden meanwhile and shown at the end, in colour.
    assert!(moves_cursor_up(text), "{text:?}");
    assert!(text.contains(HIDE_CURSOR), "{text:?}");
    assert!(
        text.rfind(SHOW_CURSOR) > text.rfind(HIDE_CURSOR),
        "cursor left hidden: {text:?}"
    );
    assert!(colour_sequences(text) > 0, "{text:?}");
    // The spinner turns while the Sleep and the shell tasks run.
    let frames = SPINNER.iter().filter(|c| text.contains(**c)).count();
    assert!(frames >= 3, "{frames} spinner frames: {text:?}");
    let plain = strip_escapes(text);
    for task in TASKS {
        assert!(plain.contains(task), "{task} missing: {plain}");
    }
    for shown in [
        "shout [alpha] RUNNING",
        "nap RUNNING",
        "broken RETRYING attempt 2",
        "INFO shout: value alpha",
    ] {
        assert!(plain.contains(shown), "{shown:?} missing: {plain}");
    }
    // The table replaces the last frame: task, value, state, attempts, duration.
    let rows = table_rows(text);
    assert_eq!(
        rows[0],
        ["TASK", "VALUE", "STATE", "ATTEMPTS", "DURATION"],
        "{plain}"
    );
    let cells: Vec<Vec<&str>> = rows[1..]
        .iter()
        .map(|r| {
            let mut r: Vec<&str> = r.iter().map(String::as_str).collect();
            r.pop(); // the duration
            r
        })
        .collect();
    assert_eq!(
        cells,
        [
            vec!["hello", "SUCCESS", "1"],
            vec!["nap", "SUCCESS", "1"],
            vec!["each", "SUCCESS", "1"],
            vec!["shout", "alpha", "SUCCESS", "1"],
            vec!["shout", "beta", "SUCCESS", "1"],
            vec!["broken", "WARNING", "2"],
        ],
        "{plain}"
    );
    assert!(plain.contains("\n  shout  alpha"), "not nested: {plain}");
    for row in &rows[1..] {
        let duration = row.last().unwrap();
        assert!(
            duration.ends_with("ms") || duration.ends_with('s'),
            "{row:?}"
        );
    }
    // Then the outputs and the final state, as in plain mode.
    let tail = &plain[plain.rfind("TASK").unwrap()..];
    assert!(tail.contains("outputs:\n  greeting  hi\n"), "{tail}");
    let last = tail.lines().rev().nth(1).unwrap();
    assert!(
        last.starts_with("execution ") && last.ends_with(" WARNING"),
        "{tail}"
    );
}

#[cfg(unix)]
#[test]
fn no_color_turns_colours_off_on_a_terminal() {
    let dir = write_flow("progress-no-color", FLOW);
    let ran = under_pty(dir.path(), &[], &[("NO_COLOR", Some("1"))]);
    let text = &ran.text;
    assert_eq!(ran.code, 0, "{text}");
    assert_eq!(colour_sequences(text), 0, "{text:?}");
    // Still the live view.
    assert!(moves_cursor_up(text), "{text:?}");
    assert!(strip_escapes(text).contains("ATTEMPTS"), "{text:?}");
}

#[cfg(unix)]
#[test]
fn progress_plain_on_a_terminal_prints_the_plain_lines() {
    let dir = write_flow("progress-plain", FLOW);
    // Coloured state names, nothing else.
    let ran = under_pty(dir.path(), &["--progress", "plain"], &[]);
    assert_eq!(ran.code, 0, "{}", ran.text);
    assert!(colour_sequences(&ran.text) > 0, "{:?}", ran.text);
    assert!(!moves_cursor_up(&ran.text), "{:?}", ran.text);
    assert!(!ran.text.contains(HIDE_CURSOR), "{:?}", ran.text);
    assert_eq!(normalized(&strip_escapes(&ran.text)), PLAIN);
    // Without colours, byte for byte the pipe's lines.
    let ran = under_pty(
        dir.path(),
        &["--progress", "plain"],
        &[("NO_COLOR", Some("1"))],
    );
    assert!(!ran.text.contains('\x1b'), "{:?}", ran.text);
    assert_eq!(normalized(&ran.text), PLAIN);
    // An empty NO_COLOR asks for nothing.
    let ran = under_pty(
        dir.path(),
        &["--progress", "plain"],
        &[("NO_COLOR", Some(""))],
    );
    assert!(colour_sequences(&ran.text) > 0, "{:?}", ran.text);
}

#[cfg(unix)]
#[test]
fn a_dumb_terminal_gets_the_plain_lines() {
    let dir = write_flow("progress-dumb", FLOW);
    let ran = under_pty(dir.path(), &[], &[("TERM", Some("dumb"))]);
    assert!(!ran.text.contains('\x1b'), "{:?}", ran.text);
    assert_eq!(normalized(&ran.text), PLAIN);
}

/// A ForEach of 300 iterations (`range` includes its end) then a failing task: every frame
/// fits the 30-line terminal, the hidden rows are counted, and the table shows its first rows,
/// how many more (by state), and the task that did not succeed.
#[cfg(unix)]
#[test]
fn a_large_loop_keeps_frames_and_table_bounded() {
    let flow = "id: large\nnamespace: t.progress\ntasks:\n  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: \"{{ range(1, 300) }}\"\n    tasks:\n      - id: step\n        type: io.kestra.plugin.core.flow.Sleep\n        duration: PT0.005S\n  - id: fail\n    type: io.kestra.plugin.core.execution.Fail\n    allowFailure: true\n";
    let dir = write_flow("progress-large", flow);
    let ran = under_pty(dir.path(), &[], &[("NO_COLOR", Some("1"))]);
    let text = &ran.text;
    assert_eq!(ran.code, 0, "{text}");
    let table_at = text.rfind("TASK").expect("a table");
    let frames: Vec<&str> = text[..table_at].split("\x1b[J").collect();
    assert!(frames.len() > 3, "{text:?}");
    for frame in &frames {
        let lines = frame.lines().count();
        assert!(lines < 30, "{lines} lines: {frame}");
    }
    assert!(
        frames.iter().any(|f| f.contains(" more")),
        "no hidden rows counted: {text:?}"
    );
    // The first rows, the hidden ones counted by state, and the top-level task after them.
    let rows = table_rows(text);
    assert!(rows.len() <= 1 + 50 + 1, "{} table lines", rows.len());
    let lines: Vec<String> = rows.iter().map(|r| r.join(" ")).collect();
    assert!(lines[1].starts_with("each SUCCESS 1 "), "{lines:#?}");
    let hidden = &lines[lines.len() - 2];
    assert!(
        hidden.starts_with("… ") && hidden.ends_with("more task runs: 271 SUCCESS"),
        "{lines:#?}"
    );
    assert!(
        lines[lines.len() - 1].starts_with("fail WARNING 1 "),
        "{lines:#?}"
    );
}

#[test]
fn progress_live_forces_the_view_into_a_pipe_without_colours() {
    let dir = write_flow("progress-forced", FLOW);
    let flow = dir.path().join("flow.yaml");
    let storage = dir.path().join("storage");
    let out = kflow(
        &[
            "run",
            flow.to_str().unwrap(),
            "--storage",
            storage.to_str().unwrap(),
            "--progress",
            "live",
        ],
        &[],
        Duration::from_secs(120),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(moves_cursor_up(&text), "{text:?}");
    assert_eq!(colour_sequences(&text), 0, "{text:?}");
    assert!(text.contains("ATTEMPTS"), "{text}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_the_last_frame_and_shows_the_cursor_before_saying_so() {
    use crate::support::victim::{self, Script};
    let dir = TempDir::new("progress-ctrl-c");
    let marker = dir.path().join("marker");
    std::fs::write(
        dir.path().join("flow.yaml"),
        victim::flow(Script::Shell, &marker),
    )
    .unwrap();
    let ran = under_pty(
        dir.path(),
        &[],
        &[("PTY_INTERRUPT_WHEN", Some(marker.to_str().unwrap()))],
    );
    let text = &ran.text;
    assert_eq!(ran.code, 1, "{text:?}");
    let said = text
        .find("SIGINT: killing the execution")
        .unwrap_or_else(|| panic!("{text:?}"));
    let before = &text[..said];
    // The cursor came back after the last frame, and that frame was left on the screen: no
    // erase between it and the message.
    let frame = before
        .rfind(HIDE_CURSOR)
        .expect("a frame before the signal");
    let shown = before
        .rfind(SHOW_CURSOR)
        .expect("the cursor shown before the message");
    assert!(shown > frame, "{before:?}");
    let last_frame = &before[before.rfind("\x1b[J").unwrap_or(0)..];
    assert!(
        strip_escapes(last_frame).contains("work RUNNING"),
        "{last_frame:?}"
    );
    assert!(!moves_cursor_up(&before[shown..]), "{before:?}");
    // Then the view goes on below the message and ends with the table and KILLED.
    let after = strip_escapes(&text[said..]);
    assert!(after.contains("ATTEMPTS"), "{after}");
    assert!(
        after
            .trim_end()
            .lines()
            .rev()
            .nth(1)
            .unwrap()
            .ends_with(" KILLED"),
        "{after}"
    );
    assert!(
        text.rfind(SHOW_CURSOR) > text.rfind(HIDE_CURSOR),
        "{text:?}"
    );
    let running = victim::wait_marker(&marker);
    victim::assert_nothing_left(&running);
}
