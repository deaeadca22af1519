//! Runs one command line as a local process in its own process group, streaming stdout and
//! stderr line by line. A timeout, or the caller dropping the future, kills the whole group
//! (the shell and everything it started). Every live group is also listed process-wide, so a
//! front end that must exit at once (a third Ctrl-C) can kill them all first:
//! [`kill_all_groups`].

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

pub enum ProcessEnd {
    Exited(i32),
    /// Killed by a signal (number).
    Signaled(i32),
    TimedOut,
}

/// Lines read ahead of the logging: enough to keep a pipe flowing, few enough to stay small.
const LINE_BACKLOG: usize = 1024;

/// Process groups started by this process and not yet killed.
static LIVE_GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

fn live_groups() -> std::sync::MutexGuard<'static, BTreeSet<i32>> {
    LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Kills every process group a task started that is still alive (scripts, dependency
/// installs). For a front end about to exit without waiting for the engine to unwind.
pub fn kill_all_groups() {
    let groups = std::mem::take(&mut *live_groups());
    for pgid in groups {
        signal_group(pgid);
    }
}

fn signal_group(pgid: i32) {
    #[cfg(unix)]
    {
        // SAFETY: plain syscall on a process group id we created; errors are ignored (the
        // group may already be gone).
        #[allow(unsafe_code)]
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

/// Kills the process group on drop (or on [`GroupGuard::kill`]); listed in the live groups
/// meanwhile.
pub(crate) struct GroupGuard {
    pgid: Option<i32>,
}

impl GroupGuard {
    /// Guards the group led by the process `pid` (spawned with `process_group(0)`).
    pub(crate) fn new(pid: Option<u32>) -> GroupGuard {
        let pgid = pid.and_then(|id| i32::try_from(id).ok());
        if let Some(pgid) = pgid {
            live_groups().insert(pgid);
        }
        GroupGuard { pgid }
    }

    pub(crate) fn kill(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            live_groups().remove(&pgid);
            signal_group(pgid);
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `argv` in `cwd` with `env` added to the inherited environment; each output line is
/// passed to `on_line(line, is_stderr)` as it arrives.
pub async fn run(
    argv: &[String],
    cwd: &Path,
    env: &[(String, String)],
    timeout: Option<Duration>,
    mut on_line: impl FnMut(&str, bool),
) -> std::io::Result<ProcessEnd> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty command line"))?;
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .current_dir(cwd)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    command.process_group(0);
    let mut child = command.spawn()?;
    let mut guard = GroupGuard::new(child.id());
    // Bounded: a command printing faster than its lines are logged waits on its pipe instead of
    // piling lines up in memory.
    let (tx, mut rx) = mpsc::channel::<(String, bool)>(LINE_BACKLOG);
    let reader = spawn_reader(child.stdout.take(), child.stderr.take(), tx);
    let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
    let sleep_until = |deadline: Option<tokio::time::Instant>| async move {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    // Phase 1: lines until the main process exits (or the deadline).
    let status = loop {
        tokio::select! {
            Some((line, is_stderr)) = rx.recv() => on_line(&line, is_stderr),
            status = child.wait() => break Some(status?),
            _ = sleep_until(deadline) => break None,
        }
    };
    let Some(status) = status else {
        guard.kill();
        let _ = child.wait().await;
        drain(&mut rx, &mut on_line, Duration::from_millis(200)).await;
        return Ok(ProcessEnd::TimedOut);
    };
    // Phase 2: what is left in the pipes. Background children that keep them open get a short
    // grace, then the group is killed so the task ends.
    drain(&mut rx, &mut on_line, Duration::from_secs(2)).await;
    guard.kill();
    reader.abort();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Ok(ProcessEnd::Signaled(signal));
        }
    }
    Ok(ProcessEnd::Exited(status.code().unwrap_or(-1)))
}

async fn drain(
    rx: &mut mpsc::Receiver<(String, bool)>,
    on_line: &mut impl FnMut(&str, bool),
    grace: Duration,
) {
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some((line, is_stderr))) => on_line(&line, is_stderr),
            Ok(None) | Err(_) => return,
        }
    }
}

