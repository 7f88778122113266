//! The one request pipeline. Raw calls, `oauth_request`, `naive_request` and the generated
//! endpoint methods all end in [`Connection::execute`]: default headers, auth, pacing, the
//! retry loop, and typed errors.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use super::body::{Body, BodyKind};
use super::headers::merge_defaults;
use super::response::{Response, status_error};
use super::retry::{Outcome, parse_retry_after};
use super::{Connection, auth::Rejection};
use crate::{Error, ErrorKind, Result};

/// The pipeline's final reply, and whether it is a rejection of an expired, unrefreshable token.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) reply: reqwest::Response,
    pub(crate) token_expired: bool,
}

impl Finished {
    fn new(reply: reqwest::Response, token_expired: bool) -> Finished {
        Finished {
            reply,
            token_expired,
        }
    }
}

/// A request as the pipeline sees it, before it is turned into an attempt.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    pub(crate) url: url::Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) timeout: Option<Duration>,
    pub(crate) authenticated: bool,
}

impl Prepared {
    /// Applies a change to a request being built; the first failure replaces the request, so
    /// builders can defer errors to `send` (shared by the raw and the typed builders).
    pub(crate) fn amend(
        request: &mut Result<Prepared>,
        f: impl FnOnce(&mut Prepared) -> Result<()>,
    ) {
        if let Ok(prepared) = request
            && let Err(e) = f(prepared)
        {
            *request = Err(e);
        }
    }

    /// Appends a header given as text; a name or value that is not valid HTTP is an
    /// invalid-input error (the value is never echoed: it may be a secret).
    pub(crate) fn append_header(&mut self, name: &str, value: &str) -> Result<()> {
        let name = reqwest::header::HeaderName::try_from(name)
            .map_err(|_| Error::invalid_input(format!("invalid header name {name:?}")))?;
        let value = HeaderValue::try_from(value)
            .map_err(|_| Error::invalid_input(format!("invalid value for header {name}")))?;
        self.headers.append(name, value);
        Ok(())
    }
}

impl Connection {
    /// Sends `req` through the pipeline and returns the final reply (or the typed error).
    pub(crate) async fn execute(&self, req: Prepared) -> Result<Response> {
        let Finished {
            reply,
            token_expired,
        } = self.run(req).await?;
        let status = reply.status();
        if !(status.is_client_error() || status.is_server_error()) {
            return Ok(Response::new(reply));
        }
        if token_expired {
            let err = Box::pin(status_error(reply, None)).await;
            return Err(err.with_kind(ErrorKind::TokenExpired));
        }
        if !self.inner.raise_http_errors {
            return Ok(Response::new(reply));
        }
        let retry_after = parse_retry_after(reply.headers(), self.inner.clock.system_now());
        let claims = match status.as_u16() {
            401 => crate::identity::claims_challenge(reply.headers()),
            _ => None,
        };
        let err = Box::pin(status_error(reply, retry_after)).await;
        Err(match claims {
            // Challenged again after a token with the claims: only the user can go on.
            Some(claims) => Error::for_claims(&claims, &err),
            None => err,
        })
    }

