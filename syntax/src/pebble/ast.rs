//! Syntax tree of a Pebble template. Every node keeps byte spans into the source text.

use crate::span::Span;

/// A parsed template: the top-level nodes and every syntax error found (parsing never stops
/// at the first error).
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub nodes: Vec<Node>,
    pub errors: Vec<ParseError>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// Whitespace-control markers. `left`: `{{-`, `{%-`, `{#-` (trims the text before);
/// `right`: `-}}`, `-%}`, `-#}` (trims the text after).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trim {
    pub left: bool,
    pub right: bool,
}

/// One `{% keyword … %}` tag as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag {
    /// From `{%` to `%}` (to the last token read when `%}` is missing).
    pub span: Span,
    pub keyword: Span,
    pub trim: Trim,
}

/// A name with its span (loop variable, filter name, named argument, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// Empty when the tag was malformed and no name could be read.
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal text. Trim markers of the neighbouring tags are not applied to the span.
    Text(Span),
    Comment(Comment),
    Print(Box<Print>),
    If(Box<If>),
    For(Box<For>),
    Set(Box<Set>),
    Filter(Box<FilterBlock>),
    Macro(Box<Macro>),
    Block(Box<Block>),
    Verbatim(Box<Verbatim>),
    Raw(Box<Raw>),
}

impl Node {
    pub fn span(&self) -> Span {
        match self {
            Node::Text(span) => *span,
            Node::Comment(n) => n.span,
            Node::Print(n) => n.span,
            Node::If(n) => n.span,
            Node::For(n) => n.span,
            Node::Set(n) => n.span,
            Node::Filter(n) => n.span,
            Node::Macro(n) => n.span,
            Node::Block(n) => n.span,
            Node::Verbatim(n) => n.span,
            Node::Raw(n) => n.span,
        }
    }
}

/// `{# … #}`
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub span: Span,
    pub content: Span,
    pub trim: Trim,
}

/// `{{ expr }}`
#[derive(Clone, Debug, PartialEq)]
pub struct Print {
    pub span: Span,
    pub trim: Trim,
    pub expr: Expr,
}

/// `{% if %}…{% elseif %}…{% else %}…{% endif %}`
#[derive(Clone, Debug, PartialEq)]
pub struct If {
    pub span: Span,
    /// The `if` branch first, then each `elseif`.
    pub branches: Vec<IfBranch>,
    pub else_branch: Option<ElseBranch>,
    /// `None` when `{% endif %}` is missing.
    pub end: Option<Tag>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IfBranch {
    pub tag: Tag,
    pub condition: Expr,
    pub body: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ElseBranch {
    pub tag: Tag,
    pub body: Vec<Node>,
}

/// `{% for variable in iterable %}…{% else %}…{% endfor %}`
#[derive(Clone, Debug, PartialEq)]
pub struct For {
    pub span: Span,
    pub tag: Tag,
    pub variable: Ident,
    pub iterable: Expr,
    pub body: Vec<Node>,
    pub else_branch: Option<ElseBranch>,
    pub end: Option<Tag>,
}

/// `{% set variable = value %}`
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    pub span: Span,
    pub tag: Tag,
    pub variable: Ident,
    pub value: Expr,
}

/// `{% filter upper | trim %}…{% endfilter %}`
#[derive(Clone, Debug, PartialEq)]
pub struct FilterBlock {
    pub span: Span,
    pub tag: Tag,
    pub filters: Vec<Invocation>,
    pub body: Vec<Node>,
    pub end: Option<Tag>,
}

/// `{% macro name(a, b='x') %}…{% endmacro %}`
#[derive(Clone, Debug, PartialEq)]
pub struct Macro {
    pub span: Span,
    pub tag: Tag,
    pub name: Ident,
    pub params: Vec<MacroParam>,
    pub body: Vec<Node>,
    pub end: Option<Tag>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MacroParam {
    pub name: Ident,
    pub default: Option<Expr>,
}

/// `{% block name %}…{% endblock %}` (the name may also be a string literal).
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub span: Span,
    pub tag: Tag,
    pub name: Ident,
    pub body: Vec<Node>,
    pub end: Option<Tag>,
}

/// `{% verbatim %}…{% endverbatim %}`: `content` is literal text, not parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct Verbatim {
    pub span: Span,
    pub open: Tag,
    pub content: Span,
    pub close: Option<Tag>,
}

