//! An in-process emulator of the Microsoft identity platform (v2.0) and a Graph v1.0 subset, for
//! tests (feature `emulator`).
//!
//! [`Emulator::builder`] starts an HTTP server on `127.0.0.1` (random port) on the current tokio
//! runtime; it stops when the [`Emulator`] is dropped or [`Emulator::shutdown`] is awaited.
//!
//! **Identity** (`{authority}/{tenant}/oauth2/v2.0/authorize|token|devicecode`, any tenant
//! segment): authorization code with PKCE S256 (the authorize endpoint consents for the test
//! user at once and redirects with `code` and `state`), refresh tokens (rotated: each refresh
//! returns a new one and the old one stops working), client credentials (secret or an RS256/PS256
//! `client_assertion` checked against the registered certificate), password (ROPC), and device
//! code. Errors carry realistic `AADSTS` codes in the identity platform's JSON shape.
//!
//! **Managed identity**: the IMDS token endpoint (`{base}/metadata/identity/oauth2/token`,
//! `Metadata: true`) and the App Service / Functions one (`{base}/msi/token`,
//! `X-IDENTITY-HEADER`), for a system-assigned identity and user-assigned ones by `client_id`,
//! with each host's reply and error shapes ([`Emulator::managed_identity`],
//! [`Emulator::app_service_identity`]). **Workload identity federation**: a federated token
//! ([`Emulator::federated_token`]) as `client_assertion`, checked against the client's
//! [`FederatedCredential`]s (issuer, subject, audience, expiry).
//!
//! **Graph** (`{base}/v1.0/…`, needs a live bearer token issued by the emulator): `me`, `users`,
//! `users/{id-or-upn}`, and under `me/` or `users/{id}/`: `messages` (with `$top`, `$skip`,
//! `$select`, `$orderby`, `$filter`, `$count`, `@odata.nextLink`), `messages/{id}` (GET, PATCH,
//! DELETE), `messages/{id}/move`, `messages/{id}/attachments`, `sendMail`, `mailFolders`
//! (well-known names `inbox`, `sentitems`, `drafts`, `deleteditems`, `archive`),
//! `mailFolders/{id}/messages`, `events` (list, get, create), `calendarView`, `contacts`, and
//! OneDrive: `drive`, `drive/root`, `drive/root/children`, `drive/items/{id}` (GET, DELETE),
//! `drive/items/{id}/children`, `drive/items/{id}/content` (GET bytes, PUT replaces),
//! `drive/root:/{path}:/content` (PUT creates or replaces), `…/createUploadSession` (its
//! `uploadUrl` takes `Content-Range` PUTs and answers the item when the last byte arrives).
//! The data are the deterministic [`fixtures`].
//!
//! **Script** ([`Emulator::script`]): throttle with 429/503 + `Retry-After`, delay, drop the
//! connection, expire all access tokens, revoke all refresh tokens. **Counters**
//! ([`Emulator::counters`]): requests per method and path, token requests per grant type,
//! throttled and dropped requests, the last request's headers.
//!
//! # Example
//!
//! ```no_run
//! # async fn example() -> o365::Result<()> {
//! use std::time::Duration;
//! use o365::emulator::{Emulator, CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET};
//!
//! let emulator = Emulator::builder().start().await?;
//! let http = reqwest::Client::new();
//!
//! // An app-only token from the client-credentials grant.
//! let token: serde_json::Value = http
//!     .post(emulator.token_url("common"))
//!     .form(&[
//!         ("client_id", CONFIDENTIAL_CLIENT_ID),
//!         ("client_secret", CONFIDENTIAL_CLIENT_SECRET),
//!         ("grant_type", "client_credentials"),
//!         ("scope", "https://graph.microsoft.com/.default"),
//!     ])
//!     .send().await.unwrap().json().await.unwrap();
//! let bearer = token["access_token"].as_str().unwrap();
//!
//! // Throttle the next Graph request, then read the test user's inbox.
//! emulator.script().throttle_next(1, o365::emulator::GRAPH_PATHS,
//!     o365::emulator::StatusCode::TOO_MANY_REQUESTS, Duration::from_secs(2));
//! let url = format!("{}users/{}/mailFolders/inbox/messages?$top=5", emulator.graph_url(), emulator.user().oid);
//! let first = http.get(&url).bearer_auth(bearer).send().await.unwrap();
//! assert_eq!(first.status(), 429);
//! assert_eq!(first.headers()["retry-after"], "2");
//! let page: serde_json::Value = http.get(&url).bearer_auth(bearer).send().await.unwrap().json().await.unwrap();
//! assert_eq!(page["value"].as_array().unwrap().len(), 5);
//! assert_eq!(emulator.counters().throttled(), 1);
//! # Ok(()) }
//! ```

