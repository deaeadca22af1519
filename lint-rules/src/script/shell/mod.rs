//! Shell: simple commands, pipelines, redirections, loops and variables, turned into facts.

use std::collections::HashMap;

mod lexer;
mod options;
mod run;

use super::facts::{ScriptFacts, Statement, StatementKind};
use super::text::StrValue;
use super::{Embedded, Lang};
use crate::span::Span;
use lexer::{ShTok, ShellLexed, Word, WordPart};
use options::ShArg;
use run::strip_wrappers;

pub(super) fn analyze(src: &str) -> (ScriptFacts, Vec<Embedded>) {
    let lexed = lexer::tokenize(src);
    let mut walker = Walker {
        src,
        lexed: &lexed,
        facts: ScriptFacts::default(),
        embedded: Vec::new(),
        vars: HashMap::new(),
        loop_starts: Vec::new(),
        heredoc_next: 0,
        case_depth: 0,
        expect_pattern: false,
    };
    walker.walk();
    let looping = merged(&walker.facts.loops);
    let embedded: Vec<Embedded> = lexed
        .substitutions
        .iter()
        .map(|&(a, b)| Embedded {
            lang: Lang::Shell,
            text: src[a as usize..b as usize].to_string(),
            base: a as usize,
            exact: true,
            span: Span { start: a, end: b },
            in_loop: covers(&looping, a),
        })
        .chain(walker.embedded)
        .collect();
    let mut facts = walker.facts;
    facts.statement_count = facts
        .statements
        .iter()
        .filter(|s| !matches!(s.kind, StatementKind::Import | StatementKind::Boilerplate))
        .count();
    (facts, embedded)
}

#[derive(Default)]
struct Command {
    words: Vec<Word>,
    assigns: Vec<(String, Word)>,
    redirects: Vec<Redirect>,
    start: Option<u32>,
    end: u32,
    /// `for NAME in …` header: not a command.
    for_header: bool,
}

struct Redirect {
    op: &'static str,
    fd: Option<String>,
    target: Option<Word>,
    heredoc: Option<(u32, u32)>,
    span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Code,
    Constant,
    Quiet,
}

struct Walker<'l> {
    src: &'l str,
    lexed: &'l ShellLexed,
    facts: ScriptFacts,
    embedded: Vec<Embedded>,
    vars: HashMap<String, StrValue>,
    /// Start offsets of open `for`/`while`/`until` loops.
    loop_starts: Vec<u32>,
    heredoc_next: usize,
    case_depth: u32,
    expect_pattern: bool,
}

