//! Open documents: their text as the client has it (incremental edits applied in the order they
//! arrive, positions converted through the line index), a parse of the current text made on
//! demand, and the last checked findings.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use kflow_lint_rules::{Config, Finding};
use kflow_syntax::{Document, LineIndex, Utf16Pos};
use tokio::task::AbortHandle;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::config::Stamp;

/// A parse of one version, with the findings of `kflow lint` on it.
pub struct Checked {
    /// Unique per check: the `resultId` of pulled diagnostics.
    pub serial: u64,
    /// The document generation it was made from.
    pub generation: u64,
    pub version: i32,
    pub doc: Arc<Document>,
    pub findings: Vec<Finding>,
    /// The config file it was checked with, and what it said.
    pub stamp: Stamp,
    pub config: Arc<Config>,
}

pub struct OpenDoc {
    pub version: i32,
    pub text: String,
    line_index: LineIndex,
    /// The file on disk, for `file:` URIs (where `kflow.toml` is looked for).
    pub path: Option<PathBuf>,
    /// A parse of the current text, made when first needed.
    pub parsed: Option<Arc<Document>>,
    pub checked: Option<Arc<Checked>>,
    /// Bumped on every change: a scheduled check that sees another value is stale.
    pub generation: u64,
    pub pending: Option<AbortHandle>,
}

impl OpenDoc {
    pub fn new(uri: &Uri, version: i32, text: String) -> OpenDoc {
        OpenDoc {
            version,
            line_index: LineIndex::new(&text),
            text,
            path: uri.to_file_path().map(|p| p.into_owned()),
            parsed: None,
            checked: None,
            generation: 0,
            pending: None,
        }
    }

    /// Applies one change event; ranges are UTF-16 positions in the text as it is now.
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent) {
        match change.range {
            None => self.text = change.text,
            Some(r) => {
                let at = |p: tower_lsp_server::ls_types::Position| {
                    self.line_index.offset_of_utf16(
                        &self.text,
                        Utf16Pos {
                            line: p.line,
                            character: p.character,
                        },
                    )
                };
                let (a, b) = (at(r.start), at(r.end));
                self.text.replace_range(a.min(b)..a.max(b), &change.text);
            }
        }
        self.line_index = LineIndex::new(&self.text);
        self.parsed = None;
        self.generation += 1;
    }

    /// The checked findings, if they are those of the current text.
    pub fn current_check(&self) -> Option<Arc<Checked>> {
        self.checked
            .clone()
            .filter(|c| c.generation == self.generation)
    }
}

#[derive(Default)]
pub struct Documents {
    pub open: HashMap<Uri, OpenDoc>,
}
