//! Signing in: the OAuth 2.0 flows of the Microsoft identity platform, all on
//! [`SignIn`] (`conn.sign_in().…`), and the refresh policy the request pipeline applies.
//!
//! - Authorization code + PKCE: [`SignIn::authorization_url`] then [`SignIn::request_token`]
//!   (or [`SignIn::interactively`], which does both by pasting or with a loopback redirect;
//!   [`oauth_authentication_flow`] is python-o365's one-call helper).
//! - Client credentials (secret or certificate): [`SignIn::client_credentials`].
//! - Password (ROPC): [`SignIn::password`].
//! - Device code: [`SignIn::device_code`].
//! - Managed identity (IMDS, App Service) and workload identity federation: the credentials
//!   [`Credentials::managed_identity`](crate::Credentials::managed_identity) and
//!   [`Credentials::federated_token`](crate::Credentials::federated_token) with the client
//!   credentials flow.
//! - Continuous access evaluation: client capabilities and claims challenges (`claims.rs`).
//! - Refresh: automatic in the pipeline (before expiry, and once after a 401 or a token 403),
//!   single-flight in the process and, with [`FileTokenBackend`](crate::token::FileTokenBackend),
//!   across processes; or explicit with [`SignIn::renew`].
//!
//! python-o365's names ([`Connection::get_authorization_url`](crate::Connection::get_authorization_url),
//! [`Connection::request_token`](crate::Connection::request_token),
//! [`Connection::refresh_token`](crate::Connection::refresh_token), …) stay on the Connection
//! and forward to [`SignIn`].
//!
//! Identity requests use the Connection's HTTP client (proxy, TLS, timeouts, user agent) but not
//! the Graph pipeline's auth, pacing or retries.

mod assertion;
mod authorization;
mod claims;
mod cloud;
mod device;
mod direct;
mod flow;
mod grant;
mod interactive;
mod managed;
mod python_names;
mod random;
mod refresh;
mod sign_in;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

pub use crate::runtime::error::OAuthError;
pub use assertion::AssertionAlgorithm;
pub(crate) use authorization::code_for_state;
pub(crate) use claims::challenge as claims_challenge;
pub use cloud::{Authority, Cloud};
pub use device::DeviceCodePrompt;
pub use flow::{AuthorizationFlow, DEFAULT_REDIRECT_URI};
pub use interactive::{ConsentMode, UrlHook, oauth_authentication_flow};
pub use managed::{
    IMDS_ENDPOINT, ManagedIdentity, ManagedIdentitySource, SYSTEM_ASSIGNED_ID, UserAssignedId,
};
#[cfg(feature = "emulator")]
pub(crate) use random::{pkce_challenge, urlsafe_token, uuid4};
pub(crate) use refresh::BearerToken;
pub use sign_in::SignIn;

/// How long before expiry the pipeline refreshes an access token by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Scopes every delegated sign-in asks for; never prefixed (the same constant as
/// [`protocol::RESERVED_SCOPES`](crate::protocol::RESERVED_SCOPES)).
pub use crate::protocol::RESERVED_SCOPES as DELEGATED_RESERVED_SCOPES;

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
