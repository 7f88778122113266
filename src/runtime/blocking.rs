//! A blocking API (feature `blocking`) for scripts and programs without an async runtime, in the
//! way `reqwest::blocking` offers one: [`Connection`] owns a small tokio runtime and runs the
//! same async [`crate::Connection`] (pipeline, token cache, backends, typed calls) on it.
//!
//! ```no_run
//! # fn example() -> o365::Result<()> {
//! use o365::{AuthFlowType, Credentials};
//! let conn = o365::Connection::builder(Credentials::client_secret("id", "secret"))
//!     .auth_flow(AuthFlowType::Credentials)
//!     .tenant_id("contoso.onmicrosoft.com")
//!     .build()?;
//! let conn = o365::blocking::Connection::new(conn)?;
//! let me: serde_json::Value = conn.get("users/adele@contoso.com", &())?.json()?;
//! for message in conn.items::<serde_json::Value, _>("users/adele@contoso.com/messages", &(), Some(50))? {
//!     println!("{}", message?["subject"]);
//! }
//! // Anything async, e.g. a typed request or a batch:
//! let count = conn.block_on(async { conn.as_async().batch().len() })?;
//! # let _ = (me, count); Ok(()) }
//! ```
//!
//! Calling it from inside an async runtime is an error (`ErrorKind::Config`), never a panic.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::odata::ItemStream;
use crate::runtime::connection::{Body, decode_json};
use crate::typed::{FromResponse, Request};
use crate::{Error, Result};

/// A blocking [`crate::Connection`]: the same pipeline, run on a runtime of its own. Cheap to
/// clone (clones share the runtime and the Connection).
#[derive(Clone)]
pub struct Connection {
    inner: crate::Connection,
    runtime: Arc<OwnedRuntime>,
}

/// The runtime, shut down without waiting when the last clone goes (so dropping it inside an
/// async context does not panic).
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Connection")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Wraps `connection` with a runtime of one worker thread.
    pub fn new(connection: crate::Connection) -> Result<Connection> {
        refuse_inside_runtime()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("o365-blocking")
            .enable_all()
            .build()
            .map_err(|e| Error::config("could not start the blocking runtime").with_source(e))?;
        Ok(Connection {
            inner: connection,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    /// The async Connection (to build typed requests, sign in, batch, …).
    pub fn as_async(&self) -> &crate::Connection {
        &self.inner
    }

    /// Runs any future on the Connection's runtime and waits for it.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        refuse_inside_runtime()?;
        let runtime = self
            .runtime
            .0
            .as_ref()
            .ok_or_else(|| Error::config("the blocking runtime has shut down"))?;
        Ok(runtime.block_on(future))
    }

    fn run<T>(&self, future: impl Future<Output = Result<T>>) -> Result<T> {
        self.block_on(future)?
    }

    /// A raw request builder (see [`crate::RequestBuilder`]).
    pub fn request(&self, method: Method, url: &str) -> RequestBuilder {
        RequestBuilder {
            connection: self.clone(),
            inner: self.inner.request(method, url),
        }
    }

    /// GET with query parameters.
    pub fn get<Q: Serialize + ?Sized>(&self, url: &str, params: &Q) -> Result<Response> {
        self.request(Method::GET, url).query(params).send()
    }

    /// POST with a body.
    pub fn post(&self, url: &str, data: impl Into<Body>) -> Result<Response> {
        self.request(Method::POST, url).body(data).send()
    }

    /// PUT with a body.
    pub fn put(&self, url: &str, data: impl Into<Body>) -> Result<Response> {
        self.request(Method::PUT, url).body(data).send()
    }

    /// PATCH with a body.
    pub fn patch(&self, url: &str, data: impl Into<Body>) -> Result<Response> {
        self.request(Method::PATCH, url).body(data).send()
    }

    /// DELETE.
    pub fn delete(&self, url: &str) -> Result<Response> {
        self.request(Method::DELETE, url).send()
    }

    /// Sends a typed request (`conn.send(conn.as_async().mail().list_messages().top(5))`).
    pub fn send<T: FromResponse, O>(&self, request: Request<T, O>) -> Result<T> {
        self.run(request.send())
    }

    /// The items of the collection at `url` across pages, fetched as the iterator advances.
    pub fn items<T, Q>(&self, url: &str, params: &Q, limit: Option<usize>) -> Result<Items<T>>
    where
        T: DeserializeOwned + Send + Unpin + 'static,
        Q: Serialize + ?Sized,
    {
        Ok(Items {
            connection: self.clone(),
            stream: self.inner.items(url, params, limit)?,
            done: false,
        })
    }

    /// Loads the token cache from the backend (`Ok(false)` when nothing is stored).
    pub fn load_token_from_backend(&self) -> Result<bool> {
        self.run(self.inner.load_token_from_backend())
    }

    /// Client credentials (app-only) sign-in, as [`crate::Connection::request_token_for_client`].
    pub fn request_token_for_client(&self, scopes: Option<&[&str]>, store: bool) -> Result<()> {
        self.run(self.inner.request_token_for_client(scopes, store))
    }
}

fn refuse_inside_runtime() -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::config(
            "the blocking API cannot be used from inside an async runtime; use o365::Connection",
        ));
    }
    Ok(())
}

/// A raw request being assembled; [`RequestBuilder::send`] blocks until the reply is read.
#[must_use]
#[derive(Debug)]
pub struct RequestBuilder {
    connection: Connection,
    inner: crate::RequestBuilder,
}

impl RequestBuilder {
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.inner = self.inner.header(name, value);
        self
    }

    /// Appends query parameters.
    pub fn query<Q: Serialize + ?Sized>(mut self, query: &Q) -> Self {
        self.inner = self.inner.query(query);
        self
    }

    /// Sends `value` as JSON.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.inner = self.inner.json(value);
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Body>) -> Self {
        self.inner = self.inner.body(body);
        self
    }

    /// Overrides the request timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.inner = self.inner.timeout(timeout);
        self
    }

    /// Sends the request through the pipeline and reads the whole reply.
    pub fn send(self) -> Result<Response> {
        let RequestBuilder { connection, inner } = self;
        connection.run(async move {
            let reply = inner.send().await?;
            let (status, headers, url) =
                (reply.status(), reply.headers().clone(), reply.url().clone());
            let body = reply.bytes().await?;
            Ok(Response {
                status,
                headers,
                url,
                body,
            })
        })
    }

    /// Sends the request and decodes the JSON reply.
    pub fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        self.send()?.json()
    }
}

/// A reply, already read.
#[derive(Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    url: url::Url,
    body: Bytes,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut url = self.url.clone();
        url.set_query(None);
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("url", &url.as_str())
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The reply headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The final URL.
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// The body.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body decoded from JSON (an empty body is `null`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_json(&self.body, &self.url)
    }
}

/// The items of a collection, page by page (from [`Connection::items`]).
pub struct Items<T> {
    connection: Connection,
    stream: ItemStream<T>,
    done: bool,
}

impl<T> std::fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + Unpin + 'static> Iterator for Items<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        let Items {
            connection, stream, ..
        } = self;
        let item = match connection.block_on(stream.next()) {
            Ok(item) => item,
            Err(e) => Some(Err(e)),
        };
        // The stream yields its error once and ends; so does the iterator.
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}
