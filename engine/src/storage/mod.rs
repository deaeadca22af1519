//! Kestra's internal storage on a local folder: `kestra:///a/b/c` ↔ `ROOT/a/b/c`, exactly as
//! Kestra's local storage maps it (tenant left out). Every write is atomic; every path is
//! checked to stay inside the root, symlinks included.

mod atomic;
pub mod uri;

use std::path::{Component, Path, PathBuf};

pub use atomic::{AtomicFile, TempFile};
pub use uri::{ExecutionKey, TaskRunKey, SCHEME};

#[derive(Debug)]
pub enum StorageError {
    /// The URI is not a `kestra:///…` URI or would leave the storage root.
    InvalidUri {
        uri: String,
        reason: String,
    },
    NotFound {
        uri: String,
    },
    Io {
        uri: String,
        source: std::io::Error,
    },
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::InvalidUri { uri, reason } => {
                write!(f, "invalid storage URI '{uri}': {reason}")
            }
            StorageError::NotFound { uri } => write!(f, "no file in internal storage at '{uri}'"),
            StorageError::Io { uri, source } => write!(f, "storage error on '{uri}': {source}"),
        }
    }
}

impl std::error::Error for StorageError {}

impl StorageError {
    fn io(uri: &str, source: std::io::Error) -> StorageError {
        if source.kind() == std::io::ErrorKind::NotFound {
            StorageError::NotFound {
                uri: uri.to_string(),
            }
        } else {
            StorageError::Io {
                uri: uri.to_string(),
                source,
            }
        }
    }

    fn invalid(uri: &str, reason: impl Into<String>) -> StorageError {
        StorageError::InvalidUri {
            uri: uri.to_string(),
            reason: reason.into(),
        }
    }
}

