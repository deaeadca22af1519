//! Which tasks have run, on every path, when a given task reads `outputs.X`.

use std::collections::HashSet;

use kflow_syntax::model::{Flow, Section, TaskIdx};

use crate::catalog::Catalog;

/// How the task read (`r`) relates to the task reading (`c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// `r` has ended before `c` starts, on every path.
    Before,
    /// `r` has ended before `c` starts only when a branch it sits in was taken.
    Conditional(TaskIdx),
    /// `r` is `c` or one of its ancestors (a flowable reading its own outputs, such as LoopUntil).
    Enclosing,
    /// `c` runs in an `errors`/`finally`/`afterExecution` list: any task may have run.
    Recovery,
    /// `r` runs after `c`.
    After,
    /// `r` runs concurrently with `c` (Parallel branches, independent Dag tasks).
    Concurrent,
    /// `r` and `c` sit in branches that exclude each other (`then`/`else`, two cases).
    OtherBranch,
    /// `r` runs only when something fails, in an `errors`/`finally` list `c` is not in.
    OnlyOnFailure,
    /// `r` is in an `errors` list and `c` in the `finally` or `afterExecution` that runs after
    /// it whatever happened: `r` has run only if something failed.
    IfFailed,
}

fn is_type(catalog: &Catalog, flow: &Flow, t: TaskIdx, suffix: &str) -> bool {
    catalog
        .canonical(flow.task(t).type_name())
        .ends_with(suffix)
}

/// Loops whose children's outputs are keyed by the loop value (`outputs.child[value]`).
pub fn is_value_loop(catalog: &Catalog, flow: &Flow, t: TaskIdx) -> bool {
    [
        ".flow.ForEach",
        ".flow.EachSequential",
        ".flow.EachParallel",
    ]
    .iter()
    .any(|s| is_type(catalog, flow, t, s))
}

fn chain(flow: &Flow, t: TaskIdx) -> Vec<TaskIdx> {
    std::iter::once(t).chain(flow.ancestors(t)).collect()
}

/// Tasks of a Dag that `t` depends on, transitively.
fn dag_deps(flow: &Flow, siblings: &[TaskIdx], t: TaskIdx) -> HashSet<TaskIdx> {
    let by_id = |id: &str| {
        siblings
            .iter()
            .copied()
            .find(|&s| flow.task(s).id.as_ref().is_some_and(|n| n.name == id))
    };
    let mut seen = HashSet::new();
    let mut stack = vec![t];
    while let Some(x) = stack.pop() {
        for dep in &flow.task(x).depends_on {
            if let Some(d) = by_id(&dep.name) {
                if seen.insert(d) {
                    stack.push(d);
                }
            }
        }
    }
    seen
}

pub fn relation(catalog: &Catalog, flow: &Flow, r: TaskIdx, c: TaskIdx) -> Relation {
    let c_chain = chain(flow, c);
    if c_chain.contains(&r) {
        return Relation::Enclosing;
    }
    let r_chain = chain(flow, r);
    if r_chain.contains(&c) {
        // A flowable's own property reading one of its descendants: a loop condition, and a
        // 2.0 Loop's declared `outputs`, are rendered after each iteration's tasks (its
        // `values` before them, but they cannot name its own tasks' outputs usefully anyway);
        // anything else is evaluated before the children run.
        let after_children = [".flow.LoopUntil", ".flow.WaitFor", ".flow.Loop"]
            .iter()
            .any(|s| is_type(catalog, flow, c, s));
        return if after_children {
            Relation::Before
        } else {
            Relation::After
        };
    }
    // The nearest common ancestor, and the ancestors-or-self of r and c just below it.
    let lca_pos = r_chain.iter().position(|t| c_chain.contains(t));
    let (r_top_pos, c_top) = match lca_pos {
        Some(p) => {
            let lca = r_chain[p];
            let c_pos = c_chain.iter().position(|&t| t == lca).unwrap_or(0);
            (p - 1, c_chain[c_pos.saturating_sub(1)])
        }
        None => (r_chain.len() - 1, *c_chain.last().unwrap_or(&c)),
    };
    let r_top = r_chain[r_top_pos];
    let (rs, cs) = (&flow.task(r_top).section, &flow.task(c_top).section);
    // Inside recovery lists (anywhere up the chain, below the common ancestor) any task may be read.
    let c_top_pos = c_chain.iter().position(|&t| t == c_top).unwrap_or(0);
    if c_chain[..=c_top_pos]
        .iter()
        .any(|&t| flow.task(t).section.is_recovery())
    {
        let runs_anyway = matches!(cs, Section::Finally | Section::AfterExecution);
        return if runs_anyway && *rs == Section::Errors {
            Relation::IfFailed
        } else {
            Relation::Recovery
        };
    }
    if rs != cs {
        return if rs.is_recovery() {
            Relation::OnlyOnFailure
        } else {
            Relation::OtherBranch
        };
    }
    let parent = flow.task(r_top).parent;
    let order = if let Some(p) = parent.filter(|_| *rs == Section::Tasks) {
        if is_type(catalog, flow, p, ".flow.Parallel")
            || is_type(catalog, flow, p, ".flow.EachParallel")
        {
            Relation::Concurrent
        } else if is_type(catalog, flow, p, ".flow.Dag") {
            let siblings = &flow.task(p).children;
            if dag_deps(flow, siblings, c_top).contains(&r_top) {
                Relation::Before
            } else {
                Relation::Concurrent
            }
        } else if flow.task(r_top).index < flow.task(c_top).index {
            Relation::Before
        } else {
            Relation::After
        }
    } else if flow.task(r_top).index < flow.task(c_top).index {
        Relation::Before
    } else {
        Relation::After
    };
    if order != Relation::Before {
        return order;
    }
    // Did r run on every path? Not when it sits in a branch or a recovery list below r_top.
    for &t in &r_chain[..r_top_pos] {
        if flow.task(t).section.is_conditional() {
            return Relation::Conditional(flow.task(t).parent.unwrap_or(t));
        }
    }
    Relation::Before
}
