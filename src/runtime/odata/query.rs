//! The OData query builder: python-o365's `QueryBuilder` in Rust shape.
//!
//! A [`QueryBuilder`] is bound to a [`Protocol`](crate::protocol::Protocol) (for key casing, time zone and type names) and
//! makes [`Query`] values, each holding some of the parts filter, search, order-by, select,
//! expand, top, skip and count. Combine them with `&` / [`Query::and`] (all parts merge) and
//! `|` / [`Query::or`] (filters only):
//!
//! ```
//! use o365::protocol::Protocol;
//!
//! let graph = Protocol::graph();
//! let q = graph.query();
//! let query = q.equals("is_read", false)
//!     & q.orderby([("received_date_time", false)])
//!     & q.select(["subject"])
//!     & q.expand("attachments");
//! assert_eq!(
//!     query.params()?,
//!     [
//!         ("$filter".to_owned(), "isRead eq false".to_owned()),
//!         ("$orderby".to_owned(), "receivedDateTime desc".to_owned()),
//!         ("$expand".to_owned(), "attachments".to_owned()),
//!         ("$select".to_owned(), "subject".to_owned()),
//!     ]
//! );
//! # Ok::<(), o365::Error>(())
//! ```
//!
//! **Invalid combinations are reported late.** Operators cannot return a `Result`, so mixing
//! `$search` with `$filter`/`$orderby`, `or`-ing anything but filters, or giving two different
//! `$top`/`$skip`/`$count` values yields a `Query` that carries the error;
//! [`Query::params`] and [`Query::check`] return it as
//! [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput). The first error wins.
//!
//! Differences from python-o365, all deliberate: string literals are escaped (`it's` →
//! `'it''s'`); search text is quoted once (`"hello world"`), search terms join with KQL's
//! ` AND ` and a search attribute gets casing only (`from:bob`, not
//! `from/emailAddress/address:'bob'`); `$orderby` attributes get the protocol casing and
//! shortcuts; an `or` chain inside an `and` is parenthesised, as is a chain under `not`; nested
//! `any`/`all` collections are prefixed with the outer item (`a/emailAddresses/any(b: …)`); an
//! empty attribute inside `any`/`all` stands for the item itself (`a eq 'x'`); the `due` and
//! `reminder` shortcuts are `dueDateTime/dateTime` and `reminderDateTime/dateTime`.

use std::fmt;
use std::ops::{BitAnd, BitOr};

use crate::{Error, Result};

mod builder;
mod filter;
mod terms;

pub use builder::QueryBuilder;
pub use terms::{ComparisonOp, FilterValue, IterableOp, OrderBy};

use filter::{Filter, Junction};

#[derive(Debug, Clone, PartialEq)]
struct Expand {
    relationship: String,
    select: Vec<String>,
}

impl Expand {
    fn render(&self) -> String {
        if self.select.is_empty() {
            self.relationship.clone()
        } else {
            format!("{}($select={})", self.relationship, self.select.join(","))
        }
    }
}

/// OData query options made by a [`QueryBuilder`]; combine with `&` and `|`.
///
/// `Query::default()` is empty and neutral for both operators.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    filter: Option<Filter>,
    search: Vec<String>,
    order_by: Vec<OrderBy>,
    select: Vec<String>,
    expand: Vec<Expand>,
    top: Option<u32>,
    skip: Option<u32>,
    count: Option<bool>,
    error: Option<String>,
}

impl Query {
    fn with_filter(filter: Filter) -> Query {
        Query {
            filter: Some(filter),
            ..Query::default()
        }
    }

    fn invalid(message: impl Into<String>) -> Query {
        Query {
            error: Some(message.into()),
            ..Query::default()
        }
    }

