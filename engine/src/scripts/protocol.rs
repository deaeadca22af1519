//! Kestra's stdout protocol: a line that is exactly `::{JSON}::` carries outputs, metrics and
//! logs; every other line is a log line (stdout INFO, stderr ERROR).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::task::Level;

/// A metric sent by a script (`timer` values are seconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: f64,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// What one line means.
#[derive(Debug, PartialEq)]
pub enum LineEvent {
    Log(Level, String),
    Message {
        outputs: serde_json::Map<String, serde_json::Value>,
        metrics: Vec<Metric>,
        logs: Vec<(Level, String)>,
    },
}

/// Reads one line (without its line terminator) from stdout (`is_stderr` false) or stderr.
pub fn parse_line(line: &str, is_stderr: bool) -> LineEvent {
    let plain = || {
        let level = if is_stderr { Level::Error } else { Level::Info };
        LineEvent::Log(level, line.to_string())
    };
    let Some(json) = line
        .strip_prefix("::")
        .and_then(|rest| rest.strip_suffix("::"))
        .filter(|j| j.starts_with('{') && j.ends_with('}'))
    else {
        return plain();
    };
    let parsed: serde_json::Value = match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => {
            return LineEvent::Log(Level::Warn, format!("Invalid outputs '{e}'"));
        }
    };
    let mut outputs = serde_json::Map::new();
    let mut metrics = Vec::new();
    let mut logs = Vec::new();
    if let Some(map) = parsed.get("outputs").and_then(|o| o.as_object()) {
        outputs = map.clone();
    }
    if let Some(list) = parsed.get("metrics").and_then(|m| m.as_array()) {
        for item in list {
            match serde_json::from_value::<Metric>(item.clone()) {
                Ok(metric) => metrics.push(metric),
                Err(e) => logs.push((Level::Warn, format!("Invalid metric '{item}': {e}"))),
            }
        }
    }
    if let Some(list) = parsed.get("logs").and_then(|l| l.as_array()) {
        for item in list {
            let level = item
                .get("level")
                .and_then(|l| l.as_str())
                .and_then(Level::parse);
            let message = item.get("message").and_then(|m| m.as_str());
            match (level, message) {
                (Some(level), Some(message)) => logs.push((level, message.to_string())),
                _ => logs.push((Level::Warn, format!("Invalid log '{item}'"))),
            }
        }
    }
    LineEvent::Message {
        outputs,
        metrics,
        logs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_lines() {
        assert_eq!(
            parse_line("hello", false),
            LineEvent::Log(Level::Info, "hello".into())
        );
        assert_eq!(
            parse_line("oops", true),
            LineEvent::Log(Level::Error, "oops".into())
        );
        assert_eq!(
            parse_line(" ::{\"outputs\":{}}::", false),
            LineEvent::Log(Level::Info, " ::{\"outputs\":{}}::".into()),
            "leading space: not a message"
        );
        let LineEvent::Message {
            outputs,
            metrics,
            logs,
        } = parse_line(
            r#"::{"outputs":{"n":3,"s":"x"},"metrics":[{"name":"rows","type":"counter","value":5,"tags":{"t":"a"}}],"logs":[{"level":"WARN","message":"careful"}]}::"#,
            false,
        )
        else {
            panic!("not a message");
        };
        assert_eq!(outputs["n"], 3);
        assert_eq!(metrics[0].name, "rows");
        assert_eq!(metrics[0].tags["t"], "a");
        assert_eq!(logs, vec![(Level::Warn, "careful".into())]);
        assert!(
            matches!(parse_line("::{nope}::", false), LineEvent::Log(Level::Warn, m) if m.starts_with("Invalid outputs"))
        );
    }
}
