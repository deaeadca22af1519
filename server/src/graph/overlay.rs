//! A local run drawn over the graph (`kflow graph --execution ID`): each task node gets the
//! state of its task runs (the worst of them when a loop ran it several times), how many ran,
//! the most attempts one took and the time they took together.

use std::collections::BTreeMap;
use std::time::Duration;

use kflow_engine::record::{Execution, State};

use super::model::Graph;
use crate::run::display::{duration_text, state_name};

#[derive(Clone, Debug)]
pub struct NodeRun {
    /// The state shown: the worst of the task's runs.
    pub state: State,
    pub runs: usize,
    /// The most attempts one run took.
    pub attempts: usize,
    /// The runs' durations added up, when they ended.
    pub took: Option<Duration>,
    /// How many runs ended in each state, for loops.
    pub by_state: BTreeMap<String, usize>,
}

impl NodeRun {
    /// `SUCCESS · 0.12s`, `3 runs: 2 SUCCESS, 1 FAILED · 1.5s`, `… · attempt 2`.
    pub fn summary(&self) -> String {
        let mut text = if self.runs > 1 {
            let counts: Vec<String> = self
                .by_state
                .iter()
                .map(|(state, n)| format!("{n} {state}"))
                .collect();
            format!("{} runs: {}", self.runs, counts.join(", "))
        } else {
            state_name(self.state)
        };
        if let Some(took) = self.took {
            text.push_str(&format!(" · {}", duration_text(took)));
        }
        if self.attempts > 1 {
            text.push_str(&format!(" · attempt {}", self.attempts));
        }
        text
    }

    /// The class and colour name of the state (`success`, `failed`…).
    pub fn state_class(&self) -> String {
        state_name(self.state).to_lowercase()
    }

    /// Fill and border colours of the state, for the writers without style sheets (the SVG's
    /// style sheet uses the same).
    pub fn colors(&self) -> (&'static str, &'static str) {
        match self.state {
            State::Success => ("#e8f6ec", "#2e8b57"),
            State::Warning => ("#fdf5e3", "#d49a1a"),
            State::Failed | State::Killed => ("#fbe9e9", "#d9534f"),
            State::Skipped => ("#f2f2f4", "#9a9aa6"),
            _ => ("#eaf1fb", "#3b73c4"),
        }
    }
}

/// Worse states win when a task ran more than once.
fn severity(state: State) -> u8 {
    match state {
        State::Failed => 6,
        State::Killed => 5,
        State::Warning => 4,
        State::Success => 1,
        State::Skipped => 0,
        _ => 3,
    }
}

/// Marks the nodes of `graph` with the task runs of `record`. Tasks that did not run stay
/// unmarked. Fails when the record is of another flow.
pub fn apply(graph: &mut Graph, record: &Execution) -> Result<(), String> {
    if graph.flow_id.as_deref() != Some(record.flow_id.as_str())
        || graph.namespace.as_deref() != Some(record.namespace.as_str())
    {
        return Err(format!(
            "execution {} is of flow {}.{}, not of this one",
            record.id, record.namespace, record.flow_id
        ));
    }
    let mut by_task: BTreeMap<&str, NodeRun> = BTreeMap::new();
    for run in &record.task_runs {
        let took = crate::run::elapsed(run.start_date, run.end_date);
        let entry = by_task.entry(run.task_id.as_str()).or_insert(NodeRun {
            state: run.state,
            runs: 0,
            attempts: 0,
            took: None,
            by_state: BTreeMap::new(),
        });
        entry.runs += 1;
        entry.attempts = entry.attempts.max(run.attempts.len());
        if severity(run.state) > severity(entry.state) {
            entry.state = run.state;
        }
        if let Some(took) = took {
            entry.took = Some(entry.took.unwrap_or_default() + took);
        }
        *entry.by_state.entry(state_name(run.state)).or_default() += 1;
    }
    for node in &mut graph.nodes {
        if let Some(id) = &node.task_id {
            node.run = by_task.get(id.as_str()).cloned();
        }
    }
    Ok(())
}