impl Walker<'_> {
    fn walk(&mut self) {
        let toks = &self.lexed.toks;
        let mut pipeline: Vec<Command> = Vec::new();
        let mut cur = Command::default();
        let mut pending: Option<Redirect> = None;
        let mut i = 0;
        while i < toks.len() {
            match &toks[i] {
                ShTok::Word(w) => {
                    let literal = w.literal();
                    if let Some(mut r) = pending.take() {
                        if matches!(r.op, "<<" | "<<-") {
                            r.heredoc = self.lexed.heredocs.get(self.heredoc_next).copied();
                            self.heredoc_next += 1;
                        }
                        r.span = r.span.cover(Span {
                            start: w.start,
                            end: w.end,
                        });
                        r.target = Some(w.clone());
                        cur.end = w.end;
                        cur.redirects.push(r);
                    } else if self.expect_pattern {
                        // A `case` pattern (skipped up to its `)`), or the `esac` closing the case.
                        if literal.as_deref() == Some("esac") {
                            self.case_depth = self.case_depth.saturating_sub(1);
                            self.expect_pattern = false;
                        }
                    } else if cur.words.is_empty()
                        && !cur.for_header
                        && self.keyword(w, &mut cur, &mut pipeline)
                    {
                        // A reserved word, handled.
                    } else if let Some((name, value)) =
                        assignment(w).filter(|_| cur.words.is_empty() && !cur.for_header)
                    {
                        cur.start.get_or_insert(w.start);
                        cur.end = w.end;
                        cur.assigns.push((name, value));
                    } else {
                        cur.start.get_or_insert(w.start);
                        cur.end = w.end;
                        cur.words.push(w.clone());
                        let case_header =
                            cur.words.first().and_then(Word::literal).as_deref() == Some("case");
                        if case_header && cur.words.len() > 2 && literal.as_deref() == Some("in") {
                            pipeline.push(std::mem::take(&mut cur));
                            self.finish_pipeline(std::mem::take(&mut pipeline));
                            self.expect_pattern = true;
                        }
                    }
                }
                ShTok::Op { op, start, end } => {
                    let span = Span {
                        start: *start,
                        end: *end,
                    };
                    if self.expect_pattern {
                        self.expect_pattern = *op != ")";
                        i += 1;
                        continue;
                    }
                    match *op {
                        ">" | ">>" | ">|" | "&>" | "&>>" | "<" | "<>" | ">&" | "<&" | "<<<"
                        | "<<" | "<<-" => {
                            // `2>file`: the digits just before the operator are its file descriptor.
                            let fd = match cur.words.last() {
                                Some(w)
                                    if w.end == *start
                                        && w.literal().is_some_and(|t| {
                                            !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit())
                                        }) =>
                                {
                                    cur.words.pop().and_then(|w| w.literal())
                                }
                                _ => None,
                            };
                            cur.start.get_or_insert(*start);
                            pending = Some(Redirect {
                                op,
                                fd,
                                target: None,
                                heredoc: None,
                                span,
                            });
                        }
                        "|" | "|&" => {
                            pipeline.push(std::mem::take(&mut cur));
                        }
                        "(" if cur.words.len() == 1
                            && matches!(toks.get(i + 1), Some(ShTok::Op { op: ")", .. })) =>
                        {
                            // `name() {`: a function definition header.
                            cur = Command::default();
                            i += 1;
                        }
                        _ => {
                            pipeline.push(std::mem::take(&mut cur));
                            self.finish_pipeline(std::mem::take(&mut pipeline));
                            if *op == ";;" && self.case_depth > 0 {
                                self.expect_pattern = true;
                            }
                        }
                    }
                }
                ShTok::Newline(_) => {
                    if let Some(r) = pending.take() {
                        cur.redirects.push(r);
                    }
                    pipeline.push(std::mem::take(&mut cur));
                    self.finish_pipeline(std::mem::take(&mut pipeline));
                }
            }
            i += 1;
        }
        pipeline.push(cur);
        self.finish_pipeline(pipeline);
        let end = toks.iter().next_back().map(|t| match t {
            ShTok::Word(w) => w.end,
            ShTok::Op { end, .. } => *end,
            ShTok::Newline(at) => *at,
        });
        while let Some(start) = self.loop_starts.pop() {
            self.facts.loops.push(Span {
                start,
                end: end.unwrap_or(start).max(start),
            });
        }
        self.facts.loops.sort_by_key(|s| (s.start, s.end));
    }

    /// Reserved words at command position. Returns true when the word was consumed.
    fn keyword(&mut self, w: &Word, cur: &mut Command, pipeline: &mut Vec<Command>) -> bool {
        let Some(word) = w.literal() else {
            return false;
        };
        match word.as_str() {
            "if" | "then" | "else" | "elif" | "do" | "!" | "{" | "time" | "}" | "fi" => {}
            "while" | "until" => self.loop_starts.push(w.start),
            "for" | "select" => {
                self.loop_starts.push(w.start);
                cur.for_header = true;
                cur.start = Some(w.start);
                cur.end = w.end;
                cur.words.push(w.clone());
            }
            "done" => {
                if let Some(start) = self.loop_starts.pop() {
                    self.facts.loops.push(Span { start, end: w.end });
                }
                // `done > file`: redirections still apply; keep an empty command to carry them.
                cur.start = Some(w.start);
                cur.end = w.end;
            }
            "case" => {
                self.case_depth += 1;
                cur.for_header = true;
                cur.start = Some(w.start);
                cur.end = w.end;
                cur.words.push(w.clone());
            }
            "esac" => self.case_depth = self.case_depth.saturating_sub(1),
            "function" => {
                // `function name {` / `function name()`: nothing runs here.
                *cur = Command::default();
                pipeline.clear();
                cur.for_header = true;
            }
            _ => return false,
        }
        true
    }

    fn eval(&self, w: &Word) -> StrValue {
        let mut out = StrValue::literal("");
        for part in &w.parts {
            match part {
                WordPart::Lit(s) => out.push_literal(s),
                WordPart::Var(name) => match self.vars.get(name) {
                    Some(v) => out.append(&v.clone()),
                    None => out.push_unknown(&format!("${{{name}}}")),
                },
                WordPart::Subst(s) => out.push_unknown(s),
            }
        }
        out
    }

    fn arg(&self, w: &Word) -> ShArg {
        ShArg {
            value: self.eval(w),
            span: Span {
                start: w.start,
                end: w.end,
            },
        }
    }

    fn finish_pipeline(&mut self, cmds: Vec<Command>) {
        let cmds: Vec<Command> = cmds.into_iter().filter(|c| c.start.is_some()).collect();
        let (Some(first), Some(last)) = (cmds.first(), cmds.last()) else {
            return;
        };
        let span = Span {
            start: first.start.unwrap_or(0),
            end: last.end.max(first.start.unwrap_or(0)),
        };
        let mut stream: Option<(usize, bool)> = None;
        let mut kind = StatementKind::Boilerplate;
        for cmd in &cmds {
            let role = self.command(cmd, &mut stream);
            kind = match (kind, role) {
                (_, Role::Code) | (StatementKind::Code, _) => StatementKind::Code,
                (_, Role::Constant) => StatementKind::Constant,
                (k, Role::Quiet) => k,
            };
        }
        self.facts.statements.push(Statement { span, kind });
    }

    /// Interprets one simple command; `stream` is the HTTP response flowing in (and out) through pipes.
    fn command(&mut self, cmd: &Command, stream: &mut Option<(usize, bool)>) -> Role {
        let input = stream.take();
        let mut role = Role::Quiet;
        for (name, value) in &cmd.assigns {
            let v = self.eval(value);
            role = if v.literal && role != Role::Code {
                Role::Constant
            } else {
                Role::Code
            };
            self.vars.insert(name.clone(), v);
        }
        if cmd.for_header {
            return Role::Code;
        }
        let span = Span {
            start: cmd.start.unwrap_or(0),
            end: cmd.end,
        };
        let in_loop = !self.loop_starts.is_empty();
        let mut argv: Vec<ShArg> = cmd.words.iter().map(|w| self.arg(w)).collect();
        let mut many = false;
        strip_wrappers(&mut argv, &mut many);
        let name = argv
            .first()
            .map(|a| options::command_name(&a.value.text).to_string())
            .unwrap_or_default();
        let mut output: Option<(usize, bool)> = None;
        if !argv.is_empty() {
            let (r, out) = self.run(&name, &argv, cmd, span, in_loop || many, input);
            role = r;
            output = out;
        }
        for r in &cmd.redirects {
            self.redirect(r, output);
        }
        *stream = if cmd.redirects.iter().any(is_stdout_redirect) {
            None
        } else {
            output
        };
        role
    }
}

