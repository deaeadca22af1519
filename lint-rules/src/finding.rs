//! What a rule reports.

use kflow_syntax::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A text replacement; spans are byte offsets into the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub new_text: String,
}

/// How far a fix may be applied without a human looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Keeps the flow's meaning: `kflow lint --fix` and the editor's "fix all" apply it.
    Safe,
    /// Changes what the flow does (a guessed name, another task type): applied only with
    /// `--unsafe-fixes`, or one at a time from the editor.
    Unsafe,
    /// Shows the way but needs finishing by hand: never applied automatically.
    DisplayOnly,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Finding {
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: Severity::Error,
            span,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn fix(
        mut self,
        title: impl Into<String>,
        edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Finding {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
            applicability,
        });
        self
    }

    /// A one-edit fix replacing `span` with `new_text`.
    pub fn replace(
        self,
        title: impl Into<String>,
        span: Span,
        new_text: impl Into<String>,
        applicability: Applicability,
    ) -> Finding {
        self.fix(
            title,
            vec![Edit {
                span,
                new_text: new_text.into(),
            }],
            applicability,
        )
    }
}
