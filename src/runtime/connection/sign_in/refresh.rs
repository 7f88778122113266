//! Renewing tokens: when a refresh is due, single-flight within the process (one token request
//! however many tasks need it; the others get its result), coordinated across processes through
//! the backend's refresh lock, and never losing the newest refresh token.

use std::cmp::min;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;

use secrecy::{ExposeSecret, SecretString};

use super::grant::Grant;
use crate::runtime::connection::Connection;
use crate::token::{AccessTokenEntry, AccountSelector, RefreshDecision};
use crate::{Error, Result};

/// What the single flight remembers between attempts.
#[derive(Default)]
pub(crate) struct RefreshState {
    epoch: u64,
    last_failure: Option<Failure>,
}

struct Failure {
    username: Option<String>,
    epoch: u64,
    error: Error,
}

/// An access token ready to attach: the secret and its `Authorization` value (built once per
/// token, marked sensitive so that it is never logged).
pub(crate) struct Bearer {
    pub(crate) secret: SecretString,
    pub(crate) header: HeaderValue,
}

impl Bearer {
    fn new(secret: SecretString) -> Result<Bearer> {
        let token = secret.expose_secret();
        let mut value = String::with_capacity("Bearer ".len() + token.len());
        value.push_str("Bearer ");
        value.push_str(token);
        let mut header = HeaderValue::try_from(value).map_err(|_| {
            Error::not_authenticated("the stored access token is not a valid header value")
        })?;
        header.set_sensitive(true);
        Ok(Bearer { secret, header })
    }
}

/// An access token as the pipeline attached it, with the refresh epoch it was read at.
pub(crate) struct BearerToken {
    pub(crate) bearer: Arc<Bearer>,
    pub(crate) epoch: u64,
}

/// The token the last lookup found, reused without searching the cache while the cache is
/// unchanged ([`TokenStore::version`](crate::token::TokenStore)), the same account is selected
/// and its renewal is not yet due: most requests attach it after two uncontended reads.
pub(crate) struct HotToken {
    store_version: u64,
    selected: Option<String>,
    due_at: SystemTime,
    bearer: Arc<Bearer>,
}

fn same(a: Option<&SecretString>, b: Option<&SecretString>) -> bool {
    a.map(|s| s.expose_secret()) == b.map(|s| s.expose_secret())
}

impl Connection {
    /// From when an access token should be renewed before use (`None`: always, its expiry is
    /// unknown): when it has less than the refresh margin left (at most half its lifetime, so
    /// short-lived tokens are not renewed on every request), or the server's `refresh_on`.
    fn refresh_due_at(&self, token: &AccessTokenEntry) -> Option<SystemTime> {
        let expires = token.expires_on_time()?;
        let lifetime = token
            .cached_at_time()
            .and_then(|cached| expires.duration_since(cached).ok())
            .unwrap_or(Duration::MAX);
        let margin = min(self.identity().refresh_margin, lifetime / 2);
        let due = expires
            .checked_sub(margin)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        Some(match token.refresh_on_time() {
            Some(refresh_on) => min(refresh_on, due),
            None => due,
        })
    }

    /// Whether a token can be renewed without the user: app-only flows always can; delegated
    /// ones need a refresh token for the account.
    pub(crate) fn can_refresh(&self, username: Option<&str>) -> bool {
        self.auth_flow().is_app_only()
            || self.token_store().read(|c| c.token_is_long_lived(username))
    }

    /// The selected account's access token and whether it is due for renewal.
    fn current_token(&self, username: Option<&str>) -> Option<(SecretString, bool)> {
        let now = self.clock().system_now();
        self.current_token_due_at(username)
            .map(|(secret, due_at)| (secret, due_at.is_none_or(|at| now >= at)))
    }

    /// The selected account's access token and from when it is due for renewal.
    fn current_token_due_at(
        &self,
        username: Option<&str>,
    ) -> Option<(SecretString, Option<SystemTime>)> {
        self.token_store().read(|c| {
            c.get_access_token(username)
                .map(|at| (at.secret.clone(), self.refresh_due_at(at)))
        })
    }

    /// [`bearer_token`](Self::bearer_token) without waiting: the remembered token, if it is
    /// still the one a lookup would find and not yet due for renewal.
    pub(crate) fn hot_bearer(&self) -> Option<BearerToken> {
        let epoch = self.identity().epoch();
        let now = self.clock().system_now();
        let hot = self
            .identity()
            .hot
            .read()
            .unwrap_or_else(|p| p.into_inner());
        let hot = hot.as_ref()?;
        let current = hot.store_version == self.token_store().version()
            && now < hot.due_at
            && self.is_selected(hot.selected.as_deref());
        current.then(|| BearerToken {
            bearer: hot.bearer.clone(),
            epoch,
        })
    }

