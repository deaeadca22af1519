//! `kflow deploy`: lint the flows (errors block unless `--force`), then create or update each
//! on the server; `--dry-run` shows the diff against the server's source instead; namespace
//! files with `--namespace-files DIR`; nothing is deleted without `--delete`. A report per
//! flow (created, updated, unchanged, failed), human or JSON; exit codes as `kflow lint`
//! (1: a lint error blocked or a flow failed; 2: the command could not work).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use kflow_lint_rules::Severity;
use kflow_syntax::Document;
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::client::{ApiError, Client};
use super::target::{self, ServerArgs};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeployFormat {
    Human,
    Json,
}

#[derive(Args)]
pub struct DeployArgs {
    /// Flow files or folders (default: the current folder).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    server: ServerArgs,
    /// Deploy even flows with lint errors.
    #[arg(long)]
    force: bool,
    /// Show what would change (a diff against the server's source) without changing anything.
    #[arg(long)]
    dry_run: bool,
    /// Upload this folder's files as namespace files of every namespace deployed to.
    #[arg(long, value_name = "DIR")]
    namespace_files: Option<PathBuf>,
    /// Delete the server's flows of the deployed namespaces that are not among the files.
    #[arg(long)]
    delete: bool,
    #[arg(long, value_enum, default_value = "human")]
    format: DeployFormat,
}

/// What happened to one flow (or would, with `--dry-run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Created,
    Updated,
    Unchanged,
    Failed,
    Deleted,
}

impl Status {
    pub fn text(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Updated => "updated",
            Status::Unchanged => "unchanged",
            Status::Failed => "failed",
            Status::Deleted => "deleted",
        }
    }
}

