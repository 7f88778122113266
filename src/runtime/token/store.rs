//! [`TokenStore`]: the token cache in memory plus where it is persisted — what a Connection holds.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use secrecy::{ExposeSecret, SecretString};

use super::backend::{RefreshDecision, TokenBackend, TokenCipher};
use super::cache::TokenCache;
use crate::{Error, Result};

/// How often a merging save starts over when other processes keep writing in between.
const MERGE_ATTEMPTS: usize = 32;

/// The in-memory [`TokenCache`] and its [`TokenBackend`] (plus an optional [`TokenCipher`]).
///
/// Share it behind an `Arc`. The cache lock is a `std` lock held only inside [`read`] and
/// [`update`] (never across an `.await`).
///
/// Unlike python-o365, a backend holding data that could not be read (corrupt JSON, a pre-2.1
/// token, undecryptable text) is never overwritten by a plain [`save_token(false)`]: only
/// `save_token(true)` or [`delete_token`] clear that state, so a bad load does not silently
/// destroy the user's file.
///
/// [`read`]: TokenStore::read
/// [`update`]: TokenStore::update
/// [`save_token(false)`]: TokenStore::save_token
/// [`delete_token`]: TokenStore::delete_token
pub struct TokenStore {
    state: RwLock<State>,
    /// Bumped under the write lock by every change of `state`: a value read before the cache
    /// still equals [`TokenStore::version`] only if nothing changed since.
    version: AtomicU64,
    backend: Arc<dyn TokenBackend>,
    cipher: Option<Arc<dyn TokenCipher>>,
}

#[derive(Debug, Default)]
struct State {
    cache: TokenCache,
    /// Bumped by every `update`.
    generation: u64,
    /// The generation last loaded or saved.
    persisted_generation: u64,
    /// The backend holds data that could not be read.
    backend_unreadable: bool,
}

impl TokenStore {
    /// An empty cache persisted in `backend`.
    pub fn new(backend: Arc<dyn TokenBackend>) -> TokenStore {
        TokenStore {
            state: RwLock::default(),
            version: AtomicU64::new(0),
            backend,
            cipher: None,
        }
    }

