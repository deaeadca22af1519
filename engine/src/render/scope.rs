//! Pebble's scope chain. The bottom is the render context (borrowed) with an overlay for
//! variables set at top level; `{% for %}` pushes an ordinary scope, macros push a *local*
//! scope that hides everything below it. `{% set %}` updates the innermost scope that already
//! has the variable (so accumulators work inside loops), else creates it in the current scope.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::value::Val;

struct Scope<'c> {
    vars: HashMap<String, Val<'c>>,
    local: bool,
}

pub struct Scopes<'c> {
    root: &'c Map<String, Value>,
    /// Top-level `{% set %}` (and the variables handed to a nested `render()`).
    overlay: HashMap<String, Val<'c>>,
    stack: Vec<Scope<'c>>,
}

impl<'c> Scopes<'c> {
    pub fn new(root: &'c Map<String, Value>) -> Self {
        Scopes {
            root,
            overlay: HashMap::new(),
            stack: Vec::new(),
        }
    }

    /// A chain whose bottom holds `vars` on top of `root` (for `render()`).
    pub fn with_overlay(root: &'c Map<String, Value>, vars: HashMap<String, Val<'c>>) -> Self {
        Scopes {
            root,
            overlay: vars,
            stack: Vec::new(),
        }
    }

    pub fn push(&mut self, local: bool) {
        self.stack.push(Scope {
            vars: HashMap::new(),
            local,
        });
    }

    pub fn pop(&mut self) {
        self.stack.pop();
    }

    /// `None` when the variable does not exist (as opposed to existing with a null value).
    pub fn get(&self, name: &str) -> Option<Val<'c>> {
        for scope in self.stack.iter().rev() {
            if let Some(v) = scope.vars.get(name) {
                return Some(v.clone());
            }
            if scope.local {
                return None;
            }
        }
        if let Some(v) = self.overlay.get(name) {
            return Some(v.clone());
        }
        self.root.get(name).map(Val::from_json)
    }

    /// Defines `name` in the current scope (loop variables, macro arguments).
    pub fn put(&mut self, name: &str, value: Val<'c>) {
        match self.stack.last_mut() {
            Some(scope) => {
                scope.vars.insert(name.to_string(), value);
            }
            None => {
                self.overlay.insert(name.to_string(), value);
            }
        }
    }

    /// `{% set %}`: updates the innermost scope that has the variable, else defines it in the
    /// current scope.
    pub fn set(&mut self, name: &str, value: Val<'c>) {
        for scope in self.stack.iter_mut().rev() {
            if scope.local || scope.vars.contains_key(name) {
                scope.vars.insert(name.to_string(), value);
                return;
            }
        }
        if self.overlay.contains_key(name) || self.root.contains_key(name) {
            self.overlay.insert(name.to_string(), value);
            return;
        }
        self.put(name, value);
    }

    /// Every visible variable, innermost definitions winning (`printContext()`, `_context`,
    /// and the variables a nested `render()` sees).
    pub fn visible(&self) -> HashMap<String, Val<'c>> {
        let mut out: HashMap<String, Val<'c>> = HashMap::new();
        let mut reached_bottom = true;
        for scope in self.stack.iter().rev() {
            for (k, v) in &scope.vars {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
            if scope.local {
                reached_bottom = false;
                break;
            }
        }
        if reached_bottom {
            for (k, v) in &self.overlay {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for (k, v) in self.root {
                out.entry(k.clone()).or_insert_with(|| Val::from_json(v));
            }
        }
        out
    }
}
