//! The bridge between progenitor-generated clients and the pipeline. Generated methods build a
//! `reqwest::Request`; [`Connection::prepare_generated`] adapts it to Microsoft 365 conventions and
//! [`Connection::exec_generated`] sends it through [`Connection::run`] (auth, pacing, retries),
//! then shapes the reply so the generated decoder always sees JSON.

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{ResponseBuilderExt, StatusCode};

use super::Connection;
use super::body::Body;
use super::pipeline::{Finished, Prepared};
use super::retry::parse_retry_after;
use crate::{Error, ErrorKind};

/// Longest service text kept when a non-JSON error body is wrapped in a Graph error.
const MESSAGE_CHARS: usize = 512;

impl Connection {
    /// Adapts a generated request: drops progenitor's `api-version` header and joins repeated
    /// OData system query options (`$select=a&$select=b` becomes `$select=a,b`).
    pub fn prepare_generated(&self, req: &mut reqwest::Request) {
        req.headers_mut().remove("api-version");
        coalesce_system_query(req.url_mut());
    }

    /// Sends a generated request through the pipeline. 4xx/5xx replies come back as replies
    /// whose body is always a Graph error envelope; failures that are not transport errors
    /// (no token, invalid input) become a synthesized 401/400 reply with a Graph error body.
    pub async fn exec_generated(
        &self,
        mut req: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let accepts_json = req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        let body = match req.body_mut().take() {
            None => Body::empty(),
            Some(body) => match body.as_bytes() {
                Some(data) => Body::bytes(Bytes::copy_from_slice(data)),
                None => Body::stream(body),
            },
        };
        let url = req.url().clone();
        let prepared = Prepared {
            method: req.method().clone(),
            url: url.clone(),
            headers: std::mem::take(req.headers_mut()),
            body,
            timeout: req.timeout().copied(),
            authenticated: true,
        };
        match self.run(prepared).await {
            Ok(Finished {
                reply,
                token_expired,
            }) => {
                let mut reply = normalise_reply(reply, accepts_json).await?;
                if token_expired {
                    mark_kind(reply.headers_mut(), ErrorKind::TokenExpired);
                }
                self.retry_after_in_seconds(reply.headers_mut());
                Ok(reply)
            }
            Err(err) => match err.into_reqwest() {
                Ok(transport) => Err(transport),
                Err(err) => Ok(synthesized_reply(&err, url)),
            },
        }
    }

    /// Rewrites an HTTP-date `Retry-After` as delta-seconds on this Connection's clock, so the
    /// wait can be read later without a clock (see the `From` conversion to [`Error`]).
    fn retry_after_in_seconds(&self, headers: &mut reqwest::header::HeaderMap) {
        let is_date = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().parse::<f64>().is_err());
        if !is_date {
            return;
        }
        match parse_retry_after(headers, self.inner.clock.system_now()) {
            Some(wait) => {
                headers.insert(RETRY_AFTER, HeaderValue::from(wait.as_secs()));
            }
            None => {
                headers.remove(RETRY_AFTER);
            }
        }
    }
}

/// Response header naming the [`ErrorKind`] of a reply the runtime synthesized or classified
/// (a request that never left, or a 401 for an expired, unrefreshable token).
const KIND_HEADER: &str = "x-o365-error-kind";

/// The kinds carried in [`KIND_HEADER`], with their header values.
const MARKED_KINDS: [(ErrorKind, &str); 6] = [
    (ErrorKind::NotAuthenticated, "notAuthenticated"),
    (ErrorKind::TokenExpired, "tokenExpired"),
    (ErrorKind::Identity, "identity"),
    (ErrorKind::TokenStore, "tokenStore"),
    (ErrorKind::Config, "config"),
    (ErrorKind::InvalidInput, "invalidInput"),
];

fn mark_kind(headers: &mut reqwest::header::HeaderMap, kind: ErrorKind) {
    let value = MARKED_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("invalidInput", |(_, v)| v);
    headers.insert(KIND_HEADER, HeaderValue::from_static(value));
}