    /// Encrypts what is saved and decrypts what is loaded with `cipher`.
    pub fn with_cipher(mut self, cipher: Arc<dyn TokenCipher>) -> TokenStore {
        self.cipher = Some(cipher);
        self
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<dyn TokenBackend> {
        &self.backend
    }

    /// Reads the cache.
    pub fn read<R>(&self, f: impl FnOnce(&TokenCache) -> R) -> R {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()).cache)
    }

    /// Changes the cache and marks it changed (so [`save_token`](TokenStore::save_token) writes).
    pub fn update<R>(&self, f: impl FnOnce(&mut TokenCache) -> R) -> R {
        let mut state = self.write_state();
        state.generation += 1;
        f(&mut state.cache)
    }

    /// Whether the cache changed since it was last loaded or saved.
    pub fn has_changed(&self) -> bool {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        state.generation != state.persisted_generation
    }

    /// Loads the cache from the backend; `false` when nothing is stored (the cache is then left
    /// as it is). Unreadable data is an error naming the backend's location.
    pub async fn load_token(&self) -> Result<bool> {
        self.load(false).await
    }

    /// Reloads the cache before a refresh (under the cross-process lock): like
    /// [`load_token`](TokenStore::load_token), except that changes never saved (a refresh with
    /// `store_token_after_refresh(false)`, a sign-in that did not store its token) are merged in
    /// instead of being overwritten: per account, whichever side holds the newer access token
    /// wins (see [`TokenCache::merge_newer`]). The merged cache still counts as unsaved.
    pub(crate) async fn reload_keeping_unsaved(&self) -> Result<bool> {
        self.load(true).await
    }

    async fn load(&self, keep_unsaved: bool) -> Result<bool> {
        let Some(stored) = self.backend.load().await? else {
            return Ok(false);
        };
        let parsed = self
            .decrypt(&stored)
            .and_then(|plain| TokenCache::parse(plain.expose_secret()).map_err(Error::token_store));
        let mut state = self.write_state();
        match parsed {
            Ok(mut cache) => {
                let unsaved = state.generation != state.persisted_generation;
                if keep_unsaved && unsaved {
                    cache.merge_newer(&state.cache);
                    state.cache = cache;
                } else {
                    state.cache = cache;
                    state.persisted_generation = state.generation;
                }
                state.backend_unreadable = false;
                Ok(true)
            }
            Err(err) => {
                state.backend_unreadable = true;
                Err(Error::token_store(format!(
                    "could not load the token from {}: {err}",
                    self.backend.location()
                )))
            }
        }
    }

    /// Saves the cache (python semantics): `false` when the cache is empty; `true` without
    /// writing when nothing changed and `force` is off; otherwise writes and returns `true`.
    ///
    /// Refuses (error) when the last load found unreadable data and `force` is off.
    ///
    /// On a backend with conditional saves (several processes share it, e.g. Redis) the save
    /// merges: it reads what is stored, merges this cache into it account by account (the side
    /// with the newer access token wins, see [`TokenCache::merge_newer`], so the newest refresh
    /// token is never lost), writes the result only if nobody wrote in between (else starts
    /// over) and keeps the merged cache in memory. Accounts another process stored stay, so an
    /// account removed here with [`TokenCache::remove_data`] comes back on the next merge:
    /// remove accounts from a shared cache with [`delete_token`](TokenStore::delete_token) (all
    /// of them) instead. Unreadable stored data is replaced only with `force`.
    pub async fn save_token(&self, force: bool) -> Result<bool> {
        if self.backend.supports_conditional_save() {
            return self.save_merging(force).await;
        }
        let (text, generation) = match self.save_snapshot(force, TokenCache::to_json)? {
            ControlFlow::Continue(snapshot) => snapshot,
            ControlFlow::Break(saved) => return Ok(saved),
        };
        self.backend.save(self.encrypt(text)?).await?;
        let mut state = self.write_state();
        state.persisted_generation = state.persisted_generation.max(generation);
        state.backend_unreadable = false;
        Ok(true)
    }

    /// [`save_token`](TokenStore::save_token) on a backend with conditional saves.
    async fn save_merging(&self, force: bool) -> Result<bool> {
        for attempt in 0..MERGE_ATTEMPTS {
            if attempt > 0 {
                // Another writer won the last round: a short random pause spreads the retries.
                let pause = rand::random_range(0..=2 * attempt as u64);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            let stored = self.backend.load().await?;
            let (mine, generation) = match self.save_snapshot(force, TokenCache::clone)? {
                ControlFlow::Continue(snapshot) => snapshot,
                ControlFlow::Break(saved) => return Ok(saved),
            };
            let theirs = match &stored {
                None => None,
                Some(text) => match self.decrypt(text).and_then(|plain| {
                    TokenCache::parse(plain.expose_secret()).map_err(Error::token_store)
                }) {
                    Ok(cache) => Some(cache),
                    Err(_) if force => None,
                    Err(err) => {
                        self.write_state().backend_unreadable = true;
                        return Err(Error::token_store(format!(
                            "could not load the token from {} to merge into it: {err}; not \
                             overwriting it (delete it, or save with force)",
                            self.backend.location()
                        )));
                    }
                },
            };
            let merged = match theirs {
                Some(mut theirs) => {
                    theirs.merge_newer(&mine);
                    theirs
                }
                None => mine,
            };
            let data = self.encrypt(merged.to_json())?;
            if !self.backend.save_if_unchanged(stored, data).await? {
                tracing::debug!("the shared token cache changed while saving; merging again");
                continue;
            }
            let mut state = self.write_state();
            if state.generation == generation {
                state.cache = merged;
            } else {
                // Changed again while saving: keep those changes (still unsaved) on top.
                let mut cache = merged;
                cache.merge_newer(&state.cache);
                state.cache = cache;
            }
            state.persisted_generation = state.persisted_generation.max(generation);
            state.backend_unreadable = false;
            return Ok(true);
        }
        Err(Error::token_store(format!(
            "{} kept changing while saving the token ({MERGE_ATTEMPTS} attempts); not saved \
             (the token stays in memory and is saved by the next save)",
            self.backend.location()
        )))
    }

    /// The start of every save: refuses to overwrite unreadable stored data without `force`;
    /// `Break(false)` when there is nothing to save, `Break(true)` when it is saved already
    /// (and not forced); else `take` of the cache with its generation.
    fn save_snapshot<T>(
        &self,
        force: bool,
        take: impl FnOnce(&TokenCache) -> T,
    ) -> Result<ControlFlow<bool, (T, u64)>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        if state.backend_unreadable && !force {
            return Err(self.refuse_unreadable());
        }
        if !state.cache.has_data() {
            return Ok(ControlFlow::Break(false));
        }
        if !force && state.generation == state.persisted_generation {
            return Ok(ControlFlow::Break(true));
        }
        Ok(ControlFlow::Continue((
            take(&state.cache),
            state.generation,
        )))
    }

    fn refuse_unreadable(&self) -> Error {
        Error::token_store(format!(
            "{} holds a token that could not be loaded; not overwriting it \
             (delete it, or save with force)",
            self.backend.location()
        ))
    }

    /// Deletes the stored token (the in-memory cache is kept, as in python-o365); `false` when
    /// nothing was stored.
    pub async fn delete_token(&self) -> Result<bool> {
        let deleted = self.backend.delete().await?;
        self.write_state().backend_unreadable = false;
        Ok(deleted)
    }

    /// Whether the backend holds a token.
    pub async fn check_token(&self) -> Result<bool> {
        self.backend.check().await
    }

    /// Asks the backend whether to refresh an expired token (see [`RefreshDecision`]).
    pub async fn should_refresh_token(&self) -> Result<RefreshDecision> {
        self.backend.should_refresh_token().await
    }

    fn encrypt(&self, text: String) -> Result<SecretString> {
        match &self.cipher {
            Some(cipher) => cipher.encrypt(&text).map(SecretString::from),
            None => Ok(SecretString::from(text)),
        }
    }

    fn decrypt(&self, stored: &SecretString) -> Result<SecretString> {
        match &self.cipher {
            Some(cipher) => cipher
                .decrypt(stored.expose_secret())
                .map(SecretString::from),
            None => Ok(stored.clone()),
        }
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        let state = self.state.write().unwrap_or_else(|e| e.into_inner());
        self.version.fetch_add(1, Ordering::AcqRel);
        state
    }

    /// A number that changes with every write to the cache: what was derived from the cache
    /// after reading it is still current while it is unchanged.
    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("TokenStore")
            .field("backend", &self.backend)
            .field("cipher", &self.cipher)
            .field("changed", &(state.generation != state.persisted_generation))
            .field("backend_unreadable", &state.backend_unreadable)
            .field("cache", &state.cache)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use futures_util::future::BoxFuture;

    use super::*;

    /// A memory backend with compare-and-set, which can make one other writer win the next
    /// conditional save.
    #[derive(Debug, Default)]
    struct Conditional {
        stored: Mutex<Option<String>>,
        /// Written just before the next conditional save, as another host would.
        sneak_in: Mutex<Option<String>>,
        conflicts: Mutex<u32>,
    }

    impl TokenBackend for Conditional {
        fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>>> {
            let text = self.stored.lock().unwrap().clone();
            Box::pin(async move { Ok(text.map(SecretString::from)) })
        }
        fn save(&self, data: SecretString) -> BoxFuture<'_, Result<()>> {
            *self.stored.lock().unwrap() = Some(data.expose_secret().to_owned());
            Box::pin(async { Ok(()) })
        }
        fn delete(&self) -> BoxFuture<'_, Result<bool>> {
            let had = self.stored.lock().unwrap().take().is_some();
            Box::pin(async move { Ok(had) })
        }
        fn check(&self) -> BoxFuture<'_, Result<bool>> {
            let has = self.stored.lock().unwrap().is_some();
            Box::pin(async move { Ok(has) })
        }
        fn supports_conditional_save(&self) -> bool {
            true
        }
        fn save_if_unchanged(
            &self,
            expected: Option<SecretString>,
            data: SecretString,
        ) -> BoxFuture<'_, Result<bool>> {
            let mut stored = self.stored.lock().unwrap();
            if let Some(other) = self.sneak_in.lock().unwrap().take() {
                *stored = Some(other);
            }
            let same = stored.as_deref() == expected.as_ref().map(|e| e.expose_secret());
            if same {
                *stored = Some(data.expose_secret().to_owned());
            } else {
                *self.conflicts.lock().unwrap() += 1;
            }
            Box::pin(async move { Ok(same) })
        }
    }

    /// A cache with the account `home`, its access token cached at `cached_at`, refresh token
    /// `refresh`.
    fn account(home: &str, cached_at: u64, refresh: &str) -> String {
        let env = "login.microsoftonline.com";
        serde_json::json!({
            "AccessToken": {
                format!("{home}-{env}-accesstoken-c-t-user.read"): {
                    "credential_type": "AccessToken", "secret": format!("at-{refresh}"),
                    "home_account_id": home, "environment": env, "client_id": "c",
                    "target": "User.Read", "realm": "t", "token_type": "Bearer",
                    "cached_at": cached_at.to_string(),
                    "expires_on": (cached_at + 3600).to_string(),
                    "extended_expires_on": (cached_at + 3600).to_string()
                }
            },
            "RefreshToken": {
                format!("{home}-{env}-refreshtoken-c--user.read"): {
                    "credential_type": "RefreshToken", "secret": refresh,
                    "home_account_id": home, "environment": env, "client_id": "c",
                    "target": "User.Read"
                }
            }
        })
        .to_string()
    }

    fn refresh_tokens(text: &str) -> Vec<String> {
        let cache = TokenCache::from_json(text).unwrap();
        cache
            .refresh_tokens()
            .values()
            .map(|rt| rt.secret.expose_secret().to_owned())
            .collect()
    }

    #[tokio::test]
    async fn a_save_that_loses_the_race_merges_and_keeps_the_newer_rotation() {
        let backend = Arc::new(Conditional::default());
        backend
            .save(SecretString::from(account("a.t", 100, "rt-a-1")))
            .await
            .unwrap();
        let store = TokenStore::new(backend.clone());
        store.load_token().await.unwrap();
        // This host signs in account b; meanwhile another host rotates account a.
        store.update(|c| {
            c.merge_newer(&TokenCache::from_json(&account("b.t", 100, "rt-b")).unwrap())
        });
        *backend.sneak_in.lock().unwrap() = Some(account("a.t", 200, "rt-a-2"));
        assert!(store.save_token(false).await.unwrap());
        assert_eq!(*backend.conflicts.lock().unwrap(), 1);
        let stored = backend.stored.lock().unwrap().clone().unwrap();
        assert_eq!(refresh_tokens(&stored), ["rt-a-2", "rt-b"]);
        assert!(!store.has_changed());
        assert_eq!(
            store.read(|c| c
                .refresh_token(None)
                .unwrap()
                .secret
                .expose_secret()
                .to_owned()),
            "rt-a-2",
            "the store adopts the other host's newer rotation"
        );
    }

    #[tokio::test]
    async fn an_older_rotation_never_overwrites_a_newer_stored_one() {
        let backend = Arc::new(Conditional::default());
        backend
            .save(SecretString::from(account("a.t", 300, "rt-newest")))
            .await
            .unwrap();
        let store = TokenStore::new(backend.clone());
        store.update(|c| *c = TokenCache::from_json(&account("a.t", 200, "rt-older")).unwrap());
        assert!(store.save_token(false).await.unwrap());
        let stored = backend.stored.lock().unwrap().clone().unwrap();
        assert_eq!(refresh_tokens(&stored), ["rt-newest"]);
    }

    #[tokio::test]
    async fn unreadable_shared_data_is_replaced_only_with_force() {
        let backend = Arc::new(Conditional::default());
        backend.save(SecretString::from("{not json")).await.unwrap();
        let store = TokenStore::new(backend.clone());
        store.update(|c| *c = TokenCache::from_json(&account("a.t", 200, "rt-1")).unwrap());
        let err = store.save_token(false).await.unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::TokenStore);
        assert_eq!(backend.stored.lock().unwrap().as_deref(), Some("{not json"));
        assert!(store.save_token(true).await.unwrap());
        let stored = backend.stored.lock().unwrap().clone().unwrap();
        assert_eq!(refresh_tokens(&stored), ["rt-1"]);
    }
}
