//! [`MemoryTokenBackend`]: keeps the last saved text in memory (tests, short-lived programs).

use std::fmt;
use std::sync::Mutex;

use futures_util::future::BoxFuture;
use secrecy::SecretString;

use super::backend::TokenBackend;
use crate::Result;

/// Holds the last saved cache text; nothing survives the process.
#[derive(Default)]
pub struct MemoryTokenBackend {
    stored: Mutex<Option<SecretString>>,
}

impl MemoryTokenBackend {
    /// An empty backend.
    pub fn new() -> MemoryTokenBackend {
        MemoryTokenBackend::default()
    }

    /// A backend that already holds `data`, as if it had been saved.
    pub fn with_data(data: SecretString) -> MemoryTokenBackend {
        MemoryTokenBackend {
            stored: Mutex::new(Some(data)),
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<SecretString>> {
        self.stored.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl fmt::Debug for MemoryTokenBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenBackend")
            .field("stored", &self.slot().is_some())
            .finish()
    }
}

impl TokenBackend for MemoryTokenBackend {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>>> {
        let data = self.slot().clone();
        Box::pin(async move { Ok(data) })
    }

    fn save(&self, data: SecretString) -> BoxFuture<'_, Result<()>> {
        *self.slot() = Some(data);
        Box::pin(async { Ok(()) })
    }

    fn delete(&self) -> BoxFuture<'_, Result<bool>> {
        let had = self.slot().take().is_some();
        Box::pin(async move { Ok(had) })
    }

    fn check(&self) -> BoxFuture<'_, Result<bool>> {
        let has = self.slot().is_some();
        Box::pin(async move { Ok(has) })
    }

    fn location(&self) -> String {
        "memory".into()
    }
}
