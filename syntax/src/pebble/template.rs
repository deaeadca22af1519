//! Template-level parser: text, comments, `{{ }}` and the tags Kestra keeps (Pebble's
//! `ParserImpl.subparse`). Blocks are tracked on an explicit stack (`blocks.rs`), not by
//! recursion, so nesting costs no call stack.

use super::ast::{Comment, Expr, ExprKind, Node, Print, Raw, Verbatim};
use super::blocks::{Head, OpenBlock, BLOCK_ENDS};
use super::parser::{error, Delim, Open, Parser, MAX_TAG_NESTING};
use super::token::{Op, Tok, Token};
use crate::span::Span;

/// Tags Kestra removes from Pebble (`ExtensionCustomizer`), with the end tags of the block ones.
const REMOVED_TAGS: [&str; 13] = [
    "extends",
    "include",
    "import",
    "from",
    "embed",
    "flush",
    "parallel",
    "cache",
    "autoescape",
    "endembed",
    "endparallel",
    "endcache",
    "endautoescape",
];

impl<'s> Parser<'s> {
    /// The whole template.
    pub(super) fn template(&mut self) -> Vec<Node> {
        self.bodies.push(Vec::new());
        loop {
            let tok = self.cur().clone();
            let node = match tok.kind {
                Tok::Eof => break,
                Tok::Text => {
                    self.bump();
                    Some(Node::Text(tok.span))
                }
                Tok::Comment { .. } => Some(self.comment(tok)),
                Tok::Raw(raw) => Some(self.raw(raw)),
                Tok::Verbatim(verbatim) => Some(self.verbatim(verbatim)),
                Tok::PrintOpen { .. } => Some(self.print()),
                Tok::TagOpen { .. } => self.tag_step(),
                // Expression tokens cannot appear here; skip defensively.
                _ => {
                    self.bump();
                    None
                }
            };
            if let Some(node) = node {
                self.push_node(node);
            }
        }
        while !self.blocks.is_empty() {
            self.close_unclosed();
        }
        self.bodies.pop().unwrap_or_default()
    }

    fn comment(&mut self, tok: Token) -> Node {
        let span = self.bump();
        let Tok::Comment {
            trim,
            closed,
            content,
        } = tok.kind
        else {
            return Node::Text(span);
        };
        if !closed {
            let at = Span::new(span.start as usize, span.start as usize + 2);
            self.errors
                .push(error(at, "unclosed comment `{#`: expected `#}`"));
        }
        Node::Comment(Comment {
            span,
            content,
            trim,
        })
    }

    fn raw(&mut self, raw: Box<Raw>) -> Node {
        if raw.close.is_none() {
            self.errors.push(error(
                raw.open.span,
                "unclosed `{% raw %}`: expected `{% endraw %}`",
            ));
        } else if raw.multiline {
            self.errors.push(error(
                raw.open.span,
                "`{% raw %}` block spans several lines: Kestra only protects single-line raw \
                 blocks and Pebble has no `raw` tag; use `{% verbatim %}…{% endverbatim %}`",
            ));
        }
        self.bump();
        Node::Raw(raw)
    }

    fn verbatim(&mut self, verbatim: Box<Verbatim>) -> Node {
        if verbatim.close.is_none() {
            let message = "unclosed `{% verbatim %}`: expected `{% endverbatim %}`";
            self.errors.push(error(verbatim.open.span, message));
        }
        self.bump();
        Node::Verbatim(verbatim)
    }

    fn print(&mut self) -> Node {
        let mut d = self.open_delim();
        let expr = if let Tok::PrintClose { .. } = self.kind() {
            let at = self.cur().span;
            self.errors.push(error(
                d.open.cover(at),
                "empty `{{ }}`: expected an expression",
            ));
            Expr {
                kind: ExprKind::Error,
                span: Span::empty(at.start as usize),
            }
        } else {
            self.expr_within(&mut d)
        };
        self.close_delim(&mut d);
        let span = self.delim_span(&d);
        let trim = self.delim_trim(&d);
        Node::Print(Box::new(Print { span, trim, expr }))
    }

