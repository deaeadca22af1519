//! Functions reading the execution context: `currentEachOutput`, `tasksWithState`,
//! `printContext`.

use std::rc::Rc;

use kflow_syntax::Span;

use super::super::args::Bound;
use super::super::error::{fail, EResult};
use super::super::exec::Renderer;
use super::super::filters::cast_str;
use super::super::value::{java_hash_map, Val};

impl<'c, 't> Renderer<'c, 't> {
    /// `currentEachOutput(outputs.t)`: walks down the outputs by the loop values of the
    /// enclosing `parents` (outermost first), then by `taskrun.value`.
    pub(super) fn current_each_output(&mut self, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
        let mut outputs = a.val("outputs");
        if outputs.as_true_map().is_none() {
            return fail(
                "The 'currentEachOutput' function expects an argument 'outputs' with type map.",
                span,
            );
        }
        let value_of = |v: &Val<'c>| -> Option<Val<'c>> {
            v.as_true_map()?.get("taskrun")?.as_true_map()?.get("value")
        };
        if let Some(parents) = self.scopes.get("parents") {
            if let Some(list) = parents.as_list() {
                let items: Vec<Val<'c>> = list.to_vec();
                for parent in items.iter().rev() {
                    let has_taskrun = parent
                        .as_true_map()
                        .is_some_and(|m| m.get("taskrun").is_some_and(|t| !t.is_null()));
                    if has_taskrun {
                        let key = value_of(parent).unwrap_or(Val::Null).to_java_string();
                        outputs = outputs
                            .as_true_map()
                            .and_then(|m| m.get(&key))
                            .unwrap_or(Val::Null);
                        if outputs.as_true_map().is_none() {
                            return fail(
                                format!("No output found for the loop value '{key}'"),
                                span,
                            );
                        }
                    }
                }
            }
        }
        let taskrun = self.scopes.get("taskrun").unwrap_or(Val::Null);
        let Some(value) = taskrun.as_true_map().and_then(|m| m.get("value")) else {
            return fail(
                "currentEachOutput() needs `taskrun.value` (it only works inside a loop)",
                span,
            );
        };
        Ok(outputs
            .as_true_map()
            .and_then(|m| m.get(&value.to_java_string()))
            .unwrap_or(Val::Null))
    }

    /// `tasksWithState(state)`: `{taskId, state[, value]}` for each task (or task iteration)
    /// of the `tasks` variable in that state.
    pub(super) fn tasks_with_state(&mut self, a: &Bound<'c>, span: Span) -> EResult<Val<'c>> {
        let wanted = match a.val("state") {
            Val::Null => {
                return fail(
                    "The 'tasksWithState' function expects an argument 'state'.",
                    span,
                )
            }
            s => cast_str(&s, span)?.to_uppercase(),
        };
        let mut out = Vec::new();
        let tasks = self.scopes.get("tasks").unwrap_or(Val::Null);
        let Some(tasks) = tasks.as_true_map() else {
            return Ok(Val::list(out));
        };
        let entry = |task: &str, state: &str, value: Option<&str>| {
            let mut pairs: Vec<(Rc<str>, Val<'c>)> = vec![
                (Rc::from("taskId"), Val::str(task)),
                (Rc::from("state"), Val::str(state)),
            ];
            if let Some(v) = value {
                pairs.push((Rc::from("value"), Val::str(v)));
            }
            Val::map(java_hash_map(pairs, 16))
        };
        for (task, details) in tasks.iter() {
            let Some(details) = details.as_true_map() else {
                continue;
            };
            for (key, v) in details.iter() {
                let nested_state = v.as_true_map().and_then(|m| match m.get("state") {
                    Some(Val::Str(s)) => Some(s.to_uppercase()),
                    _ => None,
                });
                if key == "state" {
                    if let Val::Str(s) = &v {
                        if s.to_uppercase() == wanted {
                            out.push(entry(&task, &wanted, None));
                        }
                    } else if nested_state.as_deref() == Some(wanted.as_str()) {
                        // Kestra records the literal "state" as the value here.
                        out.push(entry(&task, &wanted, Some("state")));
                    }
                } else if nested_state.as_deref() == Some(wanted.as_str()) {
                    out.push(entry(&task, &wanted, Some(&key)));
                }
            }
        }
        Ok(Val::list(out))
    }

    /// `printContext()`: every visible variable (a `HashMap` in Kestra, hence its order).
    pub(super) fn print_context(&self) -> Val<'c> {
        let pairs: Vec<(Rc<str>, Val<'c>)> = self
            .scopes
            .visible()
            .into_iter()
            .map(|(k, v)| (Rc::from(k), v))
            .collect();
        Val::map(java_hash_map(pairs, 16))
    }
}
