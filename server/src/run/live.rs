//! The live view of `kflow run` on a terminal: a tree of task runs redrawn in place (state in
//! colour, a spinner while running, the attempt past the first, the duration, why it failed,
//! loop values as `[value]`, children indented under their parents), the last log lines of the
//! running tasks, and at the end a table of every task run.
//!
//! Huge flows must not slow the run down: events only update counters and maps (no drawing),
//! frames are drawn at most [`FRAME`] apart, and a frame shows a bounded number of rows (the
//! running task runs and the last finished ones, gaps written as "… N more"), whatever the
//! number of task runs.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::Write;
use std::time::{Duration, Instant};

use anstyle::Style;
use kflow_engine::exec::Event;
use kflow_engine::record::{Execution, State};
use kflow_engine::task::Level;
use tokio::sync::mpsc::UnboundedReceiver;
use unicode_width::UnicodeWidthChar;

use super::display::{
    dim, duration_text, is_end, level_name, paint, printable, state_name, state_style,
};
use super::terminal::{self, Screen};

/// Time between two frames (10 per second).
pub const FRAME: Duration = Duration::from_millis(100);
/// Spinner frames, one per [`FRAME`].
pub const SPINNER: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// Lines a frame may take, whatever the terminal's height.
const MAX_FRAME_LINES: usize = 40;
/// Log lines shown under the tree.
const LOG_LINES: usize = 4;
/// Log lines kept to choose them from (older ones are in the record).
const LOG_KEPT: usize = 64;
/// Characters kept of a log line: more than any terminal is wide.
const LOG_CHARS: usize = 1000;
/// Finished task runs a frame shows when not every row fits (the newest ones).
const RECENT_SHOWN: usize = 8;
/// Rows of the final table before the rest is summed up.
const TABLE_ROWS: usize = 50;
/// Rows of the final table always shown first, in tree order.
const TABLE_HEAD: usize = 30;
/// Widest TASK and VALUE columns of the final table.
const TABLE_COLUMN: usize = 40;

struct Row {
    task_id: String,
    value: Option<String>,
    depth: usize,
    state: State,
    /// 1, plus one per retry.
    attempt: usize,
    created: Instant,
    /// Once terminal: how long it took, as the engine measured it.
    duration: Option<Duration>,
    /// Why it failed: the start of the message's first line.
    why: Option<String>,
    /// The row of the parent task run (`None` at the top).
    parent: Option<usize>,
    /// Child rows, and how many of them are not yet terminal.
    kids: Counts,
}

/// Rows under a row (or at the top), and how many of them are not yet terminal.
#[derive(Clone, Copy, Default)]
struct Counts {
    all: usize,
    running: usize,
}

struct LogLine {
    task_id: String,
    level: Level,
    text: String,
}

/// What the view knows of the run, from the events.
pub struct Live {
    title: String,
    color: bool,
    /// Task id → the id of the task it sits in, from the flow: the events give a task run's
    /// depth, not its parent, and creation order interleaves the branches of a Parallel.
    parents: HashMap<String, String>,
    /// Rows at the top.
    top: Counts,
    started: Instant,
    /// Every task run, in creation order.
    rows: Vec<Row>,
    /// Task run id → its row.
    index: HashMap<String, usize>,
    /// Rows not yet terminal.
    running: BTreeSet<usize>,
    /// Rows FAILED, KILLED or CANCELLED.
    failed: usize,
    /// The last rows that became terminal, newest last.
    recent: VecDeque<usize>,
    /// Task id → its rows not yet terminal: where a new child row finds its parent, and
    /// which tasks' logs are shown.
    running_tasks: HashMap<String, BTreeSet<usize>>,
    logs: VecDeque<LogLine>,
    ended: Option<State>,
}

/// One line of a frame: its parts, painted, cut at the width.
struct Line {
    parts: Vec<(String, Style)>,
    width: usize,
    color: bool,
}

impl Line {
    fn new(width: usize, color: bool) -> Line {
        Line {
            parts: Vec::new(),
            width,
            color,
        }
    }

