//! Mutation fuzzing of the linter and the fixer on the corpus, with a fixed seed.
//!
//! Each mutant is a corpus flow with one to three mutations: byte flips, truncation, Pebble and
//! YAML-significant tokens, deep nesting, long lines, unusual Unicode, CR/CRLF line breaks and a
//! BOM. Checked for every mutant: no panic, no stall; findings (and their related spans and fix
//! edits) inside the text on character boundaries; the same findings twice. For every fifth
//! one, fixes too: safe fixes never increase the findings, all fixes keep the YAML readable,
//! the comments and the line breaks, and fixing again changes nothing.
//!
//! `KFLOW_FUZZ_MUTANTS` (default 5000) and `KFLOW_FUZZ_SEED` choose the run; a failing mutant
//! is written to `target/fuzz-failures/` to reproduce with `kflow lint`.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kflow_lint_rules::fixes::{self, Mode};
use kflow_lint_rules::{Config, Finding};

use support::rng::Rng;

/// A random element of `items`.
fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "#}",
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "#",
    " # c",
    "|",
    "|-\n",
    ">",
    "&a ",
    "*a",
    "!!str ",
    "%",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "? ",
    ",",
    "\\",
    "{{ outputs.",
    "{{ inputs.x }}",
    "| jq('",
    "'.a')",
    "{% if x %}",
    "{% endif %}",
    "{{ secret('K') }}",
    "- id: t\n  type: io.kestra.plugin.core.log.Log\n",
    "type: ",
    "id: ",
    "tasks:",
    "---\n",
    "...\n",
    "~",
    "null",
    "0x1F",
    "1e999",
    "PT5M",
    "*/5 * * * *",
];
const UNICODE: &[&str] = &[
    "é", "𝔘", "🙂", "\u{202e}", "\u{0301}", "\u{feff}", "\u{0}", "中文", "\u{2028}", "\u{85}",
];

