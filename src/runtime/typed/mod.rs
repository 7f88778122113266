//! The request path of every generated operation: a [`Request`] builder that the generated
//! method fills in (method, path, required parameters, body), that the caller refines (OData
//! options, `If-Match`, headers, timeout), and that [`Request::send`] runs through the
//! [`Connection`]'s pipeline (auth, pacing, retries) before decoding the reply into `T`.
//!
//! ```ignore
//! let page = conn.mail().list_messages().top(10).select(["subject", "from"]).send().await?;
//! let mut all = conn.mail().list_messages().limit(500).stream();
//! ```
//!
//! There is no second path: [`Request::stream`] pages through the same pipeline, and every
//! failure is the crate's one [`Error`](crate::Error).

mod patch;
mod path;
#[doc(hidden)]
pub mod polymorphic;

use std::marker::PhantomData;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Result;
use crate::odata::{ItemStream, OrderBy, PageStream, Query, QueryBuilder};
use crate::runtime::connection::{Body, Connection, Prepared, Response};
use crate::runtime::odata::paging::PageRequest;

pub use patch::Patch;
#[doc(hidden)]
pub use path::{date_time, encode_path, function_literal};

/// OData options of an operation that returns a collection: `$top`, `$skip`, `$filter`,
/// `$search`, `$orderby`, `$count`, `$select`, `$expand` ([`Request::limit`] applies to the
/// stream of every operation whose reply is a page, whatever its marker).
#[derive(Debug, Clone, Copy)]
pub enum Collection {}

/// OData options of an operation that returns one entity: `$select` and `$expand`.
#[derive(Debug, Clone, Copy)]
pub enum Single {}

/// An operation without OData options (actions, updates, deletes, uploads).
#[derive(Debug, Clone, Copy)]
pub enum Plain {}

/// The marker types whose operations accept `$select` and `$expand`.
pub trait Selectable {}
impl Selectable for Collection {}
impl Selectable for Single {}

/// How a reply becomes the operation's return type.
pub trait FromResponse: Sized {
    /// Decodes (or, for [`Response`], keeps) the reply.
    fn from_response(response: Response) -> impl Future<Output = Result<Self>> + Send;
}

impl<T: DeserializeOwned> FromResponse for T {
    /// JSON models; an empty body (204) decodes as `null`, which [`NoContent`] and `Option<T>`
    /// accept.
    async fn from_response(response: Response) -> Result<T> {
        response.json().await
    }
}

impl FromResponse for Response {
    /// Downloads: the reply is handed back unread, so large bodies can be streamed.
    async fn from_response(response: Response) -> Result<Response> {
        Ok(response)
    }
}

/// The result of an operation documented without a body (`204 No Content`). Whatever the
/// service sends is read and dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoContent;

impl<'de> serde::Deserialize<'de> for NoContent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<NoContent, D::Error> {
        serde::de::IgnoredAny::deserialize(deserializer).map(|_| NoContent)
    }
}

/// A generated `…CollectionResponse` type: one page of an OData collection.
pub trait CollectionPage {
    /// The type of one item of `value`.
    type Item: DeserializeOwned + Send + Unpin + 'static;
}

/// One typed operation, ready to send. Made by a generated method; `T` is what
/// [`send`](Request::send) returns and `O` says which OData options apply
/// ([`Collection`], [`Single`] or [`Plain`]).
#[must_use = "a request does nothing until it is sent"]
pub struct Request<T, O = Plain> {
    connection: Connection,
    prepared: Result<Prepared>,
    odata: Query,
    limit: Option<usize>,
    marker: PhantomData<fn() -> (T, O)>,
}

impl<T, O> std::fmt::Debug for Request<T, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("request", &self.prepared)
            .field("odata", &self.odata)
            .field("limit", &self.limit)
            .finish()
    }
}

