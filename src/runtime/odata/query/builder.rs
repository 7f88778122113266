//! [`QueryBuilder`]: makes [`Query`] parts in a protocol's casing.

use super::filter::Filter;
use super::terms::{ComparisonOp, FilterValue, IterableOp, OrderBy};
use super::{Expand, Query, merge_unique};
use crate::protocol::Protocol;

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
