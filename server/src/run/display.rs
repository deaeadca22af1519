//! What the plain lines and the live view of `kflow run` share: how a state, a duration and a
//! log level are written, which colour a state has, and when colours are used at all.

use std::time::Duration;

use anstyle::{AnsiColor, Style};
use kflow_engine::exec::Event;
use kflow_engine::record::State;
use kflow_engine::task::Level;

/// A state as Kestra names it (`SUCCESS`, `RUNNING`…).
pub fn state_name(state: State) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{state:?}"))
}

/// A log level as Kestra names it (`INFO`, `WARN`…).
pub fn level_name(level: Level) -> String {
    serde_json::to_value(level)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `412ms` under a second, `1.25s` from there.
pub fn duration_text(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

/// The colour of a state: green done, yellow warned, red failed or killed, cyan under way,
/// dimmed for what has not started or was skipped.
pub fn state_style(state: State) -> Style {
    let color = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match state {
        State::Success | State::Retried | State::Resubmitted => color(AnsiColor::Green),
        State::Warning | State::Paused | State::Breakpoint => color(AnsiColor::Yellow),
        State::Failed | State::Killed | State::Killing | State::Cancelled => {
            color(AnsiColor::Red).bold()
        }
        State::Running | State::Retrying | State::Restarted | State::Submitted => {
            color(AnsiColor::Cyan)
        }
        State::Created | State::Queued | State::Skipped => Style::new().dimmed(),
    }
}

/// Style for secondary text (loop values, durations, log lines).
pub fn dim() -> Style {
    Style::new().dimmed()
}

/// `text` in `style` when `color` is on, as it is otherwise.
pub fn paint(text: &str, style: Style, color: bool) -> String {
    if color && style != Style::new() {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// Whether the event ends the execution (the printers stop reading there).
pub fn is_end(event: &Event) -> bool {
    matches!(event, Event::ExecutionEnded { .. })
}

/// Text from a task (a log line, a loop value) made safe for the terminal: a control
/// character, an escape sequence's start above all, would move the cursor or recolour the
/// screen, so each becomes `?`; a tab becomes a space.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect::<String>()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_switch_to_seconds_at_one_second() {
        assert_eq!(duration_text(Duration::from_millis(999)), "999ms");
        assert_eq!(duration_text(Duration::from_millis(1250)), "1.25s");
    }

    #[test]
    fn paint_is_the_text_itself_without_colours() {
        let style = state_style(State::Success);
        assert_eq!(paint("SUCCESS", style, false), "SUCCESS");
        let painted = paint("SUCCESS", style, true);
        assert!(painted.starts_with("\x1b[") && painted.contains("SUCCESS"));
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(printable("a\x1b[2Jb\tc"), "a?[2Jb c");
        assert_eq!(printable("plain"), "plain");
    }
}
