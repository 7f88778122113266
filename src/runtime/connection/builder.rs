//! [`ConnectionBuilder`]: every seed parameter of python-o365's `Connection`, reqwest style —
//! consuming setters, configuration errors returned by [`ConnectionBuilder::build`].

use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;

use super::pacing::{Pacer, SharedPacing};
use super::proxy::ProxyConfig;
use super::retry::RetryPolicy;
use super::sign_in::IdentityState;
use super::{Connection, ConnectionInner, Timeouts};
use crate::clock::{Clock, SystemClock};
use crate::identity::{Authority, Cloud, DEFAULT_REFRESH_MARGIN};
use crate::protocol::Protocol;
use crate::runtime::identity::{AuthFlowType, Credentials};
use crate::token::{FileTokenBackend, TokenBackend, TokenCipher, TokenStore};
use crate::{Error, Result};

/// Builds a [`Connection`]. Start with [`Connection::builder`].
#[must_use]
pub struct ConnectionBuilder {
    credentials: Credentials,
    protocol: Option<Protocol>,
    auth_flow: AuthFlowType,
    tenant_id: String,
    username: Option<String>,
    password: Option<SecretString>,
    proxy: Option<ProxyConfig>,
    requests_delay: Duration,
    raise_http_errors: bool,
    retry: RetryPolicy,
    token_backend: Option<Arc<dyn TokenBackend>>,
    token_cipher: Option<Arc<dyn TokenCipher>>,
    shared_pacing: Option<Arc<dyn SharedPacing>>,
    timeouts: Timeouts,
    verify_ssl: bool,
    default_headers: HeaderMap,
    store_token_after_refresh: bool,
    user_agent: String,
    clock: Arc<dyn Clock>,
    cloud: Cloud,
    authority: Option<String>,
    refresh_margin: Duration,
    client_capabilities: Vec<String>,
    error: Option<Error>,
}

impl ConnectionBuilder {
    pub(super) fn new(credentials: Credentials) -> ConnectionBuilder {
        ConnectionBuilder {
            credentials,
            protocol: None,
            auth_flow: AuthFlowType::default(),
            tenant_id: "common".into(),
            username: None,
            password: None,
            proxy: None,
            requests_delay: Duration::from_millis(200),
            raise_http_errors: true,
            retry: RetryPolicy::default(),
            token_backend: None,
            token_cipher: None,
            shared_pacing: None,
            timeouts: Timeouts::default(),
            verify_ssl: true,
            default_headers: HeaderMap::new(),
            store_token_after_refresh: true,
            user_agent: concat!("o365-rust/", env!("CARGO_PKG_VERSION")).into(),
            clock: Arc::new(SystemClock),
            cloud: Cloud::Public,
            authority: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            client_capabilities: Vec::new(),
            error: None,
        }
    }

    /// The API protocol (default: [`Protocol::graph`]).
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// The OAuth flow (default: [`AuthFlowType::Authorization`]).
    pub fn auth_flow(mut self, flow: AuthFlowType) -> Self {
        self.auth_flow = flow;
        self
    }

    /// The tenant (default `common`); the credentials and password flows need a real one.
    pub fn tenant_id(mut self, tenant: impl Into<String>) -> Self {
        self.tenant_id = tenant.into();
        self
    }