#[cfg(feature = "codegen")]
fn marked_kind(headers: &reqwest::header::HeaderMap) -> Option<ErrorKind> {
    let value = headers.get(KIND_HEADER)?.to_str().ok()?;
    MARKED_KINDS
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(k, _)| *k)
}

/// `Retry-After` as delta-seconds (generated replies carry no HTTP-dates, see
/// `Connection::retry_after_in_seconds`).
#[cfg(feature = "codegen")]
fn retry_after_secs(headers: &reqwest::header::HeaderMap) -> Option<std::time::Duration> {
    let secs: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| std::time::Duration::from_secs_f64(secs))
}

/// Lets `?` turn a generated call's error into the crate's [`Error`]: 4xx/5xx replies keep their
/// status, Graph body and `Retry-After`; transport failures become `Transport`/`Timeout`;
/// undecodable bodies `Decode`; replies the runtime synthesized their original kind.
#[cfg(feature = "codegen")]
impl From<progenitor_client::Error<crate::GraphErrorResponse>> for Error {
    fn from(err: progenitor_client::Error<crate::GraphErrorResponse>) -> Error {
        use progenitor_client::Error as Generated;
        match err {
            Generated::ErrorResponse(reply) => {
                let (status, kind) = (reply.status(), marked_kind(reply.headers()));
                let retry_after = retry_after_secs(reply.headers());
                let graph = reply.into_inner().error;
                match kind {
                    Some(ErrorKind::TokenExpired) | None => {
                        Error::from_graph(status, None, Some(graph), retry_after)
                            .with_kind(kind.unwrap_or(ErrorKind::Status))
                    }
                    Some(kind) => Error::invalid_input(graph.message).with_kind(kind),
                }
            }
            Generated::UnexpectedResponse(reply) => {
                let retry_after = retry_after_secs(reply.headers());
                Error::from_graph(reply.status(), Some(reply.url()), None, retry_after)
            }
            Generated::CommunicationError(e)
            | Generated::InvalidUpgrade(e)
            | Generated::ResponseBodyError(e) => Error::transport(e),
            Generated::InvalidResponsePayload(_, e) => {
                Error::decode(format!("cannot decode the reply: {e}")).with_source(e)
            }
            Generated::InvalidRequest(message) | Generated::Custom(message) => {
                Error::invalid_input(message)
            }
        }
    }
}

/// Implements `progenitor_client::ClientHooks<Connection>` for a generated `Client`, so every
/// generated call goes through [`Connection::prepare_generated`] and
/// [`Connection::exec_generated`]. Exported (hidden) for crates that compile generated modules
/// against o365, such as `o365-codegen check`; the calling crate must depend on
/// `progenitor-client`.
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_client_hooks {
    ($client:path) => {
        impl ::progenitor_client::ClientHooks<$crate::Connection> for $client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                ::progenitor_client::ClientInfo::inner(self).prepare_generated(request);
                Ok(())
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                ::progenitor_client::ClientInfo::inner(self)
                    .exec_generated(request)
                    .await
            }
        }
    };
}

/// Joins repeated `$`-prefixed query keys into one comma-separated value, keeping the position
/// of the first occurrence; leaves the URL untouched when nothing repeats.
fn coalesce_system_query(url: &mut url::Url) {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut repeated = false;
    for (key, value) in url.query_pairs() {
        let earlier = key
            .starts_with('$')
            .then(|| pairs.iter_mut().find(|(k, _)| *k == key))
            .flatten();
        match earlier {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(&value);
                repeated = true;
            }
            None => pairs.push((key.into_owned(), value.into_owned())),
        }
    }
    if repeated {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
}

