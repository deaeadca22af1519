//! Reports a Dag whose `dependsOn` names a task outside the Dag, or forms a cycle.
//!
//! ## What it does
//! In a `io.kestra.plugin.core.flow.Dag`, every `dependsOn` entry must name a task of the same
//! Dag, and the dependencies must not loop back (`a` needs `b`, `b` needs `a`).
//!
//! ## Why
//! Kestra refuses such a Dag when the flow is saved: a cycle could never start.
//!
//! ## Example
//! ```yaml
//! - id: dag
//!   type: io.kestra.plugin.core.flow.Dag
//!   tasks:
//!     - task: {id: a, type: io.kestra.plugin.core.log.Log, message: a}
//!       dependsOn: [b]
//!     - task: {id: b, type: io.kestra.plugin.core.log.Log, message: b}
//!       dependsOn: [a]
//! ```
//!
//! ## Fix
//! Point `dependsOn` at tasks of the same Dag and break the cycle.

use std::collections::HashMap;

use kflow_syntax::model::TaskIdx;

use crate::context::Context;
use crate::suggest::closest;
use crate::finding::{Finding, Severity};

pub const ID: &str = "invalid-dag";
pub const SEVERITY: Severity = Severity::Error;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(flow) = cx.flow else { return };
    for dag in flow.task_indices() {
        let children: Vec<TaskIdx> = flow
            .task(dag)
            .children
            .iter()
            .copied()
            .filter(|&c| flow.task(c).section == kflow_syntax::model::Section::Tasks)
            .collect();
        if children.iter().all(|&c| flow.task(c).depends_on.is_empty()) {
            continue;
        }
        let by_id: HashMap<&str, TaskIdx> = children
            .iter()
            .filter_map(|&c| Some((flow.task(c).id.as_ref()?.name.as_str(), c)))
            .collect();
        for &c in &children {
            for dep in &flow.task(c).depends_on {
                if !by_id.contains_key(dep.name.as_str()) {
                    let mut message = format!(
                        "`dependsOn` names `{}`, which is not a task of this Dag",
                        dep.name
                    );
                    if let Some(near) = closest(&dep.name, by_id.keys().copied()) {
                        message.push_str(&format!("; did you mean `{near}`?"));
                    }
                    out.push(Finding::new(ID, dep.span, message));
                }
            }
        }
        // Depth-first search with colours, iteratively.
        let mut state: HashMap<TaskIdx, u8> = HashMap::new();
        for &start in &children {
            if state.contains_key(&start) {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            state.insert(start, 1);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let deps = &flow.task(node).depends_on;
                if *next >= deps.len() {
                    state.insert(node, 2);
                    stack.pop();
                    continue;
                }
                let dep = &deps[*next];
                *next += 1;
                let Some(&target) = by_id.get(dep.name.as_str()) else {
                    continue;
                };
                match state.get(&target) {
                    Some(1) => out.push(Finding::new(
                        ID,
                        dep.span,
                        format!("`dependsOn: {}` closes a dependency cycle", dep.name),
                    )),
                    Some(_) => {}
                    None => {
                        state.insert(target, 1);
                        stack.push((target, 0));
                    }
                }
            }
        }
    }
}