    /// Merges every part of `other` into this query (`$filter`s are joined with `and`).
    #[must_use]
    pub fn and(self, other: Query) -> Query {
        let mut error = self.error.or(other.error);
        let filter = match (self.filter, other.filter) {
            (Some(left), Some(right)) => Some(Filter::join(Junction::And, left, right)),
            (left, right) => left.or(right),
        };
        let query = Query {
            filter,
            search: merge_unique(self.search, other.search, |a, b| a == b),
            order_by: merge_unique(self.order_by, other.order_by, |a, b| {
                a.attribute == b.attribute
            }),
            select: merge_unique(self.select, other.select, |a, b| a == b),
            expand: merge_unique(self.expand, other.expand, |a, b| {
                a.relationship == b.relationship
            }),
            top: merge_scalar("$top", self.top, other.top, &mut error),
            skip: merge_scalar("$skip", self.skip, other.skip, &mut error),
            count: merge_scalar("$count", self.count, other.count, &mut error),
            error,
        };
        if !query.search.is_empty() && (query.filter.is_some() || !query.order_by.is_empty()) {
            return query.fail("can't mix $search with $filter or $orderby");
        }
        query
    }

    /// Joins the filters of two filter-only queries with `or`; any other part is an error
    /// (use [`Query::and`] for those).
    #[must_use]
    pub fn or(self, other: Query) -> Query {
        let filters_only = self.is_filters_only() && other.is_filters_only();
        let mut error = self.error.or(other.error);
        if !filters_only {
            error.get_or_insert_with(|| {
                "only filters can be combined with 'or'; add $search, $orderby, $select, \
                 $expand, $top, $skip and $count with 'and'"
                    .to_owned()
            });
        }
        let filter = match (self.filter, other.filter) {
            (Some(left), Some(right)) => Some(Filter::join(Junction::Or, left, right)),
            (left, right) => left.or(right),
        };
        Query {
            filter,
            error,
            ..Query::default()
        }
    }

    /// Records `message` as this query's error unless it already has one.
    fn fail(mut self, message: &str) -> Query {
        self.error.get_or_insert_with(|| message.to_owned());
        self
    }

    /// True when the query has no part other than `$filter` (an empty query qualifies).
    fn is_filters_only(&self) -> bool {
        self.search.is_empty()
            && self.order_by.is_empty()
            && self.select.is_empty()
            && self.expand.is_empty()
            && self.top.is_none()
            && self.skip.is_none()
            && self.count.is_none()
    }

    /// The filter of a filter-only query, for `not`, `any`, `all` and groups; otherwise the
    /// error message for `operation`.
    fn into_filter(self, operation: &str) -> std::result::Result<Filter, String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        match self.filter {
            Some(filter) if self.is_filters_only() => Ok(filter),
            _ => Err(format!("{operation} needs a query made only of filters")),
        }
    }

    /// True when the query has a `$filter`.
    pub fn has_filters(&self) -> bool {
        self.filter.is_some()
    }

    /// True when the query has a `$search`.
    pub fn has_search(&self) -> bool {
        !self.search.is_empty()
    }

    /// True when the query has an `$orderby`.
    pub fn has_order_by(&self) -> bool {
        !self.order_by.is_empty()
    }

    /// True when the query has a `$select`.
    pub fn has_selects(&self) -> bool {
        !self.select.is_empty()
    }

    /// True when the query has an `$expand`.
    pub fn has_expands(&self) -> bool {
        !self.expand.is_empty()
    }

    /// True when the query has a `$filter` and nothing else.
    pub fn has_only_filters(&self) -> bool {
        self.has_filters() && self.is_filters_only()
    }

    /// Removes the `$filter` part.
    pub fn clear_filters(&mut self) {
        self.filter = None;
    }

    /// The rendered value of the first comparison or function whose attribute starts with
    /// `attribute` (ASCII case-insensitive, wire casing), e.g. `'bob'` for `from`.
    pub fn filter_value_for(&self, attribute: &str) -> Option<&str> {
        self.filter.as_ref()?.value_for(attribute)
    }

    /// python-o365's name for [`Query::filter_value_for`].
    pub fn get_filter_by_attribute(&self, attribute: &str) -> Option<&str> {
        self.filter_value_for(attribute)
    }

    /// The `$filter` value, if any.
    pub fn filter(&self) -> Option<String> {
        self.filter.as_ref().map(|f| f.render(None))
    }

    /// The `$search` value (quoted), if any.
    pub fn search(&self) -> Option<String> {
        (!self.search.is_empty()).then(|| format!("\"{}\"", self.search.join(" AND ")))
    }

    /// The `$orderby` value, if any.
    pub fn order_by(&self) -> Option<String> {
        join_nonempty(self.order_by.iter().map(OrderBy::render))
    }

    /// The `$select` value, if any.
    pub fn select(&self) -> Option<String> {
        join_nonempty(self.select.iter().cloned())
    }

    /// The `$expand` value, if any.
    pub fn expand(&self) -> Option<String> {
        join_nonempty(self.expand.iter().map(Expand::render))
    }

    /// `Ok` unless the query was built from an invalid combination.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) describing the first problem.
    pub fn check(&self) -> Result<()> {
        match &self.error {
            Some(message) => Err(Error::invalid_input(message.clone())),
            None => Ok(()),
        }
    }

    /// The query string parameters, in the order `$filter`, `$search`, `$orderby`, `$expand`,
    /// `$select`, `$top`, `$skip`, `$count`; absent parts are left out.
    ///
    /// # Errors
    /// The error recorded by an invalid combination (see [`Query::check`]).
    pub fn params(&self) -> Result<Vec<(String, String)>> {
        self.check()?;
        let parts = [
            ("$filter", self.filter()),
            ("$search", self.search()),
            ("$orderby", self.order_by()),
            ("$expand", self.expand()),
            ("$select", self.select()),
            ("$top", self.top.map(|v| v.to_string())),
            ("$skip", self.skip.map(|v| v.to_string())),
            ("$count", self.count.map(|v| v.to_string())),
        ];
        Ok(parts
            .into_iter()
            .filter_map(|(key, value)| Some((key.to_owned(), value?)))
            .collect())
    }
}

