//! Reading the options of the commands that matter: curl, wget, pip/uv/npm installs, and the
//! sub-commands of CLIs like `aws s3 cp` or `git clone`.

use super::super::text::{self, StrValue};
use crate::span::Span;

/// One evaluated argument word.
#[derive(Clone, Debug)]
pub(super) struct ShArg {
    pub value: StrValue,
    pub span: Span,
}

/// An option walk: flags, options with their value, positionals.
enum Opt<'x> {
    Flag(&'x str),
    Value(&'x str, ShArg),
    Positional(usize),
}

/// Walks `argv[1..]`: `--name=value`, `--name value`, `-abc`, `-ovalue`, `-o value`, `--`.
/// `short` maps a short letter to its long name (a trailing `=` marks options taking a value).
fn walk<'x>(
    argv: &'x [ShArg],
    short: &[(char, &'x str)],
    long_with_value: &[&str],
    mut visit: impl FnMut(Opt<'x>),
) {
    let mut i = 1;
    let mut positional_only = false;
    while i < argv.len() {
        let arg = &argv[i];
        let text = arg.value.text.as_str();
        if positional_only || !text.starts_with('-') || text == "-" {
            visit(Opt::Positional(i));
        } else if text == "--" {
            positional_only = true;
        } else if let Some(long) = text.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) => {
                    let value = ShArg {
                        value: StrValue::literal(value),
                        span: arg.span,
                    };
                    visit(Opt::Value(name, value));
                }
                None if long_with_value.contains(&long) && i + 1 < argv.len() => {
                    i += 1;
                    visit(Opt::Value(long, argv[i].clone()));
                }
                None => visit(Opt::Flag(long)),
            }
        } else {
            // A cluster of short flags; the first one taking a value takes the rest or the next word.
            for (k, ch) in text.char_indices().skip(1) {
                let name = short.iter().find(|(c, _)| *c == ch).map(|(_, n)| *n);
                match name {
                    Some(n) if n.ends_with('=') => {
                        let n = &n[..n.len() - 1];
                        let rest = &text[k + ch.len_utf8()..];
                        if !rest.is_empty() {
                            visit(Opt::Value(
                                n,
                                ShArg {
                                    value: StrValue::literal(rest),
                                    span: arg.span,
                                },
                            ));
                        } else if i + 1 < argv.len() {
                            i += 1;
                            visit(Opt::Value(n, argv[i].clone()));
                        }
                        break;
                    }
                    Some(n) => visit(Opt::Flag(n)),
                    None => {}
                }
            }
        }
        i += 1;
    }
}

/// What a curl or wget command does.
#[derive(Clone, Debug, Default)]
pub(super) struct Fetch {
    pub method: Option<String>,
    pub urls: Vec<ShArg>,
    /// The file the body is saved to; `None` means standard output.
    pub output: Option<ShArg>,
    pub has_auth: bool,
    pub signing: bool,
    pub has_data: bool,
    /// Fetches many URLs (`wget -i list`, `wget -r`).
    pub many: bool,
    /// Local files sent (`-T file`, `-d @file`, `-F x=@file`) or read (`-K config`, `wget -i list`).
    pub reads: Vec<ShArg>,
    pub header_keys: Vec<String>,
}

const CURL_SHORT: &[(char, &str)] = &[
    ('o', "output="),
    ('O', "remote-name"),
    ('X', "request="),
    ('H', "header="),
    ('d', "data="),
    ('F', "form="),
    ('u', "user="),
    ('T', "upload-file="),
    ('I', "head"),
    ('G', "get"),
    ('K', "config="),
    ('A', "user-agent="),
    ('e', "referer="),
    ('w', "write-out="),
    ('m', "max-time="),
    ('b', "cookie="),
    ('c', "cookie-jar="),
    ('x', "proxy="),
    ('E', "cert="),
    ('r', "range="),
    ('y', "speed-time="),
    ('Y', "speed-limit="),
    ('z', "time-cond="),
    ('C', "continue-at="),
    ('U', "proxy-user="),
    ('Q', "quote="),
    ('t', "telnet-option="),
    ('P', "ftp-port="),
];

