//! [`SignIn`]: every way a [`Connection`] gets, renews or loads its tokens, in one place
//! (`conn.sign_in().…`), so that the Connection itself keeps a small core.
//!
//! The flows live beside this file, each on `SignIn`: the authorization-code flow in
//! `authorization.rs`, the direct grants (client credentials, password) in `direct.rs`, the
//! device code in `device.rs`, the interactive sign-in in `interactive.rs`.
//!
//! The names existing code calls on [`Connection`] stay there and forward to `SignIn`
//! (`python_names.rs`): python-o365's (`get_authorization_url`, `request_token`, plus `refresh_token`
//! and `load_token_from_backend`), shown in the docs; and the flows python does not have as
//! methods (`request_token_for_client`, `…_by_password`, `…_by_device_code`,
//! `authenticate_interactively`), hidden from the docs.

use std::time::Duration;

use super::{Authority, Cloud};
use crate::Result;
use crate::runtime::connection::Connection;

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
