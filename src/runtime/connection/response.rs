//! A reply that went through the pipeline.

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// A reply from the service. With `raise_http_errors(false)` it may carry a 4xx/5xx status;
/// [`Response::error_for_status`] turns that into the typed [`Error`].
#[derive(Debug)]
pub struct Response {
    inner: reqwest::Response,
}

impl Response {
    pub(crate) fn new(inner: reqwest::Response) -> Response {
        Response { inner }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The reply headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The final URL (after redirects).
    pub fn url(&self) -> &url::Url {
        self.inner.url()
    }

    /// The whole body.
    pub async fn bytes(self) -> Result<Bytes> {
        self.inner.bytes().await.map_err(Error::transport)
    }

    /// The body as text (lossy UTF-8).
    pub async fn text(self) -> Result<String> {
        self.inner.text().await.map_err(Error::transport)
    }

    /// The body decoded from JSON into `T`. An empty body decodes as JSON `null` (Graph answers
    /// some PATCH/POST calls with 204), so `Option<T>` accepts it. Malformed JSON or an HTML page
    /// gives an [`ErrorKind::Decode`](crate::ErrorKind::Decode) error with a short excerpt.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T> {
        let url = self.inner.url().clone();
        let body = self.bytes().await?;
        decode_json(&body, &url)
    }

    /// The body as a stream of chunks (downloads), without buffering it.
    pub fn bytes_stream(self) -> impl futures_util::Stream<Item = Result<Bytes>> {
        use futures_util::TryStreamExt;
        self.inner.bytes_stream().map_err(Error::transport)
    }

    /// Ok for 1xx–3xx; for 4xx/5xx the typed error (status, Graph error body, Retry-After).
    pub async fn error_for_status(self) -> Result<Response> {
        if !(self.status().is_client_error() || self.status().is_server_error()) {
            return Ok(self);
        }
        // The pipeline's clock is not at hand here: an HTTP-date is read against the system time.
        let retry_after =
            super::retry::parse_retry_after(self.headers(), std::time::SystemTime::now());
        Err(status_error(self.inner, retry_after).await)
    }

    /// The underlying `reqwest` response, for anything not covered here.
    pub fn into_inner(self) -> reqwest::Response {
        self.inner
    }
}

/// Decodes a JSON body, treating an empty body as `null`.
pub(crate) fn decode_json<T: DeserializeOwned>(body: &[u8], url: &url::Url) -> Result<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        let mut shown = url.clone();
        shown.set_query(None);
        let start = String::from_utf8_lossy(&body[..body.len().min(80)]).replace('\n', " ");
        Error::decode(format!(
            "response from {shown} is not the expected JSON ({e}); body starts with: {start}"
        ))
    })
}

/// The typed error for a 4xx/5xx reply; reads (and keeps an excerpt of) its body.
pub(crate) async fn status_error(reply: reqwest::Response, retry_after: Option<Duration>) -> Error {
    let status: StatusCode = reply.status();
    let url = reply.url().clone();
    let request_id = reply
        .headers()
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = reply.bytes().await.unwrap_or_default();
    let err =
        Error::from_status(status, &url, &body, retry_after).with_request_id(request_id.as_deref());
    if status.is_client_error() {
        tracing::warn!(%status, error = %err, "request failed");
    } else {
        tracing::debug!(%status, error = %err, "request failed");
    }
    err
}
