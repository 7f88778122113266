//! [`Connection`]: python-o365's `Connection`, Rust-shaped. Cheap to clone (one `Arc`); all
//! clones share the token cache, the pacing slots and the HTTP connection pool.

mod auth;
mod body;
mod builder;
mod headers;
mod http;
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
pub use http::Http;
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

/// The core: building, the verbs and raw requests, and the settings every request uses. The
/// other parts: [`Connection::sign_in`] (the OAuth flows, renewing, loading tokens),
/// [`Connection::http`] (the HTTP client and its proxy), paging (`pages`, `items`, `delta`),
/// `upload_session`, `batch`, `change_notifications`; python-o365's names are in an `impl`
/// block of their own (`python_names.rs`, listed in `docs/compatibility.md`).
impl Connection {
    /// Starts building a Connection for these application credentials.
    pub fn builder(credentials: Credentials) -> ConnectionBuilder {
        ConnectionBuilder::new(credentials)
    }

    /// The API protocol (base URL, casing, scopes).
    pub fn protocol(&self) -> &Protocol {
        &self.inner.protocol
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

    fn transport_lock(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, (builder::Transport, reqwest::Client)> {
        self.inner
            .transport
            .read()
            .unwrap_or_else(|p| p.into_inner())
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

    /// A request on the Connection's transport only (proxy, TLS, timeouts, user agent), outside
    /// the pipeline: no default headers, auth, pacing or retries. The identity code sends its
    /// token-endpoint forms this way.
    pub(crate) fn direct(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.http()
            .client()
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