const CURL_LONG_VALUE: &[&str] = &[
    "output",
    "output-dir",
    "request",
    "header",
    "data",
    "data-raw",
    "data-binary",
    "data-ascii",
    "data-urlencode",
    "json",
    "form",
    "form-string",
    "upload-file",
    "user",
    "oauth2-bearer",
    "aws-sigv4",
    "url",
    "user-agent",
    "referer",
    "cookie",
    "cookie-jar",
    "config",
    "max-time",
    "connect-timeout",
    "retry",
    "retry-delay",
    "retry-max-time",
    "write-out",
    "proxy",
    "proxy-user",
    "cacert",
    "capath",
    "cert",
    "key",
    "pass",
    "range",
    "limit-rate",
    "max-filesize",
    "resolve",
    "connect-to",
    "interface",
    "dns-servers",
    "continue-at",
    "speed-limit",
    "speed-time",
    "create-file-mode",
    "tls-max",
    "ciphers",
    "proto",
    "proto-redir",
    "expect100-timeout",
    "keepalive-time",
    "local-port",
    "max-redirs",
    "netrc-file",
    "stderr",
    "trace",
    "trace-ascii",
    "unix-socket",
    "variable",
    "time-cond",
    "quote",
    "request-target",
    "preproxy",
    "noproxy",
    "url-query",
    "etag-save",
    "etag-compare",
];

pub(super) fn curl(argv: &[ShArg]) -> Fetch {
    let mut f = Fetch::default();
    let mut remote_name = false;
    let mut output_dir: Option<String> = None;
    let mut head = false;
    let mut get = false;
    let mut upload = false;
    walk(argv, CURL_SHORT, CURL_LONG_VALUE, |opt| match opt {
        Opt::Positional(i) => f.urls.push(argv[i].clone()),
        Opt::Flag("remote-name" | "remote-name-all") => remote_name = true,
        Opt::Flag("head") => head = true,
        Opt::Flag("get") => get = true,
        Opt::Flag(_) => {}
        Opt::Value(name, v) => match name {
            "output" if f.output.is_none() && v.value.text != "-" => f.output = Some(v),
            "output-dir" => output_dir = Some(v.value.text),
            "request" => f.method = Some(v.value.text.to_ascii_uppercase()),
            "header" => {
                if let Some((k, _)) = v.value.text.split_once(':') {
                    f.has_auth |= text::is_auth_key(k.trim());
                    f.header_keys.push(k.trim().to_string());
                }
            }
            "user" | "oauth2-bearer" | "proxy-user" => f.has_auth |= name != "proxy-user",
            "aws-sigv4" => f.signing = true,
            "url" => f.urls.push(v),
            "upload-file" => {
                upload = true;
                f.reads.push(v);
            }
            "config" => f.reads.push(v),
            "data" | "data-raw" | "data-binary" | "data-ascii" | "data-urlencode" | "json"
            | "form" | "form-string" => {
                f.has_data = true;
                if let Some(file) = data_file(&v) {
                    f.reads.push(file);
                }
            }
            _ => {}
        },
    });
    if f.method.is_none() {
        f.method = Some(
            if head {
                "HEAD"
            } else if upload {
                "PUT"
            } else if f.has_data && !get {
                "POST"
            } else {
                "GET"
            }
            .to_string(),
        );
    }
    if f.output.is_none() && remote_name {
        f.output = remote_file(f.urls.first(), output_dir.as_deref());
    } else if let (Some(out), Some(dir)) = (&mut f.output, output_dir) {
        out.value = prefixed(&dir, &out.value);
    }
    f
}

/// `@file` / `name=@file` / `name=<file` data arguments.
fn data_file(v: &ShArg) -> Option<ShArg> {
    let text = &v.value.text;
    let at = text.find(['@', '<'])?;
    let name = &text[at + 1..];
    let name = name.split(';').next().unwrap_or(name);
    (!name.is_empty() && name != "-").then(|| ShArg {
        value: StrValue::literal(name),
        span: v.span,
    })
}

