//! Runs one command line as a local process in its own process group, streaming stdout and
//! stderr line by line. A timeout, or the caller dropping the future, kills the whole group
//! (the shell and everything it started).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

pub enum ProcessEnd {
    Exited(i32),
    /// Killed by a signal (number).
    Signaled(i32),
    TimedOut,
}

/// Kills the process group on drop unless disarmed.
struct GroupGuard {
    pgid: Option<i32>,
}

impl GroupGuard {
    fn kill(&mut self) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid.take() {
            // SAFETY: plain syscall on a process group id we created; errors are ignored
            // (the group may already be gone).
            #[allow(unsafe_code)]
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
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
    let mut guard = GroupGuard {
        pgid: child.id().map(|id| id as i32),
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, bool)>();
    let readers = [
        child
            .stdout
            .take()
            .map(|s| spawn_reader(s, false, tx.clone())),
        child
            .stderr
            .take()
            .map(|s| spawn_reader(s, true, tx.clone())),
    ];
    drop(tx);
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
    for reader in readers.into_iter().flatten() {
        reader.abort();
    }
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
    rx: &mut mpsc::UnboundedReceiver<(String, bool)>,
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

fn spawn_reader<R>(
    stream: R,
    is_stderr: bool,
    tx: mpsc::UnboundedSender<(String, bool)>,
) -> tokio::task::JoinHandle<()>
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let mut reader = BufReader::new(stream);
        let mut raw = Vec::new();
        loop {
            raw.clear();
            match reader.read_until(b'\n', &mut raw).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&raw);
                    let line = line.trim_end_matches('\n').trim_end_matches('\r');
                    if tx.send((line.to_string(), is_stderr)).is_err() {
                        return;
                    }
                }
            }
        }
    })
}