impl<T, O> Request<T, O> {
    /// Starts a request to `path` (relative to the protocol's service URL, already encoded).
    /// Called by generated code.
    #[doc(hidden)]
    pub fn new(connection: &Connection, method: Method, path: &str) -> Self {
        let prepared = connection.resolve_url(path).map(|url| Prepared {
            method,
            url,
            headers: HeaderMap::new(),
            body: Body::empty(),
            timeout: None,
            authenticated: true,
        });
        Request {
            connection: connection.clone(),
            prepared,
            odata: Query::default(),
            limit: None,
            marker: PhantomData,
        }
    }

    fn with(mut self, f: impl FnOnce(&mut Prepared) -> Result<()>) -> Self {
        Prepared::amend(&mut self.prepared, f);
        self
    }

    fn with_odata(mut self, f: impl FnOnce(&QueryBuilder<'_>) -> Query) -> Self {
        let part = f(&QueryBuilder::new(self.connection.protocol()));
        self.odata = std::mem::take(&mut self.odata) & part;
        self
    }

    /// Adds a query parameter: an optional one the operation declares (its doc lists them,
    /// e.g. `.param("includeHiddenFolders", "true")`; required ones are method arguments), or
    /// any other the service accepts. The value is percent-encoded for you.
    pub fn param(self, name: &str, value: impl AsRef<str>) -> Self {
        self.with(|r| {
            r.url.query_pairs_mut().append_pair(name, value.as_ref());
            Ok(())
        })
    }

    /// Sets a JSON body. Called by generated code with the operation's model.
    #[doc(hidden)]
    pub fn json<B: Serialize + ?Sized>(self, body: &B) -> Self {
        self.body(Body::json(body))
    }

    /// Sets a body as it is (uploads). Called by generated code.
    #[doc(hidden)]
    pub fn body(self, body: impl Into<Body>) -> Self {
        self.with(|r| {
            r.body = body.into();
            Ok(())
        })
    }

    /// Adds a header (e.g. `ConsistencyLevel: eventual`, `Prefer: outlook.body-content-type="text"`).
    /// The Connection's default headers are merged in without replacing it.
    pub fn header(self, name: &str, value: &str) -> Self {
        self.with(|r| r.append_header(name, value))
    }

    /// Sends `If-Match: etag`, so an update or delete applies only to that version
    /// (see [`ODataEntity::etag`](crate::odata::ODataEntity::etag)).
    pub fn if_match(self, etag: &str) -> Self {
        self.header("If-Match", etag)
    }

    /// Overrides the Connection's request timeout for this call.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.with(|r| {
            r.timeout = Some(timeout);
            Ok(())
        })
    }

    /// The request as it would be sent (before auth, default headers and OData options), for
    /// logs and tests. The error recorded by an invalid argument, if any.
    pub fn prepared_url(&self) -> Result<String> {
        match &self.prepared {
            Ok(p) => Ok(p.url.to_string()),
            Err(e) => Err(e.duplicate()),
        }
    }

    /// The Connection the request will be sent on.
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The request as the pipeline would send it, OData options applied (for `$batch` steps).
    pub(crate) fn into_prepared(self) -> Result<Prepared> {
        self.finish().map(|(_, prepared, _)| prepared)
    }

    fn finish(self) -> Result<(Connection, Prepared, Option<usize>)> {
        let mut prepared = self.prepared?;
        let params = self.odata.params()?;
        if !params.is_empty() {
            prepared.url.query_pairs_mut().extend_pairs(params);
        }
        Ok((self.connection, prepared, self.limit))
    }
}

impl<T: FromResponse, O> Request<T, O> {
    /// Sends the request through the Connection's pipeline and decodes the reply.
    pub async fn send(self) -> Result<T> {
        let (connection, prepared, _) = self.finish()?;
        let response = connection.execute_owned(prepared).await?;
        T::from_response(response).await
    }
}