    /// The retry loop: auth, pacing, attempts and waits. Returns the final reply whatever its
    /// status; transport failures that are not retried become errors.
    ///
    /// Runs in an `o365.request` span (`method`, `host`, `path` without the query, and, filled
    /// in as it goes, `attempt`, `status`, `request_id`, `throttle_wait_ms`, `retry_wait_ms`);
    /// no field ever holds a header value, a body or a query.
    pub(crate) async fn run(&self, req: Prepared) -> Result<Finished> {
        let span = tracing::info_span!(
            "o365.request",
            method = %req.method,
            host = req.url.host_str().unwrap_or_default(),
            path = req.url.path(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            throttle_wait_ms = tracing::field::Empty,
            retry_wait_ms = tracing::field::Empty,
        );
        if span.is_disabled() {
            // No subscriber wants it: no span to enter and leave on every poll.
            return self.run_attempts(req, span).await;
        }
        let attempts = Box::pin(self.run_attempts(req, span.clone()));
        tracing::Instrument::instrument(attempts, span).await
    }

    async fn run_attempts(&self, mut req: Prepared, span: tracing::Span) -> Result<Finished> {
        if let BodyKind::Invalid(reason) = &req.body.kind {
            return Err(Error::invalid_input(format!(
                "the request body could not be encoded as JSON: {reason}"
            )));
        }
        let inner = &self.inner;
        let clock = &*inner.clock;
        let replayable = req.body.is_replayable();
        let (mut retries, mut waited, mut refreshed) = (0u32, Duration::ZERO, false);
        loop {
            let token = match req.authenticated {
                true => Some(self.bearer_token().await?),
                false => None,
            };
            let attempt = self.attempt(&mut req, token.as_ref().map(|t| &t.secret))?;
            let throttled = inner.pacer.wait_throttle(&req.url, clock).await;
            inner.pacer.wait_turn(clock).await;
            if !span.is_disabled() {
                record_attempt(&span, retries, refreshed, throttled, waited);
            }
            let (outcome, reply) = match self.http_client().execute(attempt).await {
                Ok(mut reply) => {
                    let status = reply.status();
                    if !span.is_disabled() {
                        record_reply(&span, &reply);
                    }
                    if !(status.is_client_error() || status.is_server_error()) {
                        return Ok(Finished::new(reply, false));
                    }
                    if req.authenticated && matches!(status.as_u16(), 401 | 403) {
                        // Rare path, boxed so that every request's future stays small.
                        let (buffered, body) = Box::pin(super::auth::buffer(reply)).await;
                        reply = buffered;
                        let rejection = self.after_rejection(
                            status,
                            reply.headers(),
                            &body,
                            token.as_ref(),
                            refreshed,
                        );
                        match Box::pin(rejection).await? {
                            // The token is renewed either way; a one-shot body cannot be
                            // sent again, so the caller gets the 401 (token-expired kind) and
                            // the next request carries the new token.
                            Rejection::Retry if !replayable => {
                                return Ok(Finished::new(reply, true));
                            }
                            Rejection::Retry => {
                                refreshed = true;
                                continue;
                            }
                            Rejection::Expired => return Ok(Finished::new(reply, true)),
                            Rejection::Report => {}
                        }
                    }
                    let retry_after = parse_retry_after(reply.headers(), clock.system_now());
                    if let (Some(pause), 429 | 503) = (retry_after, status.as_u16())
                        && inner.retry.waits_for(pause)
                    {
                        inner.pacer.throttle(&req.url, clock.now() + pause);
                    }
                    let outcome = Outcome::Status {
                        status,
                        retry_after,
                    };
                    (outcome, Ok(reply))
                }
                Err(err) if err.is_timeout() => (Outcome::Timeout, Err(err)),
                Err(err) => (Outcome::Connection, Err(err)),
            };
            let wait = inner
                .retry
                .next_wait(outcome, &req.method, replayable, retries, waited);
            match (wait, reply) {
                (None, Ok(reply)) => return Ok(Finished::new(reply, false)),
                (None, Err(err)) => return Err(Error::transport(err)),
                (Some(wait), reply) => {
                    tracing::debug!(?outcome, ?wait, "retrying");
                    if let Ok(reply) = reply {
                        let _ = Box::pin(reply.bytes()).await;
                    }
                    (retries, waited) = (retries + 1, waited + wait);
                    clock.sleep_until(clock.now() + wait).await;
                }
            }
        }
    }

    /// Builds one attempt: merged headers, content type, bearer token, body, timeout.
    fn attempt(
        &self,
        req: &mut Prepared,
        token: Option<&SecretString>,
    ) -> Result<reqwest::Request> {
        let mut headers = merge_defaults(&req.headers, &self.inner.default_headers);
        let body = match &mut req.body.kind {
            BodyKind::Empty | BodyKind::Invalid(_) => None,
            BodyKind::Bytes { data, content_type } => {
                if !headers.contains_key(CONTENT_TYPE) {
                    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                }
                Some(reqwest::Body::from(data.clone()))
            }
            BodyKind::Stream(stream) => Some(stream.take().ok_or_else(|| {
                Error::invalid_input("a streamed request body can be sent only once")
            })?),
        };
        if let Some(token) = token {
            let secret = token.expose_secret();
            let mut bearer = String::with_capacity("Bearer ".len() + secret.len());
            bearer.push_str("Bearer ");
            bearer.push_str(secret);
            let mut value = HeaderValue::try_from(bearer).map_err(|_| {
                Error::not_authenticated("the stored access token is not a valid header value")
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let mut attempt = reqwest::Request::new(req.method.clone(), req.url.clone());
        *attempt.headers_mut() = headers;
        *attempt.body_mut() = body;
        *attempt.timeout_mut() = Some(req.timeout.unwrap_or(self.inner.timeouts.request));
        Ok(attempt)
    }
}

/// The span fields known before an attempt: its number (1-based, retries and the renewal
/// retry counted), and the waits so far.
fn record_attempt(
    span: &tracing::Span,
    retries: u32,
    refreshed: bool,
    throttled: Duration,
    waited: Duration,
) {
    span.record("attempt", retries + 1 + u32::from(refreshed));
    if !throttled.is_zero() {
        span.record("throttle_wait_ms", throttled.as_millis() as u64);
    }
    if !waited.is_zero() {
        span.record("retry_wait_ms", waited.as_millis() as u64);
    }
}

/// The span fields of a reply: status and the service's request id.
fn record_reply(span: &tracing::Span, reply: &reqwest::Response) {
    span.record("status", reply.status().as_u16());
    if let Some(id) = ["request-id", "x-ms-request-id", "client-request-id"]
        .iter()
        .find_map(|name| reply.headers().get(*name)?.to_str().ok())
    {
        span.record("request_id", id);
    }
}
