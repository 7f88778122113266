//! [`SignIn`]: every way a [`Connection`] gets, renews or loads its tokens, in one place
//! (`conn.sign_in().…`), so that the Connection itself keeps a small core.
//!
//! python-o365's names stay on [`Connection`] (`get_authorization_url`, `request_token`,
//! `refresh_token`, `load_token_from_backend`); the flows python does not have as separate
//! methods (`request_token_for_client`, `…_by_password`, `…_by_device_code`,
//! `authenticate_interactively`) are kept there too, hidden from the docs, for existing code.

use std::future::Future;
use std::time::Duration;

use super::{Authority, AuthorizationFlow, Cloud, ConsentMode, DeviceCodePrompt};
use crate::Result;
use crate::runtime::connection::Connection;
use crate::token::AccountEntry;

/// The sign-in part of a [`Connection`] (from [`Connection::sign_in`]).
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'c> {
    conn: &'c Connection,
}

impl Connection {
    /// Sign-in: the OAuth flows, renewing the token, loading it from the backend, and the
    /// identity-platform settings.
    pub fn sign_in(&self) -> SignIn<'_> {
        SignIn { conn: self }
    }
}

impl SignIn<'_> {
    /// Step one of the authorization-code flow: the URL to send the user to, and the flow to keep
    /// for [`SignIn::request_token`] (python-o365: `Connection.get_authorization_url`).
    pub fn authorization_url(
        &self,
        scopes: &[&str],
        redirect_uri: Option<&str>,
    ) -> Result<(String, AuthorizationFlow)> {
        self.conn.get_authorization_url(scopes, redirect_uri)
    }

    /// Step two of the authorization-code flow: redeems the code in `redirected_url`
    /// (python-o365: `Connection.request_token`).
    pub async fn request_token(
        &self,
        redirected_url: &str,
        flow: &AuthorizationFlow,
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        self.conn
            .request_token(redirected_url, flow, store_token)
            .await
    }

    /// Both steps with the user, pasted or on a loopback redirect; `false` when the user aborted
    /// or the sign-in failed (python-o365: `oauth_authentication_flow`'s core).
    pub async fn interactively(&self, scopes: &[&str], mode: ConsentMode) -> Result<bool> {
        self.conn.authenticate_interactively(scopes, mode).await
    }

    /// Client credentials (app-only), with the secret or certificate of the credentials;
    /// `scopes` default to the protocol's `…/.default`.
    pub async fn client_credentials(
        &self,
        scopes: Option<&[&str]>,
        store_token: bool,
    ) -> Result<()> {
        self.conn
            .request_token_for_client(scopes, store_token)
            .await
    }

    /// Resource-owner password (ROPC) with the Connection's username and password.
    pub async fn password(
        &self,
        scopes: &[&str],
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        self.conn
            .request_token_by_password(scopes, store_token)
            .await
    }

    /// Device code: hands the code to `prompt`, then polls until the user finishes, the code
    /// expires, or `cancel` completes.
    pub async fn device_code(
        &self,
        scopes: &[&str],
        prompt: impl FnOnce(&DeviceCodePrompt) + Send,
        cancel: impl Future<Output = ()> + Send,
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        self.conn
            .request_token_by_device_code(scopes, prompt, cancel, store_token)
            .await
    }

    /// Renews the selected account's token now (python-o365: `Connection.refresh_token`).
    pub async fn renew(&self) -> Result<()> {
        self.conn.renew_token().await
    }

    /// Loads the token cache from the backend; `Ok(false)` when nothing is stored
    /// (python-o365: `Connection.load_token_from_backend`).
    pub async fn load_token(&self) -> Result<bool> {
        self.conn.load_token_from_backend().await
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
