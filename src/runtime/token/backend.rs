//! The persistence seam: a [`TokenBackend`] stores the serialized cache text somewhere; a
//! [`TokenCipher`] may encrypt it on the way.

use std::fmt::Debug;

use futures_util::future::BoxFuture;
use secrecy::SecretString;

use crate::Result;

/// What the Connection should do about an expired access token (python-o365's
/// `should_refresh_token` answers `True` / `False` / `None`: refresh here, another process
/// refreshes, or let the Connection decide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Refresh the token now (the default).
    Refresh,
    /// Another process or thread already refreshed it and the new token has been loaded into the
    /// cache: re-read the access token and retry.
    AlreadyRefreshed,
    /// The backend refreshed the token itself; nothing to do.
    RefreshedByBackend,
}

/// Held while a cross-process refresh lock is taken; dropping it releases the lock.
pub trait RefreshGuard: Send + Sync {}

/// Where the serialized token cache lives: a pure persistence layer for its text.
///
/// Implement it for a database, a secret manager, … The text is secret (it holds tokens).
pub trait TokenBackend: Debug + Send + Sync {
    /// Reads the stored text; `None` when nothing is stored.
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>>>;

    /// Replaces the stored text.
    fn save(&self, data: SecretString) -> BoxFuture<'_, Result<()>>;

    /// Removes the stored text; `false` when there was none.
    fn delete(&self) -> BoxFuture<'_, Result<bool>>;

    /// Whether something is stored.
    fn check(&self) -> BoxFuture<'_, Result<bool>>;

    /// Where the text lives, for error messages (a path, a variable name, …).
    fn location(&self) -> String {
        format!("{self:?}")
    }

    /// Asked before refreshing an expired token, so that several processes sharing one store
    /// refresh only once. The default always answers [`RefreshDecision::Refresh`].
    fn should_refresh_token(&self) -> BoxFuture<'_, Result<RefreshDecision>> {
        Box::pin(async { Ok(RefreshDecision::Refresh) })
    }

    /// Takes a cross-process lock for the duration of a refresh, if this backend has one. The
    /// default has none.
    fn lock_for_refresh(&self) -> BoxFuture<'_, Result<Option<Box<dyn RefreshGuard>>>> {
        Box::pin(async { Ok(None) })
    }

    /// Whether this backend can [`save_if_unchanged`](TokenBackend::save_if_unchanged). When it
    /// can, [`TokenStore::save_token`](super::TokenStore::save_token) merges what another
    /// process saved in the meantime instead of overwriting it (default `false`).
    fn supports_conditional_save(&self) -> bool {
        false
    }

    /// Replaces the stored text only if it still is `expected` (`None`: nothing stored), in one
    /// atomic step; `Ok(false)` when another writer changed it first. Only called when
    /// [`supports_conditional_save`](TokenBackend::supports_conditional_save) is `true`; the
    /// default saves unconditionally.
    fn save_if_unchanged(
        &self,
        expected: Option<SecretString>,
        data: SecretString,
    ) -> BoxFuture<'_, Result<bool>> {
        let _ = expected;
        Box::pin(async move { self.save(data).await.map(|()| true) })
    }
}

/// Encrypts the cache text before it is saved and decrypts it after it is loaded
/// (python-o365's `cryptography_manager`).
pub trait TokenCipher: Debug + Send + Sync {
    /// Turns the serialized cache into the text to store.
    fn encrypt(&self, plain: &str) -> Result<String>;
    /// Turns stored text back into the serialized cache.
    fn decrypt(&self, stored: &str) -> Result<String>;
}
