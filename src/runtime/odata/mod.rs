//! OData system query options (`$filter`, `$search`, `$orderby`, `$select`, `$expand`, `$top`,
//! `$skip`, `$count`) built in a protocol's casing, and paging.

pub mod paging;
pub mod query;

pub use query::{ComparisonOp, FilterValue, IterableOp, OrderBy, Query, QueryBuilder};
