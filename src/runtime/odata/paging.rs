//! Paging over OData collections: follow `@odata.nextLink` through the same pipeline as every
//! other request, one page in memory at a time, and expose the final `@odata.deltaLink`.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures_util::Stream;
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use reqwest::Method;
use reqwest::header::HeaderMap;

use crate::runtime::connection::{Body, Connection, Prepared};
use crate::{Error, Result};

/// One page of an OData collection reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// Where the next page is; `None` on the last page.
    #[serde(
        rename = "@odata.nextLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub next_link: Option<String>,
    /// On the last page of a delta query: where to ask for later changes.
    #[serde(
        rename = "@odata.deltaLink",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub delta_link: Option<String>,
    /// The total count, when `$count=true` was asked for.
    #[serde(
        rename = "@odata.count",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<u64>,
}

/// A stream of pages. Created by [`Connection::pages`].
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T> {
    pager: Pager<T>,
    delta_link: Option<String>,
}

/// What a [`Pager`] asks for next.
pub(crate) enum PageRequest {
    /// The first request, sent exactly as built (method, body, headers, timeout): a POST
    /// action whose reply is a page stays a POST.
    First(Box<Prepared>),
    /// A link the service gave (`@odata.nextLink`, a delta link, a restart), fetched with GET
    /// and the first request's headers and timeout, as Graph documents for next links.
    Link(String),
    /// The request could not be built; the pager yields this error once.
    Failed(Error),
}

/// The one page-fetching loop that [`PageStream`] and the delta stream share: one request in
/// flight at a time, every page through the Connection's pipeline and its one error mapping.
pub(crate) struct Pager<T> {
    connection: Connection,
    /// Sent with every page (e.g. `ConsistencyLevel`, `Prefer`).
    headers: HeaderMap,
    timeout: Option<Duration>,
    authenticated: bool,
    next: Option<PageRequest>,
    in_flight: Option<BoxFuture<'static, Result<Page<T>>>>,
}

impl<T: DeserializeOwned + Send + 'static> Pager<T> {
    /// A pager starting with `first`; a prepared first request also gives the headers and
    /// timeout of the later pages, otherwise `headers` do.
    pub(crate) fn new(connection: Connection, first: PageRequest, headers: HeaderMap) -> Pager<T> {
        let (headers, timeout, authenticated) = match &first {
            PageRequest::First(prepared) => (
                prepared.headers.clone(),
                prepared.timeout,
                prepared.authenticated,
            ),
            _ => (headers, None, true),
        };
        Pager {
            connection,
            headers,
            timeout,
            authenticated,
            next: Some(first),
            in_flight: None,
        }
    }

    /// The Connection pages are fetched on.
    pub(crate) fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Sets what to fetch after the page in hand (`None`: nothing more).
    pub(crate) fn set_next(&mut self, next: Option<PageRequest>) {
        self.next = next;
    }

    /// Whether a request is queued that has not been sent yet (rather than a failure).
    pub(crate) fn has_pending_request(&self) -> bool {
        matches!(
            self.next,
            Some(PageRequest::First(_) | PageRequest::Link(_))
        )
    }

    /// The next page: `Ready(None)` once nothing is left to fetch. The caller decides what
    /// follows with [`set_next`](Pager::set_next).
    pub(crate) fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Page<T>>>> {
        if self.in_flight.is_none() {
            let Some(next) = self.next.take() else {
                return Poll::Ready(None);
            };
            self.in_flight = Some(self.fetch(next));
        }
        let Some(fut) = self.in_flight.as_mut() else {
            return Poll::Ready(None);
        };
        let result = ready!(fut.as_mut().poll(cx));
        self.in_flight = None;
        Poll::Ready(Some(result))
    }

    fn fetch(&self, next: PageRequest) -> BoxFuture<'static, Result<Page<T>>> {
        let prepared = match next {
            PageRequest::First(prepared) => Ok(*prepared),
            PageRequest::Link(link) => self.connection.resolve_url(&link).map(|url| Prepared {
                method: Method::GET,
                url,
                headers: self.headers.clone(),
                body: Body::empty(),
                timeout: self.timeout,
                authenticated: self.authenticated,
            }),
            PageRequest::Failed(err) => Err(err),
        };
        let connection = self.connection.clone();
        Box::pin(async move { connection.execute_owned(prepared?).await?.json().await })
    }
}

impl<T: DeserializeOwned + Send + 'static> PageStream<T> {
    /// The `@odata.deltaLink` of the last page, once it has been reached.
    pub fn delta_link(&self) -> Option<&str> {
        self.delta_link.as_deref()
    }

    /// Flattens the pages into items, stopping after `limit` items when given.
    pub fn items(self, limit: Option<usize>) -> ItemStream<T> {
        ItemStream {
            pages: self,
            buffer: VecDeque::new(),
            remaining: limit,
        }
    }

    /// Pages starting with `first`.
    pub(crate) fn starting(connection: Connection, first: PageRequest) -> PageStream<T> {
        PageStream {
            pager: Pager::new(connection, first, HeaderMap::new()),
            delta_link: None,
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let result = ready!(self.pager.poll_page(cx));
        if let Some(Ok(page)) = &result {
            let next = page.next_link.clone().map(PageRequest::Link);
            self.pager.set_next(next);
            if page.delta_link.is_some() {
                self.delta_link = page.delta_link.clone();
            }
        }
        Poll::Ready(result)
    }
}

/// A stream of the items of all pages. Created by [`PageStream::items`] or [`Connection::items`].
#[must_use = "streams do nothing unless polled"]
pub struct ItemStream<T> {
    pages: PageStream<T>,
    buffer: VecDeque<T>,
    remaining: Option<usize>,
}

impl<T: DeserializeOwned + Send + 'static> ItemStream<T> {
    /// The `@odata.deltaLink` of the last page, once it has been reached.
    pub fn delta_link(&self) -> Option<&str> {
        self.pages.delta_link()
    }
}

impl<T: DeserializeOwned + Send + 'static + Unpin> Stream for ItemStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if self.remaining == Some(0) {
                return Poll::Ready(None);
            }
            if let Some(item) = self.buffer.pop_front() {
                if let Some(n) = self.remaining.as_mut() {
                    *n -= 1;
                }
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut self.pages).poll_next(cx)) {
                Some(Ok(page)) => self.buffer.extend(page.value),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

impl Connection {
    /// Pages of the collection at `url` with query `params`, following `@odata.nextLink`.
    pub fn pages<T, Q>(&self, url: &str, params: &Q) -> Result<PageStream<T>>
    where
        T: DeserializeOwned + Send + 'static,
        Q: Serialize + ?Sized,
    {
        let mut url = self.resolve_url(url)?;
        let pairs = crate::runtime::connection::query_pairs(params)?;
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        let first = Prepared {
            method: Method::GET,
            url,
            headers: HeaderMap::new(),
            body: Body::empty(),
            timeout: None,
            authenticated: true,
        };
        Ok(PageStream::starting(
            self.clone(),
            PageRequest::First(Box::new(first)),
        ))
    }

    /// The items of the collection at `url`, across pages, at most `limit` when given.
    pub fn items<T, Q>(&self, url: &str, params: &Q, limit: Option<usize>) -> Result<ItemStream<T>>
    where
        T: DeserializeOwned + Send + 'static,
        Q: Serialize + ?Sized,
    {
        Ok(self.pages(url, params)?.items(limit))
    }
}
