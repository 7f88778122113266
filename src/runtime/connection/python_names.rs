//! The names python-o365's `Connection` has, kept on [`Connection`] and shown in the docs
//! (`docs/compatibility.md` maps each): the requests in python's argument order
//! (`oauth_request`, `naive_request`), the sessions, `set_proxy`, the account (`username`,
//! `password`), and signing in (`get_authorization_url`, `request_token`, `refresh_token`,
//! `load_token_from_backend`), each forwarding to the Rust name; python's one-call helper
//! [`oauth_authentication_flow`]. Then the names earlier versions of this crate had, hidden from
//! the docs and forwarding the same way (`request_token_for_client`, `…_by_password`,
//! `…_by_device_code`, `authenticate_interactively`, `http_client`, `renew_token`, …). A file of
//! its own above the parts it names.

use std::future::Future;
use std::time::Duration;

use super::sign_in::{AuthorizationFlow, ConsentMode, DeviceCodePrompt};
use super::{Connection, ConnectionBuilder, ProxyConfig, RequestOptions, Response};
use reqwest::Method;
use secrecy::SecretString;

use crate::Result;
use crate::identity::{Authority, Cloud};
use crate::protocol::Protocol;
use crate::runtime::identity::Credentials;
use crate::token::AccountEntry;

/// python-o365's names (see `docs/compatibility.md`).
impl Connection {
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

    /// python-o365's `get_session`: the HTTP client ([`Http::client`](super::Http::client)).
    pub fn session(&self) -> reqwest::Client {
        self.http().client()
    }

    /// python-o365's `get_naive_session`: the same client (auth is never baked into it).
    pub fn naive_session(&self) -> reqwest::Client {
        self.http().client()
    }

    /// python-o365's `set_proxy`: [`Http::set_proxy`](super::Http::set_proxy).
    pub fn set_proxy(&self, proxy: Option<ProxyConfig>) -> crate::Result<()> {
        self.http().set_proxy(proxy)
    }

    /// python-o365's `username`: the selected account's user name; when none was set, the first account in the token
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

    /// Selects which cached account the Connection acts as.
    pub fn set_username(&self, username: Option<String>) {
        *self
            .inner
            .username
            .write()
            .unwrap_or_else(|p| p.into_inner()) = username;
    }

    /// python-o365's `load_token_from_backend`: [`SignIn::load_token`](crate::SignIn::load_token)
    /// (`Ok(false)` when nothing is stored; a corrupt store is an error).
    pub async fn load_token_from_backend(&self) -> Result<bool> {
        self.sign_in().load_token().await
    }

    /// python-o365's `refresh_token()`: [`SignIn::renew`](crate::SignIn::renew), answering
    /// `Ok(true)` as python answers `True`; every failure is an `Err` (python logs it and returns
    /// `False`).
    pub async fn refresh_token(&self) -> Result<bool> {
        self.sign_in().renew().await.map(|()| true)
    }

    /// python-o365's `password`: the password given for the password flow, if any.
    pub fn password(&self) -> Option<&SecretString> {
        self.inner.password.as_ref()
    }
    /// python-o365's name for [`SignIn::authorization_url`](crate::SignIn::authorization_url) (`conn.sign_in().authorization_url(…)`),
    /// which it forwards to: step one of the authorization-code flow.
    pub fn get_authorization_url(
        &self,
        scopes: &[&str],
        redirect_uri: Option<&str>,
    ) -> Result<(String, AuthorizationFlow)> {
        self.sign_in().authorization_url(scopes, redirect_uri)
    }

    /// python-o365's name for [`SignIn::request_token`](crate::SignIn::request_token) (`conn.sign_in().request_token(…)`),
    /// which it forwards to: step two of the authorization-code flow.
    pub async fn request_token(
        &self,
        redirected_url: &str,
        flow: &AuthorizationFlow,
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        self.sign_in()
            .request_token(redirected_url, flow, store_token)
            .await
    }
}

