//! Connections built from the settings: one for signing in with a chosen flow, and one for calls
//! that continues the saved sign-in (its client, tenant and flow are read from the token cache).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use o365::identity::{ManagedIdentity, ManagedIdentitySource, SYSTEM_ASSIGNED_ID};
use o365::protocol::Protocol;
use o365::token::{AccountSelector, FileTokenBackend, TokenCache, TokenStore};
use o365::{AuthFlowType, Connection, ConnectionBuilder, Credentials, ProxyConfig, RetryPolicy};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

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

/// How an app-only sign-in without a client secret gets its tokens. The token cache cannot tell
/// it from a client-credentials sign-in, so `login` writes it beside the cache (`<token
/// file>.login`, no secret in it) and later commands continue with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flow", rename_all = "kebab-case")]
pub enum AppLogin {
    /// A managed identity: the system-assigned one, or a user-assigned one by client id.
    Managed {
        /// The user-assigned identity's client id.
        client_id: Option<String>,
    },
    /// Workload identity federation.
    Federated {
        /// The application (client) id.
        client_id: String,
        /// The federated token file.
        token_file: PathBuf,
    },
}

impl AppLogin {
    /// The client id its tokens are cached under.
    pub fn cache_id(&self) -> &str {
        match self {
            AppLogin::Managed { client_id } => client_id.as_deref().unwrap_or(SYSTEM_ASSIGNED_ID),
            AppLogin::Federated { client_id, .. } => client_id,
        }
    }

    /// `managed` or `federated`, as `login --flow` names it.
    pub fn name(&self) -> &'static str {
        match self {
            AppLogin::Managed { .. } => "managed",
            AppLogin::Federated { .. } => "federated",
        }
    }
}

/// A variable of the environment, when set and not blank.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The managed identity the environment describes, as the Azure SDKs read it: App Service when
/// `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set, else IMDS (at
/// `AZURE_POD_IDENTITY_AUTHORITY_HOST` when that is set).
pub fn managed_identity(client_id: Option<&str>) -> ManagedIdentity {
    let identity = ManagedIdentity::from_vars(client_id, env_var);
    match (
        identity.source(),
        env_var("AZURE_POD_IDENTITY_AUTHORITY_HOST"),
    ) {
        (ManagedIdentitySource::Imds { .. }, Some(host)) => identity.imds_endpoint(format!(
            "{}/metadata/identity/oauth2/token",
            host.trim_end_matches('/')
        )),
        _ => identity,
    }
}

/// The library's flow for a command line name.
pub fn auth_flow(flow: FlowName) -> AuthFlowType {
    match flow {
        FlowName::Device => AuthFlowType::DeviceCode,
        FlowName::Authorization => AuthFlowType::Authorization,
        FlowName::Public => AuthFlowType::Public,
        FlowName::Credentials | FlowName::Managed | FlowName::Federated => {
            AuthFlowType::Credentials
        }
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
        self.connection_for(credentials, flow, tenant, configure)
    }

    /// A Connection with these `credentials` and the settings (cloud, token file, hosts, proxy,
    /// retries, headers).
    pub fn connection_for(
        &self,
        credentials: Credentials,
        flow: AuthFlowType,
        tenant: Option<&str>,
        configure: impl FnOnce(ConnectionBuilder) -> ConnectionBuilder,
    ) -> CliResult<Connection> {
        let s = &self.settings;
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
        let app_login = self
            .app_login()
            .filter(|login| saved.username.is_none() && login.cache_id() == saved.client_id);
        let conn = match app_login {
            Some(login) => self.app_connection(&login, Some(&saved.tenant))?,
            None => {
                let client_id = self
                    .settings
                    .client_id
                    .as_deref()
                    .unwrap_or(&saved.client_id);
                self.connection(saved.flow, client_id, Some(&saved.tenant))?
            }
        };
        if let Some(username) = saved.username {
            conn.set_username(Some(username));
        }
        conn.load_token_from_backend().await?;
        Ok(conn)
    }
}

impl Session {
    /// Where the [`AppLogin`] of the token file is kept.
    pub fn login_path(&self) -> PathBuf {
        login_path(&self.settings.token_path)
    }

    /// The saved [`AppLogin`], if the last sign-in was one (an unreadable file counts as none).
    pub fn app_login(&self) -> Option<AppLogin> {
        let text = std::fs::read_to_string(self.login_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Saves `login` beside the token file, or removes what was saved (`None`).
    pub fn save_app_login(&self, login: Option<&AppLogin>) -> CliResult {
        let path = self.login_path();
        match login {
            Some(login) => {
                let text = serde_json::to_string_pretty(login).map_err(|e| {
                    Failure::usage(format!("cannot encode the sign-in settings: {e}"))
                })?;
                std::fs::write(&path, text + "\n")
                    .map_err(|e| Failure::io(&format!("cannot write {}", path.display()), e))
            }
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(Failure::io(&format!("cannot remove {}", path.display()), e))
                }
                _ => Ok(()),
            },
        }
    }

    /// A Connection signing in as `login` says: a managed identity from the environment, or the
    /// federated token file (`AZURE_FEDERATED_TOKEN_FILE` wins over the saved path).
    pub fn app_connection(&self, login: &AppLogin, tenant: Option<&str>) -> CliResult<Connection> {
        let credentials = match login {
            AppLogin::Managed { client_id } => {
                Credentials::managed_identity(managed_identity(client_id.as_deref()))
            }
            AppLogin::Federated {
                client_id,
                token_file,
            } => Credentials::federated_token(
                client_id,
                env_var("AZURE_FEDERATED_TOKEN_FILE")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| token_file.clone()),
            ),
        };
        self.connection_for(credentials, AuthFlowType::Credentials, tenant, |b| b)
    }
}

/// `<token file>.login`.
fn login_path(token_path: &Path) -> PathBuf {
    let mut name = token_path.file_name().unwrap_or_default().to_os_string();
    name.push(".login");
    token_path.with_file_name(name)
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
