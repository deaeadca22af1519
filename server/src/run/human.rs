//! Plain progress lines of `kflow run`: one line per state change and per log line, for pipes,
//! files and `--progress plain` (the live view is `live.rs`).

use std::io::Write;

use kflow_engine::exec::Event;
use kflow_engine::record::Execution;

use super::display::{duration_text, level_name, paint, state_name, state_style};

/// Writes each event as it comes; `color` paints the state names (only on a terminal).
#[derive(Default)]
pub struct Printer {
    pub color: bool,
}

impl Printer {
    pub fn event(&mut self, e: &Event) {
        let out = std::io::stdout();
        let mut out = out.lock();
        let _ = match e {
            Event::TaskRunCreated { .. } => Ok(()),
            Event::StateChanged {
                task_id,
                depth,
                value,
                state,
                duration,
                ..
            } => {
                let indent = "  ".repeat(*depth);
                let value = value
                    .as_ref()
                    .map(|v| format!(" [{v}]"))
                    .unwrap_or_default();
                let duration = duration
                    .map(|d| format!(" ({})", duration_text(d)))
                    .unwrap_or_default();
                let state = paint(&state_name(*state), state_style(*state), self.color);
                writeln!(out, "{indent}{task_id}{value} {state}{duration}")
            }
            Event::Log {
                task_id,
                depth,
                level,
                message,
            } => {
                let indent = "  ".repeat(depth + 1);
                let level = level_name(*level);
                let task = task_id.as_deref().unwrap_or("flow");
                let mut lines = message.lines();
                let first = lines.next().unwrap_or("");
                let _ = writeln!(out, "{indent}{level} {task}: {first}");
                for l in lines {
                    let _ = writeln!(out, "{indent}  {l}");
                }
                Ok(())
            }
            Event::ExecutionEnded { .. } => Ok(()),
        };
        let _ = out.flush();
    }
}

/// The flow outputs and the final state (write errors ignored, as for the events); `color`
/// paints the state.
pub fn summary(out: &mut impl Write, record: &Execution, color: bool) {
    if !record.outputs.is_empty() {
        let _ = writeln!(out, "outputs:");
        let width = record.outputs.keys().map(|k| k.len()).max().unwrap_or(0);
        for (k, v) in &record.outputs {
            let text = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = writeln!(out, "  {k:width$}  {text}");
        }
    }
    let state = paint(&state_name(record.state), state_style(record.state), color);
    let _ = writeln!(out, "execution {} {state}", record.id);
}
