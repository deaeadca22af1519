//! The `jq` filter, run with jaq (Kestra uses jackson-jq with the jq 1.6 dialect; jaq is close
//! but not identical, e.g. for some error messages and number formatting). Values cross over
//! as JSON text, which keeps the two value models apart and object keys in order.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, Compiler, Ctx, Native, Vars};
use jaq_json::Val as JqVal;

use super::json_read::parse_json;
use super::limits::{MAX_COLLECTION, MAX_OUTPUT};
use super::print::to_json_string;
use super::value::Val;

type JqFilter = jaq_core::compile::Filter<Native<data::JustLut<JqVal>>>;

thread_local! {
    /// Compiled programs: compiling loads jq's standard library, and flows repeat programs.
    static CACHE: RefCell<HashMap<String, Rc<JqFilter>>> = RefCell::new(HashMap::new());
}

fn compile(program: &str) -> Result<Rc<JqFilter>, String> {
    if let Some(f) = CACHE.with(|c| c.borrow().get(program).cloned()) {
        return Ok(f);
    }
    let problems = kflow_syntax::jq::check(program);
    if let Some(p) = problems.first() {
        return Err(format!("Invalid jq expression '{program}': {}", p.message));
    }
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs::<data::JustLut<JqVal>>()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(
            &arena,
            File {
                code: program,
                path: (),
            },
        )
        .map_err(|_| format!("Invalid jq expression '{program}'"))?;
    let filter = Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|_| format!("Invalid jq expression '{program}'"))?;
    let filter = Rc::new(filter);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(program.to_string(), filter.clone());
    });
    Ok(filter)
}

/// Runs `program` on `input` (a string input is parsed as JSON first, as Kestra does) and
/// returns the list of results.
pub fn run(program: &str, input: &Val) -> Result<Val<'static>, String> {
    let input_text = match input {
        Val::Str(s) => {
            if parse_json(s).is_err() {
                return Err(format!(
                    "Unable to parse jq value '{s}' with type 'java.lang.String'"
                ));
            }
            s.to_string()
        }
        other => to_json_string(other)?,
    };
    let filter = compile(program)?;
    let jq_input = jaq_json::read::parse_single(input_text.as_bytes())
        .map_err(|e| format!("Unable to parse jq value: {e}"))?;
    let ctx = Ctx::<data::JustLut<JqVal>>::new(&filter.lut, Vars::new([]));
    let mut results = Vec::new();
    let mut size = 0usize;
    for out in filter.id.run((ctx, jq_input)) {
        let value = match out {
            Ok(v) => v,
            Err(exn) => {
                let message = match exn.get_err() {
                    Ok(err) => err.to_string(),
                    Err(_) => "halted".to_string(),
                };
                return Err(format!(
                    "Failed to resolve JQ expression '{program}' and value '{}': {message}",
                    input.to_java_string()
                ));
            }
        };
        let text = value.to_string();
        size += text.len();
        if size > MAX_OUTPUT || results.len() >= MAX_COLLECTION {
            return Err(format!(
                "jq expression '{program}' produced too much output"
            ));
        }
        results.push(parse_json(&text).map_err(|e| {
            format!("jq expression '{program}' produced a value that is not JSON ({e}): {text}")
        })?);
    }
    Ok(Val::list(results))
}
