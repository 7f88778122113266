//! Delta queries: every change to a collection since a cursor.
//!
//! A [`DeltaStream`] starts with the collection's delta function (`me/mailFolders/inbox/messages/delta`,
//! `users/delta`, `me/contacts/delta`, …), follows `@odata.nextLink` across pages through the
//! Connection's pipeline, and yields each entry as a [`Change`]: an added or updated item, or
//! a removal (Graph marks those with `@removed`). Once the last page is read, its
//! `@odata.deltaLink` is the [`DeltaCursor`] to persist: [`Connection::delta_from`] resumes from
//! it and yields only what changed since.
//!
//! When the service no longer knows the sync state (`410 Gone`, as Graph documents for expired
//! or reset delta tokens), the stream yields [`Change::Resync`] and starts over with the initial
//! request: what follows is the whole collection again, so the caller should discard what it
//! kept. With [`DeltaStream::restart_on_resync`]`(false)` it yields the 410 error instead.
//!
//! ```no_run
//! # async fn example(conn: o365::Connection, saved: Option<o365::delta::DeltaCursor>) -> o365::Result<()> {
//! use futures_util::TryStreamExt;
//! use o365::delta::Change;
//! let mut changes = match saved {
//!     Some(cursor) => conn.delta_from::<serde_json::Value>(&cursor)?,
//!     None => conn.delta::<serde_json::Value>("me/mailFolders/inbox/messages/delta")?,
//! };
//! while let Some(change) = changes.try_next().await? {
//!     match change {
//!         Change::Upserted(message) => println!("changed: {}", message["id"]),
//!         Change::Removed(removed) => println!("removed: {}", removed.id),
//!         Change::Resync => println!("start over: forget what was kept"),
//!     }
//! }
//! let cursor = changes.cursor().expect("the last page carries the delta link");
//! std::fs::write("inbox.cursor", serde_json::to_string(cursor).unwrap()).unwrap();
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::Stream;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::odata::Page;
use crate::runtime::connection::Connection;
use crate::runtime::odata::paging::{PageRequest, Pager};
use crate::typed::{CollectionPage, Request};
use crate::{Error, Result};

/// How many times in a row a stream starts over after `410 Gone` before it reports the error.
const MAX_RESYNCS: u32 = 3;

/// One entry of a delta reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    /// An item that was added or changed (with the properties the query selects).
    Upserted(T),
    /// An item that was deleted, or left the collection (moved out of the folder).
    Removed(Removed),
    /// The service lost the sync state (`410 Gone`): the stream starts over with the initial
    /// request, so the entries that follow are the whole collection again.
    Resync,
}

/// A removed item: its id and Graph's reason (`deleted`, or `changed` for directory objects
/// that can still be restored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    /// The item's id.
    pub id: String,
    /// `@removed.reason`, when the service gave one.
    pub reason: Option<String>,
}

/// Where a delta query left off: the last `@odata.deltaLink`, and the initial request (used when
/// the service asks for a full resync). Serializes as JSON for storing between runs; `Debug`
/// leaves the delta token out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeltaCursor {
    /// The `@odata.deltaLink` (absolute URL; it carries the delta token).
    pub delta_link: String,
    /// The initial delta request, to start over from.
    pub initial: String,
}

impl std::fmt::Debug for DeltaCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = |url: &str| url.split('?').next().unwrap_or_default().to_owned();
        f.debug_struct("DeltaCursor")
            .field("delta_link", &path(&self.delta_link))
            .field("initial", &path(&self.initial))
            .finish()
    }
}

impl DeltaCursor {
    /// A cursor from a delta link kept elsewhere (a resync then restarts at `initial`).
    pub fn new(delta_link: impl Into<String>, initial: impl Into<String>) -> DeltaCursor {
        DeltaCursor {
            delta_link: delta_link.into(),
            initial: initial.into(),
        }
    }
}

/// Whether `err` is the service's "sync state not found" answer (`410 Gone`) to a delta request.
pub fn is_resync_required(err: &Error) -> bool {
    err.status() == Some(StatusCode::GONE)
}

/// The changes of a delta query, across pages; see the [module docs](self).
#[must_use = "streams do nothing unless polled"]
pub struct DeltaStream<T> {
    /// The page loop shared with [`PageStream`](crate::odata::PageStream).
    pager: Pager<Value>,
    /// The initial request (absolute URL), to start over from.
    initial: String,
    buffer: VecDeque<Change<T>>,
    cursor: Option<DeltaCursor>,
    restart_on_resync: bool,
    resyncs: u32,
    pages: u32,
}

