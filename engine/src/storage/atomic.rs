//! Atomic file creation: write a hidden temporary file beside the target, fsync it, rename it
//! over the target. Until `commit`, nothing exists at the target path; dropping the writer
//! (error, cancellation, panic) removes the temporary file.

use std::path::{Path, PathBuf};

use tokio::fs::File;
use tokio::io::AsyncWriteExt;

pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
    written: u64,
}

impl AtomicFile {
    /// Creates the temporary file (and the parent directories).
    pub async fn create(target: &Path) -> std::io::Result<AtomicFile> {
        let dir = target.parent().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "no parent directory")
        })?;
        tokio::fs::create_dir_all(dir).await?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Short prefix of the name keeps the temp name under the 255-byte limit.
        let short: String = name.chars().take(40).collect();
        let temp = dir.join(format!(".{short}.{}.part", crate::ids::new_id()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .await?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            file: Some(file),
            written: 0,
        })
    }

    pub fn temp_path(&self) -> &Path {
        &self.temp
    }

    pub fn written(&self) -> u64 {
        self.written
    }

    pub async fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self.file.as_mut() {
            Some(file) => {
                file.write_all(bytes).await?;
                self.written += bytes.len() as u64;
                Ok(())
            }
            None => Err(std::io::Error::other("file already committed")),
        }
    }

    /// Writes through a synchronous, buffered writer, for serializers that stream (a record too
    /// large to build in memory first). Blocks this thread while `write` runs, as serializing
    /// it would anyway.
    pub async fn write_streaming(
        &mut self,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("file already committed"))?;
        let file = file.into_std().await;
        let result = {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &file);
            write(&mut buffered).and_then(|()| std::io::Write::flush(&mut buffered))
        };
        self.written = file.metadata().map(|m| m.len()).unwrap_or(self.written);
        self.file = Some(File::from_std(file));
        result
    }

    /// Copies a whole reader in (8 KiB at a time: constant memory).
    pub async fn copy_from<R>(&mut self, reader: &mut R) -> std::io::Result<u64>
    where
        R: tokio::io::AsyncRead + Unpin + ?Sized,
    {
        use tokio::io::AsyncReadExt;
        let mut buffer = vec![0u8; 64 * 1024];
        let mut total = 0u64;
        loop {
            let n = reader.read(&mut buffer).await?;
            if n == 0 {
                return Ok(total);
            }
            self.write_all(&buffer[..n]).await?;
            total += n as u64;
        }
    }

    /// Flushes, fsyncs and renames onto the target; returns the byte count.
    pub async fn commit(mut self) -> std::io::Result<u64> {
        let mut file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("file already committed"))?;
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&self.temp, &self.target).await?;
        // Persist the rename itself; failure here does not undo the write.
        if let Some(dir) = self.target.parent() {
            if let Ok(d) = tokio::fs::File::open(dir).await {
                let _ = d.sync_all().await;
            }
        }
        Ok(self.written)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            self.file = None;
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A temporary file outside the storage (downloads before they are moved in), removed on drop
/// unless persisted.
pub struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    pub fn new(path: PathBuf) -> TempFile {
        TempFile { path, keep: false }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops the removal on drop (the file was moved or is owned elsewhere).
    pub fn keep(mut self) -> PathBuf {
        self.keep = true;
        std::mem::take(&mut self.path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