/// One mutation of `text`, as bytes (flips may break UTF-8: the linter must cope).
fn mutate(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut out = text.to_vec();
    let at = rng.below(out.len() + 1);
    match rng.below(10) {
        0 => {
            if !out.is_empty() {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
        }
        1 => out.truncate(at),
        2 | 3 => {
            let t = pick(rng, TOKENS);
            out.splice(at..at, t.bytes());
        }
        4 => {
            let depth = 1 + rng.below(5000);
            let open = *pick(
                rng,
                &["[", "{", "{{ (", "- ", "  ", "{% if x %}", "| jq('["],
            );
            let nest = open.repeat(depth);
            out.splice(at..at, nest.bytes());
        }
        5 => {
            let long = pick(rng, &["a", "x: ", "{{ a }}", "🙂"]).repeat(20_000 + rng.below(80_000));
            out.splice(at..at, long.bytes());
        }
        6 => {
            let u = pick(rng, UNICODE);
            out.splice(at..at, u.bytes());
        }
        7 => {
            let s = String::from_utf8_lossy(&out).into_owned();
            let s = match rng.below(3) {
                0 => s.replace('\n', "\r\n"),
                1 => s.replace('\n', "\r"),
                _ => format!("\u{feff}{s}"),
            };
            out = s.into_bytes();
        }
        8 => {
            // Duplicate a slice somewhere else (repeated ids, keys, tasks).
            let a = rng.below(out.len() + 1);
            let b = (a + rng.below(400)).min(out.len());
            let slice = out[a..b].to_vec();
            out.splice(at..at, slice);
        }
        _ => {
            let a = rng.below(out.len() + 1);
            let b = (a + rng.below(200)).min(out.len());
            out.drain(a..b);
        }
    }
    out
}

fn check(text: &str) -> Vec<Finding> {
    kflow_lint_rules::check(&kflow_syntax::parse(text), &Config::default())
}

fn spans_inside(text: &str, findings: &[Finding]) -> Result<(), String> {
    let ok = |s: kflow_syntax::Span| {
        s.start <= s.end
            && (s.end as usize) <= text.len()
            && text.is_char_boundary(s.start as usize)
            && text.is_char_boundary(s.end as usize)
    };
    for f in findings {
        if !ok(f.span) {
            return Err(format!("{} span {:?} outside the text", f.rule, f.span));
        }
        if let Some(r) = f.related.iter().find(|r| !ok(r.span)) {
            return Err(format!(
                "{} related span {:?} outside the text",
                f.rule, r.span
            ));
        }
        for fix in &f.fixes {
            if let Some(e) = fix.edits.iter().find(|e| !ok(e.span)) {
                return Err(format!("{} fix edit {:?} outside the text", f.rule, e.span));
            }
        }
    }
    Ok(())
}

fn syntax_errors(findings: &[Finding]) -> usize {
    findings.iter().filter(|f| f.rule == "syntax").count()
}

fn comments(text: &str) -> Vec<String> {
    let doc = kflow_syntax::parse(text);
    doc.tree
        .comments
        .iter()
        .map(|c| text[c.span.range()].trim().to_string())
        .collect()
}

fn fix_properties(text: &str, findings: &[Finding]) -> Result<(), String> {
    // Safe fixes never make things worse.
    let safe = fixes::fix_all(text, findings, Mode::SafeOnly, check);
    let after = check(&safe.text);
    if after.len() > findings.len() {
        return Err(format!(
            "safe fixes raised the findings from {} to {}: {:?}",
            findings.len(),
            after.len(),
            after.iter().map(|f| f.rule).collect::<Vec<_>>()
        ));
    }
    // Every fix: still readable, comments and line breaks kept, a fixed point.
    let all = fixes::fix_all(text, findings, Mode::WithUnsafe, check);
    let fixed_findings = check(&all.text);
    if syntax_errors(&fixed_findings) > syntax_errors(findings) {
        return Err("fixes added YAML syntax errors".into());
    }
    if all.applied > 0 {
        let before = comments(text);
        let kept = comments(&all.text);
        if let Some(lost) = before.iter().find(|c| !kept.contains(c)) {
            return Err(format!("fixes lost the comment {lost:?}"));
        }
        let crlf_only = text.contains("\r\n") && !text.replace("\r\n", "").contains(['\n', '\r']);
        let cr_only = text.contains('\r') && !text.contains('\n');
        if crlf_only && all.text.replace("\r\n", "").contains(['\n', '\r']) {
            return Err("fixes put a bare line break in a CRLF file".into());
        }
        if cr_only && all.text.contains('\n') {
            return Err("fixes put an LF in a CR file".into());
        }
        if all.applied < fixes::MAX_PASSES {
            let again = fixes::fix_all(&all.text, &fixed_findings, Mode::WithUnsafe, check);
            if again.applied > 0 && again.text != all.text {
                return Err(format!(
                    "fixing again applied {} more fix(es)",
                    again.applied
                ));
            }
        }
    }
    Ok(())
}

fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let root = support::shared().join("corpus");
    let files: Vec<(PathBuf, Vec<u8>)> = support::yaml_files_under(&root)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(root.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect();
    assert!(files.len() > 1000, "corpus not found at {}", root.display());
    files
}

fn save_failure(seed: u64, n: usize, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-failures");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("seed{seed}-mutant{n}.yaml"));
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn mutants_of_the_corpus_never_break_lint_or_fix() {
    let mutants: usize = std::env::var("KFLOW_FUZZ_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let seed: u64 = std::env::var("KFLOW_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x006b_666c_6f77);
    let files = corpus();
    // The stack kflow checks flows with (see the server's ANALYSIS_STACK).
    let worker = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let mut rng = Rng(seed | 1);
            let mut failures = Vec::new();
            for n in 0..mutants {
                let (name, original) = &files[rng.below(files.len())];
                let mut bytes = original.clone();
                for _ in 0..1 + rng.below(3) {
                    bytes = mutate(&mut rng, &bytes);
                }
                let started = Instant::now();
                let outcome = std::panic::catch_unwind(|| {
                    let lint = || {
                        let doc = kflow_syntax::parse_bytes(&bytes);
                        let findings = kflow_lint_rules::check(&doc, &Config::default());
                        (doc.text, findings)
                    };
                    let (text, first) = lint();
                    spans_inside(&text, &first)?;
                    let (_, second) = lint();
                    if format!("{first:?}") != format!("{second:?}") {
                        return Err("two checks of the same text differ".to_string());
                    }
                    // Fixes apply to files that are text.
                    if n % 5 == 0 && std::str::from_utf8(&bytes).is_ok() {
                        fix_properties(&text, &first)?;
                    }
                    Ok(())
                });
                let problem = match outcome {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e),
                    Err(_) => Some("panicked".to_string()),
                };
                // Generous: a stall, not a slow machine.
                let problem = problem.or_else(|| {
                    (started.elapsed() > Duration::from_secs(30))
                        .then(|| format!("took {:?}", started.elapsed()))
                });
                if let Some(problem) = problem {
                    let saved = save_failure(seed, n, &bytes);
                    failures.push(format!(
                        "{} (from {}): {problem}",
                        saved.display(),
                        name.display()
                    ));
                }
            }
            failures
        })
        .unwrap();
    let failures = worker.join().expect("the fuzz worker died");
    assert!(
        failures.is_empty(),
        "{} failing mutant(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
