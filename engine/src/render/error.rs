//! Evaluation errors. Pebble distinguishes "attribute not found" errors (strict variables),
//! which `??`, `???`, `default` and `is defined` swallow, from every other error.

use kflow_syntax::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrKind {
    /// A missing variable, attribute, key or index (`AttributeNotFoundException`); `name` is
    /// the attribute Kestra names in "Unable to find `name` …".
    Undefined { name: String },
    /// Anything else.
    Other,
}

#[derive(Clone, Debug)]
pub struct EvalError {
    pub kind: ErrKind,
    pub message: String,
    pub span: Option<Span>,
}

pub type EResult<T> = Result<T, EvalError>;

impl EvalError {
    pub fn undefined(name: impl Into<String>, span: Span) -> Self {
        let name = name.into();
        EvalError {
            message: format!("Unable to find `{name}`"),
            kind: ErrKind::Undefined { name },
            span: Some(span),
        }
    }

    pub fn other(message: impl Into<String>, span: Span) -> Self {
        EvalError {
            kind: ErrKind::Other,
            message: message.into(),
            span: Some(span),
        }
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self.kind, ErrKind::Undefined { .. })
    }

    /// The same error, no longer catchable by `??` (errors wrapped by Pebble, e.g. in `{% if %}`
    /// conditions, or coming out of a nested `render()`).
    pub fn into_other(mut self) -> Self {
        if let ErrKind::Undefined { name } = &self.kind {
            self.message = format!("Unable to find `{name}`");
        }
        self.kind = ErrKind::Other;
        self
    }

    /// The message as Kestra words it, naming the template and the line.
    pub fn full_message(&self, template: &str) -> String {
        let line = self
            .span
            .map(|s| line_of(template, s.start as usize))
            .unwrap_or(1);
        match &self.kind {
            ErrKind::Undefined { name } => format!(
                "Unable to find `{name}` used in the expression `{template}` at line {line}"
            ),
            ErrKind::Other => format!("{} ({template}:{line})", self.message),
        }
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Builds an error result at `span`.
pub fn fail<T>(message: impl Into<String>, span: Span) -> EResult<T> {
    Err(EvalError::other(message, span))
}