/// The file a download is named after by default: the URL's last path segment.
fn remote_file(url: Option<&ShArg>, dir: Option<&str>) -> Option<ShArg> {
    let url = url?;
    let name = text::url_file_name(&url.value.text).unwrap_or("index.html");
    let mut value = StrValue {
        text: name.to_string(),
        prefix: 0,
        literal: url.value.literal,
    };
    value.prefix = if value.literal { value.text.len() } else { 0 };
    if let Some(dir) = dir {
        value = prefixed(dir, &value);
    }
    Some(ShArg {
        value,
        span: url.span,
    })
}

fn prefixed(dir: &str, name: &StrValue) -> StrValue {
    let mut out = StrValue::literal(dir.trim_end_matches('/'));
    out.push_literal("/");
    out.append(name);
    out
}

const WGET_SHORT: &[(char, &str)] = &[
    ('O', "output-document="),
    ('o', "output-file="),
    ('a', "append-output="),
    ('P', "directory-prefix="),
    ('i', "input-file="),
    ('r', "recursive"),
    ('m', "mirror"),
    ('t', "tries="),
    ('T', "timeout="),
    ('U', "user-agent="),
    ('e', "execute="),
    ('w', "wait="),
    ('l', "level="),
    ('Q', "quota="),
    ('B', "base="),
    ('D', "domains="),
    ('X', "exclude-directories="),
    ('I', "include-directories="),
    ('A', "accept="),
    ('R', "reject="),
];

const WGET_LONG_VALUE: &[&str] = &[
    "output-document",
    "output-file",
    "append-output",
    "directory-prefix",
    "input-file",
    "tries",
    "timeout",
    "user-agent",
    "execute",
    "wait",
    "level",
    "header",
    "user",
    "password",
    "http-user",
    "http-password",
    "post-data",
    "post-file",
    "method",
    "body-data",
    "body-file",
    "ca-certificate",
    "certificate",
    "private-key",
    "load-cookies",
    "save-cookies",
    "referer",
    "limit-rate",
    "quota",
    "read-timeout",
    "connect-timeout",
    "dns-timeout",
    "waitretry",
    "base",
    "domains",
    "accept",
    "reject",
    "bind-address",
];

pub(super) fn wget(argv: &[ShArg]) -> Fetch {
    let mut f = Fetch::default();
    let mut prefix: Option<String> = None;
    let mut stdout = false;
    // `-nv`, `-nc`, `-nd`… are two-letter short options: drop them before the walk.
    let argv: Vec<ShArg> = argv
        .iter()
        .filter(|a| !(a.value.text.len() == 3 && a.value.text.starts_with("-n")))
        .cloned()
        .collect();
    walk(&argv, WGET_SHORT, WGET_LONG_VALUE, |opt| match opt {
        Opt::Positional(i) => f.urls.push(argv[i].clone()),
        Opt::Flag("recursive" | "mirror") => f.many = true,
        Opt::Flag(_) => {}
        Opt::Value(name, v) => match name {
            "output-document" => {
                if v.value.text == "-" {
                    stdout = true;
                } else {
                    f.output = Some(v);
                }
            }
            "directory-prefix" => prefix = Some(v.value.text),
            "input-file" => {
                f.many = true;
                f.reads.push(v);
            }
            "header" => {
                if let Some((k, _)) = v.value.text.split_once(':') {
                    f.has_auth |= text::is_auth_key(k.trim());
                    f.header_keys.push(k.trim().to_string());
                }
            }
            "user" | "password" | "http-user" | "http-password" => f.has_auth = true,
            "post-data" | "body-data" => {
                f.has_data = true;
                f.method.get_or_insert_with(|| "POST".into());
            }
            "post-file" | "body-file" => {
                f.has_data = true;
                f.method.get_or_insert_with(|| "POST".into());
                f.reads.push(v);
            }
            "method" => f.method = Some(v.value.text.to_ascii_uppercase()),
            _ => {}
        },
    });
    f.method.get_or_insert_with(|| "GET".into());
    if !stdout && f.output.is_none() && !f.many {
        f.output = remote_file(f.urls.first(), prefix.as_deref());
    }
    f
}

