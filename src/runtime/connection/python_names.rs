//! The sign-in names existing code calls on [`Connection`], each a one-line forward to
//! [`SignIn`](crate::SignIn): python-o365's (`get_authorization_url`, `request_token`), shown in the docs, and
//! the flows python does not have as methods (`request_token_for_client`, `…_by_password`,
//! `…_by_device_code`, `authenticate_interactively`), hidden from the docs; and python's one-call
//! helper [`oauth_authentication_flow`]. A file of its own above the flows and the builder,
//! which it names.

use std::future::Future;

use super::sign_in::{AuthorizationFlow, ConsentMode, DeviceCodePrompt};
use super::{Connection, ConnectionBuilder};
use crate::Result;
use crate::protocol::Protocol;
use crate::runtime::identity::Credentials;
use crate::token::AccountEntry;

/// The sign-in names existing code calls on the Connection; each forwards to [`SignIn`](crate::SignIn).
impl Connection {
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
