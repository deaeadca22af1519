//! The stack of open blocks (`if`, `for`, `filter`, `macro`, `block`): a body ends at a tag of
//! its innermost block; an `end…` tag of an outer block also ends the inner ones, which are
//! reported as unclosed.

use super::ast::{
    Block, ElseBranch, Expr, ExprKind, FilterBlock, For, Ident, If, IfBranch, Invocation, Macro,
    MacroParam, Node, Tag,
};
use super::parser::{error, Open, Parser};
use super::token::Tok;
use crate::span::Span;

pub(super) const BLOCK_OPENERS: [&str; 5] = ["if", "for", "filter", "macro", "block"];
pub(super) const BLOCK_ENDS: [&str; 5] = ["endif", "endfor", "endfilter", "endmacro", "endblock"];

/// A block tag whose body is being read.
pub(super) struct OpenBlock {
    pub kind: Open,
    pub head: Head,
}

/// What a block has collected before its current body.
pub(super) enum Head {
    If {
        done: Vec<IfBranch>,
        tag: Tag,
        condition: Expr,
        else_tag: Option<Tag>,
    },
    For {
        tag: Tag,
        variable: Ident,
        iterable: Expr,
        body: Option<Vec<Node>>,
        else_tag: Option<Tag>,
    },
    Filter {
        tag: Tag,
        filters: Vec<Invocation>,
    },
    Macro {
        tag: Tag,
        name: Ident,
        params: Vec<MacroParam>,
    },
    Block {
        tag: Tag,
        name: Ident,
    },
}

impl Head {
    /// The opening tag (`if`, `for`, …), where "unclosed" errors go.
    pub(super) fn open_tag(&self) -> Tag {
        match self {
            Head::If { done, tag, .. } => done.first().map_or(*tag, |b| b.tag),
            Head::For { tag, .. }
            | Head::Filter { tag, .. }
            | Head::Macro { tag, .. }
            | Head::Block { tag, .. } => *tag,
        }
    }
}

