//! The terminal under the live view of `kflow run`: a frame of lines redrawn in place, the
//! cursor hidden meanwhile, and a way for others (the signal watcher) to write between frames.
//!
//! Redrawing moves the cursor up over the last frame and clears to the end of the screen (the
//! VT100 sequences every terminal emulator, and Windows 10's console, understands). That only
//! works if no frame line wraps and the frame fits the screen, so [`Screen::draw`] is given
//! lines already cut to the width and never more lines than the height.
//!
//! Write errors are ignored: a closed terminal (SIGHUP) must not turn the run into a panic.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";
/// From the cursor to the end of the screen.
const CLEAR_BELOW: &str = "\x1b[J";

/// The terminal size in columns and rows; 80×24 when it cannot be known (a pipe under
/// `--progress live`, a pseudo-terminal nobody sized).
pub fn size() -> (usize, usize) {
    let (w, h) = terminal_size::terminal_size()
        .map(|(w, h)| (usize::from(w.0), usize::from(h.0)))
        .unwrap_or((0, 0));
    let w = if w == 0 { env_number("COLUMNS", 80) } else { w };
    let h = if h == 0 { env_number("LINES", 24) } else { h };
    (w.max(20), h.max(5))
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// Whether the terminal on standard output understands escape sequences (cursor moves,
/// colours): not a `dumb` one (Emacs shells, some CI logs); on Windows, a console that takes
/// virtual terminal processing (Windows 10 on), turned on here.
pub fn understands_escapes() -> bool {
    if std::env::var("TERM").is_ok_and(|t| t == "dumb") {
        return false;
    }
    anstyle_query::windows::enable_ansi_colors().unwrap_or(true)
}

/// Standard output as the live view uses it; clones share it.
#[derive(Clone, Default)]
pub struct Screen(Arc<Mutex<Inner>>);

#[derive(Default)]
struct Inner {
    /// Lines of the frame on the screen, below which the cursor sits.
    drawn: usize,
    cursor_hidden: bool,
}

impl Inner {
    fn write(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// The sequence that takes the cursor back to the frame's first line and clears it.
    fn erase(&self, buf: &mut String) {
        if self.drawn > 0 {
            buf.push('\r');
            buf.push_str(&format!("\x1b[{}A", self.drawn));
            buf.push_str(CLEAR_BELOW);
        }
    }

    fn show_cursor(&mut self, buf: &mut String) {
        if self.cursor_hidden {
            buf.push_str(SHOW_CURSOR);
            self.cursor_hidden = false;
        }
    }
}

/// Whatever happens, the cursor comes back: the view may end by a panic or an early return.
impl Drop for Inner {
    fn drop(&mut self) {
        if self.cursor_hidden {
            self.cursor_hidden = false;
            self.write(SHOW_CURSOR);
        }
    }
}

impl Screen {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A printer that panicked mid-frame leaves counts that are still right enough to go on.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the frame on the screen by `lines` (each cut to the width, at most the height).
    pub fn draw(&self, lines: &[String]) {
        let mut inner = self.lock();
        let mut buf = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum::<usize>() + 16);
        if !inner.cursor_hidden {
            buf.push_str(HIDE_CURSOR);
            inner.cursor_hidden = true;
        }
        inner.erase(&mut buf);
        for line in lines {
            buf.push_str(line);
            buf.push('\n');
        }
        inner.drawn = lines.len();
        inner.write(&buf);
    }

    /// Leaves the frame on the screen as it is, shows the cursor, then runs `say` (which
    /// writes its own lines): the next frame starts below them instead of over them. The
    /// signal watcher says "killing the execution…" this way.
    pub fn interrupt(&self, say: impl FnOnce()) {
        let mut inner = self.lock();
        let mut buf = String::new();
        inner.show_cursor(&mut buf);
        inner.drawn = 0;
        inner.write(&buf);
        say();
    }

    /// Ends the view: the frame is erased (`keep` false) or left, the cursor shown.
    pub fn finish(&self, keep: bool) {
        let mut inner = self.lock();
        let mut buf = String::new();
        if !keep {
            inner.erase(&mut buf);
        }
        inner.drawn = 0;
        inner.show_cursor(&mut buf);
        inner.write(&buf);
    }
}