    /// The access token to attach: loads the cache on first use and renews the token first when
    /// it is due and renewable. A renewal failure while the old token is still valid is logged
    /// and the old token used.
    pub(crate) async fn bearer_token(&self) -> Result<BearerToken> {
        if let Some(token) = self.hot_bearer() {
            return Ok(token);
        }
        let epoch = self.identity().epoch();
        let now = self.clock().system_now();
        let tokens = self.token_store();
        if !tokens.read(crate::token::TokenCache::has_data) {
            // Rare paths are boxed so that every request's future stays small.
            Box::pin(tokens.load_token()).await?;
        }
        // Read before the lookup: a change in between makes the remembered token stale.
        let store_version = tokens.version();
        let selected = self.selected_username();
        let username = self.username();
        let stale = match self.current_token_due_at(username.as_deref()) {
            Some((secret, Some(due_at))) if now < due_at => {
                let bearer = Arc::new(Bearer::new(secret)?);
                self.remember_hot(HotToken {
                    store_version,
                    selected,
                    due_at,
                    bearer: bearer.clone(),
                });
                return Ok(BearerToken { bearer, epoch });
            }
            Some((secret, _)) => Some(secret),
            None => None,
        };
        if self.can_refresh(username.as_deref()) {
            self.renew_due(stale.as_ref(), epoch, username.as_deref())
                .await?;
        }
        let epoch = self.identity().epoch();
        match self.current_token(username.as_deref()) {
            Some((secret, _)) => Ok(BearerToken {
                bearer: Arc::new(Bearer::new(secret)?),
                epoch,
            }),
            None => Err(Error::not_authenticated(format!(
                "No auth token found. Authentication flow needed for user {}",
                username.as_deref().unwrap_or("(none)")
            ))),
        }
    }

    /// Remembers the token every request attaches until it is due or the store changes.
    fn remember_hot(&self, token: HotToken) {
        *self
            .identity()
            .hot
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(token);
    }

    /// Renews a due token (single-flight); a failure while the old token is still valid is
    /// logged and the old token kept.
    async fn renew_due(
        &self,
        stale: Option<&SecretString>,
        epoch: u64,
        username: Option<&str>,
    ) -> Result<()> {
        let refreshed = Box::pin(self.refresh_single_flight(stale, epoch, username, false)).await;
        match refreshed {
            Ok(()) => Ok(()),
            Err(err) if self.still_valid(username) => {
                tracing::warn!(error = %err, "token renewal failed; using the current token until it expires");
                Ok(())
            }
            Err(err) => Err(err),
        }
    }

    fn still_valid(&self, username: Option<&str>) -> bool {
        let now = self.clock().system_now();
        !self
            .token_store()
            .read(|c| c.token_is_expired(username, now))
    }

    /// Renews the selected account's token now (a new
    /// client-credentials grant for app-only flows). Concurrent calls share one request.
    pub(crate) async fn renew_selected(&self) -> Result<()> {
        let tokens = self.token_store();
        if !tokens.read(crate::token::TokenCache::has_data) {
            // Rare paths are boxed so that every request's future stays small.
            Box::pin(tokens.load_token()).await?;
        }
        let username = self.username();
        let epoch = self.identity().epoch();
        let stale = self.current_token(username.as_deref()).map(|(s, _)| s);
        self.refresh_single_flight(stale.as_ref(), epoch, username.as_deref(), true)
            .await?;
        Ok(())
    }

    /// One refresh for everyone who saw `stale` at `seen_epoch`: whoever gets the lock first
    /// renews; the others find a different token (done) or that attempt's error.
    /// `accept_any_new`: a token different from `stale` is enough, even if due (after a 401).
    pub(crate) async fn refresh_single_flight(
        &self,
        stale: Option<&SecretString>,
        seen_epoch: u64,
        username: Option<&str>,
        accept_any_new: bool,
    ) -> Result<()> {
        let identity = self.identity();
        let mut state = identity.refresh.lock().await;
        if self.renewed_since(stale, username, accept_any_new) {
            return Ok(());
        }
        if let Some(failure) = &state.last_failure
            && failure.epoch > seen_epoch
            && failure.username.as_deref() == username
        {
            return Err(failure.error.duplicate());
        }
        let result = self
            .refresh_coordinated(stale, username, accept_any_new)
            .await;
        state.epoch += 1;
        identity
            .epoch
            .store(state.epoch, std::sync::atomic::Ordering::Release);
        state.last_failure = result.as_ref().err().map(|error| Failure {
            username: username.map(str::to_owned),
            epoch: state.epoch,
            error: error.duplicate(),
        });
        result
    }