    /// The account to use from the token cache (and the password flow's user name).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The password for the password (ROPC) flow.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(SecretString::from(password.into()));
        self
    }

    /// Sends all traffic, identity included, through this proxy.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Minimum spacing between request starts (default 200 ms; zero disables pacing).
    pub fn requests_delay(mut self, delay: Duration) -> Self {
        self.requests_delay = delay;
        self
    }

    /// Return 4xx/5xx replies instead of errors when `false` (default `true`).
    pub fn raise_http_errors(mut self, raise: bool) -> Self {
        self.raise_http_errors = raise;
        self
    }

    /// Retries after the first attempt (default 3, so 4 attempts); 0 disables retries.
    pub fn request_retries(mut self, retries: u32) -> Self {
        self.retry = self.retry.max_retries(retries);
        self
    }

    /// The whole retry policy (waits, caps, budget, jitter).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Where tokens are stored (default: `o365_token.txt` in the working directory).
    pub fn token_backend(mut self, backend: impl TokenBackend + 'static) -> Self {
        self.token_backend = Some(Arc::new(backend));
        self
    }

    /// Encrypts the token cache before the backend stores it and decrypts it after loading
    /// (python-o365's `cryptography_manager`; default: stored as plain text).
    pub fn token_cipher(mut self, cipher: impl TokenCipher + 'static) -> Self {
        self.token_cipher = Some(Arc::new(cipher));
        self
    }

    /// Shares the `requests_delay` slots and the throttle windows with every other process of
    /// the application through `store` (e.g. `o365::redis::RedisPacing`, feature `redis`);
    /// default: this Connection's clones only. See [`SharedPacing`] for what happens when the
    /// store fails.
    pub fn shared_pacing(mut self, store: impl SharedPacing + 'static) -> Self {
        self.shared_pacing = Some(Arc::new(store));
        self
    }

    /// Whole-request timeout (default 100 s); overridable per request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.request = timeout;
        self
    }

    /// Connection-establishment timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.connect = timeout;
        self
    }

    /// Verify TLS certificates (default `true`; turning it off logs a warning).
    pub fn verify_ssl(mut self, verify: bool) -> Self {
        self.verify_ssl = verify;
        self
    }

    /// Adds a header sent with every request (e.g. `Prefer: IdType="ImmutableId"`).
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => {
                self.default_headers.append(name, value);
            }
            _ => self.fail(Error::config(format!("invalid default header {name:?}"))),
        }
        self
    }

    /// Headers sent with every request, replacing any set before.
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        self.default_headers = headers;
        self
    }

    /// Save the token cache after each refresh (default `true`).
    pub fn store_token_after_refresh(mut self, store: bool) -> Self {
        self.store_token_after_refresh = store;
        self
    }

    /// The `User-Agent` of every request.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// The clock used for pacing, back-off and token expiry (tests pass a `ManualClock`).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The national cloud: sign-in host and Graph host (the default protocol's URL and scope
    /// prefix) together (default [`Cloud::Public`]). An explicit [`protocol`](Self::protocol)
    /// keeps its own URL.
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Overrides the identity platform's base URL (e.g. a local test server). `http://` is
    /// accepted only for loopback hosts.
    pub fn authority(mut self, base_url: impl Into<String>) -> Self {
        self.authority = Some(base_url.into());
        self
    }

    /// Renew access tokens this long before they expire (default 5 minutes; at most half a
    /// token's lifetime is used).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Client capabilities declared on every token request, e.g. `["cp1"]` for continuous
    /// access evaluation: the platform may then issue longer-lived tokens that a resource
    /// revokes early with a claims challenge, which the pipeline answers (see
    /// [`ErrorKind::ClaimsChallenge`](crate::ErrorKind::ClaimsChallenge)).
    pub fn client_capabilities<S: Into<String>>(
        mut self,
        capabilities: impl IntoIterator<Item = S>,
    ) -> Self {
        self.client_capabilities = capabilities.into_iter().map(Into::into).collect();
        self
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    /// Validates the settings (python-o365's rules: which credentials and settings each flow
    /// needs, see [`Credentials`]) and builds the Connection.
    pub fn build(mut self) -> Result<Connection> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.check_flow_settings()?;
        if !self.verify_ssl {
            tracing::warn!("TLS certificate verification is disabled (verify_ssl = false)");
        }
        let transport = Transport {
            proxy: self.proxy.take(),
            verify_ssl: self.verify_ssl,
            connect_timeout: self.timeouts.connect,
            user_agent: std::mem::take(&mut self.user_agent),
        };
        let http = transport.client()?;
        let authority = Authority::new(
            self.authority
                .as_deref()
                .unwrap_or(self.cloud.authority_host()),
            &self.tenant_id,
        )?;
        let (tokens, pacer) = (self.token_store(), self.pacer());
        let protocol = self
            .protocol
            .take()
            .unwrap_or_else(|| self.cloud.protocol());
        Ok(Connection {
            inner: Arc::new(ConnectionInner {
                service_base: url::Url::parse(&protocol.service_url()).ok(),
                client_capabilities: self.client_capabilities,
                protocol,
                credentials: self.credentials,
                auth_flow: self.auth_flow,
                tenant_id: self.tenant_id,
                username: RwLock::new(self.username),
                password: self.password,
                transport: RwLock::new((transport, http)),
                pacer,
                retry: self.retry,
                timeouts: self.timeouts,
                default_headers: self.default_headers,
                raise_http_errors: self.raise_http_errors,
                store_token_after_refresh: self.store_token_after_refresh,
                tokens,
                clock: self.clock,
                identity: IdentityState::new(self.cloud, authority, self.refresh_margin),
            }),
        })
    }

    /// The credentials fit the flow, and a flow without a user (client credentials) or one
    /// that names the user's tenant (password) has a tenant. A managed identity's tokens come
    /// from its host, which knows its tenant.
    fn check_flow_settings(&self) -> Result<()> {
        self.credentials.validate(self.auth_flow)?;
        let needs_tenant = matches!(
            self.auth_flow,
            AuthFlowType::Credentials | AuthFlowType::Password
        ) && !matches!(self.credentials, Credentials::ManagedIdentity(_));
        if needs_tenant && matches!(self.tenant_id.as_str(), "common" | "") {
            return Err(Error::config(format!(
                "When using the \"{}\" auth flow, the tenant_id must be set (not \"common\")",
                self.auth_flow
            )));
        }
        Ok(())
    }

    /// The token store on the chosen backend (the default token file when none), encrypted
    /// when a cipher is set.
    fn token_store(&mut self) -> TokenStore {
        let backend = self
            .token_backend
            .take()
            .unwrap_or_else(|| Arc::new(FileTokenBackend::default()));
        let tokens = TokenStore::new(backend);
        match self.token_cipher.take() {
            Some(cipher) => tokens.with_cipher(cipher),
            None => tokens,
        }
    }

    /// The request pacer, shared with other hosts when a shared pacing store is set.
    fn pacer(&mut self) -> Pacer {
        let pacer = Pacer::new(self.requests_delay);
        match self.shared_pacing.take() {
            Some(store) => pacer.with_shared(store, self.clock.clone()),
            None => pacer,
        }
    }
}

/// What the HTTP client is built from; kept so that `set_proxy` can rebuild it.
#[derive(Debug, Clone)]
pub(super) struct Transport {
    pub(super) proxy: Option<ProxyConfig>,
    verify_ssl: bool,
    connect_timeout: Duration,
    user_agent: String,
}

impl Transport {
    pub(super) fn client(&self) -> Result<reqwest::Client> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .user_agent(&self.user_agent)
            .danger_accept_invalid_certs(!self.verify_ssl);
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy.to_reqwest()?);
        }
        builder
            .build()
            .map_err(|e| Error::config("could not build the HTTP client").with_source(e))
    }
}
