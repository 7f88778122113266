//! The authorization-code flow with PKCE (python-o365's `get_authorization_url` and
//! `request_token`), and the direct grants: client credentials and password.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::OAuthError;
use super::grant::Grant;
use super::random::{pkce_challenge, sha256_hex, urlsafe_token};
use crate::runtime::connection::{AuthFlowType, Connection};
use crate::token::AccountEntry;
use crate::{Error, Result};

/// python-o365's default redirect URI (the "native client" page).
pub const DEFAULT_REDIRECT_URI: &str =
    "https://login.microsoftonline.com/common/oauth2/nativeclient";

/// What the second step of an authorization-code sign-in needs from the first: keep it between
/// [`Connection::get_authorization_url`] and [`Connection::request_token`] (a web app stores it
/// in the user's session; it serializes with MSAL's field names). It holds the PKCE verifier:
/// treat it as a secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationFlow {
    /// The anti-forgery `state` sent (22 urlsafe characters).
    pub state: String,
    /// The redirect URI the code is sent to.
    pub redirect_uri: String,
    /// Every scope asked for, reserved ones included.
    pub scope: Vec<String>,
    /// The authorization URL to visit.
    pub auth_uri: String,
    /// The PKCE code verifier (43 urlsafe characters).
    pub code_verifier: String,
    /// The raw nonce; the URL and the id token carry its SHA-256 (hex), as MSAL does.
    pub nonce: String,
    /// A claims challenge, if one was asked for.
    #[serde(default)]
    pub claims_challenge: Option<String>,
}