/// Makes empty JSON success bodies `null` and non-JSON error bodies a Graph error envelope.
async fn normalise_reply(
    reply: reqwest::Response,
    accepts_json: bool,
) -> reqwest::Result<reqwest::Response> {
    let status = reply.status();
    if status.is_success() {
        if !accepts_json || reply.content_length().is_some_and(|len| len > 0) {
            return Ok(reply);
        }
        let (head, body) = split(reply).await?;
        if !body.iter().all(u8::is_ascii_whitespace) {
            return Ok(rebuild(head, body, false));
        }
        return Ok(rebuild(head, Bytes::from_static(b"null"), true));
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(reply);
    }
    let (head, body) = split(reply).await?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok() {
        return Ok(rebuild(head, body, false));
    }
    let text = String::from_utf8_lossy(&body);
    let message: String = text.trim().chars().take(MESSAGE_CHARS).collect();
    let envelope = error_envelope(&format!("http{}", status.as_u16()), &message);
    Ok(rebuild(head, envelope, true))
}

/// A reply for a request that never reached the service: 401 when authentication is needed,
/// 400 otherwise, with the error's (secret-free) message in a Graph error body.
fn synthesized_reply(err: &Error, url: url::Url) -> reqwest::Response {
    let (status, code) = match err.kind() {
        ErrorKind::NotAuthenticated | ErrorKind::TokenExpired | ErrorKind::Identity => {
            (StatusCode::UNAUTHORIZED, "notAuthenticated")
        }
        ErrorKind::TokenStore => (StatusCode::UNAUTHORIZED, "tokenStore"),
        ErrorKind::Config => (StatusCode::BAD_REQUEST, "config"),
        _ => (StatusCode::BAD_REQUEST, "invalidRequest"),
    };
    let head = http::Response::builder()
        .status(status)
        .url(url)
        .body(())
        .map(|r| r.into_parts().0)
        .unwrap_or_else(|_| http::Response::new(()).into_parts().0);
    let mut reply = rebuild(head, error_envelope(code, &err.to_string()), true);
    mark_kind(reply.headers_mut(), err.kind());
    reply
}

/// `{"error":{"code":…,"message":…}}`.
fn error_envelope(code: &str, message: &str) -> Bytes {
    let envelope = serde_json::json!({"error": {"code": code, "message": message}});
    Bytes::from(envelope.to_string())
}

/// Reads the whole reply: its head (status, headers, URL) and body.
async fn split(reply: reqwest::Response) -> reqwest::Result<(http::response::Parts, Bytes)> {
    let url = reply.url().clone();
    let mut builder = http::Response::builder()
        .status(reply.status())
        .version(reply.version())
        .url(url);
    if let Some(headers) = builder.headers_mut() {
        *headers = reply.headers().clone();
    }
    let body = reply.bytes().await?;
    let head = builder
        .body(())
        .map(|r| r.into_parts().0)
        .unwrap_or_else(|_| http::Response::new(()).into_parts().0);
    Ok((head, body))
}

/// A reply with `body`; `json` marks a body this module wrote (sets its content type).
fn rebuild(mut head: http::response::Parts, body: Bytes, json: bool) -> reqwest::Response {
    head.headers.remove(CONTENT_LENGTH);
    head.headers.remove(reqwest::header::CONTENT_ENCODING);
    head.headers.remove(reqwest::header::TRANSFER_ENCODING);
    if json {
        head.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if let Ok(len) = HeaderValue::try_from(body.len().to_string()) {
        head.headers.insert(CONTENT_LENGTH, len);
    }
    reqwest::Response::from(http::Response::from_parts(head, body))
}

#[cfg(test)]
mod tests {
    use super::coalesce_system_query;

    fn coalesced(query: &str) -> String {
        let mut url = url::Url::parse(&format!("https://graph.test/v1.0/me?{query}")).unwrap();
        coalesce_system_query(&mut url);
        url.query().unwrap_or_default().to_string()
    }

    #[test]
    fn repeated_system_options_are_joined_in_order() {
        assert_eq!(
            coalesced("%24select=id&%24top=5&%24select=subject&%24select=from"),
            "%24select=id%2Csubject%2Cfrom&%24top=5"
        );
    }

    #[test]
    fn other_keys_and_single_options_are_untouched() {
        assert_eq!(coalesced("a=1&a=2&%24top=5"), "a=1&a=2&%24top=5");
        assert_eq!(coalesced("$select=id"), "$select=id");
    }
}
