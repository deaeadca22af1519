//! Shell: simple commands, pipelines, redirections, loops and variables, turned into facts.

use std::collections::HashMap;

use super::facts::{Call, FileRead, FileWrite, HttpCall, PackageInstall, ScriptFacts, Statement, StatementKind, StrArg};
use super::shell_commands::{self as cmds, Fetch, ShArg};
use super::shell_lexer::{self, ShTok, ShellLexed, Word, WordPart};
use super::text::{self, StrValue};
use super::{Embedded, Lang};
use crate::span::Span;

pub(super) fn analyze(src: &str) -> (ScriptFacts, Vec<Embedded>) {
    let lexed = shell_lexer::tokenize(src);
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
    let embedded: Vec<Embedded> = lexed
        .substitutions
        .iter()
        .map(|&(a, b)| Embedded {
            lang: Lang::Shell,
            text: src[a as usize..b as usize].to_string(),
            base: a as usize,
            exact: true,
            span: Span { start: a, end: b },
            in_loop: false,
        })
        .chain(walker.embedded)
        .collect();
    let mut facts = walker.facts;
    facts.statement_count = facts.statements.iter().filter(|s| !matches!(s.kind, StatementKind::Import | StatementKind::Boilerplate)).count();
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
                        r.span = r.span.cover(Span { start: w.start, end: w.end });
                        r.target = Some(w.clone());
                        cur.end = w.end;
                        cur.redirects.push(r);
                    } else if self.expect_pattern {
                        // A `case` pattern (skipped up to its `)`), or the `esac` closing the case.
                        if literal.as_deref() == Some("esac") {
                            self.case_depth = self.case_depth.saturating_sub(1);
                            self.expect_pattern = false;
                        }
                    } else if cur.words.is_empty() && !cur.for_header && self.keyword(w, &mut cur, &mut pipeline) {
                        // A reserved word, handled.
                    } else if let Some((name, value)) = assignment(w).filter(|_| cur.words.is_empty() && !cur.for_header) {
                        cur.start.get_or_insert(w.start);
                        cur.end = w.end;
                        cur.assigns.push((name, value));
                    } else {
                        cur.start.get_or_insert(w.start);
                        cur.end = w.end;
                        cur.words.push(w.clone());
                        let case_header = cur.words.first().and_then(Word::literal).as_deref() == Some("case");
                        if case_header && cur.words.len() > 2 && literal.as_deref() == Some("in") {
                            pipeline.push(std::mem::take(&mut cur));
                            self.finish_pipeline(std::mem::take(&mut pipeline));
                            self.expect_pattern = true;
                        }
                    }
                }
                ShTok::Op { op, start, end } => {
                    let span = Span { start: *start, end: *end };
                    if self.expect_pattern {
                        self.expect_pattern = *op != ")";
                        i += 1;
                        continue;
                    }
                    match *op {
                        ">" | ">>" | ">|" | "&>" | "&>>" | "<" | "<>" | ">&" | "<&" | "<<<" | "<<" | "<<-" => {
                            // `2>file`: the digits just before the operator are its file descriptor.
                            let fd = match cur.words.last() {
                                Some(w) if w.end == *start && w.literal().is_some_and(|t| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit())) => {
                                    cur.words.pop().and_then(|w| w.literal())
                                }
                                _ => None,
                            };
                            cur.start.get_or_insert(*start);
                            pending = Some(Redirect { op, fd, target: None, heredoc: None, span });
                        }
                        "|" | "|&" => {
                            pipeline.push(std::mem::take(&mut cur));
                        }
                        "(" if cur.words.len() == 1 && matches!(toks.get(i + 1), Some(ShTok::Op { op: ")", .. })) => {
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
            self.facts.loops.push(Span { start, end: end.unwrap_or(start).max(start) });
        }
        self.facts.loops.sort_by_key(|s| (s.start, s.end));
    }

    /// Reserved words at command position. Returns true when the word was consumed.
    fn keyword(&mut self, w: &Word, cur: &mut Command, pipeline: &mut Vec<Command>) -> bool {
        let Some(word) = w.literal() else { return false };
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
        ShArg { value: self.eval(w), span: Span { start: w.start, end: w.end } }
    }

    fn finish_pipeline(&mut self, cmds: Vec<Command>) {
        let cmds: Vec<Command> = cmds.into_iter().filter(|c| c.start.is_some()).collect();
        let (Some(first), Some(last)) = (cmds.first(), cmds.last()) else { return };
        let span = Span { start: first.start.unwrap_or(0), end: last.end.max(first.start.unwrap_or(0)) };
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
            role = if v.literal && role != Role::Code { Role::Constant } else { Role::Code };
            self.vars.insert(name.clone(), v);
        }
        if cmd.for_header {
            return Role::Code;
        }
        let span = Span { start: cmd.start.unwrap_or(0), end: cmd.end };
        let in_loop = !self.loop_starts.is_empty();
        let mut argv: Vec<ShArg> = cmd.words.iter().map(|w| self.arg(w)).collect();
        let mut many = false;
        strip_wrappers(&mut argv, &mut many);
        let name = argv.first().map(|a| cmds::command_name(&a.value.text).to_string()).unwrap_or_default();
        let mut output: Option<(usize, bool)> = None;
        if !argv.is_empty() {
            let (r, out) = self.run(&name, &argv, cmd, span, in_loop || many, input);
            role = r;
            output = out;
        }
        for r in &cmd.redirects {
            self.redirect(r, output);
        }
        *stream = if cmd.redirects.iter().any(is_stdout_redirect) { None } else { output };
        role
    }

    fn run(&mut self, name: &str, argv: &[ShArg], cmd: &Command, span: Span, in_loop: bool, input: Option<(usize, bool)>) -> (Role, Option<(usize, bool)>) {
        match name {
            "curl" | "wget" => {
                let fetch = if name == "curl" { cmds::curl(argv) } else { cmds::wget(argv) };
                return (Role::Code, self.fetch(name, fetch, span, in_loop));
            }
            "echo" | "printf" => {
                self.facts.prints.push(span);
                let text: Vec<&str> = argv[1..].iter().map(|a| a.value.text.as_str()).filter(|t| !t.starts_with('-')).collect();
                if text.first().is_some_and(|t| t.trim_start().starts_with("::")) {
                    self.facts.kestra_outputs.push(span);
                }
                return (Role::Quiet, None);
            }
            "set" | "mkdir" | "cd" | "exit" | "true" | "false" | ":" | "shopt" | "trap" | "[" | "[[" | "test" | "return" | "pushd" | "popd" | "umask" | "ulimit" => {
                return (Role::Quiet, None);
            }
            "export" | "readonly" | "local" | "declare" | "typeset" => {
                let mut role = Role::Quiet;
                for w in &cmd.words[1..] {
                    if let Some((var, value)) = assignment(w) {
                        let v = self.eval(&value);
                        role = if v.literal && role != Role::Code { Role::Constant } else { Role::Code };
                        self.vars.insert(var, v);
                    }
                }
                return (role, None);
            }
            _ => {}
        }
        if let Some((manager, specs)) = cmds::installs(argv) {
            for cmds::Install { spec, span, requirements_file } in specs {
                self.facts.package_installs.push(PackageInstall { manager: manager.into(), spec, span, requirements_file });
            }
            return (Role::Code, None);
        }
        self.push_call(name, argv, span, in_loop);
        let consumes = input.is_some();
        match name {
            "tee" => {
                for a in argv[1..].iter().filter(|a| !a.value.text.starts_with('-')) {
                    let append = argv.iter().any(|x| x.value.text == "-a" || x.value.text == "--append");
                    self.write(Some(str_arg(a)), span, input, append);
                }
                return (Role::Quiet, input);
            }
            "cat" | "jq" | "head" | "tail" | "less" | "more" | "grep" | "wc" | "sort" | "uniq" | "cut" | "column" | "json_pp" | "yq" => {
                let files = file_args(name, argv);
                for a in &files {
                    self.facts.file_reads.push(FileRead { path: Some(str_arg(a)), span });
                }
                if consumes && files.is_empty() {
                    let identity = name == "cat" || name == "json_pp" || (name == "jq" && argv[1..].iter().filter(|a| !a.value.text.starts_with('-')).all(|a| a.value.text == "."));
                    // Showing the response (or a field of it) is like printing it.
                    return (Role::Quiet, input.map(|(h, t)| (h, t || !identity)));
                }
                return (Role::Code, None);
            }
            "python" | "python3" | "node" | "bash" | "sh" | "zsh" => self.interpreter(name, argv, cmd),
            "cp" | "mv" | "install" => {
                let paths: Vec<&ShArg> = argv[1..].iter().filter(|a| !a.value.text.starts_with('-')).collect();
                if let Some((dst, srcs)) = paths.split_last() {
                    for s in srcs {
                        self.facts.file_reads.push(FileRead { path: Some(str_arg(s)), span });
                    }
                    self.write(Some(str_arg(dst)), span, None, false);
                }
            }
            "tar" => self.tar(argv, span),
            "zip" => {
                if let Some(out) = argv[1..].iter().find(|a| !a.value.text.starts_with('-')) {
                    self.write(Some(str_arg(out)), span, None, false);
                }
            }
            "unzip" | "gunzip" | "gzip" | "bunzip2" | "xz" => {
                for a in argv[1..].iter().filter(|a| !a.value.text.starts_with('-')).take(1) {
                    self.facts.file_reads.push(FileRead { path: Some(str_arg(a)), span });
                }
            }
            "aws" | "gsutil" | "gcloud" | "az" => self.cloud_copy(argv, span),
            _ => {}
        }
        if let Some((h, _)) = input {
            // Any other program fed the response processes it.
            self.facts.http_calls[h].response_transformed = true;
            return (Role::Code, Some((h, true)));
        }
        (Role::Code, None)
    }

    fn fetch(&mut self, client: &str, f: Fetch, span: Span, in_loop: bool) -> Option<(usize, bool)> {
        let mut first_out = None;
        let urls = if f.urls.is_empty() { vec![None] } else { f.urls.iter().map(Some).collect() };
        for url in urls {
            let idx = self.facts.http_calls.len();
            let url_arg = url.map(str_arg);
            let pagination = url_arg.as_ref().is_some_and(|u| text::url_query_keys(&u.text).any(text::is_pagination_key));
            self.facts.http_calls.push(HttpCall {
                client: client.to_string(),
                method: f.method.clone().unwrap_or_else(|| "GET".into()),
                url: url_arg,
                span,
                in_loop: in_loop || f.many,
                result_var: None,
                output_file: f.output.as_ref().filter(|o| o.value.literal).map(|o| o.value.text.clone()),
                has_auth: f.has_auth,
                has_signing: f.signing,
                has_pagination_params: pagination,
                response_transformed: false,
            });
            self.facts.uses_signing |= f.signing;
            if let Some(out) = &f.output {
                self.write(Some(str_arg(out)), span, Some((idx, false)), false);
            }
            first_out.get_or_insert(idx);
        }
        for r in &f.reads {
            self.facts.file_reads.push(FileRead { path: Some(str_arg(r)), span });
        }
        match (f.output, first_out) {
            (None, Some(h)) => Some((h, false)),
            _ => None,
        }
    }

    fn interpreter(&mut self, name: &str, argv: &[ShArg], cmd: &Command) {
        let lang = match name {
            "python" | "python3" => Lang::Python,
            "node" => Lang::JavaScript,
            _ => Lang::Shell,
        };
        let code_flag = match lang {
            Lang::Python | Lang::Shell => "-c",
            Lang::JavaScript => "-e",
        };
        let mut i = 1;
        while i < argv.len() {
            let text = argv[i].value.text.as_str();
            if text == code_flag || (lang == Lang::JavaScript && text == "--eval") {
                if let (Some(word), Some(arg)) = (cmd.words.get(i + 1), argv.get(i + 1)) {
                    self.embed(lang, word, arg);
                }
                return;
            }
            if text == "-m" {
                return;
            }
            if !text.starts_with('-') {
                self.facts.file_reads.push(FileRead { path: Some(str_arg(&argv[i])), span: argv[i].span });
                return;
            }
            i += 1;
        }
        // `python3 - <<'EOF'` / `node <<EOF`: the heredoc is the program.
        for r in &cmd.redirects {
            if let Some((a, b)) = r.heredoc {
                let text = self.src.get(a as usize..b as usize).unwrap_or("").to_string();
                let in_loop = !self.loop_starts.is_empty();
                self.embedded.push(Embedded { lang, text, base: a as usize, exact: true, span: Span { start: a, end: b }, in_loop });
            }
        }
    }

    fn embed(&mut self, lang: Lang, word: &Word, arg: &ShArg) {
        if !arg.value.literal {
            return;
        }
        let (base, exact) = match word.exact {
            Some((a, _)) => (a as usize, true),
            None => (0, false),
        };
        self.embedded.push(Embedded { lang, text: arg.value.text.clone(), base, exact, span: arg.span, in_loop: !self.loop_starts.is_empty() });
    }

    fn tar(&mut self, argv: &[ShArg], span: Span) {
        let Some(opts) = argv.get(1).map(|a| a.value.text.trim_start_matches('-').to_string()) else { return };
        let file = argv.iter().position(|a| a.value.text == "-f" || a.value.text == "--file").map(|i| i + 1).or_else(|| opts.contains('f').then_some(2));
        let Some(file) = file.and_then(|i| argv.get(i)) else { return };
        if opts.contains('c') || argv.iter().any(|a| a.value.text == "--create") {
            self.write(Some(str_arg(file)), span, None, false);
        } else {
            self.facts.file_reads.push(FileRead { path: Some(str_arg(file)), span });
        }
    }

    /// `aws s3 cp SRC DST`, `gsutil cp SRC DST`, `gcloud storage cp SRC DST`, `az storage blob download --file F`.
    fn cloud_copy(&mut self, argv: &[ShArg], span: Span) {
        let plain: Vec<&ShArg> = argv.iter().filter(|a| !a.value.text.starts_with('-')).collect();
        let words: Vec<&str> = plain.iter().map(|a| a.value.text.as_str()).collect();
        let paths = match words.as_slice() {
            ["aws", "s3", "cp" | "mv", ..] | ["gcloud", "storage", "cp" | "mv", ..] => &plain[3..],
            ["gsutil", "cp" | "mv", ..] => &plain[2..],
            _ => &[][..],
        };
        if let [src, dst, ..] = paths {
            let remote = |a: &ShArg| a.value.text.contains("://");
            if remote(src) && !remote(dst) {
                // `cp gs://b/x.csv .` keeps the object's name.
                let mut target = (*dst).clone();
                if dst.value.text == "." || dst.value.text.ends_with('/') {
                    let name = src.value.text.rsplit('/').next().unwrap_or("");
                    target.value = StrValue::literal(format!("{}/{name}", dst.value.text.trim_end_matches('/')));
                    target.value.literal = src.value.literal && dst.value.literal;
                }
                self.write(Some(str_arg(&target)), span, None, false);
            } else if !remote(src) {
                self.facts.file_reads.push(FileRead { path: Some(str_arg(src)), span });
            }
        }
        if words.starts_with(&["az", "storage", "blob", "download"]) {
            if let Some(i) = argv.iter().position(|a| a.value.text == "--file" || a.value.text == "-f") {
                if let Some(f) = argv.get(i + 1) {
                    self.write(Some(str_arg(f)), span, None, false);
                }
            }
        }
    }

    fn push_call(&mut self, name: &str, argv: &[ShArg], span: Span, in_loop: bool) {
        let (depth, valued) = cmds::subcommand_depth(name);
        let mut callee = name.to_string();
        let mut args = Vec::new();
        let mut i = 1;
        let mut taken = 0;
        while i < argv.len() {
            let text = &argv[i].value.text;
            if text.starts_with('-') {
                if taken < depth && valued.contains(&text.as_str()) {
                    i += 1;
                }
            } else if taken < depth && text.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
                callee.push(' ');
                callee.push_str(text);
                taken += 1;
            } else if argv[i].value.literal {
                args.push(text.clone());
            }
            i += 1;
        }
        self.facts.other_calls.push(Call { callee, args, span, in_loop });
    }

    fn redirect(&mut self, r: &Redirect, output: Option<(usize, bool)>) {
        let Some(target) = &r.target else { return };
        if r.fd.as_deref().is_some_and(|fd| fd != "1") && !r.op.starts_with('<') {
            return; // `2> err.log`: diagnostics, not data.
        }
        let arg = self.arg(target);
        match r.op {
            "<" | "<>" => self.facts.file_reads.push(FileRead { path: Some(str_arg(&arg)), span: r.span }),
            ">" | ">|" | "&>" | ">>" | "&>>" if arg.value.text != "/dev/null" => {
                self.write(Some(str_arg(&arg)), r.span, output, r.op.contains(">>"));
            }
            _ => {}
        }
    }

    fn write(&mut self, path: Option<StrArg>, span: Span, data: Option<(usize, bool)>, append: bool) {
        let (from_http, transformed) = match data {
            Some((h, t)) => (Some(h), t),
            None => (None, false),
        };
        if let (Some(h), true) = (from_http, transformed) {
            self.facts.http_calls[h].response_transformed = true;
        }
        if let (Some(h), false, Some(p)) = (from_http, transformed, &path) {
            if self.facts.http_calls[h].output_file.is_none() && p.literal {
                self.facts.http_calls[h].output_file = Some(p.value.clone());
            }
        }
        self.facts.file_writes.push(FileWrite { path, span, data_spans: Vec::new(), from_http, transformed, append });
    }
}

