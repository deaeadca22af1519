//! Code actions built from findings: each fix of a rule, a did-you-mean replacement where a rule
//! names a suggestion without an edit, suppression comments (this line, this file), and
//! fix-all edits.

use kflow_syntax::yaml::Value;
use kflow_syntax::{Document, Span};

use crate::finding::{Edit, Finding};
use crate::fixes::{self, Mode};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    /// Applies many fixes at once (LSP `source.fixAll`).
    FixAll,
    /// Moves the file to another Kestra line (an LSP `source` action).
    Migrate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    /// Sorted, non-overlapping.
    pub edits: Vec<Edit>,
    /// The finding it resolves (an index into the findings given).
    pub finding: Option<usize>,
    pub preferred: bool,
}

/// Actions for the findings overlapping `range` (a cursor is an empty range).
pub fn quick_fixes(doc: &Document, findings: &[Finding], range: Span) -> Vec<Action> {
    let mut out = Vec::new();
    let mut rules_seen: Vec<&str> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if f.span.start > range.end || range.start > f.span.end {
            continue;
        }
        for (n, fix) in f.fixes.iter().enumerate() {
            out.push(Action {
                title: fix.title.clone(),
                kind: ActionKind::QuickFix,
                edits: fixes::edits(&doc.text, &[fix]),
                finding: Some(i),
                preferred: n == 0 && fix.is_safe(),
            });
        }
        if let Some(edit) = did_you_mean(doc, f) {
            out.push(Action {
                title: format!("Replace with `{}`", edit.new_text),
                kind: ActionKind::QuickFix,
                edits: vec![edit],
                finding: Some(i),
                preferred: false,
            });
        }
        if let Some(edit) = ignore_on_line(doc, f) {
            out.push(Action {
                title: format!("Ignore `{}` on this line", f.rule),
                kind: ActionKind::QuickFix,
                edits: vec![edit],
                finding: Some(i),
                preferred: false,
            });
        }
        out.push(Action {
            title: format!("Ignore `{}` in this file", f.rule),
            kind: ActionKind::QuickFix,
            edits: vec![ignore_in_file(doc, f.rule)],
            finding: Some(i),
            preferred: false,
        });
        if !rules_seen.contains(&f.rule) {
            rules_seen.push(f.rule);
            let same: Vec<Finding> = findings
                .iter()
                .filter(|g| g.rule == f.rule && !g.fixes.is_empty())
                .cloned()
                .collect();
            if same.len() > 1 {
                // Asked for by name: unsafe fixes too, each whole (overlapping ones wait).
                let edits = fixes::edits(&doc.text, &fixes::select(&same, Mode::WithUnsafe));
                out.push(Action {
                    title: format!(
                        "Fix all `{}` problems in this file ({})",
                        f.rule,
                        same.len()
                    ),
                    kind: ActionKind::QuickFix,
                    edits,
                    finding: None,
                    preferred: false,
                });
            }
        }
    }
    out
}

/// Every safe fix of the document at once, as `kflow lint --fix` applies them (whole fixes,
/// checked again until none applies): one edit from the current text to the fixed one.
pub fn fix_all(
    doc: &Document,
    findings: &[Finding],
    check: impl FnMut(&str) -> Vec<Finding>,
) -> Option<Action> {
    let fixed = fixes::fix_all(&doc.text, findings, Mode::SafeOnly, check);
    let edit = fixes::minimal_edit(&doc.text, &fixed.text)?;
    Some(Action {
        title: "Fix all safe kflow problems in this file".to_string(),
        kind: ActionKind::FixAll,
        edits: vec![edit],
        finding: None,
        preferred: false,
    })
}

/// The file migrated to Kestra 2.0 as `kflow migrate --to 2.0` does it, whatever line `config`
/// targets: one edit from the current text to the migrated one, when something changes.
pub fn migrate(doc: &Document, config: &crate::Config) -> Option<Action> {
    let config = crate::migrate::config_for(config, crate::migrate::TO);
    let migrated = crate::migrate::migrate(&doc.text, &config);
    let edit = fixes::minimal_edit(&doc.text, &migrated.text)?;
    let rules = migrated.rules();
    Some(Action {
        title: format!(
            "Migrate this file to Kestra {} ({})",
            crate::migrate::TO,
            rules.join(", ")
        ),
        kind: ActionKind::Migrate,
        edits: vec![edit],
        finding: None,
        preferred: false,
    })
}

