//! OData: system query options (`$filter`, `$search`, `$orderby`, `$select`, `$expand`, `$top`,
//! `$skip`, `$count`) built in a protocol's casing, paging over `@odata.nextLink`, and entity
//! annotations (`@odata.etag`).

pub mod entity;
pub mod paging;
pub mod query;

pub use entity::ODataEntity;
pub use paging::{ItemStream, Page, PageStream};
pub use query::{ComparisonOp, FilterValue, IterableOp, OrderBy, Query, QueryBuilder};
