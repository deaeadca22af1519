//! Template-level parser: text, comments, `{{ }}` and the tags Kestra keeps (Pebble's
//! `ParserImpl.subparse` and token parsers). Bodies end at the tags of the innermost open
//! block; an `end…` tag of an outer block ends the inner ones too (reported as unclosed).

use super::ast::{
    Block, Comment, ElseBranch, Expr, ExprKind, For, Ident, If, IfBranch, Macro, Node, Print,
    Set, FilterBlock, Tag,
};
use super::parser::{error, Delim, Open, Parser, MAX_TAG_NESTING};
use super::token::{Op, Tok};
use crate::span::Span;

/// Tags Kestra removes from Pebble (`ExtensionCustomizer`), with the end tags of the block ones.
const REMOVED_TAGS: [&str; 13] = [
    "extends", "include", "import", "from", "embed", "flush", "parallel", "cache", "autoescape",
    "endembed", "endparallel", "endcache", "endautoescape",
];

const BLOCK_OPENERS: [&str; 5] = ["if", "for", "filter", "macro", "block"];
const BLOCK_ENDS: [&str; 5] = ["endif", "endfor", "endfilter", "endmacro", "endblock"];

fn placeholder_ident(at: usize) -> Ident {
    Ident { name: String::new(), span: Span::empty(at) }
}

