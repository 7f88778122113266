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

/// Entry points for the fuzz targets in `fuzz/` and their stable corpus replay
/// (`tests/fuzz_corpus.rs`): each parser of outside data with the invariants it must keep.
/// Every function takes arbitrary bytes and must return without panicking. Not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
    use serde_json::Value;

    use crate::odata::Page;
    use crate::token::{TokenCache, TokenResponse};
    use crate::{Error, ErrorKind};

    fn url() -> url::Url {
        url::Url::parse("https://graph.microsoft.com/v1.0/me/messages?$top=5").expect("valid")
    }

    /// A token file: parse it; what parses survives a round trip unchanged.
    pub fn token_cache(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(cache) = TokenCache::from_json(text) {
            let again =
                TokenCache::from_json(&cache.to_json()).expect("a cache we wrote must read back");
            assert_eq!(
                again.to_json(),
                cache.to_json(),
                "round trip changed the cache"
            );
        }
    }

    /// A token endpoint reply (JSON), as the identity layer decodes it.
    pub fn token_response(data: &[u8]) {
        let _ = serde_json::from_slice::<TokenResponse>(data);
    }

    /// A collection page (`value`, `@odata.nextLink`, `@odata.deltaLink`, `@odata.count`)
    /// through the pipeline's JSON decoding: a page or a typed decode error.
    pub fn odata_page(data: &[u8]) {
        match super::decode_json::<Page<Value>>(data, &url()) {
            Ok(page) => {
                let _ = page.next_link.map(|l| l.len());
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Decode);
                assert!(!e.to_string().contains("$top"), "the query is not echoed");
            }
        }
    }

    /// A 4xx/5xx body (Graph's error JSON, an HTML page, anything) into the typed error, and
    /// its Display and Debug.
    pub fn error_body(data: &[u8]) {
        let status = match data.first() {
            Some(b) if b % 2 == 0 => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        let err = Error::from_status(status, &url(), data, None);
        assert_eq!(err.kind(), ErrorKind::Status);
        let _ = (err.to_string(), format!("{err:?}"), err.request_id());
        if let Some(excerpt) = err.body_excerpt() {
            assert!(excerpt.chars().count() <= 201, "excerpts stay short");
        }
    }

    /// A redirected sign-in URL (or a pasted query): the code only when the `state` matches,
    /// otherwise a typed identity error.
    pub fn redirect_query(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        match crate::identity::code_for_state(text, "st4te") {
            Ok(code) => assert!(!code.is_empty(), "an empty code is never redeemed"),
            Err(e) => assert_eq!(e.kind(), ErrorKind::Identity),
        }
    }

    /// A `Retry-After` header value (delta-seconds or an HTTP-date).
    pub fn retry_after(data: &[u8]) {
        let Ok(value) = HeaderValue::from_bytes(data) else {
            return;
        };
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value);
        let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
        if let Some(wait) = super::super::retry::parse_retry_after(&headers, now) {
            // Whatever the text, a wait is a valid duration that the clock can add.
            let _ = SystemTime::UNIX_EPOCH.checked_add(wait);
        }
    }
}