mod builder;
mod config;
mod control;
mod data;
mod endpoints;
mod graph;
mod identity;
mod query;
mod script;
mod seed;
mod server;
mod state;
mod util;
#[cfg(feature = "schemars")]
mod validate;
mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinHandle;

pub use builder::EmulatorBuilder;
pub use config::{
    CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, ClientApp, DEFAULT_REDIRECT_URIS,
    PUBLIC_CLIENT_ID, TestUser,
};
pub use control::Script;
pub use data::tokens::SIGNING_KEY;
pub use data::{drive, fixtures};
pub use http::StatusCode;
pub use identity::{
    APP_SERVICE_PATH, FEDERATED_AUDIENCE, FEDERATED_ISSUER, FEDERATED_SUBJECT, FederatedCredential,
    IDENTITY_HEADER, IMDS_PATH, SYSTEM_ASSIGNED_CLIENT_ID, USER_ASSIGNED_CLIENT_ID,
    user_assigned_object_id, user_assigned_resource_id,
};
pub use script::{Counters, GRAPH_PATHS};

use state::Shared;

/// What an issued access token grants (from [`Emulator::access_token_info`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenInfo {
    /// The application it was issued to.
    pub client_id: String,
    /// The signed-in user's object id; `None` for app-only tokens.
    pub user_oid: Option<String>,
    /// Granted scopes (delegated: without the resource prefix; app-only: `…/.default`).
    pub scopes: Vec<String>,
    /// When Graph starts answering 401 for it.
    pub expires_at: std::time::SystemTime,
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder with the defaults (see [`EmulatorBuilder`]).
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Adds the items of `seed` (`{"messages": [...], "events": [...], "contacts": [...]}`,
    /// Graph-shaped objects) to the test user's mailbox; messages without `parentFolderId` go
    /// to the inbox. Returns how many were added.
    pub fn seed(&self, seed: &Value) -> crate::Result<usize> {
        seed::load(&self.shared, seed)
    }

    /// The signed-in test user.
    pub fn user(&self) -> &TestUser {
        &self.shared.config.user
    }

    /// The registered applications.
    pub fn clients(&self) -> &[ClientApp] {
        &self.shared.config.clients
    }

    /// Handle to script faults and token expiry.
    pub fn script(&self) -> Script {
        Script {
            shared: self.shared.clone(),
        }
    }

    /// A snapshot of the request counters.
    pub fn counters(&self) -> Counters {
        self.shared.counters().clone()
    }

    /// Zeroes the request counters.
    pub fn reset_counters(&self) {
        *self.shared.counters() = Counters::default();
    }

    /// Issues delegated tokens for the test user without running a flow: the same JSON the
    /// token endpoint returns (`access_token`, `refresh_token` when `scope` has `offline_access`,
    /// `id_token` with `openid`, `client_info`, …).
    pub fn issue_user_tokens(&self, client_id: &str, scope: &str) -> crate::Result<Value> {
        identity::issue_user_tokens(&self.shared, client_id, scope)
    }

    /// What an access token issued by this emulator grants, or `None` if it never issued it.
    pub fn access_token_info(&self, access_token: &str) -> Option<AccessTokenInfo> {
        let state = self.shared.state();
        let grant = state.tokens.access(access_token)?;
        Some(AccessTokenInfo {
            client_id: grant.client_id.clone(),
            user_oid: grant.user.clone(),
            scopes: grant.scopes.clone(),
            expires_at: util::from_epoch(grant.expires_at),
        })
    }

    /// The S256 PKCE challenge of a verifier (`BASE64URL(SHA256(verifier))`).
    pub fn pkce_challenge(verifier: &str) -> String {
        crate::runtime::identity::pkce_challenge(verifier)
    }

    /// Forgets every delta sync state: a request with an earlier `$deltatoken` (or
    /// `$skiptoken`) is then answered `410 Gone`, as Graph does when a sync state expires.
    pub fn expire_delta_tokens(&self) {
        self.shared.state().changes.forget_all();
    }

    /// The ids of the live change-notification subscriptions, oldest first.
    pub fn subscription_ids(&self) -> Vec<String> {
        let state = self.shared.state();
        state
            .subscriptions
            .subscriptions
            .iter()
            .map(|s| s.id.clone())
            .collect()
    }

    /// Posts a lifecycle event (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) for
    /// a subscription to its lifecycle URL (else its notification URL), as Graph does;
    /// `subscriptionRemoved` also removes the subscription. Returns the receiver's HTTP status.
    pub async fn send_lifecycle_event(
        &self,
        subscription_id: &str,
        event: &str,
    ) -> crate::Result<u16> {
        graph::send_lifecycle(&self.shared, subscription_id, event).await
    }

    /// Stops the server and waits until it has stopped.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // The task was aborted; its cancellation error carries no information.
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
