//! [`RequestBuilder`]: the raw fallback for anything the generated methods do not cover. It
//! goes through the same pipeline (auth, pacing, retries, typed errors).

use std::time::Duration;

use futures_util::future::Either;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::body::Body;
use super::pipeline::Prepared;
use super::{Connection, Response};
use crate::{Error, Result};

/// Per-call options of `oauth_request` / `naive_request` (python-o365's `**kwargs`).
#[derive(Debug, Default)]
pub struct RequestOptions {
    /// Query parameters, appended in order.
    pub params: Vec<(String, String)>,
    /// Extra headers; the Connection's defaults are merged in without changing these.
    pub headers: HeaderMap,
    /// The body.
    pub body: Body,
    /// Overrides the Connection's request timeout for this call.
    pub timeout: Option<Duration>,
}

/// A request being assembled; finish it with [`RequestBuilder::send`].
#[must_use]
#[derive(Debug)]
pub struct RequestBuilder {
    connection: Connection,
    request: Result<Prepared>,
}

impl RequestBuilder {
    pub(super) fn new(
        connection: Connection,
        method: Method,
        url: &str,
        authenticated: bool,
    ) -> Self {
        let request = connection.resolve_url(url).map(|url| Prepared {
            method,
            url,
            headers: HeaderMap::new(),
            body: Body::empty(),
            timeout: None,
            authenticated,
        });
        RequestBuilder {
            connection,
            request,
        }
    }

    fn with(mut self, f: impl FnOnce(&mut Prepared) -> Result<()>) -> Self {
        Prepared::amend(&mut self.request, f);
        self
    }

    /// Adds a header.
    pub fn header(self, name: &str, value: &str) -> Self {
        self.with(|r| r.append_header(name, value))
    }

    /// Adds several headers.
    pub fn headers(self, headers: HeaderMap) -> Self {
        self.with(|r| {
            r.headers.extend(headers);
            Ok(())
        })
    }

    /// Appends query parameters (anything serializable as pairs, e.g. `&[("$top", "5")]` or the
    /// output of an OData query).
    pub fn query<Q: Serialize + ?Sized>(self, query: &Q) -> Self {
        self.with(|r| {
            let encoded = query_pairs(query)?;
            if !encoded.is_empty() {
                r.url.query_pairs_mut().extend_pairs(encoded);
            }
            Ok(())
        })
    }

    /// Sends `value` as a JSON body.
    pub fn json<T: Serialize + ?Sized>(self, value: &T) -> Self {
        self.body(Body::json(value))
    }

    /// Sets the body (text and bytes are sent as they are).
    pub fn body(self, body: impl Into<Body>) -> Self {
        self.with(|r| {
            r.body = body.into();
            Ok(())
        })
    }

    /// Overrides the request timeout for this call.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|r| {
            r.timeout = Some(timeout);
            Ok(())
        })
    }

    /// Sends the request through the pipeline.
    pub fn send(self) -> impl Future<Output = Result<Response>> + Send + 'static {
        match self.request {
            Ok(request) => Either::Left(self.connection.execute_owned(request)),
            Err(error) => Either::Right(std::future::ready(Err(error))),
        }
    }

    /// Sends the request and decodes the JSON reply into `T`.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        self.send().await?.json().await
    }

    /// The request as the pipeline would send it (for `$batch` steps).
    pub(crate) fn into_prepared(self) -> Result<Prepared> {
        self.request
    }

    pub(super) fn options(self, options: RequestOptions) -> Self {
        let RequestOptions {
            params,
            headers,
            body,
            timeout,
        } = options;
        let builder = self.query(&params).headers(headers).body(body);
        match timeout {
            Some(t) => builder.timeout(t),
            None => builder,
        }
    }
}

/// Flattens a serializable query into string pairs via a JSON round trip: a sequence of pairs
/// or a map of scalars.
pub(crate) fn query_pairs<Q: Serialize + ?Sized>(query: &Q) -> Result<Vec<(String, String)>> {
    use serde_json::Value;
    let scalar = |v: Value| match v {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let bad =
        || Error::invalid_input("query parameters must be name/value pairs or a map of scalars");
    let value = serde_json::to_value(query).map_err(|_| bad())?;
    let mut pairs = Vec::new();
    match value {
        Value::Array(items) => {
            for item in items {
                let Value::Array(mut kv) = item else {
                    return Err(bad());
                };
                if kv.len() != 2 {
                    return Err(bad());
                }
                let v = kv.pop().ok_or_else(bad)?;
                let Some(Value::String(k)) = kv.pop() else {
                    return Err(bad());
                };
                pairs.extend(scalar(v).map(|v| (k, v)));
            }
        }
        Value::Object(map) => pairs.extend(
            map.into_iter()
                .filter_map(|(k, v)| scalar(v).map(|v| (k, v))),
        ),
        Value::Null => {}
        _ => return Err(bad()),
    }
    Ok(pairs)
}