/// "did you mean `x`?" in a message whose finding carries no edit to `x`: replace the word.
fn did_you_mean(doc: &Document, f: &Finding) -> Option<Edit> {
    let (_, rest) = f.message.split_once("did you mean `")?;
    let (suggestion, _) = rest.split_once('`')?;
    if suggestion.is_empty() || suggestion.contains(|c: char| c.is_whitespace() || c == '(') {
        return None;
    }
    if f.fixes
        .iter()
        .flat_map(|x| &x.edits)
        .any(|e| e.new_text == suggestion)
    {
        return None;
    }
    let raw = doc.text.get(f.span.range())?;
    if raw.is_empty() || raw.contains(char::is_whitespace) {
        return None;
    }
    let quoted = raw.len() >= 2
        && (raw.starts_with('"') && raw.ends_with('"')
            || raw.starts_with('\'') && raw.ends_with('\''));
    let span = if quoted {
        Span::new(f.span.start as usize + 1, f.span.end as usize - 1)
    } else {
        f.span
    };
    Some(Edit {
        span,
        new_text: suggestion.to_string(),
    })
}

const LINE_PREFIX: &str = "# kflow: ignore";

/// The edit that silences `f.rule` on the finding's first line: added to an ignore comment on
/// that line or the one above, else a comment at the end of the line, else a comment line
/// above. `None` when the line is part of a multi-line string (a `#` there is text).
fn ignore_on_line(doc: &Document, f: &Finding) -> Option<Edit> {
    let idx = &doc.line_index;
    let line = idx.line_of(f.span.start as usize);
    let line_start = idx.line_start(line);
    let line_end = idx.line_end(&doc.text, line);
    for l in [Some(line), line.checked_sub(1)].into_iter().flatten() {
        if let Some(edit) = extend_ignore(doc, l, "ignore", f.rule) {
            return edit;
        }
    }
    let text = &doc.text[line_start..line_end];
    let has_comment = doc
        .tree
        .comments
        .iter()
        .any(|c| idx.line_of(c.span.start as usize) == line);
    if !has_comment && !continues_scalar(doc, line_end) {
        return Some(Edit {
            span: Span::empty(line_end),
            new_text: format!("  {LINE_PREFIX}[{}]", f.rule),
        });
    }
    if line > 0
        && ends_block_header(&doc.text[idx.line_start(line - 1)..idx.line_end(&doc.text, line - 1)])
    {
        let end = idx.line_end(&doc.text, line - 1);
        return Some(Edit {
            span: Span::empty(end),
            new_text: format!("  {LINE_PREFIX}[{}]", f.rule),
        });
    }
    if continues_scalar(doc, line_start) {
        return None;
    }
    let indent = &text[..text.len() - text.trim_start().len()];
    Some(Edit {
        span: Span::empty(line_start),
        new_text: format!("{indent}{LINE_PREFIX}[{}]\n", f.rule),
    })
}

/// The edit that silences `rule` in the whole file.
fn ignore_in_file(doc: &Document, rule: &str) -> Edit {
    for l in 0..doc.line_index.line_count() {
        if let Some(Some(edit)) = extend_ignore(doc, l, "ignore-file", rule) {
            return edit;
        }
    }
    Edit {
        span: Span::empty(0),
        new_text: format!("# kflow: ignore-file[{rule}]\n"),
    }
}

/// When line `l` holds a `# kflow: <directive>[…]` comment: `Some(Some(edit))` adding `rule` to
/// its list, `Some(None)` when it already covers `rule`; `None` without such a comment.
fn extend_ignore(doc: &Document, l: usize, directive: &str, rule: &str) -> Option<Option<Edit>> {
    let idx = &doc.line_index;
    let comment = doc
        .tree
        .comments
        .iter()
        .find(|c| idx.line_of(c.span.start as usize) == l)?;
    let text = &doc.text[comment.span.range()];
    let body = text
        .trim_start_matches('#')
        .trim_start()
        .strip_prefix("kflow:")?
        .trim_start();
    let rest = body.strip_prefix(directive)?;
    if directive == "ignore" && rest.starts_with("-file") {
        return None;
    }
    let Some(list) = rest.strip_prefix('[') else {
        // Without a list every rule is ignored already.
        return Some(None);
    };
    let close = list.find(']')?;
    if list[..close].split(',').any(|r| r.trim() == rule) {
        return Some(None);
    }
    let at = comment.span.end as usize - (list.len() - close);
    let sep = if list[..close].trim().is_empty() {
        ""
    } else {
        ", "
    };
    Some(Some(Edit {
        span: Span::empty(at),
        new_text: format!("{sep}{rule}"),
    }))
}

/// Whether a scalar spans `offset` and goes on past it (so text there belongs to the string).
fn continues_scalar(doc: &Document, offset: usize) -> bool {
    doc.tree.nodes.iter().any(|n| {
        matches!(n.value, Value::Scalar(_))
            && (n.span.start as usize) < offset
            && offset < n.span.end as usize
    })
}

/// `key: |` or `- >-`: a block scalar header, after which a comment is allowed.
fn ends_block_header(line: &str) -> bool {
    let t = line.split(" #").next().unwrap_or("").trim_end();
    let indicator = t.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    (indicator.ends_with(": |")
        || indicator.ends_with(": >")
        || indicator.ends_with("- |")
        || indicator.ends_with("- >"))
        && !t.contains('#')
}