    fn push(&mut self, part: &str, style: Style) -> &mut Line {
        self.parts.push((printable(part).into_owned(), style));
        self
    }

    fn plain(&mut self, part: &str) -> &mut Line {
        self.push(part, Style::new())
    }

    /// The line painted; when it is too wide, cut with `…` in its last column. One column
    /// is left free: a line ending in the last column wraps on some terminals, and a wrapped
    /// line breaks the count the redraw relies on.
    fn done(&mut self) -> String {
        let room = self.width.saturating_sub(1);
        let total: usize = self.parts.iter().map(|(p, _)| text_width(p)).sum();
        let mut left = if total > room {
            room.saturating_sub(1)
        } else {
            room
        };
        let mut text = String::new();
        for (part, style) in self.parts.drain(..) {
            let mut taken = String::new();
            for c in part.chars() {
                let w = c.width().unwrap_or(0);
                if w > left {
                    left = 0;
                    break;
                }
                left -= w;
                taken.push(c);
            }
            text.push_str(&paint(&taken, style, self.color));
        }
        if total > room && room > 0 {
            text.push('…');
        }
        text
    }
}

/// Columns `text` takes on a terminal.
fn text_width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// A frame's tree part: a row, or how many children of a row (or top-level rows) are not shown.
#[derive(Debug, PartialEq)]
enum Item {
    Row(usize),
    More {
        depth: usize,
        count: usize,
        running: usize,
    },
}

impl Live {
    /// A view of the run named `title`, painted when `color`; `parents` maps a task id to the
    /// id of the flowable task it sits in.
    pub fn new(title: String, color: bool, parents: HashMap<String, String>) -> Live {
        Live {
            title,
            color,
            parents,
            top: Counts::default(),
            started: Instant::now(),
            rows: Vec::new(),
            index: HashMap::new(),
            running: BTreeSet::new(),
            failed: 0,
            recent: VecDeque::new(),
            running_tasks: HashMap::new(),
            logs: VecDeque::new(),
            ended: None,
        }
    }

    pub fn event(&mut self, event: &Event, now: Instant) {
        match event {
            Event::TaskRunCreated {
                task_run_id,
                task_id,
                depth,
                value,
            } => {
                self.row(task_run_id, task_id, *depth, value, now);
            }
            Event::StateChanged {
                task_run_id,
                task_id,
                depth,
                value,
                state,
                duration,
                message,
            } => {
                let i = self.row(task_run_id, task_id, *depth, value, now);
                let was_terminal = self.rows[i].state.is_terminal();
                let row = &mut self.rows[i];
                self.failed -= usize::from(row.state.is_failed());
                self.failed += usize::from(state.is_failed());
                row.state = *state;
                if *state == State::Retrying {
                    row.attempt += 1;
                }
                if state.is_terminal() {
                    row.duration = Some(duration.unwrap_or_else(|| now - row.created));
                    row.why = message
                        .as_deref()
                        .and_then(|m| m.lines().next())
                        .map(|m| m.chars().take(LOG_CHARS).collect());
                    if !was_terminal {
                        self.stopped(i);
                    }
                } else if was_terminal {
                    // Started again (a restart): running once more.
                    self.started(i);
                }
            }
            Event::Log {
                task_id,
                level,
                message,
                ..
            } => {
                let task_id = task_id.clone().unwrap_or_default();
                // Only the last lines can be shown, and only their start: a task printing a
                // megabyte line must not have it copied at every frame.
                let last: Vec<&str> = message.lines().rev().take(LOG_KEPT).collect();
                for text in last.into_iter().rev() {
                    if self.logs.len() == LOG_KEPT {
                        self.logs.pop_front();
                    }
                    let end = text
                        .char_indices()
                        .nth(LOG_CHARS)
                        .map_or(text.len(), |(at, _)| at);
                    self.logs.push_back(LogLine {
                        task_id: task_id.clone(),
                        level: *level,
                        text: text[..end].to_string(),
                    });
                }
            }
            Event::ExecutionEnded { state } => self.ended = Some(*state),
        }
    }

