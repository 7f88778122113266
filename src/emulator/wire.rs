//! The emulator's own request/reply values, independent of the HTTP server library.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde_json::{Value, json};

use super::util;

/// A buffered incoming request.
#[derive(Debug)]
pub(crate) struct Req {
    pub method: Method,
    /// Percent-decoded path, without the query string.
    pub path: String,
    /// Decoded query parameters in order.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The `request-id` this request is answered with.
    pub request_id: String,
    /// When the request arrived (emulator clock, epoch seconds).
    pub now: i64,
}

impl Req {
    /// First value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Decodes an `application/x-www-form-urlencoded` body (first value per key wins on lookup).
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    /// Parses a JSON body.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The caller's `client-request-id`, or the `request-id` when it sent none.
    pub fn client_request_id(&self) -> String {
        self.header("client-request-id")
            .unwrap_or(&self.request_id)
            .to_owned()
    }

    /// The bearer token of the `Authorization` header.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    }
}

/// A response to send, or an instruction to drop the connection.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: StatusCode, value: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json; charset=utf-8".to_owned())],
            body: Bytes::from(value.to_string()),
        }
    }

    /// Raw bytes of `content_type` (a file's content).
    pub fn bytes(status: StatusCode, content_type: &str, bytes: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body: Bytes::from(bytes),
        }
    }

    /// A reply without a body.
    pub fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// A small HTML page (the identity platform's error pages).
    pub fn html(status: StatusCode, text: &str) -> Reply {
        let escaped = text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        Reply {
            status,
            headers: vec![("content-type", "text/html; charset=utf-8".to_owned())],
            body: Bytes::from(format!(
                "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><p>{escaped}</p></body></html>"
            )),
        }
    }

    /// A `302 Found` redirect.
    pub fn redirect(location: String) -> Reply {
        Reply::empty(StatusCode::FOUND).with_header("location", location)
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// A throttled reply as Graph sends it: `429 TooManyRequests` or `503 ServiceUnavailable`
    /// with `Retry-After` (the script's faults, for a request or a `$batch` step alike).
    pub fn throttled(req: &Req, status: StatusCode, retry_after: u64) -> Reply {
        let code = if status == StatusCode::TOO_MANY_REQUESTS {
            "TooManyRequests"
        } else {
            "ServiceUnavailable"
        };
        let message =
            format!("Too many requests or the service is busy. Retry after {retry_after} seconds.");
        Reply::graph_error(status, code, &message, req)
            .with_header("retry-after", retry_after.to_string())
    }

    /// A Graph error envelope: `{"error": {"code", "message", "innerError": {…}}}`.
    pub fn graph_error(status: StatusCode, code: &str, message: &str, req: &Req) -> Reply {
        let body = json!({
            "error": {
                "code": code,
                "message": message,
                "innerError": {
                    "date": util::iso(req.now),
                    "request-id": req.request_id,
                    "client-request-id": req.client_request_id(),
                }
            }
        });
        Reply::json(status, &body)
    }
}
