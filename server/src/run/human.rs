//! Plain progress lines of `kflow run`.

use std::collections::HashMap;
use std::io::Write;

use kflow_engine::exec::Event;
use kflow_engine::record::{Execution, State};

#[derive(Default)]
pub struct Printer {
    _depths: HashMap<String, usize>,
}

pub fn state_name(state: State) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{state:?}"))
}

fn duration_text(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
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
                writeln!(
                    out,
                    "{indent}{task_id}{value} {}{duration}",
                    state_name(*state)
                )
            }
            Event::Log {
                task_id,
                depth,
                level,
                message,
            } => {
                let indent = "  ".repeat(depth + 1);
                let level = serde_json::to_value(level)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
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

/// The flow outputs and the final state (write errors ignored, as for the events).
pub fn summary(out: &mut impl Write, record: &Execution) {
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
    let _ = writeln!(out, "execution {} {}", record.id, state_name(record.state));
}
