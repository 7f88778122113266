//! The one request pipeline. Raw calls, `oauth_request`, `naive_request` and the generated
//! endpoint methods all end in [`Connection::execute`]: default headers, auth, pacing, the
//! retry loop, and typed errors.

use std::ops::ControlFlow;
use std::time::Duration;

use futures_util::future::Either;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};

use super::body::{Body, BodyKind};
use super::headers::merge_defaults;
use super::response::{Response, status_error};
use super::retry::{Outcome, parse_retry_after};
use super::sign_in::BearerToken;
use super::{Connection, auth::Rejection};
use crate::{Error, ErrorKind, Result};

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
    pub(crate) fn execute(
        &self,
        req: Prepared,
    ) -> impl Future<Output = Result<Response>> + Send + use<> {
        self.clone().execute_owned(req)
    }

    /// [`execute`](Self::execute) on a Connection the caller gives up (builders own one).
    ///
    /// The whole request is one state machine ([`run_attempts`](Self::run_attempts)): no
    /// `async` layer wraps it, since every layer would copy the future it awaits once more.
    ///
    /// Runs in an `o365.request` span (`method`, `host`, `path` without the query, and, filled
    /// in as it goes, `attempt`, `status`, `request_id`, `throttle_wait_ms`, `retry_wait_ms`);
    /// no field ever holds a header value, a body or a query.
    pub(crate) fn execute_owned(
        self,
        req: Prepared,
    ) -> impl Future<Output = Result<Response>> + Send + use<> {
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
            return Either::Left(self.run_attempts(req, span));
        }
        let attempts = self.run_attempts(req, span.clone());
        Either::Right(Box::pin(tracing::Instrument::instrument(attempts, span)))
    }

    /// The final reply of an unsuccessful request as the caller sees it: the reply itself (when
    /// the Connection does not raise HTTP errors) or the typed error, carrying Graph's message,
    /// `Retry-After` and a claims challenge.
    /// `token_expired`: the reply rejects an expired token that could not be renewed.
    async fn finish(&self, reply: reqwest::Response, token_expired: bool) -> Result<Response> {
        let status = reply.status();
        if !is_error(status) {
            return Ok(Response::new(reply));
        }
        if token_expired {
            let err = status_error(reply, None).await;
            return Err(err.with_kind(ErrorKind::TokenExpired));
        }
        if !self.inner.raise_http_errors {
            return Ok(Response::new(reply));
        }
        let retry_after = parse_retry_after(reply.headers(), self.inner.clock.system_now());
        let claims = match status.as_u16() {
            401 => super::sign_in::claims_challenge(reply.headers()),
            _ => None,
        };
        let err = status_error(reply, retry_after).await;
        Err(match claims {
            // Challenged again after a token with the claims: only the user can go on.
            Some(claims) => Error::for_claims(&claims, &err),
            None => err,
        })
    }

    /// The retry loop: auth, pacing, attempts and waits, then the final reply or typed error.
    /// Transport failures that are not retried become errors.
    async fn run_attempts(self, mut req: Prepared, span: tracing::Span) -> Result<Response> {
        if let BodyKind::Invalid(reason) = &req.body.kind {
            return Err(Error::invalid_input(format!(
                "the request body could not be encoded as JSON: {reason}"
            )));
        }
        let inner = &self.inner;
        let clock = &*inner.clock;
        let mut tally = Tally::default();
        loop {
            // The common cases (a remembered token, nothing to wait for) need no `await`; the
            // others are boxed so that every request's future stays small.
            let token = match (req.authenticated, self.hot_bearer()) {
                (false, _) => None,
                (true, Some(token)) => Some(token),
                (true, None) => Some(Box::pin(self.bearer_token()).await?),
            };
            let throttled = match inner.pacer.is_idle() {
                true => Duration::ZERO,
                false => Box::pin(inner.pacer.pace(&req.url, clock)).await,
            };
            let attempt = self.attempt(&mut req, token.as_ref().map(|t| &t.bearer.header))?;
            if !span.is_disabled() {
                record_attempt(&span, &tally, throttled);
            }
            // (The client is used under the transport's read lock, not cloned.)
            let pending = self.transport_lock().1.execute(attempt);
            let sent = pending.await;
            if let (Ok(reply), false) = (&sent, span.is_disabled()) {
                record_reply(&span, reply);
            }
            let sent = match sent {
                Ok(reply) if !is_error(reply.status()) => return Ok(Response::new(reply)),
                other => other,
            };
            // Everything else is the rare path, boxed so that every request's future stays small.
            match Box::pin(self.after_failure(&req, sent, token.as_ref(), &mut tally)).await {
                ControlFlow::Break(result) => return result,
                ControlFlow::Continue(()) => {}
            }
        }
    }

    /// An attempt that failed (an error status or a transport error): renews the token after a
    /// rejection, records a throttle window, and either gives the final reply or error
    /// (`Break`), or waits before the next attempt (`Continue`).
    async fn after_failure(
        &self,
        req: &Prepared,
        sent: reqwest::Result<reqwest::Response>,
        token: Option<&BearerToken>,
        tally: &mut Tally,
    ) -> ControlFlow<Result<Response>> {
        let (outcome, reply) = match sent {
            Ok(mut reply) => {
                if req.authenticated && matches!(reply.status().as_u16(), 401 | 403) {
                    reply = match self.after_auth_failure(req, reply, token, tally).await {
                        Ok(reply) => reply,
                        Err(decided) => return decided,
                    };
                }
                (self.status_outcome(req, &reply), Ok(reply))
            }
            Err(err) if err.is_timeout() => (Outcome::Timeout, Err(err)),
            Err(err) => (Outcome::Connection, Err(err)),
        };
        self.retry_or_finish(req, outcome, reply, tally).await
    }

    /// A 401 or 403 on an authenticated request: renews the token when the rejection calls for
    /// it and decides (`Err`: send again, or the final reply), or gives the reply back (`Ok`)
    /// for the retry policy to judge.
    async fn after_auth_failure(
        &self,
        req: &Prepared,
        reply: reqwest::Response,
        token: Option<&BearerToken>,
        tally: &mut Tally,
    ) -> std::result::Result<reqwest::Response, ControlFlow<Result<Response>>> {
        let status = reply.status();
        let (reply, body) = super::auth::buffer(reply).await;
        let rejection = self
            .after_rejection(status, reply.headers(), &body, token, tally.refreshed)
            .await;
        let last = match rejection {
            Err(err) => Err(err),
            // The token is renewed either way; a one-shot body cannot be sent again, so the
            // caller gets the 401 (token-expired kind) and the next request carries the new
            // token.
            Ok(Rejection::Retry) if !req.body.is_replayable() => self.finish(reply, true).await,
            Ok(Rejection::Retry) => {
                tally.refreshed = true;
                return Err(ControlFlow::Continue(()));
            }
            Ok(Rejection::Expired) => self.finish(reply, true).await,
            Ok(Rejection::Report) => return Ok(reply),
        };
        Err(ControlFlow::Break(last))
    }

    /// What an error status means to the retry policy; a 429 or 503 with a `Retry-After` the
    /// policy would wait for also closes the URL's throttle window that long.
    fn status_outcome(&self, req: &Prepared, reply: &reqwest::Response) -> Outcome {
        let (inner, status) = (&self.inner, reply.status());
        let clock = &*inner.clock;
        let retry_after = parse_retry_after(reply.headers(), clock.system_now());
        if let (Some(pause), 429 | 503) = (retry_after, status.as_u16())
            && inner.retry.waits_for(pause)
        {
            inner.pacer.throttle(&req.url, clock.now() + pause);
        }
        Outcome::Status {
            status,
            retry_after,
        }
    }

    /// Waits and tries again (`Continue`) when the retry policy says so, else gives the final
    /// reply or transport error (`Break`).
    async fn retry_or_finish(
        &self,
        req: &Prepared,
        outcome: Outcome,
        reply: reqwest::Result<reqwest::Response>,
        tally: &mut Tally,
    ) -> ControlFlow<Result<Response>> {
        let inner = &self.inner;
        let replayable = req.body.is_replayable();
        let wait = inner.retry.next_wait(
            outcome,
            &req.method,
            replayable,
            tally.retries,
            tally.waited,
        );
        match (wait, reply) {
            (None, Ok(reply)) => ControlFlow::Break(self.finish(reply, false).await),
            (None, Err(err)) => ControlFlow::Break(Err(Error::transport(err))),
            (Some(wait), reply) => {
                tracing::debug!(?outcome, ?wait, "retrying");
                if let Ok(reply) = reply {
                    let _ = reply.bytes().await;
                }
                tally.retries += 1;
                tally.waited += wait;
                inner.clock.sleep_until(inner.clock.now() + wait).await;
                ControlFlow::Continue(())
            }
        }
    }

    /// Builds one attempt: merged headers, content type, bearer token, body, timeout.
    fn attempt(
        &self,
        req: &mut Prepared,
        bearer: Option<&HeaderValue>,
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
        if let Some(bearer) = bearer {
            headers.insert(AUTHORIZATION, bearer.clone());
        }
        let mut attempt = reqwest::Request::new(req.method.clone(), req.url.clone());
        *attempt.headers_mut() = headers;
        *attempt.body_mut() = body;
        *attempt.timeout_mut() = Some(req.timeout.unwrap_or(self.inner.timeouts.request));
        Ok(attempt)
    }
}

/// A 4xx or 5xx status.
fn is_error(status: reqwest::StatusCode) -> bool {
    status.is_client_error() || status.is_server_error()
}

/// What the retry loop has done so far.
#[derive(Default)]
struct Tally {
    /// Retries after an error status or a transport failure.
    retries: u32,
    /// Their waits, in total.
    waited: Duration,
    /// Whether the token was renewed after a rejection (at most once).
    refreshed: bool,
}

/// The span fields known before an attempt: its number (1-based, retries and the renewal
/// retry counted), and the waits so far.
fn record_attempt(span: &tracing::Span, tally: &Tally, throttled: Duration) {
    span.record("attempt", tally.retries + 1 + u32::from(tally.refreshed));
    if !throttled.is_zero() {
        span.record("throttle_wait_ms", throttled.as_millis() as u64);
    }
    if !tally.waited.is_zero() {
        span.record("retry_wait_ms", tally.waited.as_millis() as u64);
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
