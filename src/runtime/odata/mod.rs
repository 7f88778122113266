//! OData helpers: paging (and the query builder).
pub mod paging;