/// `left` followed by the items of `right` that are not the `same` as one already kept.
fn merge_unique<T>(mut left: Vec<T>, right: Vec<T>, same: fn(&T, &T) -> bool) -> Vec<T> {
    for item in right {
        if !left.iter().any(|kept| same(kept, &item)) {
            left.push(item);
        }
    }
    left
}

/// Whichever of `left` and `right` is set; two different values record a conflict in `error`.
fn merge_scalar<T: PartialEq + fmt::Display>(
    name: &str,
    left: Option<T>,
    right: Option<T>,
    error: &mut Option<String>,
) -> Option<T> {
    match (left, right) {
        (Some(l), Some(r)) if l != r => {
            error.get_or_insert_with(|| format!("conflicting {name} values {l} and {r}"));
            Some(l)
        }
        (left, right) => left.or(right),
    }
}

fn join_nonempty(items: impl Iterator<Item = String>) -> Option<String> {
    let joined = items.collect::<Vec<_>>().join(",");
    (!joined.is_empty()).then_some(joined)
}

/// python-o365's five-line summary (`Filters:`, `Search:`, `OrderBy:`, `Select:`, `Expand:`),
/// plus `Top:`, `Skip:`, `Count:` and `Error:` lines when those are set.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_empty = |part: Option<String>| part.unwrap_or_default();
        write!(
            f,
            "Filters: {}\nSearch: {}\nOrderBy: {}\nSelect: {}\nExpand: {}",
            or_empty(self.filter()),
            or_empty(self.search()),
            or_empty(self.order_by()),
            or_empty(self.select()),
            or_empty(self.expand()),
        )?;
        if let Some(top) = self.top {
            write!(f, "\nTop: {top}")?;
        }
        if let Some(skip) = self.skip {
            write!(f, "\nSkip: {skip}")?;
        }
        if let Some(count) = self.count {
            write!(f, "\nCount: {count}")?;
        }
        if let Some(error) = &self.error {
            write!(f, "\nError: {error}")?;
        }
        Ok(())
    }
}

impl BitAnd for Query {
    type Output = Query;

    /// Same as [`Query::and`].
    fn bitand(self, other: Query) -> Query {
        self.and(other)
    }
}

impl BitOr for Query {
    type Output = Query;

    /// Same as [`Query::or`].
    fn bitor(self, other: Query) -> Query {
        self.or(other)
    }
}

#[cfg(test)]
mod tests;
