//! Which files `kflow lint` reads: explicit files always; in directories, `*.yml`/`*.yaml` files
//! that look like flows (top-level `id:` and `namespace:`), honouring `.gitignore` and the
//! `exclude` globs of `kflow.toml`.

use std::path::{Path, PathBuf};

use super::config::Configs;

pub struct FoundFile {
    pub path: PathBuf,
    pub display: String,
    /// Named on the command line: checked even if it does not look like a flow.
    pub explicit: bool,
}

/// What the commands that take flow files (`lint`, `migrate`, `deploy`) work on: the paths
/// given (this folder when none), the flows found below them, and their `kflow.toml` files.
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    pub found: Discovered,
    pub configs: Configs,
}

/// [`Inputs`] of the paths given; a path that cannot be read or a `kflow.toml` that cannot be
/// loaded is an error (the commands print it and exit 2).
pub fn inputs(given: &[PathBuf]) -> Result<Inputs, String> {
    let paths = if given.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        given.to_vec()
    };
    let mut configs = Configs::default();
    let found = discover(&paths, &mut configs)?;
    if let Some(e) = configs.first_error() {
        return Err(e.to_string());
    }
    Ok(Inputs {
        paths,
        found,
        configs,
    })
}

/// The files to check, and how many YAML files `exclude` left out.
pub struct Discovered {
    pub files: Vec<FoundFile>,
    pub excluded: usize,
}

pub fn discover(paths: &[PathBuf], configs: &mut Configs) -> Result<Discovered, String> {
    let mut found = Vec::new();
    let mut excluded = 0;
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
        if meta.is_file() {
            configs.load_for(root);
            found.push(FoundFile {
                path: root.clone(),
                display: display(root),
                explicit: true,
            });
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .build();
        for entry in walker {
            let entry = entry.map_err(|e| e.to_string())?;
            let path = entry.path();
            if !entry.file_type().is_some_and(|t| t.is_file()) || !is_yaml(path) {
                continue;
            }
            configs.load_for(path);
            if configs.excluded(path) {
                excluded += 1;
                continue;
            }
            found.push(FoundFile {
                path: path.to_path_buf(),
                display: display(path),
                explicit: false,
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    Ok(Discovered {
        files: found,
        excluded,
    })
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// A top-level `id:` and `namespace:` within the first 64 KiB (decided once the file is read,
/// so that each file is opened once).
pub fn looks_like_flow(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let has = |key: &str| {
        text.lines().any(|l| {
            let l = l
                .strip_prefix('"')
                .and_then(|r| r.strip_prefix(key)?.strip_prefix('"'))
                .or_else(|| l.strip_prefix(key));
            l.is_some_and(|r| r.trim_start().starts_with(':'))
        })
    };
    has("id") && has("namespace")
}
