//! The opening tags of blocks and `{% set %}`: what they read before their body.

use super::ast::{Ident, Node, Set};
use super::blocks::Head;
use super::parser::{Delim, Parser};
use super::token::{Op, Tok};
use crate::span::Span;

fn placeholder_ident(at: usize) -> Ident {
    Ident {
        name: String::new(),
        span: Span::empty(at),
    }
}

impl Parser<'_> {
    /// `{% if condition %}` (also `elseif`), after the keyword.
    pub(super) fn if_head(&mut self, mut d: Delim) -> Head {
        let condition = self.expr_within(&mut d);
        let tag = self.finish_tag(d);
        Head::If {
            done: Vec::new(),
            tag,
            condition,
            else_tag: None,
        }
    }

    /// `{% for variable in iterable %}`, after the keyword.
    pub(super) fn for_head(&mut self, mut d: Delim) -> Head {
        let at = d.keyword.end as usize;
        let variable = self
            .within(&mut d, |p| {
                let variable = p.new_name("a loop variable")?;
                if !(p.kind() == &Tok::Name && p.text(p.cur().span) == "in") {
                    return Err(p.expected("`in` after the loop variable"));
                }
                p.bump();
                Ok(variable)
            })
            .unwrap_or_else(|| placeholder_ident(at));
        let iterable = self.expr_within(&mut d);
        let tag = self.finish_tag(d);
        Head::For {
            tag,
            variable,
            iterable,
            body: None,
            else_tag: None,
        }
    }

    /// `{% set variable = value %}`, after the keyword.
    pub(super) fn set(&mut self, mut d: Delim) -> Node {
        let at = d.keyword.end as usize;
        let variable = self
            .within(&mut d, |p| {
                let variable = p.new_name("a variable name")?;
                if !p.is_punct(b'=') {
                    return Err(p.expected("`=` after the variable name"));
                }
                p.bump();
                Ok(variable)
            })
            .unwrap_or_else(|| placeholder_ident(at));
        let value = self.expr_within(&mut d);
        let tag = self.finish_tag(d);
        Node::Set(Box::new(Set {
            span: tag.span,
            tag,
            variable,
            value,
        }))
    }

    /// `{% filter name(args) | … %}`, after the keyword.
    pub(super) fn filter_head(&mut self, mut d: Delim) -> Head {
        let filters = self
            .within(&mut d, |p| {
                let mut filters = vec![*p.invocation("a filter name")?.0];
                while *p.kind() == Tok::Op(Op::Pipe) {
                    p.bump();
                    filters.push(*p.invocation("a filter name")?.0);
                }
                Ok(filters)
            })
            .unwrap_or_default();
        let tag = self.finish_tag(d);
        Head::Filter { tag, filters }
    }

    /// `{% macro name(params) %}`, after the keyword.
    pub(super) fn macro_head(&mut self, mut d: Delim) -> Head {
        let at = d.keyword.end as usize;
        let (name, params) = self
            .within(&mut d, |p| {
                if *p.kind() != Tok::Name {
                    return Err(p.expected("a macro name"));
                }
                let span = p.bump();
                let name = Ident {
                    name: p.text(span).to_string(),
                    span,
                };
                Ok((name, p.macro_params()?))
            })
            .unwrap_or_else(|| (placeholder_ident(at), Vec::new()));
        let tag = self.finish_tag(d);
        Head::Macro { tag, name, params }
    }

    /// `{% block name %}` (name or string), after the keyword.
    pub(super) fn block_head(&mut self, mut d: Delim) -> Head {
        let at = d.keyword.end as usize;
        let name = self
            .within(&mut d, |p| {
                let span = p.cur().span;
                let text = p.text(span);
                let name = match p.kind() {
                    Tok::Name => text.to_string(),
                    Tok::Str { closed: true } => text
                        .get(1..text.len().saturating_sub(1))
                        .unwrap_or("")
                        .to_string(),
                    _ => return Err(p.expected("a block name")),
                };
                p.bump();
                Ok(Ident { name, span })
            })
            .unwrap_or_else(|| placeholder_ident(at));
        let tag = self.finish_tag(d);
        Head::Block { tag, name }
    }
}
