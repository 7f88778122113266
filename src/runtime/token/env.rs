//! [`EnvTokenBackend`]: the token cache read from an environment variable (python-o365's
//! `EnvTokenBackend`).
//!
//! python-o365 saves by assigning `os.environ[name]`, which only ever affects the current
//! process. Changing the environment is `unsafe` in Rust 2024 (racy while other threads, such as
//! tokio's workers, read it), so this backend never writes it: the variable is read at `load`
//! until something is saved or deleted, and from then on the backend answers from its own
//! process-local copy. The effect for the program is the same; child processes started later do
//! not see a saved token (export it yourself from [`TokenBackend::load`] if you need that).

use std::env;
use std::ffi::OsString;
use std::sync::Mutex;

use futures_util::future::BoxFuture;
use secrecy::SecretString;

use super::backend::TokenBackend;
use crate::{Error, Result};

/// python-o365's default variable name.
pub const DEFAULT_TOKEN_ENV_NAME: &str = "O365TOKEN";

/// Where the current value comes from.
enum Slot {
    /// Nothing saved or deleted yet: read the environment variable.
    Environment,
    /// Saved in this process.
    Saved(SecretString),
    /// Deleted in this process.
    Deleted,
}

/// Reads the cache text from an environment variable; saves keep it process-locally.
pub struct EnvTokenBackend {
    name: String,
    slot: Mutex<Slot>,
}

impl EnvTokenBackend {
    /// Uses the variable `name`.
    pub fn new(name: impl Into<String>) -> EnvTokenBackend {
        EnvTokenBackend {
            name: name.into(),
            slot: Mutex::new(Slot::Environment),
        }
    }

    /// The variable's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn current(&self) -> Result<Option<SecretString>> {
        match &*self.slot.lock().unwrap_or_else(|e| e.into_inner()) {
            Slot::Saved(data) => Ok(Some(data.clone())),
            Slot::Deleted => Ok(None),
            Slot::Environment => env::var_os(&self.name)
                .map(|value: OsString| {
                    value.into_string().map(SecretString::from).map_err(|_| {
                        Error::token_store(format!(
                            "the environment variable {} is not UTF-8 text",
                            self.name
                        ))
                    })
                })
                .transpose(),
        }
    }

    fn replace(&self, slot: Slot) -> Result<bool> {
        let had = self.current()?.is_some();
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = slot;
        Ok(had)
    }
}

impl Default for EnvTokenBackend {
    /// Uses [`DEFAULT_TOKEN_ENV_NAME`].
    fn default() -> EnvTokenBackend {
        EnvTokenBackend::new(DEFAULT_TOKEN_ENV_NAME)
    }
}

impl std::fmt::Debug for EnvTokenBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvTokenBackend")
            .field("name", &self.name)
            .finish()
    }
}

impl TokenBackend for EnvTokenBackend {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>>> {
        let result = self.current();
        Box::pin(async move { result })
    }

    fn save(&self, data: SecretString) -> BoxFuture<'_, Result<()>> {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = Slot::Saved(data);
        Box::pin(async { Ok(()) })
    }

    fn delete(&self) -> BoxFuture<'_, Result<bool>> {
        let result = self.replace(Slot::Deleted);
        Box::pin(async move { result })
    }

    fn check(&self) -> BoxFuture<'_, Result<bool>> {
        let result = self.current().map(|data| data.is_some());
        Box::pin(async move { result })
    }

    fn location(&self) -> String {
        format!("environment variable {}", self.name)
    }
}