    /// The row of a task run, made when its creation was not seen.
    fn row(
        &mut self,
        id: &str,
        task_id: &str,
        depth: usize,
        value: &Option<String>,
        now: Instant,
    ) -> usize {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.rows.len();
        // The newest running task run of the parent task: the one creating children now (for
        // concurrent loops over a nested flowable, a guess between equals).
        let parent = self
            .parents
            .get(task_id)
            .and_then(|p| self.running_tasks.get(p))
            .and_then(|rows| rows.last().copied());
        self.counts(parent).all += 1;
        self.rows.push(Row {
            task_id: task_id.to_string(),
            value: value.clone(),
            depth,
            state: State::Created,
            attempt: 1,
            created: now,
            duration: None,
            why: None,
            parent,
            kids: Counts::default(),
        });
        self.index.insert(id.to_string(), i);
        self.started(i);
        i
    }

    /// The counts under `parent` (the top for `None`).
    fn counts(&mut self, parent: Option<usize>) -> &mut Counts {
        match parent {
            Some(p) => &mut self.rows[p].kids,
            None => &mut self.top,
        }
    }

    fn started(&mut self, i: usize) {
        self.running.insert(i);
        self.counts(self.rows[i].parent).running += 1;
        let task = &self.rows[i].task_id;
        // Most task runs share their task's entry: no new key, no allocation.
        match self.running_tasks.get_mut(task) {
            Some(rows) => {
                rows.insert(i);
            }
            None => {
                self.running_tasks.insert(task.clone(), BTreeSet::from([i]));
            }
        }
    }

    fn stopped(&mut self, i: usize) {
        self.running.remove(&i);
        self.counts(self.rows[i].parent).running -= 1;
        let task = &self.rows[i].task_id;
        if let Some(rows) = self.running_tasks.get_mut(task) {
            rows.remove(&i);
            if rows.is_empty() {
                self.running_tasks.remove(task);
            }
        }
        if self.recent.len() == RECENT_SHOWN {
            self.recent.pop_front();
        }
        self.recent.push_back(i);
    }

    /// The frame at `now` for a terminal of `(width, height)`.
    pub fn frame(&self, now: Instant, (width, height): (usize, usize)) -> Vec<String> {
        let tick =
            (now.saturating_duration_since(self.started).as_millis() / FRAME.as_millis()) as usize;
        let spinner = SPINNER[tick % SPINNER.len()].to_string();
        // The frame never takes the whole screen: a frame taller than the screen scrolls, and
        // the redraw could not go back over its first lines.
        let lines = height.saturating_sub(1).min(MAX_FRAME_LINES);
        let logs = self.running_logs(LOG_LINES.min(lines.saturating_sub(2)));
        let budget = lines.saturating_sub(1 + logs.len()).max(1);
        let mut out = Vec::with_capacity(lines);

        let mut head = Line::new(width, self.color);
        match self.ended {
            Some(state) => head
                .push(mark(state), state_style(state))
                .plain(" ")
                .push(&self.title, Style::new().bold())
                .plain(" ")
                .push(&state_name(state), state_style(state)),
            None => head
                .push(&spinner, state_style(State::Running))
                .plain(" ")
                .push(&self.title, Style::new().bold()),
        };
        let failed = self.failed;
        let mut counts = format!(
            "  {} · {} task run{}, {} running",
            duration_text(now.saturating_duration_since(self.started)),
            self.rows.len(),
            if self.rows.len() == 1 { "" } else { "s" },
            self.running.len()
        );
        if failed > 0 {
            counts.push_str(&format!(", {failed} failed"));
        }
        head.push(&counts, dim());
        out.push(head.done());

        for item in self.visible(budget) {
            let mut line = Line::new(width, self.color);
            match item {
                Item::Row(i) => {
                    let row = &self.rows[i];
                    line.plain(&"  ".repeat(row.depth + 1));
                    if row.state.is_terminal() {
                        line.push(mark(row.state), state_style(row.state));
                    } else {
                        line.push(&spinner, state_style(row.state));
                    }
                    line.plain(" ").plain(&row.task_id);
                    if let Some(v) = &row.value {
                        line.push(&format!(" [{v}]"), dim());
                    }
                    line.plain(" ")
                        .push(&state_name(row.state), state_style(row.state));
                    if row.attempt > 1 {
                        line.plain(&format!(" attempt {}", row.attempt));
                    }
                    let took = row
                        .duration
                        .unwrap_or_else(|| now.saturating_duration_since(row.created));
                    line.push(&format!(" {}", duration_text(took)), dim());
                    if let Some(why) = &row.why {
                        line.plain(" ").push(why, state_style(row.state));
                    }
                }
                Item::More {
                    depth,
                    count,
                    running,
                } => {
                    line.plain(&"  ".repeat(depth + 1));
                    let mut text = format!("… {count} more");
                    if running > 0 {
                        text.push_str(&format!(" ({running} running)"));
                    }
                    line.push(&text, dim());
                }
            }
            out.push(line.done());
        }

        for log in logs {
            let mut line = Line::new(width, self.color);
            line.push("  │ ", dim())
                .push(&level_name(log.level), level_style(log.level))
                .push(&format!(" {}: {}", log.task_id, log.text), dim());
            out.push(line.done());
        }
        out
    }

