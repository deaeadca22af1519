//! Applying fixes: the one implementation behind `kflow lint --fix` and the editor's "fix all".
//!
//! A fix applies whole or not at all: when two fixes overlap, the later one waits for the next
//! pass, where it is computed again on the fixed text. Passes repeat until no fix applies (at
//! most [`MAX_PASSES`]). Inserted line breaks follow the file's own (LF, CRLF or CR), and a fix
//! that would add YAML syntax errors is not applied.

use crate::finding::{Applicability, Edit, Finding, Fix};

/// How many times fixes are applied and the text checked again.
pub const MAX_PASSES: usize = 8;

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    SafeOnly,
    /// Safe and unsafe ones (`--unsafe-fixes`); display-only fixes never apply.
    WithUnsafe,
}

impl Mode {
    fn allows(self, a: Applicability) -> bool {
        match a {
            Applicability::Safe => true,
            Applicability::Unsafe => self == Mode::WithUnsafe,
            Applicability::DisplayOnly => false,
        }
    }
}

/// The fixes one pass applies: each finding's first allowed fix, in order of position, leaving
/// out a fix that overlaps one chosen before it.
pub fn select(findings: &[Finding], mode: Mode) -> Vec<&Fix> {
    select_by_rule(findings, mode)
        .into_iter()
        .map(|(_, fix)| fix)
        .collect()
}

/// [`select`], each fix with the rule of its finding.
pub fn select_by_rule(findings: &[Finding], mode: Mode) -> Vec<(&'static str, &Fix)> {
    let mut candidates: Vec<(&'static str, &Fix)> = findings
        .iter()
        .filter_map(|f| {
            let fix = f.fixes.iter().find(|x| mode.allows(x.applicability))?;
            Some((f.rule, fix))
        })
        .filter(|(_, fix)| !fix.edits.is_empty())
        .collect();
    candidates.sort_by_key(|(_, fix)| first_start(fix));
    let mut taken: Vec<(u32, u32)> = Vec::new();
    let mut chosen = Vec::new();
    for (rule, fix) in candidates {
        let spans: Vec<(u32, u32)> = fix
            .edits
            .iter()
            .map(|e| (e.span.start, e.span.end))
            .collect();
        if spans.iter().any(|&s| taken.iter().any(|&t| overlaps(s, t))) {
            continue;
        }
        // A fix whose own edits overlap cannot be applied either.
        let mut own = spans.clone();
        own.sort_unstable();
        if own.windows(2).any(|w| overlaps(w[0], w[1])) {
            continue;
        }
        taken.extend(spans);
        chosen.push((rule, fix));
    }
    chosen
}

fn first_start(fix: &Fix) -> (u32, u32) {
    fix.edits
        .iter()
        .map(|e| (e.span.start, e.span.end))
        .min()
        .unwrap_or_default()
}

/// Whether two edits touch the same text; two insertions at one point count, as their order
/// would be arbitrary.
fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    (a.0 < b.1 && b.0 < a.1) || a.0 == b.0
}

/// The file's line break: the first one it has, LF when it has none.
pub fn line_ending(text: &str) -> &'static str {
    match text.find(['\r', '\n']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text.as_bytes()[i] == b'\r' => "\r",
        _ => "\n",
    }
}

/// `new_text` with its line breaks made the file's.
fn with_line_ending(new_text: &str, ending: &str) -> String {
    if ending == "\n" && !new_text.contains('\r') {
        return new_text.to_string();
    }
    new_text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', ending)
}

/// The edits of `fixes` (chosen by [`select`]), sorted, with the file's line breaks.
pub fn edits(text: &str, fixes: &[&Fix]) -> Vec<Edit> {
    let ending = line_ending(text);
    let mut edits: Vec<Edit> = fixes
        .iter()
        .flat_map(|f| f.edits.iter())
        .map(|e| Edit {
            span: e.span,
            new_text: with_line_ending(&e.new_text, ending),
        })
        .collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    edits
}

/// `text` with sorted, non-overlapping edits applied.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in edits {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        if start < at
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// What fixing did.
#[derive(Debug)]
pub struct Fixed {
    pub text: String,
    /// Fixes applied, over all passes.
    pub applied: usize,
    /// Each applied edit's rule and the span of the original text it changed (an edit of a
    /// later pass is mapped back through the earlier ones), in the order applied.
    pub changes: Vec<Change>,
}

/// One applied edit, located in the text before any fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Where `pos`, an offset into the text after `edits` (sorted, as applied), was before them: an
/// offset inside a replacement maps to the start (`end == false`) or end of what it replaced.
fn offset_before(pos: usize, edits: &[Edit], end: bool) -> usize {
    let mut shift: isize = 0;
    for e in edits {
        let (start, old_end) = (e.span.start as usize, e.span.end as usize);
        let new_start = (start as isize + shift) as usize;
        let new_end = new_start + e.new_text.len();
        if pos < new_start || (pos == new_start && !end) {
            break;
        }
        if pos <= new_end {
            return if end { old_end } else { start };
        }
        shift += e.new_text.len() as isize - (old_end - start) as isize;
    }
    (pos as isize - shift).max(0) as usize
}