fn is_stdout_redirect(r: &Redirect) -> bool {
    matches!(r.op, ">" | ">|" | "&>" | ">>" | "&>>") && r.fd.as_deref().is_none_or(|fd| fd == "1")
}

/// `NAME=value` at command position.
fn assignment(w: &Word) -> Option<(String, Word)> {
    let Some(WordPart::Lit(first)) = w.parts.first() else { return None };
    let eq = first.find('=')?;
    let name = &first[..eq];
    let valid = !name.is_empty() && name.bytes().enumerate().all(|(i, c)| c == b'_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
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
    Some((name.to_string(), Word { start: start.min(w.end), end: w.end, parts, exact: None }))
}

/// Drops `sudo`, `env X=1`, `timeout 5`, `xargs -n1`… in front of the real command.
fn strip_wrappers(argv: &mut Vec<ShArg>, many: &mut bool) {
    loop {
        let Some(first) = argv.first() else { return };
        let name = cmds::command_name(&first.value.text).to_string();
        let skip_flags_and = |argv: &[ShArg], values: usize| {
            let mut i = 1;
            while i < argv.len() && (argv[i].value.text.starts_with('-') || argv[i].value.text.contains('=')) {
                i += 1;
            }
            (i + values).min(argv.len())
        };
        let n = match name.as_str() {
            "sudo" | "exec" | "nohup" | "command" | "builtin" | "nice" | "stdbuf" | "time" | "env" => skip_flags_and(argv, 0),
            "timeout" => skip_flags_and(argv, 1),
            "xargs" | "parallel" => {
                *many = true;
                skip_flags_and(argv, 0)
            }
            _ => return,
        };
        argv.drain(..n.max(1));
    }
}

/// File arguments of reading commands (after the filter / pattern for `jq` and `grep`).
fn file_args(name: &str, argv: &[ShArg]) -> Vec<ShArg> {
    let positional: Vec<&ShArg> = argv[1..].iter().filter(|a| !a.value.text.starts_with('-')).collect();
    let skip = usize::from(matches!(name, "jq" | "grep" | "yq"));
    positional.into_iter().skip(skip).cloned().collect()
}

fn str_arg(a: &ShArg) -> StrArg {
    StrArg { value: a.value.known().to_string(), text: a.value.text.clone(), span: a.span, literal: a.value.literal }
}
