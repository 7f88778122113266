//! The crate's one error type: an opaque [`Error`] with queryable kinds, and the typed Graph error
//! body ([`GraphError`]) that Microsoft 365 services put in 4xx/5xx replies.
//!
//! `Display` never contains secrets: URLs are printed without their query string, and bodies are
//! cut to a short excerpt.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

mod graph;
mod oauth;
pub use graph::{GraphError, GraphErrorResponse, InnerError};
pub use oauth::OAuthError;

/// A `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong, broadly. Query it with [`Error::kind`] or the `is_*` helpers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration given to a builder is invalid (bad credentials tuple, missing tenant, …).
    Config,
    /// The caller asked for something that cannot be expressed (e.g. `$search` mixed with `$filter`).
    InvalidInput,
    /// The request could not be sent or the connection failed (DNS, refused, reset, TLS, proxy).
    Transport,
    /// The request or the connection attempt timed out.
    Timeout,
    /// The server answered with a 4xx/5xx status (see [`Error::status`] and [`Error::graph_error`]).
    Status,
    /// The server answered 401/403 and the access token is past its expiry, and it could not be
    /// refreshed (python-o365's `TokenExpiredError`).
    TokenExpired,
    /// No access token is available: an authentication flow is needed.
    NotAuthenticated,
    /// The identity platform rejected a token request (`invalid_grant`, `invalid_client`, …).
    Identity,
    /// A token store could not be read or written, or holds data that is not a token cache.
    TokenStore,
    /// A response body could not be decoded into the expected type.
    Decode,
    /// The service asked for a token with more claims (continuous access evaluation: a revoked
    /// session, a changed location, …) and none could be had without the user: sign in again
    /// interactively passing [`Error::claims_challenge`].
    ClaimsChallenge,
}

/// The crate's error. Cheap to move (one box); inspect it with the accessors.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<StatusCode>,
    url: Option<String>,
    graph: Option<GraphError>,
    excerpt: Option<String>,
    retry_after: Option<Duration>,
    oauth: Option<OAuthError>,
    claims: Option<String>,
    /// The `request-id` response header, for replies whose body carries none (gateway pages).
    request_id: Option<String>,
    source: Option<BoxError>,
}

