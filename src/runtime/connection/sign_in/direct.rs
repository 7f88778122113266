//! The direct grants behind [`SignIn`], where the application asks the token endpoint itself:
//! client credentials (app-only) and the resource-owner password (ROPC).

use super::SignIn;
use super::grant::Grant;
use crate::runtime::connection::AuthFlowType;
use crate::token::AccountEntry;
use crate::{Error, Result};

impl SignIn<'_> {
    /// Client credentials (app-only), with the secret or certificate of the credentials.
    /// `scopes` default to the protocol's `…/.default`; they are remembered so the pipeline can
    /// renew the token with the same request.
    pub async fn client_credentials(
        &self,
        scopes: Option<&[&str]>,
        store_token: bool,
    ) -> Result<()> {
        let conn = self.conn;
        if conn.auth_flow() != AuthFlowType::Credentials {
            return Err(Error::invalid_input(format!(
                "client credentials need the \"credentials\" auth flow, not \"{}\"",
                conn.auth_flow()
            )));
        }
        let scopes = conn.app_scopes(scopes);
        *conn
            .identity()
            .app_scopes
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(scopes.clone());
        conn.client_credentials_grant(scopes, store_token).await
    }

    /// Resource-owner password (ROPC) with the Connection's username and password; the tenant
    /// must be set. Accounts with MFA cannot use it (AADSTS50076).
    pub async fn password(
        &self,
        scopes: &[&str],
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        let conn = self.conn;
        if conn.auth_flow() != AuthFlowType::Password {
            return Err(Error::invalid_input(format!(
                "the password grant needs the \"password\" auth flow, not \"{}\"",
                conn.auth_flow()
            )));
        }
        let (Some(username), Some(password)) = (conn.username(), conn.password().cloned()) else {
            return Err(Error::config(
                "the password flow needs a username and a password on the Connection",
            ));
        };
        let scopes = conn.delegated_scopes(scopes)?;
        let anchor = format!("upn:{username}");
        let grant = Grant::new("password", scopes.clone())
            .field("username", username.as_str())
            .field("password", &password)
            .with_scope()
            .anchor(Some(anchor));
        let response = conn.redeem(grant).await?;
        conn.store_token_response(&response, "password", &scopes, store_token)
            .await
    }
}