impl<T: CollectionPage, O> Request<T, O> {
    /// At most this many items from [`stream`](Request::stream) (the page size stays `$top`
    /// where the operation has it). Every pageable operation has it, whatever its OData options.
    pub fn limit(mut self, items: usize) -> Self {
        self.limit = Some(items);
        self
    }

    /// Every item across pages (following `@odata.nextLink` through the same pipeline, one page
    /// in memory at a time), at most [`limit`](Request::limit) items when set. The final
    /// `@odata.deltaLink` of a delta query is on the stream once it ends.
    pub fn stream(self) -> ItemStream<T::Item> {
        let limit = self.limit;
        self.pages().items(limit)
    }

    /// The pages themselves (items, next link, count, delta link). The first page is asked for
    /// exactly as built (a POST action keeps its method, body, headers and timeout); later
    /// pages follow `@odata.nextLink` with GET, the same headers and timeout.
    pub fn pages(self) -> PageStream<T::Item> {
        let connection = self.connection.clone();
        let first = match self.finish() {
            Ok((_, prepared, _)) => PageRequest::First(Box::new(prepared)),
            Err(err) => PageRequest::Failed(err),
        };
        PageStream::starting(connection, first)
    }
}

impl<T, O: Selectable> Request<T, O> {
    /// `$select`: only these properties (names are converted to the protocol's casing).
    pub fn select<S: AsRef<str>>(self, properties: impl IntoIterator<Item = S>) -> Self {
        self.with_odata(|q| q.select(properties))
    }

    /// `$expand`: include this relationship.
    pub fn expand(self, relationship: &str) -> Self {
        self.with_odata(|q| q.expand(relationship))
    }

    /// Merges query options made with a [`QueryBuilder`] (`&` semantics: filters are joined
    /// with `and`, selections are unioned; conflicting `$top` values are an error at send).
    pub fn query(mut self, query: Query) -> Self {
        self.odata = std::mem::take(&mut self.odata) & query;
        self
    }
}

impl<T> Request<T, Collection> {
    /// `$top`: the page size.
    pub fn top(self, n: u32) -> Self {
        self.with_odata(|q| q.top(n))
    }

    /// `$skip`.
    pub fn skip(self, n: u32) -> Self {
        self.with_odata(|q| q.skip(n))
    }

    /// `$count=true`: the reply carries `@odata.count` (directory objects also need
    /// `.header("ConsistencyLevel", "eventual")`).
    pub fn count(self, count: bool) -> Self {
        self.with_odata(|q| q.count(count))
    }

    /// `$filter`: a [`Query`] made with [`QueryBuilder`] (values quoted and escaped for you), or
    /// raw OData text.
    pub fn filter(self, filter: impl Into<Filter>) -> Self {
        match filter.into() {
            Filter::Query(query) => self.query(query),
            Filter::Text(text) => self.with_odata(|q| q.raw_filter(&text)),
        }
    }

    /// `$search`: free text (quoted for you).
    pub fn search(self, text: &str) -> Self {
        self.with_odata(|q| q.search(text))
    }

    /// `$orderby`: e.g. `["receivedDateTime desc"]`.
    pub fn order_by<S: AsRef<str>>(self, items: impl IntoIterator<Item = S>) -> Self {
        let items: Vec<OrderBy> = items
            .into_iter()
            .map(|item| OrderBy::parse(item.as_ref()))
            .collect();
        self.with_odata(|q| q.orderby(items))
    }
}

/// What [`Request::filter`] accepts.
#[derive(Debug, Clone)]
pub enum Filter {
    /// Filters built with a [`QueryBuilder`].
    Query(Query),
    /// OData filter text, sent as it is.
    Text(String),
}

impl From<Query> for Filter {
    fn from(query: Query) -> Filter {
        Filter::Query(query)
    }
}

impl From<&str> for Filter {
    fn from(text: &str) -> Filter {
        Filter::Text(text.to_string())
    }
}

impl From<String> for Filter {
    fn from(text: String) -> Filter {
        Filter::Text(text)
    }
}