/// Longest body excerpt kept for non-JSON error bodies.
const EXCERPT_CHARS: usize = 200;

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                url: None,
                graph: None,
                excerpt: None,
                retry_after: None,
                oauth: None,
                claims: None,
                request_id: None,
                source: None,
            }),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }

    pub(crate) fn not_authenticated(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotAuthenticated, message)
    }

    pub(crate) fn identity(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Identity, message)
    }

    pub(crate) fn token_store(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::TokenStore, message)
    }

    pub(crate) fn decode(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Decode, message)
    }

    /// An error from the HTTP transport (connect, timeout, body read).
    pub(crate) fn transport(err: reqwest::Error) -> Error {
        let kind = if err.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        let message = if kind == ErrorKind::Timeout {
            "request timed out"
        } else if err.is_connect() {
            "could not connect"
        } else if err.is_body() || err.is_decode() {
            "failed reading the response body"
        } else {
            "request failed"
        };
        let url = err.url().map(redact_url);
        let mut e = Error::new(kind, message).with_source(err.without_url());
        e.inner.url = url;
        e
    }

    /// An error built from a 4xx/5xx reply: status, Graph body (or an excerpt), Retry-After.
    pub(crate) fn from_status(
        status: StatusCode,
        url: &url::Url,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Error {
        let graph = GraphError::from_body(body);
        let excerpt = if graph.is_none() && !body.is_empty() {
            Some(excerpt(body))
        } else {
            None
        };
        let mut e = Error::from_graph(status, Some(url), graph, retry_after);
        e.inner.excerpt = excerpt;
        e
    }

    /// A `Status` error for a 4xx/5xx reply whose Graph body (if any) is already decoded.
    pub(crate) fn from_graph(
        status: StatusCode,
        url: Option<&url::Url>,
        graph: Option<GraphError>,
        retry_after: Option<Duration>,
    ) -> Error {
        let mut e = Error::new(ErrorKind::Status, "");
        e.inner.status = Some(status);
        e.inner.url = url.map(redact_url);
        e.inner.graph = graph;
        e.inner.retry_after = retry_after;
        e
    }

    /// An `Identity` error for an OAuth error reply of the identity platform.
    pub(crate) fn oauth(
        message: impl Into<String>,
        status: Option<StatusCode>,
        oauth: OAuthError,
    ) -> Error {
        let mut e = Error::identity(format!("{}: {oauth}", message.into()));
        e.inner.status = status;
        e.inner.oauth = Some(oauth);
        e
    }

    /// A copy for tasks that waited on the same operation (the source becomes its text).
    pub(crate) fn duplicate(&self) -> Error {
        let i = &self.inner;
        let mut e = Error::new(i.kind, i.message.clone());
        e.inner.status = i.status;
        e.inner.url = i.url.clone();
        e.inner.graph = i.graph.clone();
        e.inner.excerpt = i.excerpt.clone();
        e.inner.retry_after = i.retry_after;
        e.inner.oauth = i.oauth.clone();
        e.inner.claims = i.claims.clone();
        e.inner.request_id = i.request_id.clone();
        e.inner.source = i.source.as_ref().map(|s| s.to_string().into());
        e
    }

    /// A `ClaimsChallenge` error for `claims` (JSON), keeping what `cause` says (status,
    /// Graph error, OAuth error).
    pub(crate) fn for_claims(claims: &str, cause: &Error) -> Error {
        let mut e = cause.duplicate().with_kind(ErrorKind::ClaimsChallenge);
        e.inner.message = if cause.inner.message.is_empty() {
            "the service asks for a token with more claims; sign in again with them".into()
        } else {
            format!(
                "the service asks for a token with more claims; sign in again with them ({})",
                cause.inner.message
            )
        };
        e.inner.claims = Some(claims.to_string());
        e
    }

    /// The claims (JSON) a `ClaimsChallenge` asks for: pass them to an interactive sign-in.
    pub fn claims_challenge(&self) -> Option<&str> {
        self.inner.claims.as_deref()
    }

    /// Keeps the reply's `request-id` header (used when the body names no request id).
    pub(crate) fn with_request_id(mut self, id: Option<&str>) -> Error {
        self.inner.request_id = id.map(str::to_owned);
        self
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Error {
        self.inner.kind = kind;
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The broad category of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The request or connection timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// The service throttled the request (429, or 503 with `Retry-After`).
    pub fn is_throttled(&self) -> bool {
        match self.inner.status {
            Some(StatusCode::TOO_MANY_REQUESTS) => true,
            Some(StatusCode::SERVICE_UNAVAILABLE) => self.inner.retry_after.is_some(),
            _ => false,
        }
    }

    /// The server answered 401/403 with an expired token that could not be refreshed.
    pub fn is_token_expired(&self) -> bool {
        self.inner.kind == ErrorKind::TokenExpired
    }

    /// A configuration error from a builder.
    pub fn is_config(&self) -> bool {
        self.inner.kind == ErrorKind::Config
    }

    /// The HTTP status of the reply that caused this error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The Graph error body of the reply, when it had one.
    pub fn graph_error(&self) -> Option<&GraphError> {
        self.inner.graph.as_ref()
    }

    /// The wait the server asked for (`Retry-After`), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The Graph `request-id` of the failed reply, for support requests: the one in the error
    /// body, else the reply's `request-id` header (a gateway's HTML page has no body id).
    pub fn request_id(&self) -> Option<&str> {
        self.inner
            .graph
            .as_ref()
            .and_then(|g| g.inner_error.as_ref())
            .and_then(|inner| inner.request_id.as_deref())
            .or(self.inner.request_id.as_deref())
    }

    /// A short excerpt of a non-JSON error body (e.g. a gateway's HTML page).
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.excerpt.as_deref()
    }

    /// The identity platform's OAuth error (`invalid_grant`, AADSTS number, …) of an `Identity`
    /// error.
    pub fn oauth_error(&self) -> Option<&OAuthError> {
        self.inner.oauth.as_ref()
    }

    /// The URL of the failed request, without its query string.
    pub fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }
}

/// Drops query and fragment (they may carry codes or OData filters with personal data) and any
/// userinfo from a URL before it goes into an error.
fn redact_url(url: &url::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = squeezed.chars().take(EXCERPT_CHARS).collect();
    if squeezed.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        if let Some(status) = inner.status.filter(|_| inner.oauth.is_none()) {
            write!(f, "HTTP {status}")?;
            if let Some(url) = &inner.url {
                write!(f, " from {url}")?;
            }
            if let Some(graph) = &inner.graph {
                write!(f, ": {}", graph.code)?;
                if !graph.message.is_empty() {
                    write!(f, ": {}", graph.message)?;
                }
            } else if let Some(excerpt) = &inner.excerpt {
                write!(f, ": {excerpt}")?;
            }
            if inner.kind == ErrorKind::TokenExpired {
                write!(f, " (access token expired and could not be refreshed)")?;
            }
            if let Some(wait) = inner.retry_after {
                write!(f, " (retry after {}s)", wait.as_secs())?;
            }
            return Ok(());
        }
        f.write_str(&inner.message)?;
        if let Some(url) = &inner.url {
            write!(f, " ({url})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind);
        if !self.inner.message.is_empty() {
            d.field("message", &self.inner.message);
        }
        if let Some(status) = self.inner.status {
            d.field("status", &status);
        }
        if let Some(url) = &self.inner.url {
            d.field("url", url);
        }
        if let Some(graph) = &self.inner.graph {
            d.field("graph", graph);
        }
        if let Some(excerpt) = &self.inner.excerpt {
            d.field("excerpt", excerpt);
        }
        if let Some(id) = &self.inner.request_id {
            d.field("request_id", id);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests;
