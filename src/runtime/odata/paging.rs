//! Paging over OData collections: follow `@odata.nextLink` through the same pipeline as every
//! other request, one page in memory at a time, and expose the final `@odata.deltaLink`.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::Stream;
use futures_util::future::BoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use reqwest::header::HeaderMap;

use crate::runtime::connection::{Connection, Prepared};
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
    connection: Connection,
    next: Option<NextRequest>,
    /// Sent with every page (e.g. `ConsistencyLevel`, `Prefer`).
    headers: HeaderMap,
    in_flight: Option<BoxFuture<'static, Result<Page<T>>>>,
    delta_link: Option<String>,
}

enum NextRequest {
    First(url::Url),
    Link(String),
    /// The request could not be built; the stream yields this error once.
    Failed(Error),
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

    /// A stream that yields `err` and ends.
    pub(crate) fn failed(connection: Connection, err: Error) -> PageStream<T> {
        PageStream::starting(connection, NextRequest::Failed(err), HeaderMap::new())
    }

    fn starting(connection: Connection, first: NextRequest, headers: HeaderMap) -> PageStream<T> {
        PageStream {
            connection,
            next: Some(first),
            headers,
            in_flight: None,
            delta_link: None,
        }
    }

    fn fetch(&self, next: NextRequest) -> BoxFuture<'static, Result<Page<T>>> {
        let connection = self.connection.clone();
        let headers = self.headers.clone();
        Box::pin(async move {
            let url = match next {
                NextRequest::First(url) => url,
                NextRequest::Link(link) => connection.resolve_url(&link)?,
                NextRequest::Failed(err) => return Err(err),
            };
            connection
                .request(reqwest::Method::GET, url.as_str())
                .headers(headers)
                .send_json::<Page<T>>()
                .await
        })
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
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
        if let Ok(page) = &result {
            self.next = page.next_link.clone().map(NextRequest::Link);
            if page.delta_link.is_some() {
                self.delta_link = page.delta_link.clone();
            }
        }
        Poll::Ready(Some(result))
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
        let mut first = self.resolve_url(url)?;
        let pairs = crate::runtime::connection::query_pairs(params)?;
        if !pairs.is_empty() {
            first.query_pairs_mut().extend_pairs(pairs);
        }
        Ok(PageStream::starting(
            self.clone(),
            NextRequest::First(first),
            HeaderMap::new(),
        ))
    }

    /// Pages starting with a prepared GET (its headers go with every page).
    pub(crate) fn page_stream<T>(&self, first: Prepared) -> PageStream<T>
    where
        T: DeserializeOwned + Send + 'static,
    {
        PageStream::starting(self.clone(), NextRequest::First(first.url), first.headers)
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