impl fmt::Debug for AuthorizationFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationFlow")
            .field("state", &self.state)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("code_verifier", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Step one of the authorization-code flow: the URL to send the user to, and the flow to keep
    /// for [`Connection::request_token`]. `scopes` are permission or helper names, expanded and
    /// prefixed by the protocol; `offline_access openid profile` are added. `redirect_uri`
    /// defaults to [`DEFAULT_REDIRECT_URI`]. Only for the authorization and public flows.
    ///
    /// python-o365's name; also [`SignIn::authorization_url`](crate::identity::SignIn::authorization_url).
    pub fn get_authorization_url(
        &self,
        scopes: &[&str],
        redirect_uri: Option<&str>,
    ) -> Result<(String, AuthorizationFlow)> {
        if !matches!(
            self.auth_flow(),
            AuthFlowType::Authorization | AuthFlowType::Public
        ) {
            return Err(Error::invalid_input(format!(
                "get_authorization_url is only valid for the \"authorization\" and \"public\" \
                 auth flows, not \"{}\"",
                self.auth_flow()
            )));
        }
        let scope = self.delegated_scopes(scopes)?;
        let redirect_uri = redirect_uri.unwrap_or(DEFAULT_REDIRECT_URI).to_owned();
        let (state, code_verifier, nonce) =
            (urlsafe_token(16), urlsafe_token(32), urlsafe_token(16));
        let mut url = url::Url::parse(&self.authority().authorize_endpoint())
            .map_err(|e| Error::config(format!("invalid authorize endpoint: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", self.credentials().id())
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", &scope.join(" "))
            .append_pair("state", &state)
            .append_pair("code_challenge", &pkce_challenge(&code_verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("nonce", &sha256_hex(&nonce))
            .append_pair("client_info", "1");
        let flow = AuthorizationFlow {
            state,
            redirect_uri,
            scope,
            auth_uri: url.to_string(),
            code_verifier,
            nonce,
            claims_challenge: None,
        };
        Ok((flow.auth_uri.clone(), flow))
    }

    /// Step two: redeems the code in `redirected_url` (the whole URL the browser was sent to, or
    /// just its query) with the PKCE verifier, checks `state` and the id token's nonce, stores the
    /// tokens (and saves them when `store_token`), and selects the signed-in account.
    ///
    /// python-o365's name; also [`SignIn::request_token`](crate::identity::SignIn::request_token).
    pub async fn request_token(
        &self,
        redirected_url: &str,
        flow: &AuthorizationFlow,
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        let params = redirect_params(redirected_url);
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(code) = param("error") {
            let oauth = OAuthError {
                code: code.to_owned(),
                description: param("error_description").map(str::to_owned),
                ..OAuthError::default()
            };
            return Err(Error::oauth("the sign-in was not completed", None, oauth));
        }
        if param("state") != Some(flow.state.as_str()) {
            let found = match param("state") {
                None => "is missing",
                Some(_) => "differs from the one this sign-in sent",
            };
            return Err(Error::identity(format!(
                "state mismatch: the redirected URL's state {found}; \
                 the URL may have been pasted wrong (cut off, or from another attempt), or it \
                 was forged. Nothing was redeemed"
            )));
        }
        let code = param("code").ok_or_else(|| {
            Error::identity(
                "the redirected URL has no authorization code; it may have been pasted wrong",
            )
        })?;
        let grant = Grant::new("authorization_code", flow.scope.clone())
            .field("code_verifier", flow.code_verifier.as_str())
            .field("code", code)
            .field("redirect_uri", flow.redirect_uri.as_str())
            .with_scope();
        let response = self.redeem(grant).await?;
        let claims = response.id_token_claims()?;
        if response.id_token.is_some() {
            let expected = sha256_hex(&flow.nonce);
            if claims.get("nonce").and_then(|n| n.as_str()) != Some(expected.as_str()) {
                return Err(Error::identity(
                    "nonce mismatch: the id token was not issued for this sign-in (replayed or \
                     mixed up with another attempt); nothing was stored",
                ));
            }
        }
        self.store_token_response(&response, "authorization_code", &flow.scope, store_token)
            .await
    }

    /// Client credentials (app-only), with the secret or certificate of the credentials.
    /// `scopes` default to the protocol's `…/.default`; they are remembered so the pipeline can
    /// renew the token with the same request.
    ///
    /// Hidden from the docs: the same as [`SignIn::client_credentials`](crate::identity::SignIn::client_credentials) (`conn.sign_in().client_credentials(…)`).
    #[doc(hidden)]
    pub async fn request_token_for_client(
        &self,
        scopes: Option<&[&str]>,
        store_token: bool,
    ) -> Result<()> {
        if self.auth_flow() != AuthFlowType::Credentials {
            return Err(Error::invalid_input(format!(
                "client credentials need the \"credentials\" auth flow, not \"{}\"",
                self.auth_flow()
            )));
        }
        let scopes = self.app_scopes(scopes);
        *self
            .identity()
            .app_scopes
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(scopes.clone());
        self.client_credentials_grant(scopes, store_token).await
    }

    pub(crate) async fn client_credentials_grant(
        &self,
        scopes: Vec<String>,
        store_token: bool,
    ) -> Result<()> {
        if let crate::Credentials::ManagedIdentity(identity) = self.credentials() {
            return self
                .managed_identity_grant(identity, scopes, store_token)
                .await;
        }
        let grant = Grant::new("client_credentials", scopes.clone()).with_scope();
        let response = self.redeem(grant).await?;
        self.store_token_response(&response, "client_credentials", &scopes, store_token)
            .await
            .map(drop)
    }

    /// Resource-owner password (ROPC) with the Connection's username and password; the tenant
    /// must be set. Accounts with MFA cannot use it (AADSTS50076).
    ///
    /// Hidden from the docs: the same as [`SignIn::password`](crate::identity::SignIn::password) (`conn.sign_in().password(…)`).
    #[doc(hidden)]
    pub async fn request_token_by_password(
        &self,
        scopes: &[&str],
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        if self.auth_flow() != AuthFlowType::Password {
            return Err(Error::invalid_input(format!(
                "the password grant needs the \"password\" auth flow, not \"{}\"",
                self.auth_flow()
            )));
        }
        let (Some(username), Some(password)) = (self.username(), self.password().cloned()) else {
            return Err(Error::config(
                "the password flow needs a username and a password on the Connection",
            ));
        };
        let scopes = self.delegated_scopes(scopes)?;
        let anchor = format!("upn:{username}");
        let grant = Grant::new("password", scopes.clone())
            .field("username", username.as_str())
            .field("password", &password)
            .with_scope()
            .anchor(Some(anchor));
        let response = self.redeem(grant).await?;
        self.store_token_response(&response, "password", &scopes, store_token)
            .await
    }
}

/// The query parameters of a redirected URL (or of a bare query string); first value wins.
fn redirect_params(redirected: &str) -> Vec<(String, String)> {
    let trimmed = redirected.trim();
    let query = match url::Url::parse(trimmed) {
        Ok(url) => url.query().unwrap_or_default().to_owned(),
        Err(_) => trimmed.trim_start_matches('?').to_owned(),
    };
    let mut params: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if !params.iter().any(|(seen, _)| *seen == k) {
            params.push((k.into_owned(), v.into_owned()));
        }
    }
    params
}