impl Parser<'_> {
    pub(super) fn push_node(&mut self, node: Node) {
        if let Some(body) = self.bodies.last_mut() {
            body.push(node);
        }
    }

    pub(super) fn take_body(&mut self) -> Vec<Node> {
        self.bodies
            .last_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// After "tags nested too deeply": skips the block just opened and everything inside it.
    pub(super) fn skip_block(&mut self) {
        let mut depth = 1usize;
        while *self.kind() != Tok::Eof {
            if let Some(name) = self.tag_name_ahead() {
                if BLOCK_OPENERS.contains(&name) {
                    depth += 1;
                } else if BLOCK_ENDS.contains(&name) {
                    depth -= 1;
                    if depth == 0 {
                        let (d, _) = self.open_tag();
                        self.finish_tag(d);
                        return;
                    }
                }
            }
            self.bump();
        }
    }

    /// `elseif`, `else` or the end tag of the innermost block (the current token is `{%`).
    pub(super) fn continue_block(&mut self, kind: Open, name: &str) {
        let body = self.take_body();
        match (kind, name) {
            (Open::If, "elseif") => {
                let (d, _) = self.open_tag();
                let next = self.if_head(d);
                if let (
                    Head::If { tag, condition, .. },
                    Some(Head::If {
                        done,
                        tag: cur_tag,
                        condition: cur_cond,
                        ..
                    }),
                ) = (next, self.head_mut())
                {
                    let condition = std::mem::replace(cur_cond, condition);
                    done.push(IfBranch {
                        tag: std::mem::replace(cur_tag, tag),
                        condition,
                        body,
                    });
                }
            }
            (Open::If, "else") => {
                if let Some(Head::If {
                    done,
                    tag,
                    condition,
                    ..
                }) = self.head_mut()
                {
                    let condition = std::mem::replace(
                        condition,
                        Expr {
                            kind: ExprKind::Error,
                            span: tag.span,
                        },
                    );
                    done.push(IfBranch {
                        tag: *tag,
                        condition,
                        body,
                    });
                }
                let else_tag = self.else_tag();
                self.set_else(Open::IfElse, else_tag);
            }
            (Open::For, "else") => {
                if let Some(Head::For { body: main, .. }) = self.head_mut() {
                    *main = Some(body);
                }
                let else_tag = self.else_tag();
                self.set_else(Open::ForElse, else_tag);
            }
            _ => {
                let end = self.end_tag();
                self.close_block(body, Some(end));
            }
        }
    }

    fn head_mut(&mut self) -> Option<&mut Head> {
        self.blocks.last_mut().map(|b| &mut b.head)
    }

    fn set_else(&mut self, kind: Open, tag: Tag) {
        if let Some(block) = self.blocks.last_mut() {
            block.kind = kind;
            if let Head::If { else_tag, .. } | Head::For { else_tag, .. } = &mut block.head {
                *else_tag = Some(tag);
            }
        }
    }

    /// The innermost block ends without its end tag.
    pub(super) fn close_unclosed(&mut self) {
        let Some(block) = self.blocks.last() else {
            return;
        };
        let keyword = block.head.open_tag().keyword;
        let (opener, end) = block.kind.names();
        let message = format!("unclosed `{{% {opener} %}}`: expected `{{% {end} %}}`");
        self.errors.push(error(keyword, message));
        let body = self.take_body();
        self.close_block(body, None);
    }

    /// Pops the innermost block, builds its node and adds it to the enclosing body.
    fn close_block(&mut self, body: Vec<Node>, end: Option<Tag>) {
        let Some(block) = self.blocks.pop() else {
            return;
        };
        self.bodies.pop();
        let start = block.head.open_tag().span.start as usize;
        let span = Span::new(start, self.prev_end().max(start));
        let node = match block.head {
            Head::If {
                mut done,
                tag,
                condition,
                else_tag,
            } => {
                let else_branch = match else_tag {
                    Some(tag) => Some(ElseBranch { tag, body }),
                    None => {
                        done.push(IfBranch {
                            tag,
                            condition,
                            body,
                        });
                        None
                    }
                };
                Node::If(Box::new(If {
                    span,
                    branches: done,
                    else_branch,
                    end,
                }))
            }
            Head::For {
                tag,
                variable,
                iterable,
                body: main,
                else_tag,
            } => {
                let (main, else_branch) = match (main, else_tag) {
                    (Some(main), Some(tag)) => (main, Some(ElseBranch { tag, body })),
                    (main, _) => (main.unwrap_or(body), None),
                };
                let body = main;
                Node::For(Box::new(For {
                    span,
                    tag,
                    variable,
                    iterable,
                    body,
                    else_branch,
                    end,
                }))
            }
            Head::Filter { tag, filters } => Node::Filter(Box::new(FilterBlock {
                span,
                tag,
                filters,
                body,
                end,
            })),
            Head::Macro { tag, name, params } => Node::Macro(Box::new(Macro {
                span,
                tag,
                name,
                params,
                body,
                end,
            })),
            Head::Block { tag, name } => Node::Block(Box::new(Block {
                span,
                tag,
                name,
                body,
                end,
            })),
        };
        self.push_node(node);
    }

    /// `{% else %}` (the current token is `{%`).
    pub(super) fn else_tag(&mut self) -> Tag {
        let (mut d, _) = self.open_tag();
        if self.kind() == &Tok::Name && self.text(self.cur().span) == "if" {
            let at = self.cur().span;
            self.fail(
                &mut d,
                error(
                    at,
                    "unexpected `if` after `else`: Pebble uses `{% elseif … %}`",
                ),
            );
        }
        self.finish_tag(d)
    }

    /// The end tag of the innermost block (the current token is `{%`).
    pub(super) fn end_tag(&mut self) -> Tag {
        let (d, _) = self.open_tag();
        if let Some(Head::Block { name, .. }) = self.blocks.last().map(|b| &b.head) {
            // `{% endblock name %}` may repeat the block name.
            let span = self.cur().span;
            let text = self.text(span);
            let repeated = match self.kind() {
                Tok::Name => text == name.name,
                Tok::Str { closed: true } => {
                    text.get(1..text.len().saturating_sub(1)) == Some(name.name.as_str())
                }
                _ => false,
            };
            if repeated {
                self.bump();
            }
        }
        self.finish_tag(d)
    }
}
