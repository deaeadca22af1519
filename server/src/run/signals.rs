//! Signals during `kflow run`. SIGINT (Ctrl-C), SIGTERM (what `timeout`, CI cancellation and
//! container stops send) and SIGHUP (a closed terminal) all kill the execution as Kestra's kill
//! does: running tasks stop (their process groups are killed, their work folders removed), the
//! execution ends KILLED and its record is saved. A second signal only says that the run is
//! still stopping; a third kills every process group the run started, removes its work folders
//! and exits at once.

use std::io::Write;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::terminal::Screen;

/// The exit status after the third signal: 128 + the signal's number, as shells report it.
fn exit_status(signal: &str) -> i32 {
    match signal {
        "SIGHUP" => 129,
        "SIGTERM" => 143,
        _ => 130,
    }
}

/// Watches for the signals until aborted; the first sets `cancel`. With the live view on
/// `screen`, each message is written between two frames: the last frame stays, the cursor is
/// shown again (the third signal exits at once, with no frame after it).
pub fn watch(cancel: watch::Sender<bool>, screen: Option<Screen>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let say = |text: &str| match &screen {
            Some(screen) => screen.interrupt(|| say(text)),
            None => say(text),
        };
        let mut signals = match Signals::new() {
            Ok(s) => s,
            Err(e) => {
                say(&format!("warning: cannot watch for signals: {e}"));
                return;
            }
        };
        let mut received = 0;
        while let Some(name) = signals.next().await {
            received += 1;
            match received {
                1 => {
                    say(&format!("{name}: killing the execution…"));
                    let _ = cancel.send(true);
                }
                2 => say(&format!(
                    "{name}: still stopping (saving the record); a third signal exits at once"
                )),
                _ => {
                    kflow_engine::scripts::abort_all();
                    say(&format!("{name}: exiting without the record"));
                    std::process::exit(exit_status(name));
                }
            }
        }
    })
}

/// To stderr, ignoring errors: after SIGHUP the terminal may be gone.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// The next signal's name; `None` once the signal driver is gone.
    async fn next(&mut self) -> Option<&'static str> {
        tokio::select! {
            s = self.int.recv() => s.map(|()| "SIGINT"),
            s = self.term.recv() => s.map(|()| "SIGTERM"),
            s = self.hup.recv() => s.map(|()| "SIGHUP"),
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> std::io::Result<Signals> {
        Ok(Signals)
    }

    async fn next(&mut self) -> Option<&'static str> {
        tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
    }
}