    /// Whether the cached token differs from `stale` and is usable.
    fn renewed_since(
        &self,
        stale: Option<&SecretString>,
        username: Option<&str>,
        accept_any_new: bool,
    ) -> bool {
        match self.current_token(username) {
            Some((secret, due)) => !same(Some(&secret), stale) && (accept_any_new || !due),
            None => false,
        }
    }

    /// The refresh under the backend's cross-process lock: re-read the store first (another
    /// process may have refreshed — then stop — and it holds the newest refresh token), then
    /// renew and save into that fresh cache.
    async fn refresh_coordinated(
        &self,
        stale: Option<&SecretString>,
        username: Option<&str>,
        accept_any_new: bool,
    ) -> Result<()> {
        let tokens = self.token_store();
        let guard = tokens.backend().lock_for_refresh().await?;
        if guard.is_some() {
            tokens.reload_keeping_unsaved().await?;
            if self.renewed_since(stale, username, accept_any_new) {
                tracing::debug!("another process renewed the token");
                return Ok(());
            }
        }
        match tokens.should_refresh_token().await? {
            RefreshDecision::Refresh => {}
            RefreshDecision::AlreadyRefreshed => {
                tokens.load_token().await?;
                return Ok(());
            }
            RefreshDecision::RefreshedByBackend => return Ok(()),
        }
        self.redeem_renewal(username, None).await?;
        drop(guard);
        Ok(())
    }

    /// Renews now with `claims` (a claims challenge), whatever the cache holds.
    pub(crate) async fn renew_with_claims(
        &self,
        username: Option<&str>,
        claims: &str,
    ) -> Result<()> {
        let tokens = self.token_store();
        let guard = tokens.backend().lock_for_refresh().await?;
        if guard.is_some() {
            tokens.reload_keeping_unsaved().await?;
        }
        self.redeem_renewal(username, Some(claims)).await?;
        drop(guard);
        Ok(())
    }

    /// The renewal token request itself (client credentials for app-only flows, else the
    /// refresh token), with challenge `claims` if given, and storing the reply.
    async fn redeem_renewal(&self, username: Option<&str>, claims: Option<&str>) -> Result<()> {
        let tokens = self.token_store();
        let save = self.store_token_after_refresh();
        if self.auth_flow().is_app_only() {
            let remembered = self
                .identity()
                .app_scopes
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            let scopes = remembered.unwrap_or_else(|| self.app_scopes(None));
            let Some(claims) = claims else {
                return self.client_credentials_grant(scopes, save).await;
            };
            let grant = Grant::new("client_credentials", scopes.clone())
                .with_scope()
                .claims(Some(claims));
            let response = self.redeem(grant).await?;
            return self
                .store_token_response(&response, "client_credentials", &scopes, save)
                .await
                .map(drop);
        }
        let (refresh_token, scopes, anchor) = tokens
            .read(|c| {
                let rt = c.get_refresh_token(username)?;
                let mut scopes: Vec<String> =
                    c.get_token_scopes(username, true).unwrap_or_default();
                scopes.extend(super::DELEGATED_RESERVED_SCOPES.map(str::to_owned));
                let account = match username {
                    Some(name) => c.get_account(AccountSelector::Username(name)),
                    None => c.get_account(AccountSelector::First),
                };
                let anchor = account
                    .and_then(|a| a.home_account_id.as_deref())
                    .and_then(|home| home.split_once('.'))
                    .map(|(oid, tid)| format!("Oid:{oid}@{tid}"));
                Some((rt.secret.clone(), scopes, anchor))
            })
            .ok_or_else(|| {
                Error::not_authenticated(
                    "You can not refresh an access token that has no refresh token available; \
                 include the offline_access scope when signing in",
                )
            })?;
        let grant = Grant::new("refresh_token", scopes.clone())
            .field("refresh_token", &refresh_token)
            .with_scope()
            .anchor(anchor)
            .claims(claims);
        let response = self.redeem(grant).await?;
        self.store_token_response(&response, "refresh_token", &scopes, save)
            .await?;
        Ok(())
    }
}