/// Applies fixes to `text`, checks the result with `check`, and repeats until no fix applies.
/// When a pass would add YAML syntax errors, the fixes that do so on their own are set aside
/// and the others applied.
/// `findings` are `check(text)`, already known to the caller.
pub fn fix_all(
    text: &str,
    findings: &[Finding],
    mode: Mode,
    mut check: impl FnMut(&str) -> Vec<Finding>,
) -> Fixed {
    let syntax_errors = |fs: &[Finding]| fs.iter().filter(|f| f.rule == "syntax").count();
    let mut current = text.to_string();
    let mut current_findings: Option<Vec<Finding>> = None;
    let mut applied = 0;
    let mut changes = Vec::new();
    // The edits of each pass so far, to locate a later edit in the original text.
    let mut passes: Vec<Vec<Edit>> = Vec::new();
    // Fixes that broke the YAML on their own, left out of later passes.
    let mut broken: Vec<(&'static str, String)> = Vec::new();
    // Single tries left: they cost a check each, so a file full of broken fixes stays cheap.
    let mut tries_left = MAX_SINGLE_TRIES;
    for _ in 0..MAX_PASSES {
        let findings_now = current_findings.as_deref().unwrap_or(findings);
        let errors_now = syntax_errors(findings_now);
        let mut chosen = select_by_rule(findings_now, mode);
        chosen.retain(|(rule, fix)| !broken.contains(&signature(rule, fix)));
        if chosen.is_empty() {
            break;
        }
        let mut attempt = |chosen: &[(&'static str, &Fix)]| {
            let fixes: Vec<&Fix> = chosen.iter().map(|(_, f)| *f).collect();
            let pass_edits = edits(&current, &fixes);
            let next = apply(&current, &pass_edits);
            let next_findings = check(&next);
            let ok = next != current && syntax_errors(&next_findings) <= errors_now;
            ok.then_some((pass_edits, next, next_findings))
        };
        let mut outcome = attempt(&chosen);
        if outcome.is_none() && chosen.len() > 1 && chosen.len() <= tries_left {
            // Some fix breaks the YAML: find those that do on their own, apply the others.
            tries_left -= chosen.len();
            let mut good = Vec::new();
            for &(rule, fix) in &chosen {
                if attempt(&[(rule, fix)]).is_some() {
                    good.push((rule, fix));
                } else {
                    broken.push(signature(rule, fix));
                }
            }
            chosen = good;
            outcome = if chosen.is_empty() {
                None
            } else {
                attempt(&chosen)
            };
        }
        let Some((pass_edits, next, next_findings)) = outcome else {
            break;
        };
        applied += chosen.len();
        for (rule, fix) in &chosen {
            for e in &fix.edits {
                let (mut start, mut end) = (e.span.start as usize, e.span.end as usize);
                for earlier in passes.iter().rev() {
                    start = offset_before(start, earlier, false);
                    end = offset_before(end, earlier, true).max(start);
                }
                changes.push(Change { rule, start, end });
            }
        }
        passes.push(pass_edits);
        current = next;
        current_findings = Some(next_findings);
    }
    Fixed {
        text: current,
        applied,
        changes,
    }
}

/// How many fixes, over all passes, may be tried one by one to find those breaking the YAML.
const MAX_SINGLE_TRIES: usize = 32;

/// What identifies a fix from one pass to the next, where its spans have moved.
fn signature(rule: &'static str, fix: &Fix) -> (&'static str, String) {
    let mut s = fix.title.clone();
    for e in &fix.edits {
        s.push('\u{0}');
        s.push_str(&e.new_text);
    }
    (rule, s)
}

/// One edit turning `old` into `new`: the span between their common prefix and suffix.
pub fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(Edit {
        span: kflow_syntax::Span::new(prefix, old.len() - suffix),
        new_text: new[prefix..new.len() - suffix].to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use kflow_syntax::Span;

    fn finding(edits: &[(usize, usize, &str)], a: Applicability) -> Finding {
        let edits = edits
            .iter()
            .map(|&(s, e, t)| Edit {
                span: Span::new(s, e),
                new_text: t.to_string(),
            })
            .collect();
        let mut f = Finding::new("r", Span::new(0, 0), "m");
        f.severity = Severity::Error;
        f.fix("t", edits, a)
    }

    #[test]
    fn overlapping_fixes_apply_whole_or_not_at_all() {
        // The first fix has two edits; the second overlaps the first fix's second edit.
        let findings = [
            finding(&[(0, 1, "A"), (4, 5, "E")], Applicability::Safe),
            finding(&[(2, 3, "C"), (4, 6, "X")], Applicability::Safe),
        ];
        let fixes = select(&findings, Mode::SafeOnly);
        assert_eq!(fixes.len(), 1);
        assert_eq!(apply("abcdefg", &edits("abcdefg", &fixes)), "AbcdEfg");
    }

    #[test]
    fn grades_decide_what_applies() {
        let findings = [
            finding(&[(0, 1, "S")], Applicability::Safe),
            finding(&[(1, 2, "U")], Applicability::Unsafe),
            finding(&[(2, 3, "D")], Applicability::DisplayOnly),
        ];
        let safe = select(&findings, Mode::SafeOnly);
        assert_eq!(apply("abc", &edits("abc", &safe)), "Sbc");
        let all = select(&findings, Mode::WithUnsafe);
        assert_eq!(apply("abc", &edits("abc", &all)), "SUc");
    }

    #[test]
    fn inserted_lines_follow_the_file() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\rb"), "\r");
        assert_eq!(line_ending("ab"), "\n");
        for (text, expected) in [
            ("a:\r\nb: 2\r\n", "a:\r\nx: 1\r\nb: 2\r\n"),
            ("a:\rb: 2\r", "a:\rx: 1\rb: 2\r"),
        ] {
            let at = text.find("b:").unwrap();
            let f = [finding(&[(at, at, "x: 1\n")], Applicability::Safe)];
            let fixed = apply(text, &edits(text, &select(&f, Mode::SafeOnly)));
            assert_eq!(fixed, expected);
        }
    }

    #[test]
    fn passes_repeat_until_nothing_applies() {
        // Each pass turns one `a` into `b`; the checker reports the next one.
        let check = |t: &str| match t.find('a') {
            Some(i) => vec![finding(&[(i, i + 1, "b")], Applicability::Safe)],
            None => Vec::new(),
        };
        let text = "aaa";
        let fixed = fix_all(text, &check(text), Mode::SafeOnly, check);
        assert_eq!((fixed.text.as_str(), fixed.applied), ("bbb", 3));
        // A checker that always finds something stops after MAX_PASSES.
        let endless = |t: &str| {
            vec![finding(&[(0, 0, "z")], Applicability::Safe)]
                .into_iter()
                .filter(|_| t.len() < 1000)
                .collect::<Vec<_>>()
        };
        let fixed = fix_all("", &endless(""), Mode::SafeOnly, endless);
        assert_eq!(fixed.applied, MAX_PASSES);
    }

    #[test]
    fn changes_of_later_passes_point_into_the_original_text() {
        // Pass 1 turns `a` (offset 0) into `xxx`; pass 2 then edits the `b` now at offset 4.
        let check = |t: &str| {
            if let Some(i) = t.find('a') {
                vec![finding(&[(i, i + 1, "xxx")], Applicability::Safe)]
            } else if let Some(i) = t.find('b') {
                vec![finding(&[(i, i + 1, "B")], Applicability::Safe)]
            } else {
                Vec::new()
            }
        };
        let fixed = fix_all("a-b", &check("a-b"), Mode::SafeOnly, check);
        assert_eq!(fixed.text, "xxx-B");
        let spans: Vec<(usize, usize)> = fixed.changes.iter().map(|c| (c.start, c.end)).collect();
        assert_eq!(spans, [(0, 1), (2, 3)]);
    }

    #[test]
    fn a_fix_breaking_the_yaml_does_not_hold_back_the_others() {
        // Each `a` becomes `b`; the fix for the `x` breaks the text (the checker reports a
        // syntax error for `!`).
        let check = |t: &str| {
            let mut out: Vec<Finding> = t
                .match_indices(['a', 'x'])
                .map(|(i, c)| {
                    let to = if c == "a" { "b" } else { "!" };
                    finding(&[(i, i + 1, to)], Applicability::Safe)
                })
                .collect();
            if t.contains('!') {
                out.push(Finding::new("syntax", Span::new(0, 0), "bad"));
            }
            out
        };
        let fixed = fix_all("a x a", &check("a x a"), Mode::SafeOnly, check);
        assert_eq!(fixed.text, "b x b");
        assert_eq!(fixed.applied, 2);
    }

    #[test]
    fn minimal_edit_covers_the_change() {
        let e = minimal_edit("id: a\nx: 1\n", "id: a\nx: 2\n").unwrap();
        assert_eq!(
            (e.span.start, e.span.end, e.new_text.as_str()),
            (9, 10, "2")
        );
        assert!(minimal_edit("same", "same").is_none());
        let e = minimal_edit("aé", "aè").unwrap();
        assert_eq!(e.new_text, "è");
    }
}
