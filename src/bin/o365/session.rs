//! Connections built from the settings: one for signing in with a chosen flow, and one for calls
//! that continues the saved sign-in (its client, tenant and flow are read from the token cache).

use std::sync::Arc;

use o365::protocol::Protocol;
use o365::token::{AccountSelector, FileTokenBackend, TokenCache, TokenStore};
use o365::{AuthFlowType, Connection, ConnectionBuilder, Credentials, ProxyConfig, RetryPolicy};
use secrecy::ExposeSecret;

use crate::cli::FlowName;
use crate::failure::{CliResult, Failure};
use crate::settings::Settings;

/// The sign-in a token cache holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedLogin {
    /// The application it was issued to.
    pub client_id: String,
    /// The tenant segment it was issued by.
    pub tenant: String,
    /// The flow that established it.
    pub flow: AuthFlowType,
    /// The account's user name; `None` for app-only sign-ins.
    pub username: Option<String>,
}

impl SavedLogin {
    /// The sign-in of `username` (or the first one) in `cache`. A confidential browser sign-in
    /// continues as one only when a secret is configured (`has_secret`).
    pub fn find(
        cache: &TokenCache,
        username: Option<&str>,
        has_secret: bool,
    ) -> Option<SavedLogin> {
        let token = cache.get_access_token(username)?;
        let Some(home) = token.home_account_id.as_deref() else {
            return Some(SavedLogin {
                client_id: token.client_id.clone(),
                tenant: token.realm.clone(),
                flow: AuthFlowType::Credentials,
                username: None,
            });
        };
        let account = cache.get_account(AccountSelector::HomeAccountId(home));
        let source = account
            .and_then(|a| a.account_source.as_deref())
            .unwrap_or_default();
        let flow = match source {
            "password" => AuthFlowType::Password,
            "urn:ietf:params:oauth:grant-type:device_code" => AuthFlowType::DeviceCode,
            _ if has_secret => AuthFlowType::Authorization,
            _ => AuthFlowType::Public,
        };
        Some(SavedLogin {
            client_id: token.client_id.clone(),
            tenant: token.realm.clone(),
            flow,
            username: account
                .map(|a| a.username.clone())
                .filter(|u| !u.is_empty()),
        })
    }
}

/// The library's flow for a command line name.
pub fn auth_flow(flow: FlowName) -> AuthFlowType {
    match flow {
        FlowName::Device => AuthFlowType::DeviceCode,
        FlowName::Authorization => AuthFlowType::Authorization,
        FlowName::Public => AuthFlowType::Public,
        FlowName::Credentials => AuthFlowType::Credentials,
        FlowName::Password => AuthFlowType::Password,
    }
}

/// Builds Connections for one invocation.
#[derive(Debug)]
pub struct Session {
    /// The resolved settings.
    pub settings: Settings,
    /// Extra headers sent with every request (`--header`).
    pub headers: Vec<(String, String)>,
}

impl Session {
    /// A session on `settings`.
    pub fn new(settings: Settings) -> Session {
        Session {
            settings,
            headers: Vec::new(),
        }
    }

    /// The token store on the configured token file.
    pub fn token_store(&self) -> TokenStore {
        TokenStore::new(Arc::new(FileTokenBackend::new(&self.settings.token_path)))
    }

    /// A Connection that signs in with `flow` for `client_id`.
    pub fn connection(
        &self,
        flow: AuthFlowType,
        client_id: &str,
        tenant: Option<&str>,
    ) -> CliResult<Connection> {
        self.connection_with(flow, client_id, tenant, |b| b)
    }

    /// [`connection`](Self::connection) with `configure` applied to the builder last.
    pub fn connection_with(
        &self,
        flow: AuthFlowType,
        client_id: &str,
        tenant: Option<&str>,
        configure: impl FnOnce(ConnectionBuilder) -> ConnectionBuilder,
    ) -> CliResult<Connection> {
        let s = &self.settings;
        let credentials = match (&s.client_secret, flow.is_confidential()) {
            (Some(secret), true) => Credentials::client_secret(client_id, secret.expose_secret()),
            (None, true) => {
                return Err(
                    Failure::usage(format!("the \"{flow}\" flow needs the client secret"))
                        .hint("set O365_CLIENT_SECRET (or --client-secret)"),
                );
            }
            (_, false) => Credentials::client_id(client_id),
        };
        let mut builder = Connection::builder(credentials)
            .auth_flow(flow)
            .cloud(s.cloud)
            .token_backend(FileTokenBackend::new(&s.token_path));
        if let Some(tenant) = tenant.or(s.tenant_id.as_deref()) {
            builder = builder.tenant_id(tenant);
        }
        if let Some(base) = &s.base_url {
            builder = builder
                .protocol(Protocol::graph_for_host(base).with_scope_prefix(s.cloud.graph_host()));
        }
        if let Some(authority) = &s.authority {
            builder = builder.authority(authority.trim_end_matches('/'));
        }
        if let Some(proxy) = &s.proxy {
            builder = builder.proxy(proxy_config(proxy)?);
        }
        if let Some(username) = &s.username {
            builder = builder.username(username);
        }
        if let Some(retries) = s.retries {
            builder = builder.retry_policy(RetryPolicy::default().max_retries(retries));
        }
        for (name, value) in &self.headers {
            builder = builder.default_header(name, value);
        }
        Ok(configure(builder).build()?)
    }

    /// A Connection continuing the saved sign-in; fails with "not signed in" without one.
    pub async fn signed_in(&self) -> CliResult<Connection> {
        let store = self.token_store();
        if !store.load_token().await? {
            return Err(Failure::not_signed_in());
        }
        let has_secret = self.settings.client_secret.is_some();
        let saved = store
            .read(|cache| SavedLogin::find(cache, self.settings.username.as_deref(), has_secret))
            .ok_or_else(Failure::not_signed_in)?;
        let client_id = self
            .settings
            .client_id
            .as_deref()
            .unwrap_or(&saved.client_id);
        let conn = self.connection(saved.flow, client_id, Some(&saved.tenant))?;
        if let Some(username) = saved.username {
            conn.set_username(Some(username));
        }
        conn.load_token_from_backend().await?;
        Ok(conn)
    }
}

/// `http://[user:password@]host:port` as a [`ProxyConfig`].
fn proxy_config(text: &str) -> CliResult<ProxyConfig> {
    let url = url::Url::parse(text).map_err(|e| Failure::usage(format!("invalid --proxy: {e}")))?;
    let host = url
        .host_str()
        .ok_or_else(|| Failure::usage("invalid --proxy: no host"))?;
    let mut proxy = ProxyConfig::new(format!("{}://{host}", url.scheme()))
        .port(url.port_or_known_default().unwrap_or(8080));
    if !url.username().is_empty() {
        proxy = proxy.credentials(url.username(), url.password().unwrap_or_default());
    }
    Ok(proxy)
}