/// One requirement of an install command.
pub(super) struct Install {
    pub spec: String,
    pub span: Span,
    /// `-r file` (pip) / a bare `npm install` (package.json).
    pub requirements_file: bool,
}

/// Packages installed by `pip install …`, `python -m pip install …`, `uv pip install …`, `uv add …`,
/// `poetry add …`, `npm install …`, `yarn add …`, `pnpm add …`: the manager and its requirements.
pub(super) fn installs(argv: &[ShArg]) -> Option<(&'static str, Vec<Install>)> {
    let words: Vec<&str> = argv.iter().map(|a| a.value.text.as_str()).collect();
    let name = command_name(words.first()?);
    let (manager, skip) = match (
        name,
        words.get(1).copied(),
        words.get(2).copied(),
        words.get(3).copied(),
    ) {
        (n, Some("install"), _, _) if is_pip(n) => ("pip", 2),
        (n, Some("-m"), Some("pip"), Some("install")) if n.starts_with("python") => ("pip", 4),
        ("uv", Some("pip"), Some("install"), _) => ("pip", 3),
        ("uv" | "poetry", Some("add"), _, _) => ("pip", 2),
        ("npm" | "pnpm", Some("install" | "i" | "add"), _, _) | ("yarn", Some("add"), _, _) => {
            ("npm", 2)
        }
        _ => return None,
    };
    let with_value: &[&str] = if manager == "pip" {
        &[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-t",
            "--target",
            "--prefix",
            "--root",
            "-f",
            "--find-links",
            "--trusted-host",
            "--platform",
            "--python-version",
            "--implementation",
            "--abi",
            "--only-binary",
            "--no-binary",
            "--progress-bar",
            "--upgrade-strategy",
            "--src",
            "--cache-dir",
            "--log",
            "--timeout",
            "--retries",
            "--proxy",
            "--cert",
            "--client-cert",
            "--exists-action",
            "-C",
            "--config-settings",
            "--global-option",
            "--python",
            "--group",
            "--optional",
            "--index",
            "--extra",
        ]
    } else {
        &["--registry", "--prefix", "-w", "--workspace", "--cache"]
    };
    let mut specs = Vec::new();
    let mut i = skip;
    while i < argv.len() {
        let w = words[i];
        if w.starts_with('-') {
            let (flag, inline) = w.split_once('=').map_or((w, None), |(f, v)| (f, Some(v)));
            let takes_value = with_value.contains(&flag);
            let value = match (takes_value, inline) {
                (true, Some(v)) => Some((v.to_string(), argv[i].span)),
                (true, None) if i + 1 < argv.len() => {
                    i += 1;
                    Some((words[i].to_string(), argv[i].span))
                }
                _ => None,
            };
            match (flag, value) {
                ("-r" | "--requirement", Some((spec, span))) => specs.push(Install {
                    spec,
                    span,
                    requirements_file: true,
                }),
                ("-e" | "--editable", Some((spec, span))) => specs.push(Install {
                    spec,
                    span,
                    requirements_file: false,
                }),
                _ => {}
            }
        } else {
            specs.push(Install {
                spec: w.to_string(),
                span: argv[i].span,
                requirements_file: false,
            });
        }
        i += 1;
    }
    if specs.is_empty() && manager == "npm" {
        // `npm install` alone installs package.json.
        specs.push(Install {
            spec: "package.json".into(),
            span: argv[0].span,
            requirements_file: true,
        });
    }
    Some((manager, specs))
}

fn is_pip(name: &str) -> bool {
    name == "pip"
        || (name.starts_with("pip") && name[3..].bytes().all(|c| c.is_ascii_digit() || c == b'.'))
}