    /// The last log lines of tasks still running, oldest first.
    fn running_logs(&self, at_most: usize) -> Vec<&LogLine> {
        let mut shown: Vec<&LogLine> = self
            .logs
            .iter()
            .rev()
            .filter(|l| self.running_tasks.contains_key(&l.task_id))
            .take(at_most)
            .collect();
        shown.reverse();
        shown
    }

    /// The tree's lines, at most `budget`: every row when they fit, else the running rows
    /// (the first ones, up to half) and the last finished ones with their ancestors, the
    /// hidden children of each row counted on a "… N more" line.
    fn visible(&self, budget: usize) -> Vec<Item> {
        if self.rows.len() <= budget {
            return self.tree(&(0..self.rows.len()).collect());
        }
        let mut running: Vec<usize> = self
            .running
            .iter()
            .take((budget / 2).max(1))
            .copied()
            .collect();
        let mut finished: Vec<usize> = self.recent.iter().rev().copied().collect();
        loop {
            let mut chosen = BTreeSet::new();
            for &i in running.iter().chain(&finished) {
                // A row with its ancestors, so that it shows where it sits.
                let mut at = Some(i);
                while let Some(row) = at {
                    if !chosen.insert(row) {
                        break;
                    }
                    at = self.rows[row].parent;
                }
            }
            let items = self.tree(&chosen);
            if items.len() <= budget || chosen.is_empty() {
                return items;
            }
            // Too many lines: the oldest finished row goes first, then the last running one.
            if finished.pop().is_none() {
                running.pop();
            }
        }
    }

    /// The `chosen` rows (each with its parent chosen too) in tree order, children in creation
    /// order after their parent, preceded by a "… N more" line for the children not chosen
    /// (mostly older ones: the newest finished rows are the ones chosen).
    fn tree(&self, chosen: &BTreeSet<usize>) -> Vec<Item> {
        let mut kids: HashMap<Option<usize>, Vec<usize>> = HashMap::new();
        for &i in chosen {
            kids.entry(self.rows[i].parent).or_default().push(i);
        }
        let mut items = Vec::with_capacity(chosen.len() * 2 + 1);
        // Depth-first without recursion: (parent, next child to show).
        let mut stack: Vec<(Option<usize>, usize)> = vec![(None, 0)];
        while let Some((parent, next)) = stack.pop() {
            let shown = kids.get(&parent).map_or(&[][..], Vec::as_slice);
            if next == 0 {
                let (counts, depth) = match parent {
                    Some(p) => (self.rows[p].kids, self.rows[p].depth + 1),
                    None => (self.top, 0),
                };
                let hidden = counts.all.saturating_sub(shown.len());
                if hidden > 0 {
                    let shown_running = shown
                        .iter()
                        .filter(|&&i| !self.rows[i].state.is_terminal())
                        .count();
                    items.push(Item::More {
                        depth,
                        count: hidden,
                        running: counts.running.saturating_sub(shown_running),
                    });
                }
            }
            if let Some(&child) = shown.get(next) {
                items.push(Item::Row(child));
                stack.push((parent, next + 1));
                stack.push((Some(child), 0));
            }
        }
        items
    }

