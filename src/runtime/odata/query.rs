//! The OData query builder: python-o365's `QueryBuilder` in Rust shape.
//!
//! A [`QueryBuilder`] is bound to a [`Protocol`] (for key casing, time zone and type names) and
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

use crate::protocol::Protocol;
use crate::{Error, Result};

mod terms;

pub use terms::{ComparisonOp, FilterValue, IterableOp, OrderBy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Junction {
    And,
    Or,
}

impl Junction {
    fn separator(self) -> &'static str {
        match self {
            Junction::And => " and ",
            Junction::Or => " or ",
        }
    }
}

/// A `$filter` expression tree; attributes are already mapped and cased, values rendered.
/// `attribute: None` stands for the lambda item itself.
#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Compare {
        attribute: Option<String>,
        op: ComparisonOp,
        value: String,
    },
    Function {
        function: String,
        attribute: Option<String>,
        value: String,
    },
    Iterable {
        op: IterableOp,
        collection: Option<String>,
        item: String,
        inner: Box<Filter>,
    },
    Not(Box<Filter>),
    Chain {
        junction: Junction,
        items: Vec<Filter>,
    },
    Group(Box<Filter>),
    /// OData filter text given as it is.
    Raw(String),
}

impl Filter {
    /// Renders the expression; inside a lambda, attributes are prefixed with `item/`.
    fn render(&self, item: Option<&str>) -> String {
        match self {
            Filter::Compare {
                attribute,
                op,
                value,
            } => format!("{} {} {value}", path(item, attribute), op.as_str()),
            Filter::Function {
                function,
                attribute,
                value,
            } => format!("{function}({}, {value})", path(item, attribute)),
            Filter::Iterable {
                op,
                collection,
                item: own,
                inner,
            } => format!(
                "{}/{}({own}: {})",
                path(item, collection),
                op.as_str(),
                inner.render(Some(own))
            ),
            Filter::Not(inner) => format!("not {}", inner.render(item)),
            Filter::Chain { junction, items } => items
                .iter()
                .map(|f| f.render(item))
                .collect::<Vec<_>>()
                .join(junction.separator()),
            Filter::Group(inner) => format!("({})", inner.render(item)),
            Filter::Raw(text) => text.clone(),
        }
    }

    /// Joins two filters, flattening chains of the same junction. An `or` chain that goes into an
    /// `and` is grouped so that it keeps its meaning (`and` binds tighter than `or`).
    fn join(junction: Junction, left: Filter, right: Filter) -> Filter {
        let mut items = Vec::new();
        for filter in [left, right] {
            match filter {
                Filter::Chain {
                    junction: inner,
                    items: inner_items,
                } if inner == junction => items.extend(inner_items),
                chain @ Filter::Chain {
                    junction: Junction::Or,
                    ..
                } => items.push(Filter::Group(Box::new(chain))),
                raw @ Filter::Raw(_) => items.push(Filter::Group(Box::new(raw))),
                other => items.push(other),
            }
        }
        Filter::Chain { junction, items }
    }

    fn negate(self) -> Filter {
        match self {
            chain @ Filter::Chain { .. } => Filter::Not(Box::new(Filter::Group(Box::new(chain)))),
            other => Filter::Not(Box::new(other)),
        }
    }

    /// The value of the first comparison/function whose attribute starts with `prefix`
    /// (ASCII case-insensitive), depth first.
    fn value_for(&self, prefix: &str) -> Option<&str> {
        let matches = |attribute: &Option<String>| {
            attribute.as_deref().is_some_and(|a| {
                a.len() >= prefix.len()
                    && a.is_char_boundary(prefix.len())
                    && a[..prefix.len()].eq_ignore_ascii_case(prefix)
            })
        };
        match self {
            Filter::Compare {
                attribute, value, ..
            }
            | Filter::Function {
                attribute, value, ..
            } => matches(attribute).then_some(value.as_str()),
            Filter::Iterable { inner, .. } | Filter::Not(inner) | Filter::Group(inner) => {
                inner.value_for(prefix)
            }
            Filter::Chain { items, .. } => items.iter().find_map(|f| f.value_for(prefix)),
            Filter::Raw(_) => None,
        }
    }
}

fn path(item: Option<&str>, attribute: &Option<String>) -> String {
    match (item, attribute) {
        (Some(item), Some(attribute)) => format!("{item}/{attribute}"),
        (Some(item), None) => item.to_owned(),
        (None, Some(attribute)) => attribute.clone(),
        (None, None) => String::new(),
    }
}

/// One `$expand` item: a relationship and an optional nested `$select`.
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

/// Attribute shortcuts (python-o365's mapping, with Graph's real property names).
const ATTRIBUTE_SHORTCUTS: &[(&str, &str)] = &[
    ("from", "from/emailAddress/address"),
    ("to", "toRecipients/emailAddress/address"),
    ("start", "start/dateTime"),
    ("end", "end/dateTime"),
    ("due", "dueDateTime/dateTime"),
    ("reminder", "reminderDateTime/dateTime"),
    ("flag", "flag/flagStatus"),
    ("body", "body/content"),
];

