//! [`Connection`]: python-o365's `Connection`, Rust-shaped. Cheap to clone (one `Arc`); all
//! clones share the token cache, the pacing slots and the HTTP connection pool.

mod auth;
mod body;
mod builder;
mod headers;
mod pacing;
mod pipeline;
mod proxy;
mod python_names;
mod request;
mod response;
mod retry;
pub(crate) mod sign_in;

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use secrecy::SecretString;
use serde::Serialize;

pub use crate::runtime::identity::{AuthFlow, AuthFlowType, CertificateCredential, Credentials};
pub(crate) use body::BodyKind;
pub use body::{Body, Json};
pub use builder::ConnectionBuilder;
pub use pacing::{SHARED_RETRY_AFTER, SharedPacing};
pub(crate) use pipeline::Prepared;
pub use proxy::ProxyConfig;
pub use python_names::oauth_authentication_flow;
pub(crate) use request::query_pairs;
pub use request::{RequestBuilder, RequestOptions};
pub use response::Response;
pub(crate) use response::decode_json;
pub use retry::RetryPolicy;
pub(crate) use retry::{Outcome, parse_retry_after};

use crate::clock::Clock;
use crate::protocol::Protocol;
use crate::token::TokenStore;
use crate::{Error, Result};

/// Everything a request to Microsoft 365 passes through: credentials and token cache, proxy,
/// TLS and timeouts, request pacing, retries and default headers.
#[derive(Clone)]
pub struct Connection {
    inner: Arc<ConnectionInner>,
}

struct ConnectionInner {
    protocol: Protocol,
    /// The protocol's service URL, parsed once (`None` if it does not parse).
    service_base: Option<url::Url>,
    /// Declared on token requests (`cp1`: claims challenges are handled).
    client_capabilities: Vec<String>,
    credentials: Credentials,
    auth_flow: AuthFlowType,
    tenant_id: String,
    username: RwLock<Option<String>>,
    password: Option<SecretString>,
    transport: RwLock<(builder::Transport, reqwest::Client)>,
    pacer: pacing::Pacer,
    retry: RetryPolicy,
    timeouts: Timeouts,
    default_headers: HeaderMap,
    raise_http_errors: bool,
    store_token_after_refresh: bool,
    tokens: TokenStore,
    clock: Arc<dyn Clock>,
    identity: sign_in::IdentityState,
}

/// Connect and whole-request timeouts. Defaults: 10 s and 100 s, so nothing hangs forever.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    connect: Duration,
    request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(100),
        }
    }
}

impl Connection {
    /// Starts building a Connection for these application credentials.
    pub fn builder(credentials: Credentials) -> ConnectionBuilder {
        ConnectionBuilder::new(credentials)
    }

    /// The API protocol (base URL, casing, scopes).
    pub fn protocol(&self) -> &Protocol {
        &self.inner.protocol
    }

    /// The client capabilities declared on token requests (see
    /// [`ConnectionBuilder::client_capabilities`]).
    pub fn client_capabilities(&self) -> &[String] {
        &self.inner.client_capabilities
    }

    /// The application credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// The OAuth flow.
    pub fn auth_flow(&self) -> AuthFlowType {
        self.inner.auth_flow
    }

    /// The tenant.
    pub fn tenant_id(&self) -> &str {
        &self.inner.tenant_id
    }

    /// The token cache and its backend.
    pub fn token_store(&self) -> &TokenStore {
        &self.inner.tokens
    }

    /// The clock used for pacing, back-off and expiry.
    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// The cloud (sign-in and Graph hosts).
    ///
    /// Hidden from the docs: the same as [`SignIn::cloud`](crate::identity::SignIn::cloud) (`conn.sign_in().cloud(…)`).
    #[doc(hidden)]
    pub fn cloud(&self) -> crate::identity::Cloud {
        self.inner.identity.cloud
    }

    /// The identity-platform endpoints used for sign-in and refresh.
    ///
    /// Hidden from the docs: the same as [`SignIn::authority`](crate::identity::SignIn::authority) (`conn.sign_in().authority(…)`).
    #[doc(hidden)]
    pub fn identity_authority(&self) -> &crate::identity::Authority {
        &self.inner.identity.authority
    }