/// One task reads both pipes, so lines are passed on in the order they become readable (two
/// tasks on two worker threads could swap a stdout line and a stderr line written just after
/// it). Order across the two pipes is still the order the kernel hands them over, as in Kestra,
/// which reads them on two threads.
fn spawn_reader<O, E>(
    stdout: Option<O>,
    stderr: Option<E>,
    tx: mpsc::Sender<(String, bool)>,
) -> tokio::task::JoinHandle<()>
where
    O: tokio::io::AsyncRead + Unpin + Send + 'static,
    E: tokio::io::AsyncRead + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut out = stdout.map(BufReader::new);
        let mut err = stderr.map(BufReader::new);
        // Partial lines stay in these buffers when the other pipe wins a round: `read_until`
        // keeps what it read and continues on the next call.
        let (mut out_line, mut err_line) = (Vec::new(), Vec::new());
        while out.is_some() || err.is_some() {
            let passed = tokio::select! {
                r = next_line(&mut out, &mut out_line), if out.is_some() => {
                    let passed = pass_line(r, &mut out_line, false, &tx).await;
                    if passed == Some(false) {
                        out = None;
                    }
                    passed
                }
                r = next_line(&mut err, &mut err_line), if err.is_some() => {
                    let passed = pass_line(r, &mut err_line, true, &tx).await;
                    if passed == Some(false) {
                        err = None;
                    }
                    passed
                }
            };
            if passed.is_none() {
                return;
            }
        }
    })
}

/// Passes on a complete line: `Some(true)` when the pipe stays open, `Some(false)` at its end,
/// `None` when nobody listens any more.
async fn pass_line(
    read: std::io::Result<usize>,
    raw: &mut Vec<u8>,
    is_stderr: bool,
    tx: &mpsc::Sender<(String, bool)>,
) -> Option<bool> {
    match read {
        Ok(0) | Err(_) => Some(false),
        Ok(_) => {
            let line = String::from_utf8_lossy(raw);
            let line = line.trim_end_matches('\n').trim_end_matches('\r');
            let line = line.to_string();
            tx.send((line, is_stderr)).await.ok()?;
            raw.clear();
            Some(true)
        }
    }
}

async fn next_line<R>(pipe: &mut Option<BufReader<R>>, raw: &mut Vec<u8>) -> std::io::Result<usize>
where
    R: tokio::io::AsyncRead + Unpin,
{
    match pipe {
        Some(reader) => reader.read_until(b'\n', raw).await,
        None => Ok(0),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        vec!["/bin/sh".into(), "-c".into(), script.into()]
    }

    #[tokio::test]
    async fn lines_of_both_pipes_keep_their_order() {
        // Lines written a moment apart come out in the order they were written, whichever
        // pipe carries them.
        let script = "for i in 1 2 3 4 5 6 7 8 9 10; do echo out$i; sleep 0.01; echo err$i >&2; sleep 0.01; done";
        let mut lines = Vec::new();
        let end = run(&sh(script), Path::new("."), &[], None, |l, e| {
            lines.push((l.to_string(), e))
        })
        .await
        .unwrap();
        assert!(matches!(end, ProcessEnd::Exited(0)));
        let expected: Vec<(String, bool)> = (1..=10)
            .flat_map(|i| [(format!("out{i}"), false), (format!("err{i}"), true)])
            .collect();
        assert_eq!(lines, expected);
    }

    #[tokio::test]
    async fn a_partial_line_is_not_split_by_the_other_pipe() {
        let script = "printf 'hal'; sleep 0.05; echo oops >&2; sleep 0.05; echo 'f done'";
        let mut lines = Vec::new();
        run(&sh(script), Path::new("."), &[], None, |l, e| {
            lines.push((l.to_string(), e))
        })
        .await
        .unwrap();
        assert_eq!(
            lines,
            [("oops".to_string(), true), ("half done".to_string(), false)]
        );
    }

    // `kill_all_groups` is process-wide: it would kill the other tests' commands here. The
    // end-to-end signal tests (tests/run/signals.rs) exercise it in its own process.
}
