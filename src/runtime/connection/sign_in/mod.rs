//! [`SignIn`]: every way a [`Connection`] gets, renews or loads its tokens, in one place
//! (`conn.sign_in().…`), so that the Connection itself keeps a small core.
//!
//! The flows live beside this file, each on `SignIn`: the authorization-code flow in
//! `authorization.rs`, the direct grants (client credentials, password) in `direct.rs`, the
//! device code in `device.rs`, the interactive sign-in in `interactive.rs`. Beneath them, on the
//! Connection's transport: `grant.rs` (the token-endpoint form, its POST, storing the reply),
//! `flow.rs` (the client-credentials grant the pipeline renews with), `refresh.rs`
//! (single-flight renewal), `claims.rs` (claims challenges), `managed_grant.rs` (the managed
//! identity endpoints). What they are made of (credentials, clouds, assertions, the managed
//! identity descriptors) is in `runtime/identity/`, beneath the Connection.
//!
//! The names existing code calls on [`Connection`] stay there and forward to `SignIn`
//! (`connection/python_names.rs`): python-o365's (`get_authorization_url`, `request_token`, plus `refresh_token`
//! and `load_token_from_backend`), shown in the docs; and the flows python does not have as
//! methods (`request_token_for_client`, `…_by_password`, `…_by_device_code`,
//! `authenticate_interactively`), hidden from the docs.

mod authorization;
mod claims;
mod device;
mod direct;
mod flow;
mod grant;
mod interactive;
mod managed_grant;
mod refresh;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

pub(crate) use authorization::code_for_state;
pub(crate) use claims::challenge as claims_challenge;
pub use device::DeviceCodePrompt;
pub use flow::{AuthorizationFlow, DEFAULT_REDIRECT_URI};
pub use interactive::{ConsentMode, UrlHook};
pub(crate) use refresh::BearerToken;

use crate::Result;
use crate::runtime::connection::Connection;
// Beneath the flows; in scope here so that they name them as `super::…`.
use crate::runtime::identity::{
    Authority, Cloud, DELEGATED_RESERVED_SCOPES, OAuthError, assertion, managed, random,
};

/// The sign-in part of a [`Connection`] (from [`Connection::sign_in`]).
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'c> {
    pub(super) conn: &'c Connection,
}

impl Connection {
    /// Sign-in: the OAuth flows, renewing the token, loading it from the backend, and the
    /// identity-platform settings.
    pub fn sign_in(&self) -> SignIn<'_> {
        SignIn { conn: self }
    }
}

impl SignIn<'_> {
    /// Renews the selected account's token now (python-o365: `Connection.refresh_token`).
    pub async fn renew(&self) -> Result<()> {
        self.conn.renew_selected().await
    }

    /// Loads the token cache from the backend; `Ok(false)` when nothing is stored
    /// (python-o365: `Connection.load_token_from_backend`).
    pub async fn load_token(&self) -> Result<bool> {
        self.conn.token_store().load_token().await
    }

    /// The client capabilities declared on token requests (see
    /// [`ConnectionBuilder::client_capabilities`](crate::ConnectionBuilder::client_capabilities)).
    pub fn client_capabilities(&self) -> &[String] {
        self.conn.client_capabilities()
    }

    /// Whether the token cache is saved after each renewal.
    pub fn store_token_after_refresh(&self) -> bool {
        self.conn.store_token_after_refresh()
    }

    /// The cloud (sign-in and Graph hosts).
    pub fn cloud(&self) -> Cloud {
        self.conn.identity().cloud
    }

    /// The identity-platform endpoints used for sign-in and refresh.
    pub fn authority(&self) -> &Authority {
        &self.conn.identity().authority
    }

    /// How long before expiry the pipeline renews an access token.
    pub fn refresh_margin(&self) -> Duration {
        self.conn.identity().refresh_margin
    }
}

/// A Connection's sign-in settings and refresh coordination.
pub(crate) struct IdentityState {
    pub(crate) cloud: Cloud,
    pub(crate) authority: Authority,
    pub(crate) refresh_margin: Duration,
    /// The scopes of the last client-credentials request, reused to renew it.
    pub(crate) app_scopes: Mutex<Option<Vec<String>>>,
    /// Held for the whole of one refresh: the single flight.
    pub(crate) refresh: tokio::sync::Mutex<refresh::RefreshState>,
    /// Number of finished refresh attempts; read without the lock.
    pub(crate) epoch: AtomicU64,
    /// The token the last lookup found (checked before every use).
    pub(crate) hot: RwLock<Option<refresh::HotToken>>,
}

impl IdentityState {
    pub(crate) fn new(cloud: Cloud, authority: Authority, refresh_margin: Duration) -> Self {
        IdentityState {
            cloud,
            authority,
            refresh_margin,
            app_scopes: Mutex::new(None),
            refresh: tokio::sync::Mutex::default(),
            epoch: AtomicU64::new(0),
            hot: RwLock::new(None),
        }
    }

    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }
}

impl std::fmt::Debug for IdentityState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityState")
            .field("cloud", &self.cloud)
            .field("authority", &self.authority)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}
