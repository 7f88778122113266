//! The pipeline's view of authentication: which bearer token to attach (renewed first when due,
//! see [`crate::identity`]), and what to do when the service rejects it.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::Connection;
use super::sign_in::BearerToken;
use crate::Result;

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

/// Graph error codes and messages that mean "the token is bad", sent with 403 by some services.
const TOKEN_ERROR_CODES: [&str; 3] = [
    "InvalidAuthenticationToken",
    "TokenExpired",
    "ExpiredAuthenticationToken",
];
const TOKEN_ERROR_MESSAGES: [&str; 4] = [
    "No authorization information present",
    "Access token has expired",
    "Lifetime validation failed",
    "Access token validation failure",
];

/// Whether a 403 body says the token (not the permission) is the problem.
fn is_token_error(body: &[u8]) -> bool {
    crate::GraphError::from_body(body).is_some_and(|e| {
        TOKEN_ERROR_CODES.contains(&e.code.as_str())
            || TOKEN_ERROR_MESSAGES.iter().any(|m| e.message.contains(m))
    })
}

impl Connection {
    /// Decides how to handle a 401/403 whose body is `body`, for a request sent with `sent`.
    /// A 401, a token-error 403 or an expired token is renewed once (single-flight; tasks that
    /// sent the same token share the renewal) and the request retried; after that retry, or when
    /// no renewal is possible, an expired token gives `Expired` and anything else `Report`.
    ///
    /// A 401 with a claims challenge (continuous access evaluation) gets a token carrying the
    /// claims and one retry, or the claims-challenge error when only the user can give them.
    pub(crate) async fn after_rejection(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &Bytes,
        sent: Option<&BearerToken>,
        refreshed: bool,
    ) -> Result<Rejection> {
        let now = self.clock().system_now();
        let username = self.username();
        if status == StatusCode::UNAUTHORIZED
            && let Some(claims) = super::sign_in::claims_challenge(headers)
        {
            if refreshed {
                return Ok(Rejection::Report);
            }
            self.renew_for_claims(&claims, username.as_deref()).await?;
            return Ok(Rejection::Retry);
        }
        let expired = self
            .token_store()
            .read(|c| c.token_is_expired(username.as_deref(), now));
        let settled = if expired {
            Rejection::Expired
        } else {
            Rejection::Report
        };
        let token_problem = status == StatusCode::UNAUTHORIZED || expired || is_token_error(body);
        if refreshed || !token_problem || !self.can_refresh(username.as_deref()) {
            return Ok(settled);
        }
        let (stale, epoch) = match sent {
            Some(token) => (Some(&token.bearer.secret), token.epoch),
            None => (None, self.identity().epoch()),
        };
        self.refresh_single_flight(stale, epoch, username.as_deref(), true)
            .await?;
        Ok(Rejection::Retry)
    }
}

/// Reads a reply's body and rebuilds an equivalent reply around it, so a 401/403 body can be
/// inspected and still be returned or turned into an error.
pub(crate) async fn buffer(reply: reqwest::Response) -> (reqwest::Response, Bytes) {
    let status = reply.status();
    let version = reply.version();
    let url = reply.url().clone();
    let headers = reply.headers().clone();
    let body = reply.bytes().await.unwrap_or_default();
    use reqwest::ResponseBuilderExt;
    let mut builder = http::Response::builder()
        .status(status)
        .version(version)
        .url(url);
    if let Some(h) = builder.headers_mut() {
        *h = headers;
    }
    let rebuilt = builder
        .body(body.clone())
        .expect("status, version and headers come from a valid reply");
    (reqwest::Response::from(rebuilt), body)
}