/// The storage folder. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    /// Opens (creating if needed) a storage rooted at `root`.
    pub fn open(root: impl AsRef<Path>) -> std::io::Result<Storage> {
        std::fs::create_dir_all(root.as_ref())?;
        Ok(Storage {
            root: std::fs::canonicalize(root.as_ref())?,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A fresh path for a task's scratch file (removed on drop unless kept), in a hidden
    /// folder of the root so that moving it into storage is a rename. `suffix` like `.ion`.
    pub fn scratch_file(&self, suffix: &str) -> std::io::Result<TempFile> {
        let dir = self.root.join(".kflow-tmp");
        std::fs::create_dir_all(&dir)?;
        Ok(TempFile::new(
            dir.join(format!("{}{suffix}", crate::ids::random_digits())),
        ))
    }

    /// The local path of a `kestra:///…` URI, refusing anything that would leave the root:
    /// a `..` segment, an authority, a NUL, or a symlink somewhere on the way that points out.
    pub fn path_of(&self, uri: &str) -> Result<PathBuf, StorageError> {
        let rest = uri
            .strip_prefix(SCHEME)
            .ok_or_else(|| StorageError::invalid(uri, "it does not start with kestra://"))?;
        let path = rest.strip_prefix('/').ok_or_else(|| {
            StorageError::invalid(uri, "kestra URIs have an empty authority: kestra:///path")
        })?;
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let decoded = uri::decode_percent(path)
            .ok_or_else(|| StorageError::invalid(uri, "malformed percent-encoding"))?;
        let relative = self.check_relative(uri, &decoded)?;
        let full = self.root.join(relative);
        self.check_inside(uri, &full)?;
        Ok(full)
    }

    /// The URI of a storage-relative path (`a/b/c.txt` → `kestra:///a/b/c.txt`).
    pub fn uri_of(&self, relative: &str) -> String {
        uri::uri_of_path(&format!("/{}", relative.trim_start_matches('/')))
    }

    fn check_relative(&self, uri: &str, path: &str) -> Result<PathBuf, StorageError> {
        if path.contains('\0') {
            return Err(StorageError::invalid(uri, "NUL character in path"));
        }
        if path.is_empty() {
            return Err(StorageError::invalid(uri, "empty path"));
        }
        let mut out = PathBuf::new();
        for component in Path::new(path).components() {
            match component {
                Component::Normal(part) => out.push(part),
                Component::CurDir => {}
                Component::ParentDir => {
                    return Err(StorageError::invalid(uri, "'..' is not allowed"));
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(StorageError::invalid(uri, "absolute path inside the URI"));
                }
            }
        }
        Ok(out)
    }

    /// Resolves the deepest existing ancestor (following symlinks) and checks it is under root.
    fn check_inside(&self, uri: &str, full: &Path) -> Result<(), StorageError> {
        let mut probe = full.to_path_buf();
        loop {
            match std::fs::canonicalize(&probe) {
                Ok(real) => {
                    return if real.starts_with(&self.root) {
                        Ok(())
                    } else {
                        Err(StorageError::invalid(
                            uri,
                            format!(
                                "it resolves to {} outside the storage root (symlink)",
                                real.display()
                            ),
                        ))
                    };
                }
                Err(_) => {
                    // A dangling symlink is refused outright: it could be created later.
                    if std::fs::symlink_metadata(&probe).is_ok() {
                        return Err(StorageError::invalid(uri, "dangling symlink on the path"));
                    }
                    if !probe.pop() || probe == self.root {
                        return Ok(());
                    }
                }
            }
        }
    }

    pub async fn exists(&self, uri: &str) -> Result<bool, StorageError> {
        let path = self.path_of(uri)?;
        Ok(tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_file()))
    }

    pub async fn size(&self, uri: &str) -> Result<u64, StorageError> {
        let path = self.path_of(uri)?;
        let meta = tokio::fs::metadata(&path)
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        if !meta.is_file() {
            return Err(StorageError::NotFound {
                uri: uri.to_string(),
            });
        }
        Ok(meta.len())
    }

    /// Opens a file for streaming reads.
    pub async fn open_read(&self, uri: &str) -> Result<tokio::fs::File, StorageError> {
        let path = self.path_of(uri)?;
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        let meta = file
            .metadata()
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        if !meta.is_file() {
            return Err(StorageError::NotFound {
                uri: uri.to_string(),
            });
        }
        Ok(file)
    }

    /// Reads a whole (small) file.
    pub async fn read(&self, uri: &str) -> Result<Vec<u8>, StorageError> {
        use tokio::io::AsyncReadExt;
        let mut file = self.open_read(uri).await?;
        let mut out = Vec::new();
        file.read_to_end(&mut out)
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        Ok(out)
    }

    /// Starts an atomic write at `uri`; nothing is visible there before `commit`.
    pub async fn create(&self, uri: &str) -> Result<AtomicFile, StorageError> {
        let path = self.path_of(uri)?;
        if path.is_dir() {
            return Err(StorageError::invalid(
                uri,
                "a directory exists at this path",
            ));
        }
        let file = AtomicFile::create(&path)
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        // The parent directories now exist: re-check no symlink among them escapes.
        self.check_inside(uri, &path)?;
        Ok(file)
    }

    /// Streams a reader into `uri` atomically; returns the byte count.
    pub async fn put_stream<R>(&self, uri: &str, reader: &mut R) -> Result<u64, StorageError>
    where
        R: tokio::io::AsyncRead + Unpin + ?Sized,
    {
        let mut file = self.create(uri).await?;
        file.copy_from(reader)
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        file.commit().await.map_err(|e| StorageError::io(uri, e))
    }

    pub async fn put_bytes(&self, uri: &str, bytes: &[u8]) -> Result<u64, StorageError> {
        let mut reader = bytes;
        self.put_stream(uri, &mut reader).await
    }

    /// Moves a local file into storage (rename when on the same file system, else a streamed
    /// copy), atomically.
    pub async fn put_file(&self, uri: &str, source: &Path) -> Result<u64, StorageError> {
        let path = self.path_of(uri)?;
        let len = tokio::fs::metadata(source)
            .await
            .map_err(|e| StorageError::io(uri, e))?
            .len();
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| StorageError::io(uri, e))?;
            self.check_inside(uri, &path)?;
        }
        if tokio::fs::rename(source, &path).await.is_ok() {
            return Ok(len);
        }
        let mut reader = tokio::fs::File::open(source)
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        let written = self.put_stream(uri, &mut reader).await?;
        let _ = tokio::fs::remove_file(source).await;
        Ok(written)
    }

    /// Copies a local file into storage, leaving the source in place.
    pub async fn copy_file(&self, uri: &str, source: &Path) -> Result<u64, StorageError> {
        let mut reader = tokio::fs::File::open(source)
            .await
            .map_err(|e| StorageError::io(uri, e))?;
        self.put_stream(uri, &mut reader).await
    }

    /// Deletes a file; `Ok(false)` when there was none.
    pub async fn delete(&self, uri: &str) -> Result<bool, StorageError> {
        let path = self.path_of(uri)?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StorageError::io(uri, e)),
        }
    }

    /// Every file under a prefix URI, as URIs, sorted; hidden temporary files are skipped.
    pub async fn list(&self, prefix_uri: &str) -> Result<Vec<String>, StorageError> {
        let dir = self.path_of(prefix_uri)?;
        let root = self.root.clone();
        let found = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            walk_files(&dir, &mut out);
            out
        })
        .await
        .unwrap_or_default();
        let mut uris: Vec<String> = found
            .iter()
            .filter_map(|p| p.strip_prefix(&root).ok())
            .map(|rel| self.uri_of(&rel.to_string_lossy()))
            .collect();
        uris.sort();
        Ok(uris)
    }
}

/// Regular files under `dir` (symlinks not followed), skipping `.…part` temporaries.
fn walk_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            walk_files(&path, out);
        } else if kind.is_file() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with('.') && name.ends_with(".part")) {
                out.push(path);
            }
        }
    }
}

#[cfg(test)]
mod tests;