/// Names earlier versions of this crate had on the Connection, hidden from the docs; each
/// forwards to where the name lives now.
impl Connection {
    /// Kept for existing code, hidden from the docs: forwards to
    /// [`SignIn::interactively`](crate::SignIn::interactively) (`conn.sign_in().interactively(…)`).
    #[doc(hidden)]
    pub async fn authenticate_interactively(
        &self,
        scopes: &[&str],
        mode: ConsentMode,
    ) -> Result<bool> {
        self.sign_in().interactively(scopes, mode).await
    }

    /// Kept for existing code, hidden from the docs: forwards to
    /// [`SignIn::client_credentials`](crate::SignIn::client_credentials) (`conn.sign_in().client_credentials(…)`).
    #[doc(hidden)]
    pub async fn request_token_for_client(
        &self,
        scopes: Option<&[&str]>,
        store_token: bool,
    ) -> Result<()> {
        self.sign_in().client_credentials(scopes, store_token).await
    }

    /// Kept for existing code, hidden from the docs: forwards to [`SignIn::password`](crate::SignIn::password)
    /// (`conn.sign_in().password(…)`).
    #[doc(hidden)]
    pub async fn request_token_by_password(
        &self,
        scopes: &[&str],
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        self.sign_in().password(scopes, store_token).await
    }

    /// Kept for existing code, hidden from the docs: forwards to [`SignIn::device_code`](crate::SignIn::device_code)
    /// (`conn.sign_in().device_code(…)`).
    #[doc(hidden)]
    pub async fn request_token_by_device_code(
        &self,
        scopes: &[&str],
        prompt: impl FnOnce(&DeviceCodePrompt) + Send,
        cancel: impl Future<Output = ()> + Send,
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        self.sign_in()
            .device_code(scopes, prompt, cancel, store_token)
            .await
    }

    /// Hidden from the docs: [`Http::client`](super::Http::client) (`conn.http().client()`).
    #[doc(hidden)]
    pub fn http_client(&self) -> reqwest::Client {
        self.http().client()
    }

    /// Hidden from the docs: [`SignIn::renew`](crate::SignIn::renew) (`conn.sign_in().renew()`).
    #[doc(hidden)]
    pub async fn renew_token(&self) -> Result<()> {
        self.sign_in().renew().await
    }

    /// Hidden from the docs: [`SignIn::client_capabilities`](crate::SignIn::client_capabilities).
    #[doc(hidden)]
    pub fn client_capabilities(&self) -> &[String] {
        &self.inner.client_capabilities
    }

    /// Hidden from the docs: [`SignIn::store_token_after_refresh`](crate::SignIn::store_token_after_refresh).
    #[doc(hidden)]
    pub fn store_token_after_refresh(&self) -> bool {
        self.inner.store_token_after_refresh
    }

    /// Hidden from the docs: [`SignIn::cloud`](crate::SignIn::cloud).
    #[doc(hidden)]
    pub fn cloud(&self) -> Cloud {
        self.sign_in().cloud()
    }

    /// Hidden from the docs: [`SignIn::authority`](crate::SignIn::authority).
    #[doc(hidden)]
    pub fn identity_authority(&self) -> &Authority {
        &self.identity().authority
    }

    /// Hidden from the docs: [`SignIn::refresh_margin`](crate::SignIn::refresh_margin).
    #[doc(hidden)]
    pub fn refresh_margin(&self) -> Duration {
        self.sign_in().refresh_margin()
    }
}

/// python-o365's `oauth_authentication_flow`: builds a Connection for `client_id` and
/// `client_secret` (plus `configure`'s settings, e.g. the token backend and tenant) on
/// `protocol` (default Graph), runs [`SignIn::interactively`](crate::SignIn::interactively) and returns
/// whether it succeeded, with the Connection.
pub async fn oauth_authentication_flow(
    client_id: &str,
    client_secret: &str,
    scopes: &[&str],
    protocol: Option<Protocol>,
    configure: impl FnOnce(ConnectionBuilder) -> ConnectionBuilder,
    mode: ConsentMode,
) -> Result<(bool, Connection)> {
    let mut builder = Connection::builder(Credentials::client_secret(client_id, client_secret));
    if let Some(protocol) = protocol {
        builder = builder.protocol(protocol);
    }
    let connection = configure(builder).build()?;
    let ok = connection.sign_in().interactively(scopes, mode).await?;
    Ok((ok, connection))
}
