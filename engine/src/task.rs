//! What every task API shares: the error type and the log sink.

use serde::{Deserialize, Serialize};

/// Why a task failed, in words for the user (the executor adds the task id and location).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskError {
    pub message: String,
}

impl TaskError {
    pub fn new(message: impl Into<String>) -> TaskError {
        TaskError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TaskError {}

impl From<crate::storage::StorageError> for TaskError {
    fn from(e: crate::storage::StorageError) -> TaskError {
        TaskError::new(e.to_string())
    }
}

/// Log levels of Kestra (`org.slf4j.event.Level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_uppercase().as_str() {
            "ERROR" => Some(Level::Error),
            "WARN" | "WARNING" => Some(Level::Warn),
            "INFO" => Some(Level::Info),
            "DEBUG" => Some(Level::Debug),
            "TRACE" => Some(Level::Trace),
            _ => None,
        }
    }
}

/// Where a running task sends its log lines (the executor records them with the task run).
pub trait TaskLog: Send + Sync {
    fn log(&self, level: Level, message: &str);
}

impl<F: Fn(Level, &str) + Send + Sync> TaskLog for F {
    fn log(&self, level: Level, message: &str) {
        self(level, message)
    }
}

/// Collects log lines in memory (tests, and callers that attach logs afterwards).
#[derive(Default)]
pub struct CollectLog(pub std::sync::Mutex<Vec<(Level, String)>>);

impl CollectLog {
    pub fn lines(&self) -> Vec<(Level, String)> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl TaskLog for CollectLog {
    fn log(&self, level: Level, message: &str) {
        if let Ok(mut lines) = self.0.lock() {
            lines.push((level, message.to_string()));
        }
    }
}