impl<'s> Parser<'s> {
    /// Nodes up to the end of the text or a tag that ends an open block (not consumed).
    pub(super) fn body(&mut self) -> Vec<Node> {
        let mut nodes = Vec::new();
        loop {
            let tok = self.cur().clone();
            let span = tok.span;
            match tok.kind {
                Tok::Eof => return nodes,
                Tok::Text => {
                    self.bump();
                    nodes.push(Node::Text(span));
                }
                Tok::Comment { trim, closed, content } => {
                    let comment = Comment { span, content, trim };
                    if !closed {
                        self.errors.push(error(Span::new(span.start as usize, span.start as usize + 2), "unclosed comment `{#`: expected `#}`"));
                    }
                    self.bump();
                    nodes.push(Node::Comment(comment));
                }
                Tok::Raw(raw) => {
                    if raw.close.is_none() {
                        self.errors.push(error(raw.open.span, "unclosed `{% raw %}`: expected `{% endraw %}`"));
                    } else if raw.multiline {
                        self.errors.push(error(
                            raw.open.span,
                            "`{% raw %}` block spans several lines: Kestra only protects single-line raw \
                             blocks and Pebble has no `raw` tag; use `{% verbatim %}…{% endverbatim %}`",
                        ));
                    }
                    self.bump();
                    nodes.push(Node::Raw(raw));
                }
                Tok::Verbatim(verbatim) => {
                    if verbatim.close.is_none() {
                        self.errors.push(error(
                            verbatim.open.span,
                            "unclosed `{% verbatim %}`: expected `{% endverbatim %}`",
                        ));
                    }
                    self.bump();
                    nodes.push(Node::Verbatim(verbatim));
                }
                Tok::PrintOpen { .. } => nodes.push(self.print()),
                Tok::TagOpen { .. } => {
                    if self.tag_name_ahead().is_some_and(|name| self.ends_body(name)) {
                        return nodes;
                    }
                    if let Some(node) = self.tag() {
                        nodes.push(node);
                    }
                }
                // Expression tokens cannot appear here; skip defensively.
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn ends_body(&self, name: &str) -> bool {
        let Some(inner) = self.open.last() else { return false };
        inner.stops().contains(&name)
            || (name.starts_with("end") && self.open.iter().any(|o| o.stops().contains(&name)))
    }

    fn print(&mut self) -> Node {
        let mut d = self.open_delim();
        let expr = if let Tok::PrintClose { .. } = self.kind() {
            let at = self.cur().span;
            self.errors.push(error(d.open.cover(at), "empty `{{ }}`: expected an expression"));
            Expr { kind: ExprKind::Error, span: Span::empty(at.start as usize) }
        } else {
            self.expr_within(&mut d)
        };
        self.close_delim(&mut d);
        let span = self.delim_span(&d);
        let trim = self.delim_trim(&d);
        Node::Print(Box::new(Print { span, trim, expr }))
    }

    /// Opens `{%` and reads the tag name.
    fn open_tag(&mut self) -> (Delim, Option<&'s str>) {
        let mut d = self.open_delim();
        if *self.kind() != Tok::Name {
            let mut err = self.expected("a tag name");
            if self.kind().is_expr_token() {
                let found = self.describe(self.cur());
                err.message = format!("expected a tag name after `{{%`, found {found}");
            }
            if *self.kind() == Tok::Op(Op::Minus) {
                err.message.push_str(" (`{%-` trims whitespace only when followed by a space)");
            }
            self.fail(&mut d, err);
            return (d, None);
        }
        d.keyword = self.bump();
        let name = self.text(d.keyword);
        (d, Some(name))
    }

    fn tag(&mut self) -> Option<Node> {
        let (mut d, name) = self.open_tag();
        let name = name?;
        let message = match name {
            "if" => return self.if_block(d),
            "for" => return self.for_block(d),
            "set" => return Some(self.set(d)),
            "filter" => return self.filter_block(d),
            "macro" => return self.macro_block(d),
            "block" => return self.block(d),
            "verbatim" => "malformed `{% verbatim %}`: nothing may follow `verbatim` in the tag".into(),
            "raw" => "malformed `{% raw %}`: nothing may follow `raw` in the tag".into(),
            "endraw" => "`{% endraw %}` without `{% raw %}`".into(),
            "elif" | "elsif" => format!("unknown tag `{name}`: Pebble uses `{{% elseif %}}`"),
            "else" | "elseif" => self.misplaced_branch(name),
            _ if BLOCK_ENDS.contains(&name) || name == "endverbatim" => {
                format!("`{{% {name} %}}` without `{{% {} %}}`", &name[3..])
            }
            _ if REMOVED_TAGS.contains(&name) => {
                format!("`{{% {name} %}}` is not available in Kestra (tag removed)")
            }
            _ => format!("unknown tag `{name}`"),
        };
        let keyword = d.keyword;
        self.fail(&mut d, error(keyword, message));
        None
    }

    fn misplaced_branch(&self, name: &str) -> String {
        match (self.open.last(), name) {
            (Some(Open::IfElse), "else") => "duplicate `{% else %}` in `{% if %}`".into(),
            (Some(Open::IfElse), _) => "`{% elseif %}` after `{% else %}`".into(),
            (Some(Open::ForElse), "else") => "duplicate `{% else %}` in `{% for %}`".into(),
            (_, "else") => "`{% else %}` outside of `{% if %}` or `{% for %}`".into(),
            _ => "`{% elseif %}` without `{% if %}`".into(),
        }
    }

    /// Too deep: reports it, skips the block with everything nested in it, returns `true`.
    fn too_deep(&mut self, keyword: Span) -> bool {
        if self.open.len() < MAX_TAG_NESTING {
            return false;
        }
        self.errors.push(error(keyword, "tags nested too deeply"));
        let mut depth = 1usize;
        while *self.kind() != Tok::Eof {
            if let Some(name) = self.tag_name_ahead() {
                if BLOCK_OPENERS.contains(&name) {
                    depth += 1;
                } else if BLOCK_ENDS.contains(&name) {
                    depth -= 1;
                    if depth == 0 {
                        self.bump();
                        while self.kind().is_expr_token() {
                            self.bump();
                        }
                        if let Tok::TagClose { .. } = self.kind() {
                            self.bump();
                        }
                        return true;
                    }
                }
            }
            self.bump();
        }
        true
    }

    /// Parses a body inside `open`.
    fn nested_body(&mut self, open: Open) -> Vec<Node> {
        self.open.push(open);
        let body = self.body();
        self.open.pop();
        body
    }

    /// The end tag `name` if it is next, else reports the block opened at `keyword` as unclosed.
    fn end_tag(&mut self, name: &str, keyword: Span, opener: &str) -> Option<Tag> {
        if self.tag_name_ahead() != Some(name) {
            self.errors.push(error(
                keyword,
                format!("unclosed `{{% {opener} %}}`: expected `{{% {name} %}}`"),
            ));
            return None;
        }
        let (d, _) = self.open_tag();
        Some(self.finish_tag(d))
    }

    /// `{% else %}` (the current token is `{%`).
    fn else_tag(&mut self) -> Tag {
        let (mut d, _) = self.open_tag();
        if self.kind() == &Tok::Name && self.text(self.cur().span) == "if" {
            let at = self.cur().span;
            self.fail(&mut d, error(at, "unexpected `if` after `else`: Pebble uses `{% elseif … %}`"));
        }
        self.finish_tag(d)
    }

    fn block_span(&self, tag: &Tag) -> Span {
        Span::new(tag.span.start as usize, self.prev_end().max(tag.span.end as usize))
    }

    fn if_block(&mut self, mut d: Delim) -> Option<Node> {
        let condition = self.expr_within(&mut d);
        let tag = self.finish_tag(d);
        if self.too_deep(tag.keyword) {
            return None;
        }
        let body = self.nested_body(Open::If);
        let mut branches = vec![IfBranch { tag, condition, body }];
        let mut else_branch = None;
        loop {
            match self.tag_name_ahead() {
                Some("elseif") if else_branch.is_none() => {
                    let (mut d, _) = self.open_tag();
                    let condition = self.expr_within(&mut d);
                    let tag = self.finish_tag(d);
                    let body = self.nested_body(Open::If);
                    branches.push(IfBranch { tag, condition, body });
                }
                Some("else") if else_branch.is_none() => {
                    let tag = self.else_tag();
                    let body = self.nested_body(Open::IfElse);
                    else_branch = Some(ElseBranch { tag, body });
                }
                _ => break,
            }
        }
        let end = self.end_tag("endif", tag.keyword, "if");
        let span = self.block_span(&tag);
        Some(Node::If(Box::new(If { span, branches, else_branch, end })))
    }

    fn for_block(&mut self, mut d: Delim) -> Option<Node> {
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
        if self.too_deep(tag.keyword) {
            return None;
        }
        let body = self.nested_body(Open::For);
        let else_branch = if self.tag_name_ahead() == Some("else") {
            let tag = self.else_tag();
            let body = self.nested_body(Open::ForElse);
            Some(ElseBranch { tag, body })
        } else {
            None
        };
        let end = self.end_tag("endfor", tag.keyword, "for");
        let span = self.block_span(&tag);
        Some(Node::For(Box::new(For { span, tag, variable, iterable, body, else_branch, end })))
    }

    fn set(&mut self, mut d: Delim) -> Node {
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
        Node::Set(Box::new(Set { span: tag.span, tag, variable, value }))
    }

    fn filter_block(&mut self, mut d: Delim) -> Option<Node> {
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
        if self.too_deep(tag.keyword) {
            return None;
        }
        let body = self.nested_body(Open::Filter);
        let end = self.end_tag("endfilter", tag.keyword, "filter");
        let span = self.block_span(&tag);
        Some(Node::Filter(Box::new(FilterBlock { span, tag, filters, body, end })))
    }

    fn macro_block(&mut self, mut d: Delim) -> Option<Node> {
        let at = d.keyword.end as usize;
        let (name, params) = self
            .within(&mut d, |p| {
                if *p.kind() != Tok::Name {
                    return Err(p.expected("a macro name"));
                }
                let span = p.bump();
                let name = Ident { name: p.text(span).to_string(), span };
                Ok((name, p.macro_params()?))
            })
            .unwrap_or_else(|| (placeholder_ident(at), Vec::new()));
        let tag = self.finish_tag(d);
        if self.too_deep(tag.keyword) {
            return None;
        }
        let body = self.nested_body(Open::Macro);
        let end = self.end_tag("endmacro", tag.keyword, "macro");
        let span = self.block_span(&tag);
        Some(Node::Macro(Box::new(Macro { span, tag, name, params, body, end })))
    }

    fn block(&mut self, mut d: Delim) -> Option<Node> {
        let at = d.keyword.end as usize;
        let name = self
            .within(&mut d, |p| {
                let span = p.cur().span;
                let text = p.text(span);
                let name = match p.kind() {
                    Tok::Name => text.to_string(),
                    Tok::Str { closed: true } => text[1..text.len() - 1].to_string(),
                    _ => return Err(p.expected("a block name")),
                };
                p.bump();
                Ok(Ident { name, span })
            })
            .unwrap_or_else(|| placeholder_ident(at));
        let tag = self.finish_tag(d);
        if self.too_deep(tag.keyword) {
            return None;
        }
        let body = self.nested_body(Open::Block);
        let end = if self.tag_name_ahead() == Some("endblock") {
            let (d, _) = self.open_tag();
            // `{% endblock name %}` may repeat the block name.
            let span = self.cur().span;
            let repeated = match self.kind() {
                Tok::Name => self.text(span) == name.name,
                Tok::Str { closed: true } => self.text(span).get(1..span.len() - 1) == Some(name.name.as_str()),
                _ => false,
            };
            if repeated {
                self.bump();
            }
            Some(self.finish_tag(d))
        } else {
            self.end_tag("endblock", tag.keyword, "block")
        };
        let span = self.block_span(&tag);
        Some(Node::Block(Box::new(Block { span, tag, name, body, end })))
    }
}
