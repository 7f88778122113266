//! [`Protocol::query`](crate::protocol::Protocol::query): where a protocol meets the OData query
//! builder. It lives above both modules because `odata` builds on `protocol` (casing, time zone,
//! type names); defined here, `protocol` needs nothing from `odata`.

use crate::odata::QueryBuilder;
use crate::protocol::Protocol;

impl Protocol {
    /// A query builder bound to this protocol (casing, time zone, type names).
    pub fn query(&self) -> QueryBuilder<'_> {
        QueryBuilder::new(self)
    }
}
