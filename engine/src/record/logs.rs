//! An execution's log lines. A run can log far more than memory should hold (a script printing
//! 100 MB), so once [`Logs::spill_to`] names a file, lines are appended there as JSON lines and
//! streamed back when the record is serialized; a record read back holds them in memory. The
//! file is removed when the last copy of the record is dropped.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::ser::{Error as _, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::LogEntry;

#[derive(Clone, Debug, Default)]
pub struct Logs {
    memory: Vec<LogEntry>,
    spill: Option<Arc<Spill>>,
}

#[derive(Debug)]
struct Spill {
    path: PathBuf,
    writer: Mutex<BufWriter<File>>,
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Logs {
    /// From now on, lines go to `path` (created, with its folders) instead of memory.
    pub fn spill_to(&mut self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::create(path)?;
        self.spill = Some(Arc::new(Spill {
            path: path.to_path_buf(),
            writer: Mutex::new(BufWriter::new(file)),
        }));
        Ok(())
    }

    pub fn push(&mut self, entry: LogEntry) {
        if let Some(spill) = &self.spill {
            let mut writer = spill.writer.lock().unwrap_or_else(|e| e.into_inner());
            let mut line = match serde_json::to_vec(&entry) {
                Ok(line) => line,
                Err(_) => return self.memory.push(entry),
            };
            line.push(b'\n');
            if writer.write_all(&line).is_ok() {
                return;
            }
            // A full disk must not lose the line: later ones stay in memory.
            drop(writer);
            self.spill = None;
        }
        self.memory.push(entry);
    }

    /// The lines held in memory (all of them unless spilled), for in-place changes.
    pub fn in_memory(&mut self) -> &mut [LogEntry] {
        &mut self.memory
    }

    /// The first `limit` lines `keep` accepts, memory first then the spill file, which is read
    /// only as far as needed (`errorLogs()` wants 25 ERROR lines, not a copy of every line).
    pub fn matching(
        &self,
        limit: usize,
        keep: impl Fn(&LogEntry) -> bool,
    ) -> std::io::Result<Vec<LogEntry>> {
        let mut found: Vec<LogEntry> = self
            .memory
            .iter()
            .filter(|e| keep(e))
            .take(limit)
            .cloned()
            .collect();
        if found.len() < limit {
            self.each_spilled(|e| {
                if keep(&e) {
                    found.push(e);
                }
                Ok(if found.len() < limit {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                })
            })?;
        }
        Ok(found)
    }

    /// Passes the spilled lines to `f` in order, until it breaks.
    fn each_spilled(
        &self,
        mut f: impl FnMut(LogEntry) -> std::io::Result<ControlFlow<()>>,
    ) -> std::io::Result<()> {
        let Some(spill) = &self.spill else {
            return Ok(());
        };
        spill
            .writer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .flush()?;
        for line in BufReader::new(File::open(&spill.path)?).lines() {
            let entry = serde_json::from_str(&line?).map_err(std::io::Error::other)?;
            if f(entry)?.is_break() {
                break;
            }
        }
        Ok(())
    }
}

impl PartialEq for Logs {
    fn eq(&self, other: &Logs) -> bool {
        self.memory == other.memory
            && self.spill.as_ref().map(|s| &s.path) == other.spill.as_ref().map(|s| &s.path)
    }
}

impl Serialize for Logs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for entry in &self.memory {
            seq.serialize_element(entry)?;
        }
        let mut failed = None;
        let read = self.each_spilled(|entry| {
            seq.serialize_element(&entry)
                .map(ControlFlow::Continue)
                .map_err(|e| {
                    let message = e.to_string();
                    failed = Some(e);
                    std::io::Error::other(message)
                })
        });
        if let Some(e) = failed {
            return Err(e);
        }
        read.map_err(|e| S::Error::custom(format!("reading the spilled log lines: {e}")))?;
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Logs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Logs, D::Error> {
        Ok(Logs {
            memory: Vec::deserialize(deserializer)?,
            spill: None,
        })
    }
}

impl From<Vec<LogEntry>> for Logs {
    fn from(memory: Vec<LogEntry>) -> Logs {
        Logs {
            memory,
            spill: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Level;

    fn entry(n: usize) -> LogEntry {
        LogEntry {
            task_id: Some("t".into()),
            task_run_id: None,
            level: Level::Info,
            message: format!("line {n}"),
            timestamp: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn spilled_lines_serialize_after_the_ones_in_memory_and_the_file_goes_with_the_record() {
        let dir = crate::testutil::TempDir::new("logs");
        let path = dir.path().join("x/run.logs.jsonl");
        let mut logs = Logs::default();
        logs.push(entry(0));
        logs.spill_to(&path).unwrap();
        for n in 1..1000 {
            logs.push(entry(n));
        }
        assert_eq!(logs.in_memory().len(), 1);
        let json = serde_json::to_value(&logs).unwrap();
        let messages: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["message"].as_str().unwrap())
            .collect();
        assert_eq!(messages.len(), 1000);
        assert_eq!((messages[0], messages[999]), ("line 0", "line 999"));
        let back: Logs = serde_json::from_value(json).unwrap();
        let all = |l: &Logs| l.matching(usize::MAX, |_| true).unwrap();
        assert_eq!(all(&back), all(&logs));
        let odd = logs
            .matching(3, |e| e.message.ends_with(['1', '3', '5', '7', '9']))
            .unwrap();
        let odd: Vec<&str> = odd.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(odd, ["line 1", "line 3", "line 5"]);
        let copy = logs.clone();
        drop(logs);
        assert!(path.exists(), "a copy still reads it");
        drop(copy);
        assert!(!path.exists());
    }
}
