//! Template execution: text with Pebble's whitespace control, `{{ }}`, and the tags Kestra
//! keeps (`if`, `for`, `set`, `filter`, `macro`, `block`, `verbatim`) plus Kestra's
//! `{% raw %}` pre-pass.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use kflow_syntax::pebble::{
    Block, Expr, FilterBlock, For, If, Macro, Node, Print, Set, Tag, Template, Trim, Verbatim,
};
use kflow_syntax::Span;
use serde_json::{Map, Value};

use super::error::{fail, EResult, EvalError};
use super::limits::{MAX_CONCAT_BYTES, MAX_EVAL_DEPTH, MAX_OUTPUT, MAX_STEPS};
use super::print::print_val;
use super::scope::Scopes;
use super::value::{Val, ValMap};
use super::Host;

/// State shared by a render and the nested renders it starts (`render()`).
pub struct Shared<'c> {
    pub vars: &'c Map<String, Value>,
    pub host: &'c dyn Host,
    /// The Kestra line whose built-ins exist.
    pub line: super::Line,
    /// Loop iterations and macro calls so far.
    pub steps: Cell<u64>,
    /// Nesting of `render()` calls.
    pub render_depth: Cell<usize>,
    /// Bytes produced by string concatenation so far.
    pub concat_bytes: Cell<u64>,
}

pub struct Renderer<'c, 't> {
    pub sh: &'t Shared<'c>,
    pub src: &'t str,
    pub scopes: Scopes<'c>,
    macros: HashMap<&'t str, &'t Macro>,
    blocks: HashMap<&'t str, &'t Block>,
    /// Offsets where a delimiter with a leading `-` starts: the text ending there is right-trimmed.
    trim_before: HashSet<u32>,
    /// Offsets where a delimiter with a trailing `-` ends: the text starting there is left-trimmed.
    trim_after: HashSet<u32>,
    /// Evaluation nesting (expressions, bodies, macro calls), bounded by `MAX_EVAL_DEPTH`.
    pub depth: usize,
    pub macro_depth: usize,
    /// A problem found while indexing the template (Pebble's compile-time checks).
    pub setup_error: Option<EvalError>,
    /// Evaluating `read(…)` as the direct argument of `fromIon(…)`, which 2.0 gives the bytes of
    /// a binary ION file and reads the same rows from as 1.x's text.
    pub read_for_from_ion: bool,
}

/// Java's `\s`, which Pebble's trimming uses.
pub fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r')
}

impl<'c, 't> Renderer<'c, 't> {
    pub fn new(sh: &'t Shared<'c>, src: &'t str, tree: &'t Template, scopes: Scopes<'c>) -> Self {
        let mut r = Renderer {
            sh,
            src,
            scopes,
            macros: HashMap::new(),
            blocks: HashMap::new(),
            trim_before: HashSet::new(),
            trim_after: HashSet::new(),
            depth: 0,
            macro_depth: 0,
            setup_error: None,
            read_for_from_ion: false,
        };
        r.index(&tree.nodes);
        r
    }

    /// Registers macros and blocks (usable before their definition, as in Pebble) and
    /// collects whitespace-control markers.
    fn index(&mut self, nodes: &'t [Node]) {
        for node in nodes {
            match node {
                Node::Text(_) | Node::Raw(_) => {}
                Node::Comment(c) => self.trim_marks(c.span, c.trim),
                Node::Print(p) => self.trim_marks(p.span, p.trim),
                Node::Set(s) => self.tag_marks(&s.tag),
                Node::If(n) => {
                    for b in &n.branches {
                        self.tag_marks(&b.tag);
                        self.index(&b.body);
                    }
                    if let Some(e) = &n.else_branch {
                        self.tag_marks(&e.tag);
                        self.index(&e.body);
                    }
                    self.end_marks(n.end.as_ref());
                }
                Node::For(n) => {
                    self.tag_marks(&n.tag);
                    self.index(&n.body);
                    if let Some(e) = &n.else_branch {
                        self.tag_marks(&e.tag);
                        self.index(&e.body);
                    }
                    self.end_marks(n.end.as_ref());
                }
                Node::Filter(n) => {
                    self.tag_marks(&n.tag);
                    self.index(&n.body);
                    self.end_marks(n.end.as_ref());
                }
                Node::Macro(n) => {
                    self.tag_marks(&n.tag);
                    if self.macros.insert(n.name.name.as_str(), n).is_some()
                        && self.setup_error.is_none()
                    {
                        self.setup_error = Some(EvalError::other(
                            format!(
                                "More than one macro can not share the same name: {}",
                                n.name.name
                            ),
                            n.name.span,
                        ));
                    }
                    self.index(&n.body);
                    self.end_marks(n.end.as_ref());
                }
                Node::Block(n) => {
                    self.tag_marks(&n.tag);
                    self.blocks.entry(n.name.name.as_str()).or_insert(n);
                    self.index(&n.body);
                    self.end_marks(n.end.as_ref());
                }
                Node::Verbatim(v) => {
                    if v.open.trim.left {
                        self.trim_before.insert(v.open.span.start);
                    }
                    if let Some(close) = &v.close {
                        if close.trim.right {
                            self.trim_after.insert(close.span.end);
                        }
                    }
                }
            }
        }
    }

