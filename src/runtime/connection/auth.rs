//! The pipeline's view of authentication: which bearer token to attach, and what to do when the
//! service rejects it. Token refresh (the identity flows) plugs in at [`Connection::after_rejection`].

use reqwest::StatusCode;
use secrecy::SecretString;

use super::Connection;
use crate::token::TokenCache;
use crate::{Error, Result};

/// What to do after a 401/403.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// The token was renewed; send the request again (once).
    Retry,
    /// The token is past its expiry and could not be renewed: `ErrorKind::TokenExpired`.
    Expired,
    /// Not a token problem: report the status as any other error.
    Report,
}

impl Connection {
    /// The access token of the selected account, loading the cache from the backend on first use.
    pub(crate) async fn bearer_token(&self) -> Result<SecretString> {
        let tokens = &self.inner.tokens;
        if !tokens.read(TokenCache::has_data) {
            tokens.load_token().await?;
        }
        let username = self.username();
        let token = tokens.read(|c| {
            c.get_access_token(username.as_deref())
                .map(|entry| entry.secret.clone())
        });
        token.ok_or_else(|| {
            Error::not_authenticated(format!(
                "No auth token found. Authentication flow needed for user {}",
                username.as_deref().unwrap_or("(none)")
            ))
        })
    }

    /// Decides how to handle a 401/403. Without a refresh mechanism an expired token ends the
    /// request with `TokenExpired`; a valid token means the rejection is real (e.g. missing
    /// permission) and is reported as is.
    pub(crate) async fn after_rejection(
        &self,
        _status: StatusCode,
        _refreshed: bool,
    ) -> Result<Rejection> {
        let now = self.inner.clock.system_now();
        let username = self.username();
        let expired = (self.inner.tokens).read(|c| c.token_is_expired(username.as_deref(), now));
        if expired {
            Ok(Rejection::Expired)
        } else {
            Ok(Rejection::Report)
        }
    }
}
