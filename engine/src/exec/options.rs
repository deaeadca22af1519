//! What a run is given (storage, secrets, environment, where events go) and what it reports
//! while it runs.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::record::State;
use crate::storage::Storage;
use crate::task::Level;

/// Canonical name of a task type (aliases resolved); identity when unknown.
pub type TypeResolver = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// What the executor reports while it runs.
#[derive(Clone, Debug)]
pub enum Event {
    TaskRunCreated {
        task_run_id: String,
        task_id: String,
        depth: usize,
        value: Option<String>,
    },
    StateChanged {
        task_run_id: String,
        task_id: String,
        depth: usize,
        value: Option<String>,
        state: State,
        /// Time since the task run was created, for terminal states.
        duration: Option<Duration>,
        /// Why it failed, when it did.
        message: Option<String>,
    },
    Log {
        task_id: Option<String>,
        depth: usize,
        level: Level,
        message: String,
    },
    ExecutionEnded {
        state: State,
    },
}

/// How to run: storage, secrets, environment, where events go.
#[derive(Clone)]
pub struct RunOptions {
    pub storage: Storage,
    /// The flow file (its folder is searched for subflows).
    pub flow_path: Option<PathBuf>,
    /// Secret name → value (`secret('X')`); values are masked in logs and in the record.
    pub secrets: BTreeMap<String, String>,
    /// `envs.*` (the `ENV_` prefix stripped, lower-cased).
    pub envs: Map<String, Value>,
    pub resolve_type: TypeResolver,
    pub events: Option<tokio::sync::mpsc::UnboundedSender<Event>>,
    /// Set to true to kill the execution (Ctrl-C).
    pub cancel: Option<tokio::sync::watch::Receiver<bool>>,
    /// Python interpreter for script tasks, and the dependency cache.
    pub python: String,
    pub cache_dir: PathBuf,
    /// Nesting of subflow executions (guards against a flow calling itself forever).
    pub subflow_depth: usize,
}

impl RunOptions {
    pub fn new(storage: Storage) -> RunOptions {
        let cache_dir = storage.root().join(".kflow-cache");
        RunOptions {
            storage,
            flow_path: None,
            secrets: BTreeMap::new(),
            envs: Map::new(),
            resolve_type: Arc::new(|t: &str| t.to_string()),
            events: None,
            cancel: None,
            python: "python3".into(),
            cache_dir,
            subflow_depth: 0,
        }
    }
}