/// Kestra's `{% raw %}…{% endraw %}`: `content` is literal text, not parsed. Kestra ignores
/// `-` markers on these tags (no trimming) even though `open.trim`/`close.trim` record them.
#[derive(Clone, Debug, PartialEq)]
pub struct Raw {
    pub span: Span,
    pub open: Tag,
    pub content: Span,
    pub close: Option<Tag>,
    /// The block spans a line break: Kestra's pre-pass does not protect it (an error is reported).
    pub multiline: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    /// The expression itself, without enclosing parentheses.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `'…'` or `"…"` without interpolation; the value as Pebble decodes it (only `\'` in
    /// single quotes and `\"` in double quotes are unescaped; other backslashes are kept).
    Str(String),
    /// `"… #{ expr } …"`.
    Interpolated(Vec<StrPart>),
    /// `123` or `123L` (Pebble Long).
    Int(i64),
    /// `1.5` (Pebble Double).
    Float(f64),
    /// `true`, `false`, `TRUE`, `FALSE`.
    Bool(bool),
    /// `null`, `none`, `NULL`, `NONE`.
    Null,
    /// A variable; the span is the name.
    Var(String),
    /// `object.name`
    Attr {
        object: Box<Expr>,
        name: Ident,
    },
    /// `object[index]`
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
    },
    /// `object.name(args)`: a Java method call.
    MethodCall {
        object: Box<Expr>,
        name: Ident,
        args: Args,
    },
    /// `name(args)`: a function or macro call.
    Call {
        name: Ident,
        args: Args,
    },
    /// `input | name` or `input | name(args)`.
    Filter {
        input: Box<Expr>,
        filter: Invocation,
    },
    /// `subject is name`, `subject is not name`, `subject is name(args)`.
    Test {
        subject: Box<Expr>,
        negated: bool,
        test: Invocation,
    },
    Unary {
        op: UnaryOp,
        op_span: Span,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        op_span: Span,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `cond ? then : otherwise`
    Ternary {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    List(Vec<Expr>),
    Map(Vec<MapEntry>),
    /// Placeholder for an expression that failed to parse (the error is in `Template::errors`).
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal part, exactly as written (Pebble does not unescape interpolated strings).
    Lit {
        value: String,
        span: Span,
    },
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    pub key: Expr,
    pub value: Expr,
}

/// A filter or test name with its optional arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub name: Ident,
    pub args: Option<Args>,
    /// From the name to the closing `)` (or the name alone).
    pub span: Span,
}

/// `(a, b, name=c)`: positional arguments always come before named ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Args {
    /// From `(` to `)`.
    pub span: Span,
    pub positional: Vec<Expr>,
    pub named: Vec<NamedArg>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NamedArg {
    pub name: Ident,
    pub value: Expr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
    Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Contains,
    /// `==`
    Eq,
    /// `equals`
    Equals,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `~`
    Concat,
    /// `..`
    Range,
    /// `??` (Kestra)
    NullCoalesce,
    /// `???` (Kestra)
    UndefinedCoalesce,
    /// `isIn` (Kestra)
    IsIn,
}

/// Precedence of unary `not`, `-`, `+`.
pub const UNARY_PRECEDENCE: u16 = 500;
/// Precedence of `|`.
pub const FILTER_PRECEDENCE: u16 = 100;
/// Precedence of `is` / `is not`.
pub const TEST_PRECEDENCE: u16 = 20;

impl BinaryOp {
    /// Pebble 4.1.1 core precedences plus Kestra's `??`, `???`, `isIn` (all left-associative).
    pub fn precedence(self) -> u16 {
        use BinaryOp::*;
        match self {
            Range | NullCoalesce | UndefinedCoalesce | IsIn => 120,
            Concat => 110,
            Mul | Div | Mod => 60,
            Add | Sub => 40,
            Eq | Equals | Ne | Lt | Gt | Le | Ge => 30,
            Contains => 20,
            And => 15,
            Or => 10,
        }
    }

    pub fn symbol(self) -> &'static str {
        use BinaryOp::*;
        match self {
            Or => "or",
            And => "and",
            Contains => "contains",
            Eq => "==",
            Equals => "equals",
            Ne => "!=",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
            Concat => "~",
            Range => "..",
            NullCoalesce => "??",
            UndefinedCoalesce => "???",
            IsIn => "isIn",
        }
    }
}

impl Expr {
    /// Calls `f` on each direct sub-expression, in source order.
    pub fn for_each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        fn args<'a>(a: &'a Args, f: &mut dyn FnMut(&'a Expr)) {
            a.positional.iter().for_each(&mut *f);
            a.named.iter().for_each(|n| f(&n.value));
        }
        match &self.kind {
            ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Var(_)
            | ExprKind::Error => {}
            ExprKind::Interpolated(parts) => {
                for part in parts {
                    if let StrPart::Expr(e) = part {
                        f(e);
                    }
                }
            }
            ExprKind::Attr { object, .. } => f(object),
            ExprKind::Index { object, index } => {
                f(object);
                f(index);
            }
            ExprKind::MethodCall {
                object, args: a, ..
            } => {
                f(object);
                args(a, f);
            }
            ExprKind::Call { args: a, .. } => args(a, f),
            ExprKind::Filter {
                input: first,
                filter: inv,
            }
            | ExprKind::Test {
                subject: first,
                test: inv,
                ..
            } => {
                f(first);
                if let Some(a) = &inv.args {
                    args(a, f);
                }
            }
            ExprKind::Unary { operand, .. } => f(operand),
            ExprKind::Binary { left, right, .. } => {
                f(left);
                f(right);
            }
            ExprKind::Ternary {
                cond,
                then,
                otherwise,
            } => {
                f(cond);
                f(then);
                f(otherwise);
            }
            ExprKind::List(items) => items.iter().for_each(f),
            ExprKind::Map(entries) => {
                for entry in entries {
                    f(&entry.key);
                    f(&entry.value);
                }
            }
        }
    }
}
