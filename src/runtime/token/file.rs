//! [`FileTokenBackend`]: the token cache in a file (python-o365's `FileSystemTokenBackend`), but
//! written atomically so a concurrent reader never sees a partial file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};

use super::backend::{RefreshGuard, TokenBackend};
use crate::{Error, Result};

/// python-o365's default token file name.
pub const DEFAULT_TOKEN_FILENAME: &str = "o365_token.txt";

/// Stores the cache text in one file. Saving writes a temporary file next to it (mode 0600 on
/// unix), syncs it and renames it over the target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileTokenBackend {
    path: PathBuf,
}

impl FileTokenBackend {
    /// The token lives exactly at `path`.
    pub fn new(path: impl Into<PathBuf>) -> FileTokenBackend {
        FileTokenBackend { path: path.into() }
    }

    /// The token lives in `dir` under `filename`.
    pub fn in_dir(dir: impl AsRef<Path>, filename: &str) -> FileTokenBackend {
        FileTokenBackend::new(dir.as_ref().join(filename))
    }

    /// python-o365's rule for `FileSystemTokenBackend(token_path, token_filename)`: an existing
    /// file at `token_path` is used as is; otherwise `token_path` (default: the working
    /// directory) is a directory holding `token_filename` (default [`DEFAULT_TOKEN_FILENAME`]).
    pub fn python_style(
        token_path: Option<&Path>,
        token_filename: Option<&str>,
    ) -> FileTokenBackend {
        match token_path {
            Some(path) if path.is_file() => FileTokenBackend::new(path),
            _ => FileTokenBackend::in_dir(
                token_path.unwrap_or(Path::new("")),
                token_filename.unwrap_or(DEFAULT_TOKEN_FILENAME),
            ),
        }
    }

    /// The token file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, action: &str, err: io::Error) -> Error {
        Error::token_store(format!(
            "could not {action} the token file {}: {err}",
            self.path.display()
        ))
        .with_source(err)
    }

    fn read(&self) -> Result<Option<SecretString>> {
        match fs::read(&self.path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map(|text| Some(text.into()))
                .map_err(|_| {
                    Error::token_store(format!(
                        "the token file {} is not UTF-8 text",
                        self.path.display()
                    ))
                }),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(self.io_error("read", err)),
        }
    }

    fn write_atomically(&self, data: &str) -> Result<()> {
        let dir = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        fs::create_dir_all(dir).map_err(|e| self.io_error("create the folder of", e))?;
        let mut temp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| self.io_error("write", e))?;
        temp.write_all(data.as_bytes())
            .map_err(|e| self.io_error("write", e))?;
        restrict_permissions(temp.as_file()).map_err(|e| self.io_error("protect", e))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| self.io_error("write", e))?;
        temp.persist(&self.path)
            .map_err(|e| self.io_error("replace", e.error))?;
        sync_dir(dir);
        Ok(())
    }

    fn remove(&self) -> Result<bool> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(self.io_error("delete", err)),
        }
    }

    fn exists(&self) -> Result<bool> {
        self.path
            .try_exists()
            .map_err(|e| self.io_error("look for", e))
    }
}

impl Default for FileTokenBackend {
    /// `o365_token.txt` in the working directory.
    fn default() -> FileTokenBackend {
        FileTokenBackend::new(DEFAULT_TOKEN_FILENAME)
    }
}

/// Runs blocking file work off the async executor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Error::token_store("the token file task did not finish").with_source(e))?
}

impl TokenBackend for FileTokenBackend {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>>> {
        let this = self.clone();
        Box::pin(blocking(move || this.read()))
    }

    fn save(&self, data: SecretString) -> BoxFuture<'_, Result<()>> {
        let this = self.clone();
        Box::pin(blocking(move || {
            this.write_atomically(data.expose_secret())
        }))
    }

    fn delete(&self) -> BoxFuture<'_, Result<bool>> {
        let this = self.clone();
        Box::pin(blocking(move || this.remove()))
    }

    fn check(&self) -> BoxFuture<'_, Result<bool>> {
        let this = self.clone();
        Box::pin(blocking(move || this.exists()))
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    /// An exclusive lock on the sidecar file `<token file>.lock`, waited for off the executor.
    fn lock_for_refresh(&self) -> BoxFuture<'_, Result<Option<Box<dyn RefreshGuard>>>> {
        let this = self.clone();
        Box::pin(blocking(move || {
            this.lock_sidecar()
                .map(|guard| Some(Box::new(guard) as Box<dyn RefreshGuard>))
        }))
    }
}

/// Holds the sidecar lock; closing the file releases it.
struct SidecarLock {
    _file: fs::File,
}

impl RefreshGuard for SidecarLock {}

impl FileTokenBackend {
    /// The lock file next to the token file.
    pub fn lock_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        self.path.with_file_name(name)
    }

    fn lock_sidecar(&self) -> Result<SidecarLock> {
        let path = self.lock_path();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| self.io_error("create the folder of", e))?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| self.io_error("open the lock file of", e))?;
        file.lock().map_err(|e| self.io_error("lock", e))?;
        Ok(SidecarLock { _file: file })
    }
}

#[cfg(unix)]
fn restrict_permissions(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_permissions(_file: &fs::File) -> io::Result<()> {
    Ok(())
}

/// Makes the rename durable (best effort: not every platform can sync a directory).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