/// `/usr/bin/python3` → `python3`.
pub(super) fn command_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// How many sub-command words name the operation of a CLI (`aws s3 cp` → 2), and its global options
/// that take a value (skipped while looking for the sub-commands).
pub(super) fn subcommand_depth(name: &str) -> (usize, &'static [&'static str]) {
    match name {
        "aws" => (
            2,
            &[
                "--region",
                "--profile",
                "--endpoint-url",
                "--output",
                "--query",
                "--cli-read-timeout",
                "--cli-connect-timeout",
                "--ca-bundle",
                "--color",
            ],
        ),
        "gcloud" => (
            2,
            &[
                "--project",
                "--format",
                "--account",
                "--configuration",
                "--verbosity",
                "--impersonate-service-account",
            ],
        ),
        "az" => (3, &["--subscription", "--output", "-o", "--query"]),
        "git" => (1, &["-C", "-c", "--git-dir", "--work-tree"]),
        "gh" | "databricks" | "hdfs" | "uv" => (2, &[]),
        "gsutil" => (1, &["-o", "-h", "-u"]),
        "kubectl" | "docker" | "bq" | "mc" | "rclone" | "s3cmd" | "dbt" | "npm" | "pip"
        | "pip3" | "terraform" | "helm" | "yarn" | "pnpm" | "poetry" | "snow" => (1, &[]),
        _ => (0, &[]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<ShArg> {
        words
            .iter()
            .map(|w| ShArg {
                value: StrValue::literal(*w),
                span: Span::default(),
            })
            .collect()
    }

    #[test]
    fn curl_options() {
        let f = curl(&argv(&[
            "curl",
            "-fsSL",
            "-o",
            "data.zip",
            "https://example.com/archive/data.zip",
        ]));
        assert_eq!(f.output.unwrap().value.text, "data.zip");
        assert_eq!(f.urls.len(), 1);
        assert_eq!(f.method.as_deref(), Some("GET"));
        let f = curl(&argv(&[
            "curl",
            "-sSLo",
            "out.csv",
            "-H",
            "Authorization: Bearer x",
            "https://a/b",
        ]));
        assert_eq!(f.output.unwrap().value.text, "out.csv");
        assert!(f.has_auth);
        let f = curl(&argv(&[
            "curl",
            "-O",
            "--output-dir",
            "dl",
            "https://a/b/c.csv?x=1",
        ]));
        assert_eq!(f.output.unwrap().value.text, "dl/c.csv");
        let f = curl(&argv(&[
            "curl",
            "-X",
            "post",
            "-d",
            "@body.json",
            "https://a",
        ]));
        assert_eq!(f.method.as_deref(), Some("POST"));
        assert_eq!(f.reads[0].value.text, "body.json");
        let f = curl(&argv(&["curl", "https://api/x"]));
        assert!(f.output.is_none());
    }

    #[test]
    fn wget_options() {
        let f = wget(&argv(&["wget", "-q", "https://x/y/a.csv"]));
        assert_eq!(f.output.unwrap().value.text, "a.csv");
        let f = wget(&argv(&["wget", "-qO-", "https://x/y/a.csv"]));
        assert!(f.output.is_none());
        let f = wget(&argv(&["wget", "-nv", "-O", "b.csv", "https://x/a.csv"]));
        assert_eq!(f.output.unwrap().value.text, "b.csv");
        let f = wget(&argv(&["wget", "-i", "urls.txt"]));
        assert!(f.many);
    }

    #[test]
    fn package_installs() {
        let (m, specs) = installs(&argv(&[
            "pip",
            "install",
            "-q",
            "--no-cache-dir",
            "pandas==2.1",
            "-r",
            "req.txt",
        ]))
        .unwrap();
        assert_eq!(m, "pip");
        assert_eq!(
            specs
                .iter()
                .map(|s| (s.spec.as_str(), s.requirements_file))
                .collect::<Vec<_>>(),
            [("pandas==2.1", false), ("req.txt", true)]
        );
        let (_, specs) = installs(&argv(&[
            "python3",
            "-m",
            "pip",
            "install",
            "requests[socks]",
        ]))
        .unwrap();
        assert_eq!(specs[0].spec, "requests[socks]");
        let (_, specs) = installs(&argv(&["uv", "pip", "install", "--system", "polars"])).unwrap();
        assert_eq!(specs[0].spec, "polars");
        let (m, _) = installs(&argv(&["npm", "i", "axios"])).unwrap();
        assert_eq!(m, "npm");
        assert!(installs(&argv(&["pip", "freeze"])).is_none());
    }
}
