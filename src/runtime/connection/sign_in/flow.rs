//! What the authorization-code flow keeps between its two steps ([`AuthorizationFlow`]), and the
//! client-credentials grant that [`SignIn::client_credentials`](super::SignIn::client_credentials)
//! and the pipeline's renewal share. The flows themselves are on [`SignIn`](super::SignIn).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::grant::Grant;
use crate::Result;
use crate::runtime::connection::Connection;

/// python-o365's default redirect URI (the "native client" page).
pub const DEFAULT_REDIRECT_URI: &str =
    "https://login.microsoftonline.com/common/oauth2/nativeclient";

/// What the second step of an authorization-code sign-in needs from the first: keep it between
/// [`SignIn::authorization_url`](super::SignIn::authorization_url) and
/// [`SignIn::request_token`](super::SignIn::request_token) (a web app stores it
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
}