    /// A `{%` tag: continues or ends the innermost block, or starts a new tag.
    fn tag_step(&mut self) -> Option<Node> {
        if let (Some(name), Some(kind)) =
            (self.tag_name_ahead(), self.blocks.last().map(|b| b.kind))
        {
            if kind.stops().contains(&name) {
                self.continue_block(kind, name);
                return None;
            }
            if name.starts_with("end") && self.blocks.iter().any(|b| b.kind.stops().contains(&name))
            {
                // Ends an outer block: the inner one is unclosed. The tag is read again next.
                self.close_unclosed();
                return None;
            }
        }
        self.tag()
    }

    /// Opens `{%` and reads the tag name.
    pub(super) fn open_tag(&mut self) -> (Delim, Option<&'s str>) {
        let mut d = self.open_delim();
        if *self.kind() != Tok::Name {
            let mut err = self.expected("a tag name");
            if self.kind().is_expr_token() {
                let found = self.describe(self.cur());
                err.message = format!("expected a tag name after `{{%`, found {found}");
            }
            if *self.kind() == Tok::Op(Op::Minus) {
                err.message
                    .push_str(" (`{%-` trims whitespace only when followed by a space)");
            }
            self.fail(&mut d, err);
            return (d, None);
        }
        d.keyword = self.bump();
        let name = self.text(d.keyword);
        (d, Some(name))
    }

    /// A tag that is not a continuation of the innermost block.
    fn tag(&mut self) -> Option<Node> {
        let (mut d, name) = self.open_tag();
        let name = name?;
        let head = match name {
            "if" => self.if_head(d),
            "for" => self.for_head(d),
            "set" => return Some(self.set(d)),
            "filter" => self.filter_head(d),
            "macro" => self.macro_head(d),
            "block" => self.block_head(d),
            _ => {
                let message = self.tag_error(name);
                let keyword = d.keyword;
                self.fail(&mut d, error(keyword, message));
                return None;
            }
        };
        let kind = match head {
            Head::If { .. } => Open::If,
            Head::For { .. } => Open::For,
            Head::Filter { .. } => Open::Filter,
            Head::Macro { .. } => Open::Macro,
            Head::Block { .. } => Open::Block,
        };
        if self.blocks.len() >= MAX_TAG_NESTING {
            self.errors
                .push(error(head.open_tag().keyword, "tags nested too deeply"));
            self.skip_block();
            return None;
        }
        self.blocks.push(OpenBlock { kind, head });
        self.bodies.push(Vec::new());
        None
    }

    fn tag_error(&self, name: &str) -> String {
        match (name, self.blocks.last().map(|b| b.kind)) {
            ("verbatim", _) => {
                "malformed `{% verbatim %}`: nothing may follow `verbatim` in the tag".into()
            }
            ("raw", _) => "malformed `{% raw %}`: nothing may follow `raw` in the tag".into(),
            ("endraw", _) => "`{% endraw %}` without `{% raw %}`".into(),
            ("elif" | "elsif", _) => format!("unknown tag `{name}`: Pebble uses `{{% elseif %}}`"),
            ("else", Some(Open::IfElse)) => "duplicate `{% else %}` in `{% if %}`".into(),
            ("elseif", Some(Open::IfElse)) => "`{% elseif %}` after `{% else %}`".into(),
            ("else", Some(Open::ForElse)) => "duplicate `{% else %}` in `{% for %}`".into(),
            ("else", _) => {
                "unexpected `{% else %}`: not directly inside `{% if %}` or `{% for %}`".into()
            }
            ("elseif", _) => "unexpected `{% elseif %}`: not directly inside `{% if %}`".into(),
            _ if BLOCK_ENDS.contains(&name) || name == "endverbatim" => {
                format!("`{{% {name} %}}` without `{{% {} %}}`", &name[3..])
            }
            _ if REMOVED_TAGS.contains(&name) => {
                format!("`{{% {name} %}}` is not available in Kestra (tag removed)")
            }
            _ => format!("unknown tag `{name}`"),
        }
    }
}
