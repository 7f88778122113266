//! OData: system query options (`$filter`, `$search`, `$orderby`, `$select`, `$expand`, `$top`,
//! `$skip`, `$count`) built in a protocol's casing, and paging over `@odata.nextLink`.

pub mod paging;
pub mod query;

pub use paging::{ItemStream, Page, PageStream};
pub use query::{ComparisonOp, FilterValue, IterableOp, OrderBy, Query, QueryBuilder};