fn is_stdout_redirect(r: &Redirect) -> bool {
    matches!(r.op, ">" | ">|" | "&>" | ">>" | "&>>") && r.fd.as_deref().is_none_or(|fd| fd == "1")
}

/// `NAME=value` at command position.
fn assignment(w: &Word) -> Option<(String, Word)> {
    let Some(WordPart::Lit(first)) = w.parts.first() else {
        return None;
    };
    let eq = first.find('=')?;
    let name = &first[..eq];
    let valid = !name.is_empty()
        && name
            .bytes()
            .enumerate()
            .all(|(i, c)| c == b'_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
    if !valid {
        return None;
    }
    let mut parts = w.parts.clone();
    let rest = first[eq + 1..].to_string();
    if rest.is_empty() {
        parts.remove(0);
    } else {
        parts[0] = WordPart::Lit(rest);
    }
    let start = w.start + eq as u32 + 1;
    Some((
        name.to_string(),
        Word {
            start: start.min(w.end),
            end: w.end,
            parts,
            exact: None,
        },
    ))
}

/// Loop spans merged into sorted, disjoint ranges.
fn merged(loops: &[Span]) -> Vec<(u32, u32)> {
    let mut spans: Vec<(u32, u32)> = loops.iter().map(|s| (s.start, s.end)).collect();
    spans.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn covers(ranges: &[(u32, u32)], at: u32) -> bool {
    let i = ranges.partition_point(|&(a, _)| a <= at);
    i > 0 && at < ranges[i - 1].1
}