    /// How long before expiry the pipeline renews an access token.
    ///
    /// Hidden from the docs: the same as [`SignIn::refresh_margin`](crate::identity::SignIn::refresh_margin) (`conn.sign_in().refresh_margin(…)`).
    #[doc(hidden)]
    pub fn refresh_margin(&self) -> Duration {
        self.inner.identity.refresh_margin
    }

    pub(crate) fn identity(&self) -> &sign_in::IdentityState {
        &self.inner.identity
    }

    /// The configured retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Whether 4xx/5xx replies are errors (default) or returned as responses.
    pub fn raise_http_errors(&self) -> bool {
        self.inner.raise_http_errors
    }

    /// Whether the cache is saved after each token refresh.
    pub fn store_token_after_refresh(&self) -> bool {
        self.inner.store_token_after_refresh
    }

    /// The password given for the password flow, if any.
    pub fn password(&self) -> Option<&SecretString> {
        self.inner.password.as_ref()
    }

    /// The configured HTTP client: proxy, TLS and connect timeout applied, no auth header (the
    /// pipeline adds it per request). This is what both python-o365's `get_session()` and
    /// `get_naive_session()` become: one client, one connection pool, for API and identity
    /// traffic. Requests sent on it directly bypass pacing and retries.
    pub fn http_client(&self) -> reqwest::Client {
        self.transport().1.clone()
    }

    /// python-o365's `get_session`: see [`Connection::http_client`].
    pub fn session(&self) -> reqwest::Client {
        self.http_client()
    }

    /// python-o365's `get_naive_session`: the same client (auth is never baked into it).
    pub fn naive_session(&self) -> reqwest::Client {
        self.http_client()
    }

    fn transport(&self) -> std::sync::RwLockReadGuard<'_, (builder::Transport, reqwest::Client)> {
        self.inner
            .transport
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the proxy of every later request, API and identity alike (`None` removes it).
    pub fn set_proxy(&self, proxy: Option<ProxyConfig>) -> Result<()> {
        let mut transport = self.transport().0.clone();
        transport.proxy = proxy;
        let client = transport.client()?;
        *self
            .inner
            .transport
            .write()
            .unwrap_or_else(|p| p.into_inner()) = (transport, client);
        Ok(())
    }

    /// The selected account's user name; when none was set, the first account in the token
    /// cache (none for app-only tokens).
    pub fn username(&self) -> Option<String> {
        if let Some(name) = self.selected_username() {
            return Some(name);
        }
        self.inner.tokens.read(|cache| {
            let first = cache.get_account(crate::token::AccountSelector::First);
            first.map(|account| account.username.clone())
        })
    }

