//! The emulator's addresses, and the Connections and credentials pointed at them.

use std::net::SocketAddr;
use std::time::Duration;

use super::{
    APP_SERVICE_PATH, CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, Emulator,
    FEDERATED_AUDIENCE, FEDERATED_SUBJECT, IMDS_PATH, identity,
};

impl Emulator {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The authority (same as [`base_url`](Self::base_url)): the token endpoint is
    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn authority(&self) -> &str {
        self.base_url()
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.base_url())
    }

    /// `{authority}/{tenant}/oauth2/v2.0/authorize`.
    pub fn authorize_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/authorize", self.base_url())
    }

    /// `{authority}/{tenant}/oauth2/v2.0/devicecode`.
    pub fn devicecode_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/devicecode", self.base_url())
    }

    /// `{base}/v1.0/` (with the trailing slash).
    pub fn graph_url(&self) -> String {
        format!("{}/v1.0/", self.base_url())
    }

    /// A Connection builder for the emulator's confidential app with the app-only
    /// (client-credentials) flow: its tenant, this authority and Graph host, an in-memory token
    /// cache and no request spacing. Add what a test needs (`.clock(..)`, `.retry_policy(..)`),
    /// build, then `request_token_for_client(None, false)` for the token.
    pub fn app_connection(&self) -> crate::ConnectionBuilder {
        self.app_connection_with(crate::Credentials::client_secret(
            CONFIDENTIAL_CLIENT_ID,
            CONFIDENTIAL_CLIENT_SECRET,
        ))
    }

    /// [`app_connection`](Self::app_connection) with other app-only credentials: a
    /// [`Credentials::managed_identity`](crate::Credentials::managed_identity), a
    /// [`Credentials::federated_token`](crate::Credentials::federated_token), a certificate.
    pub fn app_connection_with(&self, credentials: crate::Credentials) -> crate::ConnectionBuilder {
        crate::Connection::builder(credentials)
            .auth_flow(crate::AuthFlowType::Credentials)
            .tenant_id(self.user().tid.clone())
            .authority(self.authority())
            .protocol(crate::protocol::Protocol::graph_for_host(self.base_url()))
            .requests_delay(Duration::ZERO)
            .token_backend(crate::token::MemoryTokenBackend::new())
    }

    /// The IMDS token endpoint: `{base}/metadata/identity/oauth2/token`.
    pub fn imds_url(&self) -> String {
        format!("{}{IMDS_PATH}", self.base_url())
    }

    /// The App Service / Functions identity endpoint (`IDENTITY_ENDPOINT`): `{base}/msi/token`.
    pub fn identity_endpoint(&self) -> String {
        format!("{}{APP_SERVICE_PATH}", self.base_url())
    }

    /// The `IDENTITY_HEADER` value its App Service endpoint expects.
    pub fn identity_header(&self) -> &str {
        use secrecy::ExposeSecret;
        self.shared.config.managed.identity_header.expose_secret()
    }

    /// The host's system-assigned managed identity through this emulator's IMDS endpoint. For a
    /// user-assigned one: [`ManagedIdentity::user_assigned`] with
    /// `.imds_endpoint(emulator.imds_url())`.
    ///
    /// [`ManagedIdentity::user_assigned`]: crate::identity::ManagedIdentity::user_assigned
    pub fn managed_identity(&self) -> crate::identity::ManagedIdentity {
        crate::identity::ManagedIdentity::system_assigned().imds_endpoint(self.imds_url())
    }

    /// The system-assigned managed identity through this emulator's App Service endpoint, with
    /// its header secret (as `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` would give them).
    pub fn app_service_identity(&self) -> crate::identity::ManagedIdentity {
        crate::identity::ManagedIdentity::system_assigned()
            .app_service(self.identity_endpoint(), self.identity_header())
    }

    /// A Connection builder like [`app_connection`](Self::app_connection) whose tokens come
    /// from the managed `identity` (e.g. [`managed_identity`](Self::managed_identity)).
    pub fn managed_identity_connection(
        &self,
        identity: crate::identity::ManagedIdentity,
    ) -> crate::ConnectionBuilder {
        self.app_connection_with(crate::Credentials::managed_identity(identity))
    }

    /// A federated token (a JWT, as AKS writes to `AZURE_FEDERATED_TOKEN_FILE`) from
    /// [`FEDERATED_ISSUER`](super::FEDERATED_ISSUER) for [`FEDERATED_SUBJECT`], valid for an hour on the emulator's
    /// clock: the default confidential application accepts it as its `client_assertion`.
    pub fn federated_token(&self) -> String {
        self.federated_token_for(FEDERATED_SUBJECT, FEDERATED_AUDIENCE, 3600)
    }

    /// A federated token from [`FEDERATED_ISSUER`](super::FEDERATED_ISSUER) with this subject and audience, valid for
    /// `lifetime_secs` from now (negative: expired that long ago).
    pub fn federated_token_for(&self, subject: &str, audience: &str, lifetime_secs: i64) -> String {
        identity::federated_token(subject, audience, self.shared.now(), lifetime_secs)
    }
}
