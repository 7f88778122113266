//! The terms of a query: filter values and their OData literals, comparison and lambda
//! operators, and order-by items.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

use crate::protocol::Protocol;

/// A value on the right side of a filter comparison, rendered as an OData literal.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterValue {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal.
    Integer(i128),
    /// A floating-point literal (`NaN`, `INF`, `-INF` for non-finite values).
    Float(f64),
    /// A string literal: single-quoted, embedded `'` doubled.
    String(String),
    /// A UTC instant, rendered `2024-01-02T03:04:05Z`.
    Utc(DateTime<Utc>),
    /// An instant with an offset, rendered `2024-01-02T03:04:05+02:00`.
    Offset(DateTime<FixedOffset>),
    /// A civil datetime, given the protocol time zone's offset at that time.
    Naive(NaiveDateTime),
    /// A date, rendered `2024-01-02`.
    Date(NaiveDate),
    /// Text inserted verbatim (enum members, GUIDs, other expressions). Not escaped.
    Raw(String),
}

impl FilterValue {
    /// A value inserted verbatim, e.g. `FilterValue::raw("microsoft.graph.importance'high'")`.
    pub fn raw(text: impl Into<String>) -> FilterValue {
        FilterValue::Raw(text.into())
    }

    /// The OData literal for this value; naive datetimes take `protocol`'s time zone offset.
    pub fn to_literal(&self, protocol: &Protocol) -> String {
        match self {
            FilterValue::Null => "null".to_owned(),
            FilterValue::Bool(b) => b.to_string(),
            FilterValue::Integer(i) => i.to_string(),
            FilterValue::Float(f) => float_literal(*f),
            FilterValue::String(s) => string_literal(s),
            FilterValue::Utc(dt) => dt.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            FilterValue::Offset(dt) => dt.to_rfc3339_opts(SecondsFormat::AutoSi, false),
            FilterValue::Naive(naive) => naive_literal(naive, protocol),
            FilterValue::Date(date) => date.format("%Y-%m-%d").to_string(),
            FilterValue::Raw(text) => text.clone(),
        }
    }
}

/// `'text'` with every `'` doubled, the OData string literal.
fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn float_literal(value: f64) -> String {
    match value {
        v if v.is_nan() => "NaN".to_owned(),
        v if v == f64::INFINITY => "INF".to_owned(),
        v if v == f64::NEG_INFINITY => "-INF".to_owned(),
        v => format!("{v:?}"),
    }
}

fn naive_literal(naive: &NaiveDateTime, protocol: &Protocol) -> String {
    let with_offset = protocol
        .zone()
        .offset_seconds_at(naive)
        .and_then(FixedOffset::east_opt)
        .and_then(|offset| naive.and_local_timezone(offset).single());
    match with_offset {
        Some(dt) => FilterValue::Offset(dt).to_literal(protocol),
        None => FilterValue::Utc(naive.and_utc()).to_literal(protocol),
    }
}

impl From<&str> for FilterValue {
    fn from(value: &str) -> Self {
        FilterValue::String(value.to_owned())
    }
}

impl From<String> for FilterValue {
    fn from(value: String) -> Self {
        FilterValue::String(value)
    }
}

impl From<&String> for FilterValue {
    fn from(value: &String) -> Self {
        FilterValue::String(value.clone())
    }
}

impl From<bool> for FilterValue {
    fn from(value: bool) -> Self {
        FilterValue::Bool(value)
    }
}

macro_rules! integer_values {
    ($($t:ty),*) => {$(
        impl From<$t> for FilterValue {
            fn from(value: $t) -> Self {
                FilterValue::Integer(i128::from(value))
            }
        }
    )*};
}
integer_values!(i8, i16, i32, i64, u8, u16, u32, u64);

impl From<isize> for FilterValue {
    fn from(value: isize) -> Self {
        FilterValue::Integer(value as i128)
    }
}

impl From<usize> for FilterValue {
    fn from(value: usize) -> Self {
        FilterValue::Integer(value as i128)
    }
}

