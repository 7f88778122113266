//! [`SignIn`]: every way a [`Connection`] gets, renews or loads its tokens, in one place
//! (`conn.sign_in().…`), so that the Connection itself keeps a small core.
//!
//! The flows live beside this file, each on `SignIn`: the authorization-code flow in
//! `authorization.rs`, the direct grants (client credentials, password) in `direct.rs`, the
//! device code in `device.rs`, the interactive sign-in in `interactive.rs`.
//!
//! The names existing code calls on [`Connection`] stay there and forward to `SignIn` (the end
//! of this file): python-o365's (`get_authorization_url`, `request_token`, plus `refresh_token`
//! and `load_token_from_backend`), shown in the docs; and the flows python does not have as
//! methods (`request_token_for_client`, `…_by_password`, `…_by_device_code`,
//! `authenticate_interactively`), hidden from the docs.

use std::future::Future;
use std::time::Duration;

use super::{Authority, AuthorizationFlow, Cloud, ConsentMode, DeviceCodePrompt};
use crate::Result;
use crate::runtime::connection::Connection;
use crate::token::AccountEntry;

/// The sign-in part of a [`Connection`] (from [`Connection::sign_in`]).
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'c> {
    pub(super) conn: &'c Connection,
}

impl Connection {
    /// Sign-in: the OAuth flows, renewing the token, loading it from the backend, and the
    /// identity-platform settings.
    pub fn sign_in(&self) -> SignIn<'_> {
        SignIn { conn: self }
    }
}

impl SignIn<'_> {
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

/// The sign-in names existing code calls on the Connection; each forwards to [`SignIn`].
impl Connection {
    /// python-o365's name for [`SignIn::authorization_url`] (`conn.sign_in().authorization_url(…)`),
    /// which it forwards to: step one of the authorization-code flow.
    pub fn get_authorization_url(
        &self,
        scopes: &[&str],
        redirect_uri: Option<&str>,
    ) -> Result<(String, AuthorizationFlow)> {
        self.sign_in().authorization_url(scopes, redirect_uri)
    }

    /// python-o365's name for [`SignIn::request_token`] (`conn.sign_in().request_token(…)`),
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

    /// Kept for existing code, hidden from the docs: forwards to
    /// [`SignIn::interactively`] (`conn.sign_in().interactively(…)`).
    #[doc(hidden)]
    pub async fn authenticate_interactively(
        &self,
        scopes: &[&str],
        mode: ConsentMode,
    ) -> Result<bool> {
        self.sign_in().interactively(scopes, mode).await
    }

    /// Kept for existing code, hidden from the docs: forwards to
    /// [`SignIn::client_credentials`] (`conn.sign_in().client_credentials(…)`).
    #[doc(hidden)]
    pub async fn request_token_for_client(
        &self,
        scopes: Option<&[&str]>,
        store_token: bool,
    ) -> Result<()> {
        self.sign_in().client_credentials(scopes, store_token).await
    }

    /// Kept for existing code, hidden from the docs: forwards to [`SignIn::password`]
    /// (`conn.sign_in().password(…)`).
    #[doc(hidden)]
    pub async fn request_token_by_password(
        &self,
        scopes: &[&str],
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        self.sign_in().password(scopes, store_token).await
    }

    /// Kept for existing code, hidden from the docs: forwards to [`SignIn::device_code`]
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
}