/// Makes [`Query`] parts in a protocol's casing. Get one with [`Protocol::query`].
///
/// Attributes may be given in snake_case (`received_date_time`) or wire casing, as `/` paths;
/// each path segment is converted, except type casts and annotations (segments containing `.`,
/// or starting with `$` or `@`).
#[derive(Debug, Clone, Copy)]
pub struct QueryBuilder<'p> {
    protocol: &'p Protocol,
}

impl<'p> QueryBuilder<'p> {
    /// A builder for `protocol`.
    pub fn new(protocol: &'p Protocol) -> QueryBuilder<'p> {
        QueryBuilder { protocol }
    }

    fn segment(&self, segment: &str) -> String {
        if segment.contains('.') || segment.starts_with(['$', '@']) {
            segment.to_owned()
        } else {
            self.protocol.convert_case(segment)
        }
    }

    /// The wire path for an attribute (shortcuts expanded, casing applied); `None` when empty.
    fn attribute(&self, attribute: &str) -> Option<String> {
        let attribute = attribute.trim();
        if attribute.is_empty() {
            return None;
        }
        let path = ATTRIBUTE_SHORTCUTS
            .iter()
            .find(|(shortcut, _)| *shortcut == attribute)
            .map_or(attribute, |(_, path)| path);
        Some(
            path.split('/')
                .map(|s| self.segment(s))
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// `name` prefixed with the event-message type cast when it is `special` (case-insensitive)
    /// and the protocol has one, e.g. `microsoft.graph.eventMessage/event`.
    fn event_cast(&self, name: String, special: &str) -> String {
        match self.protocol.get_service_keyword("event_message_type") {
            Some(cast) if name.eq_ignore_ascii_case(special) => format!("{cast}/{name}"),
            _ => name,
        }
    }

    fn literal(&self, value: impl Into<FilterValue>) -> String {
        value.into().to_literal(self.protocol)
    }

    /// `attribute <op> value`.
    pub fn logical_operation(
        &self,
        op: ComparisonOp,
        attribute: &str,
        value: impl Into<FilterValue>,
    ) -> Query {
        Query::with_filter(Filter::Compare {
            attribute: self.attribute(attribute),
            op,
            value: self.literal(value),
        })
    }

    /// `attribute eq value`.
    pub fn equals(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.logical_operation(ComparisonOp::Eq, attribute, value)
    }

    /// `attribute ne value`.
    pub fn unequal(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.logical_operation(ComparisonOp::Ne, attribute, value)
    }

    /// `attribute gt value`.
    pub fn greater(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.logical_operation(ComparisonOp::Gt, attribute, value)
    }

    /// `attribute ge value`.
    pub fn greater_equal(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.logical_operation(ComparisonOp::Ge, attribute, value)
    }

    /// `attribute lt value`.
    pub fn less(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.logical_operation(ComparisonOp::Lt, attribute, value)
    }

    /// `attribute le value`.
    pub fn less_equal(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.logical_operation(ComparisonOp::Le, attribute, value)
    }

    /// `function(attribute, value)` for any OData function taking an attribute and a value.
    pub fn function_operation(
        &self,
        function: &str,
        attribute: &str,
        value: impl Into<FilterValue>,
    ) -> Query {
        Query::with_filter(Filter::Function {
            function: function.to_owned(),
            attribute: self.attribute(attribute),
            value: self.literal(value),
        })
    }

    /// `contains(attribute, value)`.
    pub fn contains(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.function_operation("contains", attribute, value)
    }

    /// `startswith(attribute, value)`.
    pub fn startswith(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.function_operation("startswith", attribute, value)
    }

    /// `endswith(attribute, value)`.
    pub fn endswith(&self, attribute: &str, value: impl Into<FilterValue>) -> Query {
        self.function_operation("endswith", attribute, value)
    }

    /// `collection/<op>(item: <inner>)`: the attributes of `inner` (a filter-only query) are
    /// prefixed with `item/`; an empty attribute stands for the item itself.
    pub fn iterable_operation(
        &self,
        op: IterableOp,
        collection: &str,
        item_name: &str,
        inner: Query,
    ) -> Query {
        match inner.into_filter(op.as_str()) {
            Ok(filter) => Query::with_filter(Filter::Iterable {
                op,
                collection: self.attribute(collection),
                item: item_name.to_owned(),
                inner: Box::new(filter),
            }),
            Err(message) => Query::invalid(message),
        }
    }

    /// `collection/any(a: <inner>)`.
    pub fn any(&self, collection: &str, inner: Query) -> Query {
        self.iterable_operation(IterableOp::Any, collection, "a", inner)
    }

    /// `collection/all(a: <inner>)`.
    pub fn all(&self, collection: &str, inner: Query) -> Query {
        self.iterable_operation(IterableOp::All, collection, "a", inner)
    }

    /// `not <filter>` (a chain is parenthesised first).
    pub fn negate(&self, filter: Query) -> Query {
        match filter.into_filter("not") {
            Ok(filter) => Query::with_filter(filter.negate()),
            Err(message) => Query::invalid(message),
        }
    }

    /// `(<filter>)`.
    pub fn group(&self, filter: Query) -> Query {
        match filter.into_filter("group") {
            Ok(filter) => Query::with_filter(Filter::Group(Box::new(filter))),
            Err(message) => Query::invalid(message),
        }
    }

    fn chain(
        &self,
        queries: impl IntoIterator<Item = Query>,
        group: bool,
        combine: fn(Query, Query) -> Query,
    ) -> Query {
        let mut chained = queries.into_iter().fold(Query::default(), combine);
        if group && chained.error.is_none() {
            chained.filter = chained.filter.map(|f| Filter::Group(Box::new(f)));
        }
        chained
    }

    /// All `queries` joined with `and` (other parts merge); `group` wraps the filter in `( )`.
    pub fn chain_and(&self, queries: impl IntoIterator<Item = Query>, group: bool) -> Query {
        self.chain(queries, group, Query::and)
    }

    /// All filter-only `queries` joined with `or`; `group` wraps the result in `( )`.
    pub fn chain_or(&self, queries: impl IntoIterator<Item = Query>, group: bool) -> Query {
        self.chain(queries, group, Query::or)
    }

    /// A filter written as OData text, sent as it is (grouped in `( )` when combined).
    pub fn raw_filter(&self, text: &str) -> Query {
        Query::with_filter(Filter::Raw(text.to_string()))
    }

    /// `$search="text"`: quoted once, with `\` and `"` escaped by a backslash.
    pub fn search(&self, text: &str) -> Query {
        Query {
            search: vec![escape_search(text)],
            ..Query::default()
        }
    }

    /// `$search="attribute:text"` (KQL property restriction; the attribute gets casing only).
    pub fn search_attribute(&self, attribute: &str, text: &str) -> Query {
        let attribute = self.segment(attribute.trim());
        Query {
            search: vec![format!("{attribute}:{}", escape_search(text))],
            ..Query::default()
        }
    }

    /// `$orderby`: items are attributes (ascending), `(attribute, ascending)` pairs or
    /// [`OrderBy`] values; casing and shortcuts apply; repeated attributes keep the first.
    pub fn orderby<T: Into<OrderBy>>(&self, items: impl IntoIterator<Item = T>) -> Query {
        let mut order_by: Vec<OrderBy> = Vec::new();
        for item in items {
            let item: OrderBy = item.into();
            let Some(attribute) = self.attribute(&item.attribute) else {
                continue;
            };
            if !order_by.iter().any(|o| o.attribute == attribute) {
                order_by.push(OrderBy { attribute, ..item });
            }
        }
        Query {
            order_by,
            ..Query::default()
        }
    }

    fn select_list<S: AsRef<str>>(&self, attributes: impl IntoIterator<Item = S>) -> Vec<String> {
        let names = attributes
            .into_iter()
            .filter(|a| !a.as_ref().trim().is_empty())
            .map(|a| self.event_cast(self.segment(a.as_ref().trim()), "meetingMessageType"));
        merge_unique(Vec::new(), names.collect(), |a, b| a == b)
    }

    /// `$select`: casing applies; `meetingMessageType` gets the event-message type cast.
    pub fn select<S: AsRef<str>>(&self, attributes: impl IntoIterator<Item = S>) -> Query {
        Query {
            select: self.select_list(attributes),
            ..Query::default()
        }
    }

    /// `$expand=relationship`; `event` gets the event-message type cast.
    pub fn expand(&self, relationship: &str) -> Query {
        self.expand_with_select(relationship, std::iter::empty::<&str>())
    }

    /// `$expand=relationship($select=a,b)`.
    pub fn expand_with_select<S: AsRef<str>>(
        &self,
        relationship: &str,
        select: impl IntoIterator<Item = S>,
    ) -> Query {
        let relationship = self.event_cast(self.segment(relationship.trim()), "event");
        Query {
            expand: vec![Expand {
                relationship,
                select: self.select_list(select),
            }],
            ..Query::default()
        }
    }

    /// `$top=n` (not capped: see [`Protocol::max_top_value`]).
    pub fn top(&self, n: u32) -> Query {
        Query {
            top: Some(n),
            ..Query::default()
        }
    }

    /// `$skip=n`.
    pub fn skip(&self, n: u32) -> Query {
        Query {
            skip: Some(n),
            ..Query::default()
        }
    }

    /// `$count=true|false`.
    pub fn count(&self, count: bool) -> Query {
        Query {
            count: Some(count),
            ..Query::default()
        }
    }
}

fn escape_search(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests;