    /// How long the task run `id` took, when it ended.
    fn duration_of(&self, id: &str) -> Option<Duration> {
        self.index.get(id).and_then(|&i| self.rows[i].duration)
    }

    fn attempt_of(&self, id: &str) -> usize {
        self.index.get(id).map_or(1, |&i| self.rows[i].attempt)
    }
}

/// The sign of a terminal state in the tree.
fn mark(state: State) -> &'static str {
    match state {
        State::Success | State::Retried | State::Resubmitted => "✓",
        State::Warning => "!",
        State::Failed | State::Killed | State::Cancelled => "✗",
        State::Skipped => "-",
        _ => "·",
    }
}

fn level_style(level: Level) -> Style {
    match level {
        Level::Error => state_style(State::Failed),
        Level::Warn => state_style(State::Warning),
        _ => dim(),
    }
}

/// Reads the events until the execution ends, drawing a frame every [`FRAME`]; the last frame
/// is erased (the table replaces it).
pub async fn follow(rx: &mut UnboundedReceiver<Event>, screen: &Screen, live: &mut Live) {
    let mut tick = tokio::time::interval(FRAME);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            event = rx.recv() => {
                let Some(event) = event else { break };
                live.event(&event, Instant::now());
                if is_end(&event) {
                    break;
                }
            }
            _ = tick.tick() => screen.draw(&live.frame(Instant::now(), terminal::size())),
        }
    }
    screen.finish(false);
}

/// The table of the task runs (tree order, children under their parents): task, value,
/// state, attempts, duration. Past [`TABLE_ROWS`] rows, the first [`TABLE_HEAD`] are shown,
/// then the top-level ones and those not SUCCESS; the others are counted by state in
/// "… N more task runs" lines.
pub fn table(out: &mut impl Write, record: &Execution, live: &Live) {
    let color = live.color;
    let order = tree_order(record);
    if order.is_empty() {
        return;
    }
    let shown: BTreeSet<usize> = if order.len() <= TABLE_ROWS {
        (0..order.len()).collect()
    } else {
        // The first rows, then the top-level ones and those that did not end SUCCESS, in
        // tree order: what a reader of a long run looks for.
        let mut shown: BTreeSet<usize> = (0..TABLE_HEAD).collect();
        shown.extend(
            (TABLE_HEAD..order.len())
                .filter(|&k| {
                    let (i, depth) = order[k];
                    depth == 0 || record.task_runs[i].state != State::Success
                })
                .take(TABLE_ROWS - TABLE_HEAD),
        );
        shown
    };
    let cut = |text: &str| -> String {
        let text = printable(text);
        let mut taken = String::new();
        let mut width = 0;
        for c in text.chars() {
            width += c.width().unwrap_or(0);
            if width >= TABLE_COLUMN {
                taken.push('…');
                break;
            }
            taken.push(c);
        }
        taken
    };
    struct Cells {
        task: String,
        value: String,
        state: State,
        attempts: String,
        duration: String,
    }
    // `Err(from..to)`: hidden rows, by position in `order`.
    let mut rows: Vec<Result<Cells, std::ops::Range<usize>>> = Vec::new();
    let mut next = 0;
    for &k in &shown {
        if k > next {
            rows.push(Err(next..k));
        }
        let (i, depth) = order[k];
        let run = &record.task_runs[i];
        rows.push(Ok(Cells {
            task: format!("{}{}", "  ".repeat(depth), cut(&run.task_id)),
            value: run.value.as_deref().map(cut).unwrap_or_default(),
            state: run.state,
            attempts: run.attempts.len().max(live.attempt_of(&run.id)).to_string(),
            duration: live
                .duration_of(&run.id)
                .map(duration_text)
                .unwrap_or_else(|| "-".into()),
        }));
        next = k + 1;
    }
    if next < order.len() {
        rows.push(Err(next..order.len()));
    }
    let width = text_width;
    let cells = rows.iter().flatten();
    let w_task = cells.clone().map(|c| width(&c.task)).fold(4, usize::max);
    let w_value = cells.clone().map(|c| width(&c.value)).fold(5, usize::max);
    let w_state = cells
        .clone()
        .map(|c| state_name(c.state).len())
        .fold(5, usize::max);
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(width(s))));
    let header = format!(
        "{}  {}  {}  ATTEMPTS  DURATION",
        pad("TASK", w_task),
        pad("VALUE", w_value),
        pad("STATE", w_state)
    );
    let _ = writeln!(out, "{}", paint(&header, Style::new().bold(), color));
    for row in &rows {
        let _ = match row {
            Ok(c) => {
                let state = state_name(c.state);
                let painted = paint(&state, state_style(c.state), color);
                writeln!(
                    out,
                    "{}  {}  {painted}{}  {:>8}  {:>8}",
                    pad(&c.task, w_task),
                    pad(&c.value, w_value),
                    " ".repeat(w_state - state.len()),
                    c.attempts,
                    c.duration
                )
            }
            Err(hidden) => {
                // How many of each state: "… 270 more task runs: 268 SUCCESS, 2 FAILED".
                let mut states: Vec<(State, usize)> = Vec::new();
                for &(i, _) in &order[hidden.clone()] {
                    let state = record.task_runs[i].state;
                    match states.iter_mut().find(|(s, _)| *s == state) {
                        Some((_, n)) => *n += 1,
                        None => states.push((state, 1)),
                    }
                }
                let states: Vec<String> = states
                    .iter()
                    .map(|(s, n)| format!("{n} {}", state_name(*s)))
                    .collect();
                let depth = order[hidden.start].1;
                let text = format!(
                    "{}… {} more task runs: {}",
                    "  ".repeat(depth),
                    hidden.len(),
                    states.join(", ")
                );
                writeln!(out, "{}", paint(&text, dim(), color))
            }
        };
    }
}

