//! What each shell command does: fetches, prints, installs, file writes and reads, code it runs,
//! other programs (kept as calls for plugin detection).

use super::super::facts::{Call, FileRead, FileWrite, HttpCall, PackageInstall, StrArg};
use super::super::text::{self, StrValue};
use super::super::{Embedded, Lang};
use super::lexer::Word;
use super::options::{self as cmds, Fetch, ShArg};
use super::{assignment, Command, Redirect, Role, Walker};
use crate::span::Span;

impl Walker<'_> {
    pub(super) fn run(
        &mut self,
        name: &str,
        argv: &[ShArg],
        cmd: &Command,
        span: Span,
        in_loop: bool,
        input: Option<(usize, bool)>,
    ) -> (Role, Option<(usize, bool)>) {
        match name {
            "curl" | "wget" => {
                let fetch = if name == "curl" {
                    cmds::curl(argv)
                } else {
                    cmds::wget(argv)
                };
                return (Role::Code, self.fetch(name, fetch, span, in_loop));
            }
            "echo" | "printf" => {
                self.facts.prints.push(span);
                let text: Vec<&str> = argv[1..]
                    .iter()
                    .map(|a| a.value.text.as_str())
                    .filter(|t| !t.starts_with('-'))
                    .collect();
                if text
                    .first()
                    .is_some_and(|t| t.trim_start().starts_with("::"))
                {
                    self.facts.kestra_outputs.push(span);
                }
                return (Role::Quiet, None);
            }
            "set" | "mkdir" | "cd" | "exit" | "true" | "false" | ":" | "shopt" | "trap" | "["
            | "[[" | "test" | "return" | "pushd" | "popd" | "umask" | "ulimit" => {
                return (Role::Quiet, None);
            }
            "export" | "readonly" | "local" | "declare" | "typeset" => {
                let mut role = Role::Quiet;
                for w in &cmd.words[1..] {
                    if let Some((var, value)) = assignment(w) {
                        let v = self.eval(&value);
                        role = if v.literal && role != Role::Code {
                            Role::Constant
                        } else {
                            Role::Code
                        };
                        self.vars.insert(var, v);
                    }
                }
                return (role, None);
            }
            _ => {}
        }
        if let Some((manager, specs)) = cmds::installs(argv) {
            for cmds::Install {
                spec,
                span,
                requirements_file,
            } in specs
            {
                self.facts.package_installs.push(PackageInstall {
                    manager: manager.into(),
                    spec,
                    span,
                    requirements_file,
                });
            }
            return (Role::Code, None);
        }
        self.push_call(name, argv, span, in_loop);
        let consumes = input.is_some();
        match name {
            "tee" => {
                for a in argv[1..].iter().filter(|a| !a.value.text.starts_with('-')) {
                    let append = argv
                        .iter()
                        .any(|x| x.value.text == "-a" || x.value.text == "--append");
                    self.write(Some(str_arg(a)), span, input, append);
                }
                return (Role::Quiet, input);
            }
            "cat" | "jq" | "head" | "tail" | "less" | "more" | "grep" | "wc" | "sort" | "uniq"
            | "cut" | "column" | "json_pp" | "yq" => {
                let files = file_args(name, argv);
                for a in &files {
                    self.facts.file_reads.push(FileRead {
                        path: Some(str_arg(a)),
                        span,
                    });
                }
                if consumes && files.is_empty() {
                    let identity = name == "cat"
                        || name == "json_pp"
                        || (name == "jq"
                            && argv[1..]
                                .iter()
                                .filter(|a| !a.value.text.starts_with('-'))
                                .all(|a| a.value.text == "."));
                    // Showing the response (or a field of it) is like printing it.
                    return (Role::Quiet, input.map(|(h, t)| (h, t || !identity)));
                }
                return (Role::Code, None);
            }
            "python" | "python3" | "node" | "bash" | "sh" | "zsh" => {
                self.interpreter(name, argv, cmd)
            }
            "cp" | "mv" | "install" => {
                let paths: Vec<&ShArg> = argv[1..]
                    .iter()
                    .filter(|a| !a.value.text.starts_with('-'))
                    .collect();
                if let Some((dst, srcs)) = paths.split_last() {
                    for s in srcs {
                        self.facts.file_reads.push(FileRead {
                            path: Some(str_arg(s)),
                            span,
                        });
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
                for a in argv[1..]
                    .iter()
                    .filter(|a| !a.value.text.starts_with('-'))
                    .take(1)
                {
                    self.facts.file_reads.push(FileRead {
                        path: Some(str_arg(a)),
                        span,
                    });
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

    fn fetch(
        &mut self,
        client: &str,
        f: Fetch,
        span: Span,
        in_loop: bool,
    ) -> Option<(usize, bool)> {
        let mut first_out = None;
        let urls = if f.urls.is_empty() {
            vec![None]
        } else {
            f.urls.iter().map(Some).collect()
        };
        for url in urls {
            let idx = self.facts.http_calls.len();
            let url_arg = url.map(str_arg);
            let pagination = url_arg
                .as_ref()
                .is_some_and(|u| text::url_query_keys(&u.text).any(text::is_pagination_key));
            self.facts.http_calls.push(HttpCall {
                client: client.to_string(),
                method: f.method.clone().unwrap_or_else(|| "GET".into()),
                url: url_arg,
                span,
                in_loop: in_loop || f.many,
                result_var: None,
                output_file: f
                    .output
                    .as_ref()
                    .filter(|o| o.value.literal)
                    .map(|o| o.value.text.clone()),
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
            self.facts.file_reads.push(FileRead {
                path: Some(str_arg(r)),
                span,
            });
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
                self.facts.file_reads.push(FileRead {
                    path: Some(str_arg(&argv[i])),
                    span: argv[i].span,
                });
                return;
            }
            i += 1;
        }
        // `python3 - <<'EOF'` / `node <<EOF`: the heredoc is the program.
        for r in &cmd.redirects {
            if let Some((a, b)) = r.heredoc {
                let text = self
                    .src
                    .get(a as usize..b as usize)
                    .unwrap_or("")
                    .to_string();
                let in_loop = !self.loop_starts.is_empty();
                self.embedded.push(Embedded {
                    lang,
                    text,
                    base: a as usize,
                    exact: true,
                    span: Span { start: a, end: b },
                    in_loop,
                });
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
        self.embedded.push(Embedded {
            lang,
            text: arg.value.text.clone(),
            base,
            exact,
            span: arg.span,
            in_loop: !self.loop_starts.is_empty(),
        });
    }

    fn tar(&mut self, argv: &[ShArg], span: Span) {
        let Some(opts) = argv
            .get(1)
            .map(|a| a.value.text.trim_start_matches('-').to_string())
        else {
            return;
        };
        let file = argv
            .iter()
            .position(|a| a.value.text == "-f" || a.value.text == "--file")
            .map(|i| i + 1)
            .or_else(|| opts.contains('f').then_some(2));
        let Some(file) = file.and_then(|i| argv.get(i)) else {
            return;
        };
        if opts.contains('c') || argv.iter().any(|a| a.value.text == "--create") {
            self.write(Some(str_arg(file)), span, None, false);
        } else {
            self.facts.file_reads.push(FileRead {
                path: Some(str_arg(file)),
                span,
            });
        }
    }

    /// `aws s3 cp SRC DST`, `gsutil cp SRC DST`, `gcloud storage cp SRC DST`, `az storage blob download --file F`.
    fn cloud_copy(&mut self, argv: &[ShArg], span: Span) {
        let plain: Vec<&ShArg> = argv
            .iter()
            .filter(|a| !a.value.text.starts_with('-'))
            .collect();
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
                    target.value = StrValue::literal(format!(
                        "{}/{name}",
                        dst.value.text.trim_end_matches('/')
                    ));
                    target.value.literal = src.value.literal && dst.value.literal;
                }
                self.write(Some(str_arg(&target)), span, None, false);
            } else if !remote(src) {
                self.facts.file_reads.push(FileRead {
                    path: Some(str_arg(src)),
                    span,
                });
            }
        }
        if words.starts_with(&["az", "storage", "blob", "download"]) {
            if let Some(i) = argv
                .iter()
                .position(|a| a.value.text == "--file" || a.value.text == "-f")
            {
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
            } else if taken < depth
                && text
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
            {
                callee.push(' ');
                callee.push_str(text);
                taken += 1;
            } else if argv[i].value.literal {
                args.push(text.clone());
            }
            i += 1;
        }
        self.facts.other_calls.push(Call {
            callee,
            args,
            span,
            in_loop,
        });
    }

    pub(super) fn redirect(&mut self, r: &Redirect, output: Option<(usize, bool)>) {
        let Some(target) = &r.target else { return };
        if r.fd.as_deref().is_some_and(|fd| fd != "1") && !r.op.starts_with('<') {
            return; // `2> err.log`: diagnostics, not data.
        }
        let arg = self.arg(target);
        match r.op {
            "<" | "<>" => self.facts.file_reads.push(FileRead {
                path: Some(str_arg(&arg)),
                span: r.span,
            }),
            ">" | ">|" | "&>" | ">>" | "&>>" if arg.value.text != "/dev/null" => {
                self.write(Some(str_arg(&arg)), r.span, output, r.op.contains(">>"));
            }
            _ => {}
        }
    }

    fn write(
        &mut self,
        path: Option<StrArg>,
        span: Span,
        data: Option<(usize, bool)>,
        append: bool,
    ) {
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
        self.facts.file_writes.push(FileWrite {
            path,
            span,
            data_spans: Vec::new(),
            from_http,
            transformed,
            append,
        });
    }
}

/// Drops `sudo`, `env X=1`, `timeout 5`, `xargs -n1`… in front of the real command.
pub(super) fn strip_wrappers(argv: &mut Vec<ShArg>, many: &mut bool) {
    loop {
        let Some(first) = argv.first() else { return };
        let name = cmds::command_name(&first.value.text).to_string();
        let skip_flags_and = |argv: &[ShArg], values: usize| {
            let mut i = 1;
            while i < argv.len()
                && (argv[i].value.text.starts_with('-') || argv[i].value.text.contains('='))
            {
                i += 1;
            }
            (i + values).min(argv.len())
        };
        let n = match name.as_str() {
            "sudo" | "exec" | "nohup" | "command" | "builtin" | "nice" | "stdbuf" | "time"
            | "env" => skip_flags_and(argv, 0),
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
    let positional: Vec<&ShArg> = argv[1..]
        .iter()
        .filter(|a| !a.value.text.starts_with('-'))
        .collect();
    let skip = usize::from(matches!(name, "jq" | "grep" | "yq"));
    positional.into_iter().skip(skip).cloned().collect()
}

fn str_arg(a: &ShArg) -> StrArg {
    StrArg {
        value: a.value.known().to_string(),
        text: a.value.text.clone(),
        span: a.span,
        literal: a.value.literal,
    }
}