    fn trim_marks(&mut self, span: Span, trim: Trim) {
        if trim.left {
            self.trim_before.insert(span.start);
        }
        if trim.right {
            self.trim_after.insert(span.end);
        }
    }

    fn tag_marks(&mut self, tag: &Tag) {
        self.trim_marks(tag.span, tag.trim);
    }

    fn end_marks(&mut self, tag: Option<&Tag>) {
        if let Some(tag) = tag {
            self.tag_marks(tag);
        }
    }

    pub fn macro_named(&self, name: &str) -> Option<&'t Macro> {
        self.macros.get(name).copied()
    }

    pub fn block_named(&self, name: &str) -> Option<&'t Block> {
        self.blocks.get(name).copied()
    }

    /// Enters one level of evaluation nesting.
    pub fn enter(&mut self, span: Span) -> EResult<()> {
        self.depth += 1;
        if self.depth > MAX_EVAL_DEPTH {
            return fail("template nested too deeply to be evaluated", span);
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Counts a loop iteration or macro call against `MAX_STEPS`.
    pub fn step(&self, span: Span) -> EResult<()> {
        let n = self.sh.steps.get() + 1;
        self.sh.steps.set(n);
        if n > MAX_STEPS {
            return fail(
                format!("too many loop iterations and macro calls (more than {MAX_STEPS})"),
                span,
            );
        }
        Ok(())
    }

    /// Counts `bytes` of concatenated string against `MAX_CONCAT_BYTES`.
    pub fn charge_concat(&self, bytes: usize, span: Span) -> EResult<()> {
        let n = self.sh.concat_bytes.get() + bytes as u64;
        self.sh.concat_bytes.set(n);
        if n > MAX_CONCAT_BYTES {
            return fail(
                "too much string concatenation (more than 2 GiB built piece by piece)",
                span,
            );
        }
        Ok(())
    }

    pub fn render_nodes(&mut self, nodes: &'t [Node], out: &mut String) -> EResult<()> {
        for node in nodes {
            self.render_node(node, out)?;
            if out.len() > MAX_OUTPUT {
                return fail(output_too_large(), node.span());
            }
        }
        Ok(())
    }

    /// Dispatch only (small frame on the recursion path, see `eval_inner`).
    fn render_node(&mut self, node: &'t Node, out: &mut String) -> EResult<()> {
        match node {
            Node::Text(span) => out.push_str(self.text(*span)),
            Node::Comment(_) | Node::Macro(_) => {}
            Node::Print(p) => self.render_print(p, out)?,
            Node::If(n) => self.render_if(n, out)?,
            Node::For(n) => self.render_for(n, out)?,
            Node::Set(s) => self.render_set(s)?,
            Node::Filter(n) => self.render_filter_block(n, out)?,
            Node::Block(b) => self.render_body(&b.body, b.span, out)?,
            Node::Verbatim(v) => out.push_str(self.verbatim(v)),
            // Kept with its tags: Kestra unwraps raw blocks once, on the final output.
            Node::Raw(r) => out.push_str(&self.src[r.span.range()]),
        }
        Ok(())
    }

    #[inline(never)]
    fn render_print(&mut self, p: &'t Print, out: &mut String) -> EResult<()> {
        let v = self.eval(&p.expr)?;
        print_val(&v, out).map_err(|m| EvalError::other(m, p.expr.span))
    }

    #[inline(never)]
    fn render_set(&mut self, s: &'t Set) -> EResult<()> {
        let v = self.eval(&s.value)?;
        self.scopes.set(&s.variable.name, v);
        Ok(())
    }

    fn render_body(&mut self, body: &'t [Node], span: Span, out: &mut String) -> EResult<()> {
        self.enter(span)?;
        let r = self.render_nodes(body, out);
        self.leave();
        r
    }

    /// Literal text with the neighbouring whitespace-control markers applied.
    pub fn text(&self, span: Span) -> &'t str {
        let mut s = &self.src[span.range()];
        if self.trim_after.contains(&span.start) {
            s = s.trim_start_matches(is_java_space);
        }
        if self.trim_before.contains(&span.end) {
            s = s.trim_end_matches(is_java_space);
        }
        s
    }

    fn verbatim(&self, v: &Verbatim) -> &'t str {
        let mut s = &self.src[v.content.range()];
        // Pebble 4.1.1 always left-trims verbatim content (it tests a regex group that always
        // matches instead of the trim marker).
        s = s.trim_start_matches(is_java_space);
        if v.close.is_some_and(|c| c.trim.left) {
            s = s.trim_end_matches(is_java_space);
        }
        s
    }

    #[inline(never)]
    fn render_if(&mut self, n: &'t If, out: &mut String) -> EResult<()> {
        for branch in &n.branches {
            if self.condition(&branch.condition)? {
                return self.render_body(&branch.body, n.span, out);
            }
        }
        if let Some(e) = &n.else_branch {
            self.render_body(&e.body, n.span, out)?;
        }
        Ok(())
    }

    /// `{% if %}` coercion: booleans, numbers (≠ 0) and strings (non-empty); null and other
    /// types are errors. Pebble wraps every failure here, so `??` cannot catch them outside.
    fn condition(&mut self, e: &'t Expr) -> EResult<bool> {
        let v = self.eval(e).map_err(EvalError::into_other)?;
        match v {
            Val::Null => fail(
                "null value given to if statement and strict variables is set to true",
                e.span,
            ),
            Val::Bool(b) => Ok(b),
            Val::Int(i) => Ok(i != 0),
            Val::Float(f) => Ok(!f.is_nan() && f != 0.0),
            Val::Float32(f) => Ok(!f.is_nan() && f != 0.0),
            Val::Str(s) => Ok(!s.is_empty()),
            other => fail(
                format!(
                    "Wrong operand(s) type in conditional expression: unsupported value type {}. \
                     Expected Boolean, String, Number in \"if\" statement",
                    simple_class(&other)
                ),
                e.span,
            ),
        }
    }

    #[inline(never)]
    fn render_for(&mut self, n: &'t For, out: &mut String) -> EResult<()> {
        let seq = self.eval(&n.iterable)?;
        let items: Vec<Val<'c>> = match &seq {
            // Pebble renders nothing (not even the `else` body) for a null iterable.
            Val::Null => return Ok(()),
            Val::List(_) | Val::JList(_) => seq.as_list().map(|l| l.to_vec()).unwrap_or_default(),
            Val::Map(_) | Val::JMap(_) => seq
                .as_true_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| Val::Entry(std::rc::Rc::new((Val::str(&*k), v))))
                        .collect()
                })
                .unwrap_or_default(),
            other => {
                return fail(
                    format!(
                        "Not an iterable object. Value = [{}]",
                        other.to_java_string()
                    ),
                    n.iterable.span,
                )
            }
        };
        if items.is_empty() {
            if let Some(e) = &n.else_branch {
                self.render_body(&e.body, n.span, out)?;
            }
            return Ok(());
        }
        let len = items.len();
        self.scopes.push(false);
        let result = (|| {
            for (index, item) in items.into_iter().enumerate() {
                self.step(n.tag.span)?;
                let mut lv = ValMap::new();
                lv.insert("index", Val::Int(index as i64));
                lv.insert("first", Val::Bool(index == 0));
                lv.insert("last", Val::Bool(index + 1 == len));
                lv.insert("length", Val::Int(len as i64));
                lv.insert("revindex", Val::Int((len - index - 1) as i64));
                self.scopes.put("loop", Val::map(lv));
                self.scopes.put(&n.variable.name, item);
                self.render_body(&n.body, n.span, out)?;
                if out.len() > MAX_OUTPUT {
                    return fail(output_too_large(), n.span);
                }
            }
            Ok(())
        })();
        self.scopes.pop();
        result
    }

    #[inline(never)]
    fn render_filter_block(&mut self, n: &'t FilterBlock, out: &mut String) -> EResult<()> {
        let mut body = String::new();
        self.render_body(&n.body, n.span, &mut body)?;
        let mut value = Val::str(body);
        for inv in &n.filters {
            value = self.apply_filter(value, inv)?;
        }
        print_val(&value, out).map_err(|m| EvalError::other(m, n.span))
    }

    /// Renders a block's body again (`block("name")`).
    pub fn render_block(&mut self, name: &str, span: Span) -> EResult<Val<'c>> {
        let Some(block) = self.block_named(name) else {
            return fail(format!("Block [{name}] does not exist."), span);
        };
        let mut out = String::new();
        self.render_body(&block.body, span, &mut out)?;
        Ok(Val::str(out))
    }
}

pub fn output_too_large() -> String {
    format!(
        "the rendered output is too large (more than {} MiB)",
        MAX_OUTPUT >> 20
    )
}

/// Java simple class name, for messages.
pub fn simple_class(v: &Val) -> &'static str {
    match v {
        Val::List(_) | Val::JList(_) => "ArrayList",
        Val::Map(_) | Val::JMap(_) => "LinkedHashMap",
        Val::Entry(_) => "Node",
        _ => v.java_class().rsplit('.').next().unwrap_or("Object"),
    }
}