    /// The account selected with [`set_username`](Self::set_username) or the builder, if any.
    pub(crate) fn selected_username(&self) -> Option<String> {
        self.inner
            .username
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether `name` is the selected account (without copying it).
    pub(crate) fn is_selected(&self, name: Option<&str>) -> bool {
        self.inner
            .username
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_deref()
            == name
    }

    /// Selects which cached account the Connection acts as.
    pub fn set_username(&self, username: Option<String>) {
        *self
            .inner
            .username
            .write()
            .unwrap_or_else(|p| p.into_inner()) = username;
    }

    /// Loads the token cache from the backend; `Ok(false)` when nothing is stored. A corrupt
    /// store is an error (and is not overwritten by later saves).
    ///
    /// python-o365's name; also [`SignIn::load_token`](crate::identity::SignIn::load_token).
    pub async fn load_token_from_backend(&self) -> Result<bool> {
        self.inner.tokens.load_token().await
    }

    /// A raw request builder for any method and URL (absolute, or relative to the protocol's
    /// service URL, e.g. `me/messages`).
    pub fn request(&self, method: Method, url: &str) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, url, true)
    }

    /// A raw request builder that sends no `Authorization` header.
    pub fn naive(&self, method: Method, url: &str) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, url, false)
    }

    /// GET with query parameters.
    pub fn get<Q: Serialize + ?Sized>(
        &self,
        url: &str,
        params: &Q,
    ) -> impl Future<Output = Result<Response>> + Send + use<Q> {
        self.request(Method::GET, url).query(params).send()
    }

    /// POST with a body (`Json(&value)`, a `serde_json::Value`, text, bytes or `()`).
    pub fn post(
        &self,
        url: &str,
        data: impl Into<Body>,
    ) -> impl Future<Output = Result<Response>> + Send + 'static {
        self.request(Method::POST, url).body(data).send()
    }

    /// PUT with a body.
    pub fn put(
        &self,
        url: &str,
        data: impl Into<Body>,
    ) -> impl Future<Output = Result<Response>> + Send + 'static {
        self.request(Method::PUT, url).body(data).send()
    }

    /// PATCH with a body.
    pub fn patch(
        &self,
        url: &str,
        data: impl Into<Body>,
    ) -> impl Future<Output = Result<Response>> + Send + 'static {
        self.request(Method::PATCH, url).body(data).send()
    }

    /// DELETE.
    pub fn delete(&self, url: &str) -> impl Future<Output = Result<Response>> + Send + 'static {
        self.request(Method::DELETE, url).send()
    }

    /// An authenticated request with python-o365's per-call options.
    pub async fn request_with_options(
        &self,
        method: Method,
        url: &str,
        options: RequestOptions,
    ) -> Result<Response> {
        self.request(method, url).options(options).send().await
    }

    /// A request without the `Authorization` header, through the same pipeline, with per-call
    /// options.
    pub async fn naive_with_options(
        &self,
        method: Method,
        url: &str,
        options: RequestOptions,
    ) -> Result<Response> {
        self.naive(method, url).options(options).send().await
    }

    /// python-o365's `oauth_request(url, method, **kwargs)`, in python's argument order: see
    /// [`Connection::request_with_options`].
    pub async fn oauth_request(
        &self,
        url: &str,
        method: Method,
        options: RequestOptions,
    ) -> Result<Response> {
        self.request_with_options(method, url, options).await
    }

    /// python-o365's `naive_request(url, method, **kwargs)`, in python's argument order: see
    /// [`Connection::naive_with_options`].
    pub async fn naive_request(
        &self,
        url: &str,
        method: Method,
        options: RequestOptions,
    ) -> Result<Response> {
        self.naive_with_options(method, url, options).await
    }

    /// A request on the Connection's transport only (proxy, TLS, timeouts, user agent), outside
    /// the pipeline: no default headers, auth, pacing or retries. The identity code sends its
    /// token-endpoint forms this way.
    pub(crate) fn direct(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http_client()
            .request(method, url)
            .timeout(self.inner.timeouts.request)
    }

    /// Makes `url` absolute against the protocol's service URL.
    /// An absolute URL has a `scheme://`; anything else (`me/messages`,
    /// `drive/root:/a.txt:/content`) is a path, joined to the service URL parsed once.
    pub(crate) fn resolve_url(&self, url: &str) -> Result<url::Url> {
        // `scheme://`: found with a byte search for ':' (a substring search costs more per call).
        if url
            .split_once(':')
            .is_some_and(|(_, rest)| rest.starts_with("//"))
            && let Ok(absolute) = url::Url::parse(url)
        {
            return Ok(absolute);
        }
        let invalid = |e: String| Error::invalid_input(format!("invalid URL {url:?}: {e}"));
        let base = self.inner.service_base.as_ref().ok_or_else(|| {
            invalid(format!(
                "the service URL {:?} does not parse",
                self.inner.protocol.service_url()
            ))
        })?;
        base.join(url.trim_start_matches('/'))
            .map_err(|e| invalid(e.to_string()))
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Connection")
            .field("protocol", &inner.protocol.service_url())
            .field("credentials", &inner.credentials)
            .field("auth_flow", &inner.auth_flow)
            .field("tenant_id", &inner.tenant_id)
            .field("tokens", &inner.tokens)
            .finish_non_exhaustive()
    }
}