/// A line of the report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub namespace: String,
    pub id: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Outcome {
    /// `: <error>` after a failed outcome's line, nothing otherwise.
    fn error_suffix(&self) -> String {
        self.error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    server: String,
    version: String,
    dry_run: bool,
    flows: Vec<Outcome>,
    namespace_files: Vec<Outcome>,
}

/// The flow's source as the server gets it: its namespace with the profile's prefix.
pub fn server_source(doc: &Document, namespace_on_server: &str) -> String {
    let tree = &doc.tree;
    let Some(node) = tree.root.and_then(|r| tree.get_value(r, "namespace")) else {
        return doc.text.clone();
    };
    let span = tree.span(node);
    let (start, end) = (span.start as usize, span.end as usize);
    if &doc.text[start..end] == namespace_on_server {
        return doc.text.clone();
    }
    format!(
        "{}{namespace_on_server}{}",
        &doc.text[..start],
        &doc.text[end..]
    )
}

/// The namespace and id (as written, not empty) of a flow document.
pub fn flow_key(doc: &Document) -> Option<(String, String)> {
    let tree = &doc.tree;
    let root = tree.root?;
    let get = |k: &str| tree.get_str(root, k).filter(|v| !v.trim().is_empty());
    Some((get("namespace")?.to_string(), get("id")?.to_string()))
}

/// The server's source of a flow; `None` when it has none.
pub async fn current_source(
    client: &Client,
    namespace: &str,
    id: &str,
) -> Result<Option<(String, Option<u64>)>, ApiError> {
    let rb = client
        .request(Method::GET, client.url(&["flows", namespace, id]))
        .query(&[("source", "true")]);
    match client.json(rb).await {
        Ok(flow) => Ok(Some((
            flow.get("source")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            flow.get("revision").and_then(Value::as_u64),
        ))),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates or updates one flow (`source` already in its server form); unchanged when the
/// server's source is the same text, which then keeps its revision.
pub async fn put_flow(
    client: &Client,
    namespace: &str,
    id: &str,
    source: &str,
) -> Result<(Status, Option<u64>), ApiError> {
    let (status, rb) = match current_source(client, namespace, id).await? {
        Some((current, revision)) if same_source(&current, source) => {
            return Ok((Status::Unchanged, revision))
        }
        Some(_) => (
            Status::Updated,
            client.request(Method::PUT, client.url(&["flows", namespace, id])),
        ),
        None => (
            Status::Created,
            client.request(Method::POST, client.url(&["flows"])),
        ),
    };
    let rb = rb
        .header("Content-Type", "application/x-yaml")
        .body(source.to_string());
    let flow = client.json(rb).await?;
    Ok((status, flow.get("revision").and_then(Value::as_u64)))
}

/// Kestra keeps the source as sent; only trailing blank space is not worth a revision.
fn same_source(a: &str, b: &str) -> bool {
    a.trim_end() == b.trim_end()
}

/// A unified diff from the server's source to the local one.
fn diff(label: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("server/{label}"), &format!("local/{label}"))
        .to_string()
}

/// A flow ready to deploy.
struct Local {
    display: String,
    namespace: String,
    id: String,
    source: String,
}

pub fn run(args: DeployArgs) -> u8 {
    let human = args.format == DeployFormat::Human;
    let crate::lint::files::Inputs {
        paths,
        found,
        configs,
    } = match crate::lint::files::inputs(&args.paths) {
        Ok(inputs) => inputs,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let found = found.files;
    let target = match target::resolve(&args.server, &paths[0]) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    // Lint first: every flow is checked before anything is sent.
    let mut locals = Vec::new();
    let mut blocked = false;
    for f in &found {
        let bytes = match std::fs::read(&f.path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {}: {e}", f.display);
                return 2;
            }
        };
        if !f.explicit && !crate::lint::files::looks_like_flow(&bytes) {
            continue;
        }
        let doc = kflow_syntax::parse_bytes(&bytes);
        let errors: Vec<_> = kflow_lint_rules::check(&doc, configs.for_file(&f.path))
            .into_iter()
            .filter(|x| x.severity == Severity::Error)
            .collect();
        let key = flow_key(&doc);
        let doc = if errors.is_empty() {
            doc
        } else {
            blocked = true;
            let linted = crate::lint::Linted {
                path: f.path.clone(),
                display: f.display.clone(),
                doc,
                findings: errors,
            };
            let chunk = crate::format::render_file(crate::Format::Human, &linted, false);
            let _ = std::io::stderr().write_all(&chunk);
            if !args.force {
                continue;
            }
            linted.doc
        };
        let Some((namespace, id)) = key else {
            blocked = true;
            eprintln!(
                "error: {}: a flow needs an `id` and a `namespace`",
                f.display
            );
            continue;
        };
        let namespace = target.namespace(&namespace);
        let source = server_source(&doc, &namespace);
        locals.push(Local {
            display: f.display.clone(),
            namespace,
            id,
            source,
        });
    }
    // Two files of one flow: which would the server keep? Neither is sent.
    let mut seen: std::collections::HashMap<(&str, &str), &str> = Default::default();
    let mut twice = false;
    for l in &locals {
        if let Some(first) = seen.insert((&l.namespace, &l.id), &l.display) {
            eprintln!(
                "error: {} and {first} both define {}.{}",
                l.display, l.namespace, l.id
            );
            twice = true;
        }
    }
    if twice {
        eprintln!("error: a flow defined twice blocks the deploy; nothing was sent");
        return 1;
    }
    if blocked && !args.force {
        eprintln!("error: lint errors block the deploy (--force deploys anyway); nothing was sent");
        return 1;
    }
    if locals.is_empty() {
        eprintln!(
            "error: no flows found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return 2;
    }
    let runtime = match super::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    runtime.block_on(deploy(args, target, locals, human))
}

async fn deploy(args: DeployArgs, target: super::Target, locals: Vec<Local>, human: bool) -> u8 {
    let client = match Client::connect(target).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut out = std::io::stdout().lock();
    let mut flows = Vec::new();
    for local in &locals {
        let outcome = if args.dry_run {
            dry_run(&client, local, human, &mut out).await
        } else {
            put_flow(&client, &local.namespace, &local.id, &local.source).await
        };
        let (status, revision, error) = match outcome {
            Ok((s, r)) => (s, r, None),
            Err(e) => (Status::Failed, None, Some(e.message)),
        };
        let o = Outcome {
            file: Some(local.display.clone()),
            namespace: local.namespace.clone(),
            id: local.id.clone(),
            status,
            revision,
            error,
        };
        if human {
            print_line(&mut out, &o, args.dry_run);
        }
        flows.push(o);
    }
    let namespaces: std::collections::BTreeSet<&str> =
        locals.iter().map(|l| l.namespace.as_str()).collect();
    let mut files = Vec::new();
    if let Some(dir) = &args.namespace_files {
        for ns in &namespaces {
            for o in upload_namespace_files(&client, ns, dir, args.dry_run).await {
                if human {
                    let status = if o.status == Status::Failed {
                        "failed"
                    } else if args.dry_run {
                        "would upload"
                    } else {
                        "uploaded"
                    };
                    let _ = writeln!(
                        out,
                        "{status:>9} namespace file {}:{}{}",
                        o.namespace,
                        o.id,
                        o.error_suffix()
                    );
                }
                files.push(o);
            }
        }
    }
    if args.delete {
        for ns in &namespaces {
            let keep: Vec<&str> = locals
                .iter()
                .filter(|l| l.namespace == *ns)
                .map(|l| l.id.as_str())
                .collect();
            for o in delete_others(&client, ns, &keep, args.dry_run).await {
                if human {
                    print_line(&mut out, &o, args.dry_run);
                }
                flows.push(o);
            }
        }
    }
    let failed = flows
        .iter()
        .chain(&files)
        .filter(|o| o.status == Status::Failed)
        .count();
    if human {
        let count = |s: Status| flows.iter().filter(|o| o.status == s).count();
        let _ = writeln!(
            out,
            "{}{} created, {} updated, {} unchanged, {} deleted, {failed} failed on {} (Kestra {})",
            if args.dry_run { "dry run: " } else { "" },
            count(Status::Created),
            count(Status::Updated),
            count(Status::Unchanged),
            count(Status::Deleted),
            client.target.url,
            client.version,
        );
    } else {
        let report = Report {
            server: client.target.url.clone(),
            version: client.version.clone(),
            dry_run: args.dry_run,
            flows,
            namespace_files: files,
        };
        let _ = serde_json::to_writer_pretty(&mut out, &report);
        let _ = writeln!(out);
    }
    if failed > 0 {
        let _ = out.flush();
        eprintln!("error: {failed} failed: the others were deployed as reported");
        return 1;
    }
    0
}

fn print_line(out: &mut impl Write, o: &Outcome, dry_run: bool) {
    let status = if dry_run && o.status != Status::Unchanged && o.status != Status::Failed {
        format!("would be {}", o.status.text())
    } else {
        o.status.text().to_string()
    };
    let revision = o
        .revision
        .map(|r| format!(" (revision {r})"))
        .unwrap_or_default();
    let file = o
        .file
        .as_deref()
        .map(|f| format!(" [{f}]"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{status:>9} {}.{}{revision}{file}{}",
        o.namespace,
        o.id,
        o.error_suffix()
    );
}

async fn dry_run(
    client: &Client,
    local: &Local,
    human: bool,
    out: &mut impl Write,
) -> Result<(Status, Option<u64>), ApiError> {
    let current = current_source(client, &local.namespace, &local.id).await?;
    let (status, old, revision) = match current {
        Some((s, r)) if same_source(&s, &local.source) => (Status::Unchanged, s, r),
        Some((s, r)) => (Status::Updated, s, r),
        None => (Status::Created, String::new(), None),
    };
    if human && status != Status::Unchanged {
        let label = format!("{}/{}.yml", local.namespace, local.id);
        let _ = write!(out, "{}", diff(&label, &old, &local.source));
    }
    Ok((status, revision))
}

/// Uploads every file under `dir` as a namespace file of `namespace` (`/` + its path in `dir`).
async fn upload_namespace_files(
    client: &Client,
    namespace: &str,
    dir: &Path,
    dry_run: bool,
) -> Vec<Outcome> {
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for (rel, path) in files {
        let result = match std::fs::read(&path) {
            Err(e) => Err(format!("{}: {e}", path.display())),
            Ok(_) if dry_run => Ok(()),
            Ok(bytes) => {
                let part = reqwest::multipart::Part::bytes(bytes)
                    .file_name(rel.rsplit('/').next().unwrap_or(&rel).to_string())
                    .mime_str("application/octet-stream")
                    .expect("a valid MIME type");
                let form = reqwest::multipart::Form::new().part("fileContent", part);
                let rb = client
                    .request(
                        Method::POST,
                        client.url(&["namespaces", namespace, "files"]),
                    )
                    .query(&[("path", rel.as_str())])
                    .multipart(form);
                client.send(rb).await.map(|_| ()).map_err(|e| e.message)
            }
        };
        out.push(Outcome {
            file: Some(path.display().to_string()),
            namespace: namespace.to_string(),
            id: rel,
            status: if result.is_ok() {
                Status::Updated
            } else {
                Status::Failed
            },
            revision: None,
            error: result.err(),
        });
    }
    out
}

/// `dir`'s files, recursively, as (`/relative/path`, path); hidden files and folders skipped.
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            collect_files(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((format!("/{}", rel.join("/")), path));
        }
    }
}

/// Deletes the flows of `namespace` on the server whose ids are not in `keep`.
async fn delete_others(
    client: &Client,
    namespace: &str,
    keep: &[&str],
    dry_run: bool,
) -> Vec<Outcome> {
    let listed = client
        .json(client.request(Method::GET, client.url(&["flows", namespace])))
        .await;
    let flows = match listed {
        Ok(v) => v,
        Err(e) => {
            return vec![Outcome {
                file: None,
                namespace: namespace.to_string(),
                id: "*".into(),
                status: Status::Failed,
                revision: None,
                error: Some(format!("cannot list the namespace's flows: {e}")),
            }]
        }
    };
    let mut ids: Vec<String> = flows
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f.get("namespace").and_then(Value::as_str) == Some(namespace))
        .filter_map(|f| f.get("id").and_then(Value::as_str).map(str::to_string))
        .filter(|id| !keep.contains(&id.as_str()))
        .collect();
    ids.sort();
    let mut out = Vec::new();
    for id in ids {
        let result = if dry_run {
            Ok(())
        } else {
            let rb = client.request(Method::DELETE, client.url(&["flows", namespace, &id]));
            client.send(rb).await.map(|_| ()).map_err(|e| e.message)
        };
        out.push(Outcome {
            file: None,
            namespace: namespace.to_string(),
            id,
            status: if result.is_ok() {
                Status::Deleted
            } else {
                Status::Failed
            },
            revision: None,
            error: result.err(),
        });
    }
    out
}