/// The task runs of `record` in tree order (each followed by its children, in creation order)
/// with their depth: (index in `task_runs`, depth).
fn tree_order(record: &Execution) -> Vec<(usize, usize)> {
    let runs = &record.task_runs;
    let ids: HashMap<&str, usize> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        match run.parent_task_run_id.as_deref().and_then(|p| ids.get(p)) {
            Some(&parent) if parent != i => children.entry(parent).or_default().push(i),
            _ => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(runs.len());
    let mut seen = vec![false; runs.len()];
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&i| (i, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        // A parent cycle in a hand-edited record must not loop forever.
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        order.push((i, depth));
        if let Some(kids) = children.get(&i) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created(id: &str, task: &str, depth: usize, value: Option<&str>) -> Event {
        Event::TaskRunCreated {
            task_run_id: id.into(),
            task_id: task.into(),
            depth,
            value: value.map(str::to_string),
        }
    }

    fn changed(id: &str, task: &str, depth: usize, state: State) -> Event {
        Event::StateChanged {
            task_run_id: id.into(),
            task_id: task.into(),
            depth,
            value: None,
            state,
            duration: state.is_terminal().then(|| Duration::from_millis(5)),
            message: state.is_failed().then(|| "boom\nat line 2".into()),
        }
    }

    /// A ForEach of `n` iterations, the last one still running.
    fn loop_of(n: usize) -> Live {
        let now = Instant::now();
        let parents = HashMap::from([("out".to_string(), "each".to_string())]);
        let mut live = Live::new("t.big".into(), false, parents);
        live.event(&created("each", "each", 0, None), now);
        live.event(&changed("each", "each", 0, State::Running), now);
        for k in 0..n {
            let id = format!("r{k}");
            live.event(&created(&id, "out", 1, Some(&k.to_string())), now);
            live.event(&changed(&id, "out", 1, State::Running), now);
            if k + 1 < n {
                live.event(&changed(&id, "out", 1, State::Success), now);
            }
        }
        live
    }

    #[test]
    fn a_huge_loop_shows_a_bounded_frame() {
        let live = loop_of(200_000);
        let frame = live.frame(Instant::now(), (80, 24));
        assert!(frame.len() <= 23, "{frame:#?}");
        let text = frame.join("\n");
        assert!(text.contains("each RUNNING"), "{text}");
        assert!(text.contains("out [199999] RUNNING"), "{text}");
        assert!(text.contains("out [199998] SUCCESS"), "{text}");
        assert!(text.contains("… 199991 more"), "{text}");
        assert!(text.contains("200001 task runs, 2 running"), "{text}");
    }

    #[test]
    fn small_flows_show_every_row() {
        let live = loop_of(3);
        let frame = live.frame(Instant::now(), (80, 24));
        assert_eq!(frame.len(), 5, "{frame:#?}");
        assert!(frame[2].starts_with("    ✓ out [0] SUCCESS"), "{frame:#?}");
    }

    #[test]
    fn lines_fit_the_width_and_frames_the_height() {
        let mut live = loop_of(50);
        let long = "x".repeat(5000);
        live.event(
            &Event::Log {
                task_id: Some("out".into()),
                depth: 1,
                level: Level::Info,
                message: format!("{long}\n\x1b[2Jsecond"),
            },
            Instant::now(),
        );
        for (width, height) in [(20, 5), (80, 24), (200, 100)] {
            let frame = live.frame(Instant::now(), (width, height));
            assert!(frame.len() < height, "{width}x{height}: {frame:#?}");
            assert!(frame.len() <= MAX_FRAME_LINES, "{frame:#?}");
            for line in &frame {
                assert!(text_width(line) < width, "{width}: {line:?}");
                assert!(!line.contains('\x1b'), "{line:?}");
            }
        }
        let text = live.frame(Instant::now(), (80, 24)).join("\n");
        assert!(text.contains("INFO out: ?[2Jsecond"), "{text}");
        assert!(text.contains("INFO out: xxx"), "{text}");
    }

    #[test]
    fn retries_count_attempts() {
        let now = Instant::now();
        let mut live = Live::new("t".into(), false, HashMap::new());
        live.event(&created("a", "a", 0, None), now);
        for state in [State::Running, State::Retrying, State::Running] {
            live.event(&changed("a", "a", 0, state), now);
        }
        let text = live.frame(now, (80, 24)).join("\n");
        assert!(text.contains("a RUNNING attempt 2"), "{text}");
        live.event(&changed("a", "a", 0, State::Failed), now);
        let text = live.frame(now, (80, 24)).join("\n");
        assert!(text.ends_with("✗ a FAILED attempt 2 5ms boom"), "{text}");
        assert!(text.contains("1 failed"), "{text}");
    }

    /// Branches of a Parallel are created interleaved: each row still shows under its parent.
    #[test]
    fn rows_sit_under_their_parent_task_runs() {
        let now = Instant::now();
        let parents = HashMap::from(
            [("seq", "par"), ("s1", "seq"), ("s2", "seq"), ("p2", "par")]
                .map(|(a, b)| (a.to_string(), b.to_string())),
        );
        let mut live = Live::new("t".into(), false, parents);
        for (id, depth) in [("par", 0), ("seq", 1), ("s1", 2), ("p2", 1)] {
            live.event(&created(id, id, depth, None), now);
            live.event(&changed(id, id, depth, State::Running), now);
        }
        live.event(&changed("s1", "s1", 2, State::Success), now);
        live.event(&created("s2", "s2", 2, None), now);
        let frame = live.frame(now, (80, 24));
        let names: Vec<&str> = frame[1..]
            .iter()
            .map(|l| l.split_whitespace().nth(1).unwrap())
            .collect();
        assert_eq!(names, ["par", "seq", "s1", "s2", "p2"], "{frame:#?}");
        // With room for four lines only: the first running rows, the others counted under
        // their parent.
        let items = live.visible(4);
        assert_eq!(
            items,
            [
                Item::Row(0),
                Item::More {
                    depth: 1,
                    count: 1,
                    running: 1
                },
                Item::Row(1),
                Item::More {
                    depth: 2,
                    count: 2,
                    running: 1
                },
            ],
            "{frame:#?}"
        );
    }
}
