//! Binding call arguments to names, as Pebble's `ArgumentsNode.getArgumentMap` does:
//! positional arguments take the declared names in order, named ones must be declared;
//! invocables without declared names receive positional arguments as "0", "1", …

use kflow_syntax::pebble::Args;

use super::error::{fail, EResult};
use super::exec::Renderer;
use super::value::Val;

#[derive(Default)]
pub struct Bound<'c> {
    pairs: Vec<(String, Val<'c>)>,
}

impl<'c> Bound<'c> {
    /// The argument, `None` when not given (a given `null` is `Some(Val::Null)`).
    pub fn get(&self, name: &str) -> Option<&Val<'c>> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The argument, null when not given (Java's `args.get(name)`).
    pub fn val(&self, name: &str) -> Val<'c> {
        self.get(name).cloned().unwrap_or(Val::Null)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Variadic arguments "0", "1", … in order.
    pub fn varargs(&self) -> Vec<Val<'c>> {
        (0..)
            .map_while(|i| self.get(&i.to_string()).cloned())
            .collect()
    }

    pub fn insert(&mut self, name: &str, v: Val<'c>) {
        self.pairs.retain(|(k, _)| k != name);
        self.pairs.push((name.to_string(), v));
    }
}

impl<'c, 't> Renderer<'c, 't> {
    /// Evaluates and binds `args` against the declared `names` (empty = variadic).
    pub fn bind(&mut self, names: &[&str], args: Option<&'t Args>) -> EResult<Bound<'c>> {
        let mut bound = Bound::default();
        let Some(args) = args else {
            return Ok(bound);
        };
        if names.is_empty() {
            for (i, a) in args.positional.iter().enumerate() {
                let v = self.eval(a)?;
                bound.insert(&i.to_string(), v);
            }
            for a in &args.named {
                let v = self.eval(&a.value)?;
                bound.insert(&a.name.name, v);
            }
            return Ok(bound);
        }
        for (i, a) in args.positional.iter().enumerate() {
            let Some(name) = names.get(i) else {
                return fail(
                    format!(
                        "The argument at position {} is not allowed. Only {} argument(s) are allowed.",
                        i + 1,
                        names.len()
                    ),
                    a.span,
                );
            };
            let v = self.eval(a)?;
            bound.insert(name, v);
        }
        for a in &args.named {
            if !names.contains(&a.name.name.as_str()) {
                return fail(
                    format!(
                        "The following named argument does not exist: {}",
                        a.name.name
                    ),
                    a.name.span,
                );
            }
            let v = self.eval(&a.value)?;
            bound.insert(&a.name.name, v);
        }
        Ok(bound)
    }
}