impl From<f32> for FilterValue {
    fn from(value: f32) -> Self {
        FilterValue::Float(f64::from(value))
    }
}

impl From<f64> for FilterValue {
    fn from(value: f64) -> Self {
        FilterValue::Float(value)
    }
}

impl From<DateTime<Utc>> for FilterValue {
    fn from(value: DateTime<Utc>) -> Self {
        FilterValue::Utc(value)
    }
}

impl From<DateTime<FixedOffset>> for FilterValue {
    fn from(value: DateTime<FixedOffset>) -> Self {
        FilterValue::Offset(value)
    }
}

impl From<NaiveDateTime> for FilterValue {
    fn from(value: NaiveDateTime) -> Self {
        FilterValue::Naive(value)
    }
}

impl From<NaiveDate> for FilterValue {
    fn from(value: NaiveDate) -> Self {
        FilterValue::Date(value)
    }
}

impl<T: Into<FilterValue>> From<Option<T>> for FilterValue {
    fn from(value: Option<T>) -> Self {
        value.map_or(FilterValue::Null, Into::into)
    }
}

/// A comparison operator of `$filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComparisonOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl ComparisonOp {
    /// Every operator.
    pub const ALL: [ComparisonOp; 6] = [
        ComparisonOp::Eq,
        ComparisonOp::Ne,
        ComparisonOp::Gt,
        ComparisonOp::Ge,
        ComparisonOp::Lt,
        ComparisonOp::Le,
    ];

    /// The operator written `text` (any case) in `$filter`.
    pub fn parse(text: &str) -> Option<ComparisonOp> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(text))
    }

    /// The operator as written in `$filter`.
    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonOp::Eq => "eq",
            ComparisonOp::Ne => "ne",
            ComparisonOp::Gt => "gt",
            ComparisonOp::Ge => "ge",
            ComparisonOp::Lt => "lt",
            ComparisonOp::Le => "le",
        }
    }
}

/// A lambda operator over a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IterableOp {
    /// `any`: some item matches.
    Any,
    /// `all`: every item matches.
    All,
}

impl IterableOp {
    /// The operator as written in `$filter`.
    pub fn as_str(self) -> &'static str {
        match self {
            IterableOp::Any => "any",
            IterableOp::All => "all",
        }
    }
}

/// One `$orderby` item: an attribute (in API or wire casing) and a direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBy {
    pub(super) attribute: String,
    pub(super) ascending: bool,
}

impl OrderBy {
    /// Ascending order on `attribute`.
    pub fn asc(attribute: impl Into<String>) -> OrderBy {
        OrderBy {
            attribute: attribute.into(),
            ascending: true,
        }
    }

    /// Descending order on `attribute`.
    pub fn desc(attribute: impl Into<String>) -> OrderBy {
        OrderBy {
            attribute: attribute.into(),
            ascending: false,
        }
    }

    /// `"receivedDateTime desc"` / `"subject asc"` / `"subject"`: the OData text of one item.
    pub fn parse(text: &str) -> OrderBy {
        let text = text.trim();
        match text.rsplit_once(' ') {
            Some((name, dir)) if dir.eq_ignore_ascii_case("desc") => OrderBy::desc(name.trim_end()),
            Some((name, dir)) if dir.eq_ignore_ascii_case("asc") => OrderBy::asc(name.trim_end()),
            _ => OrderBy::asc(text),
        }
    }

    pub(super) fn render(&self) -> String {
        if self.ascending {
            self.attribute.clone()
        } else {
            format!("{} desc", self.attribute)
        }
    }
}

impl From<&str> for OrderBy {
    fn from(attribute: &str) -> Self {
        OrderBy::asc(attribute)
    }
}

impl From<String> for OrderBy {
    fn from(attribute: String) -> Self {
        OrderBy::asc(attribute)
    }
}

impl<S: Into<String>> From<(S, bool)> for OrderBy {
    fn from((attribute, ascending): (S, bool)) -> Self {
        OrderBy {
            attribute: attribute.into(),
            ascending,
        }
    }
}
