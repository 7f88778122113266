//! The authorization-code flow with PKCE, behind [`SignIn`]: step one builds the URL the user
//! visits ([`SignIn::authorization_url`]), step two redeems the code of the redirect
//! ([`SignIn::request_token`]).

use super::OAuthError;
use super::SignIn;
use super::flow::{AuthorizationFlow, DEFAULT_REDIRECT_URI};
use super::grant::Grant;
use super::random::{pkce_challenge, sha256_hex, urlsafe_token};
use crate::runtime::connection::AuthFlowType;
use crate::token::AccountEntry;
use crate::{Error, Result};

impl SignIn<'_> {
    /// Step one of the authorization-code flow: the URL to send the user to, and the flow to keep
    /// for [`SignIn::request_token`]. `scopes` are permission or helper names, expanded and
    /// prefixed by the protocol; `offline_access openid profile` are added. `redirect_uri`
    /// defaults to [`DEFAULT_REDIRECT_URI`]. Only for the authorization and public flows.
    ///
    /// python-o365: `Connection.get_authorization_url` (also on [`Connection`](crate::Connection)).
    pub fn authorization_url(
        &self,
        scopes: &[&str],
        redirect_uri: Option<&str>,
    ) -> Result<(String, AuthorizationFlow)> {
        self.authorization_url_with_claims(scopes, redirect_uri, None)
    }

    /// [`authorization_url`](Self::authorization_url) answering a claims challenge: `claims` is
    /// the JSON of [`Error::claims_challenge`] (an `ErrorKind::ClaimsChallenge` error that needs
    /// the user). It goes into the URL as the `claims` parameter, with the Connection's client
    /// capabilities (`cp1`) merged into `access_token.xms_cc` as on token requests (the
    /// capabilities alone are sent without a challenge too), and the flow keeps it for the code
    /// redemption, which sends it again. Claims that are not a JSON object are refused.
    pub fn authorization_url_with_claims(
        &self,
        scopes: &[&str],
        redirect_uri: Option<&str>,
        claims: Option<&str>,
    ) -> Result<(String, AuthorizationFlow)> {
        let conn = self.conn;
        if let Some(claims) = claims
            && !serde_json::from_str::<serde_json::Value>(claims).is_ok_and(|v| v.is_object())
        {
            return Err(Error::invalid_input(
                "the claims of a claims challenge must be a JSON object",
            ));
        }
        if !matches!(
            conn.auth_flow(),
            AuthFlowType::Authorization | AuthFlowType::Public
        ) {
            return Err(Error::invalid_input(format!(
                "get_authorization_url is only valid for the \"authorization\" and \"public\" \
                 auth flows, not \"{}\"",
                conn.auth_flow()
            )));
        }
        let scope = conn.delegated_scopes(scopes)?;
        let redirect_uri = redirect_uri.unwrap_or(DEFAULT_REDIRECT_URI).to_owned();
        let (state, code_verifier, nonce) =
            (urlsafe_token(16), urlsafe_token(32), urlsafe_token(16));
        let mut url = url::Url::parse(&conn.authority().authorize_endpoint())
            .map_err(|e| Error::config(format!("invalid authorize endpoint: {e}")))?;
        url.query_pairs_mut()
            .append_pair("client_id", conn.credentials().id())
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", &scope.join(" "))
            .append_pair("state", &state)
            .append_pair("code_challenge", &pkce_challenge(&code_verifier))
            .append_pair("code_challenge_method", "S256")
            .append_pair("nonce", &sha256_hex(&nonce))
            .append_pair("client_info", "1");
        if let Some(claims) = super::claims::claims_parameter(conn.client_capabilities(), claims) {
            url.query_pairs_mut().append_pair("claims", &claims);
        }
        let flow = AuthorizationFlow {
            state,
            redirect_uri,
            scope,
            auth_uri: url.to_string(),
            code_verifier,
            nonce,
            claims_challenge: claims.map(str::to_owned),
        };
        Ok((flow.auth_uri.clone(), flow))
    }

    /// Step two: redeems the code in `redirected_url` (the whole URL the browser was sent to, or
    /// just its query) with the PKCE verifier, checks `state` and the id token's nonce, stores the
    /// tokens (and saves them when `store_token`), and selects the signed-in account. The
    /// flow's claims challenge, if any, is sent again as `claims` (with the capabilities).
    ///
    /// python-o365: `Connection.request_token` (also on [`Connection`](crate::Connection)).
    pub async fn request_token(
        &self,
        redirected_url: &str,
        flow: &AuthorizationFlow,
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        let code = redirected_code(redirected_url, flow)?;
        let grant = Grant::new("authorization_code", flow.scope.clone())
            .field("code_verifier", flow.code_verifier.as_str())
            .field("code", code.as_str())
            .field("redirect_uri", flow.redirect_uri.as_str())
            .with_scope()
            .claims(flow.claims_challenge.as_deref());
        let response = self.conn.redeem(grant).await?;
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
        self.conn
            .store_token_response(&response, "authorization_code", &flow.scope, store_token)
            .await
    }
}

/// The authorization code of a redirected URL, after its `error` and `state` are checked.
fn redirected_code(redirected_url: &str, flow: &AuthorizationFlow) -> Result<String> {
    code_for_state(redirected_url, &flow.state)
}

/// [`redirected_code`] against the `state` this sign-in sent.
pub(crate) fn code_for_state(redirected_url: &str, state: &str) -> Result<String> {
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
    if param("state") != Some(state) {
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
    // `?code&state=…` (a code with no value) is no code either.
    param("code")
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::identity(
                "the redirected URL has no authorization code; it may have been pasted wrong",
            )
        })
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