impl<T> std::fmt::Debug for DeltaStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let initial = self.initial.split('?').next().unwrap_or_default();
        f.debug_struct("DeltaStream")
            .field("initial", &initial)
            .field("pages", &self.pages)
            .field("done", &self.cursor.is_some())
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + Unpin + 'static> DeltaStream<T> {
    fn start(
        connection: Connection,
        initial: String,
        first: PageRequest,
        headers: HeaderMap,
    ) -> DeltaStream<T> {
        DeltaStream {
            pager: Pager::new(connection, first, headers),
            initial,
            buffer: VecDeque::new(),
            cursor: None,
            restart_on_resync: true,
            resyncs: 0,
            pages: 0,
        }
    }

    /// Whether a `410 Gone` starts the query over (the default, yielding [`Change::Resync`])
    /// or ends the stream with the error.
    pub fn restart_on_resync(mut self, restart: bool) -> Self {
        self.restart_on_resync = restart;
        self
    }

    /// The cursor to resume from, once every entry up to the `@odata.deltaLink` has been
    /// yielded (so a cursor saved mid-way can never skip changes).
    pub fn cursor(&self) -> Option<&DeltaCursor> {
        self.cursor.as_ref().filter(|_| self.buffer.is_empty())
    }

    /// Pages read so far.
    pub fn pages_read(&self) -> u32 {
        self.pages
    }

    fn take_page(&mut self, page: Page<Value>) -> Result<()> {
        self.pages += 1;
        for entry in page.value {
            let change = match entry.get("@removed") {
                Some(removed) => Change::Removed(Removed {
                    id: entry
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    reason: removed
                        .get("reason")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
                None => Change::Upserted(serde_json::from_value(entry).map_err(|e| {
                    Error::decode(format!("a delta entry is not the expected item: {e}"))
                })?),
            };
            self.buffer.push_back(change);
        }
        match (page.next_link, page.delta_link) {
            (Some(next), _) => self.pager.set_next(Some(PageRequest::Link(next))),
            (None, Some(delta)) => {
                self.resyncs = 0;
                self.cursor = Some(DeltaCursor {
                    delta_link: delta,
                    initial: self.initial.clone(),
                });
            }
            (None, None) => {
                return Err(Error::decode(
                    "the last page of a delta query has neither @odata.nextLink nor @odata.deltaLink",
                ));
            }
        }
        Ok(())
    }
}

impl<T: DeserializeOwned + Send + Unpin + 'static> Stream for DeltaStream<T> {
    type Item = Result<Change<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(change) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(change)));
            }
            let Some(result) = ready!(self.pager.poll_page(cx)) else {
                return Poll::Ready(None);
            };
            match result {
                Ok(page) => {
                    if let Err(e) = self.take_page(page) {
                        return Poll::Ready(Some(Err(e)));
                    }
                }
                Err(e)
                    if is_resync_required(&e)
                        && self.restart_on_resync
                        && self.resyncs < MAX_RESYNCS =>
                {
                    tracing::debug!("delta sync state gone; starting over");
                    self.resyncs += 1;
                    self.cursor = None;
                    let initial = PageRequest::Link(self.initial.clone());
                    self.pager.set_next(Some(initial));
                    return Poll::Ready(Some(Ok(Change::Resync)));
                }
                Err(e) => return Poll::Ready(Some(Err(e))),
            }
        }
    }
}

impl Connection {
    /// The changes of the delta function at `url` (absolute, or relative to the service URL,
    /// e.g. `me/mailFolders/inbox/messages/delta`), from the beginning.
    pub fn delta<T: DeserializeOwned + Send + Unpin + 'static>(
        &self,
        url: &str,
    ) -> Result<DeltaStream<T>> {
        let initial = self.resolve_url(url)?.to_string();
        Ok(DeltaStream::start(
            self.clone(),
            initial.clone(),
            PageRequest::Link(initial),
            HeaderMap::new(),
        ))
    }

    /// The changes since `cursor` (the [`DeltaStream::cursor`] of an earlier run).
    pub fn delta_from<T: DeserializeOwned + Send + Unpin + 'static>(
        &self,
        cursor: &DeltaCursor,
    ) -> Result<DeltaStream<T>> {
        let initial = self.resolve_url(&cursor.initial)?.to_string();
        Ok(DeltaStream::start(
            self.clone(),
            initial,
            PageRequest::Link(cursor.delta_link.clone()),
            HeaderMap::new(),
        ))
    }
}

impl<T: CollectionPage, O> Request<T, O> {
    /// Runs a delta function (any collection request to one) as a [`DeltaStream`] of its item
    /// type: its headers (e.g. `Prefer: odata.maxpagesize=50`) go with every page.
    pub fn delta_stream(self) -> DeltaStream<T::Item> {
        self.delta_stream_of::<T::Item>()
    }

    /// The changes since `cursor`, decoded as this request's item type, with its headers.
    pub fn delta_stream_from(self, cursor: &DeltaCursor) -> DeltaStream<T::Item> {
        self.delta_stream_from_of::<T::Item>(cursor)
    }
}

impl<T, O> Request<T, O> {
    /// Runs a delta function as a [`DeltaStream`] of items decoded as `I`, whatever the
    /// operation's own return type (e.g. `conn.contacts().delta_contacts().delta_stream_of::<Contact>()`).
    pub fn delta_stream_of<I: DeserializeOwned + Send + Unpin + 'static>(self) -> DeltaStream<I> {
        let connection = self.connection().clone();
        match self.into_prepared() {
            Ok(prepared) => DeltaStream::start(
                connection,
                prepared.url.to_string(),
                PageRequest::First(Box::new(prepared)),
                HeaderMap::new(),
            ),
            Err(err) => DeltaStream::start(
                connection,
                String::new(),
                PageRequest::Failed(err),
                HeaderMap::new(),
            ),
        }
    }

    /// [`Request::delta_stream_of`] resumed from `cursor` (this request's headers go along).
    pub fn delta_stream_from_of<I: DeserializeOwned + Send + Unpin + 'static>(
        self,
        cursor: &DeltaCursor,
    ) -> DeltaStream<I> {
        let mut stream = self.delta_stream_of::<I>();
        if stream.pager.has_pending_request() {
            match stream.pager.connection().resolve_url(&cursor.initial) {
                Ok(initial) => {
                    stream.initial = initial.to_string();
                    let resume = PageRequest::Link(cursor.delta_link.clone());
                    stream.pager.set_next(Some(resume));
                }
                Err(e) => stream.pager.set_next(Some(PageRequest::Failed(e))),
            }
        }
        stream
    }
}
