//! OData annotations of generated entity types: `@odata.etag` (for `If-Match`) and
//! `@odata.type`, which the generated types keep in their flattened `extra` map.

use serde_json::{Map, Value};

/// An entity that keeps the members its type does not declare, OData annotations among them.
/// The generator implements it for every generated type with a flattened `extra` map.
///
/// ```ignore
/// let message = conn.mail().get_message("id", None, None, None).await?.into_inner();
/// conn.mail().delete_message("id", message.etag()).await?; // sends If-Match
/// ```
pub trait ODataEntity {
    /// The undeclared members as received (`@odata.*` annotations, open-type data).
    fn annotations(&self) -> &Map<String, Value>;

    /// One annotation or undeclared member, by its wire name.
    fn annotation(&self, name: &str) -> Option<&Value> {
        self.annotations().get(name)
    }

    /// The entity's version (`@odata.etag`), to send as `If-Match` on update or delete.
    fn etag(&self) -> Option<&str> {
        self.annotation("@odata.etag")?.as_str()
    }

    /// The entity's concrete type (`@odata.type`, e.g. `#microsoft.graph.eventMessage`).
    fn odata_type(&self) -> Option<&str> {
        self.annotation("@odata.type")?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Entity(Map<String, Value>);

    impl ODataEntity for Entity {
        fn annotations(&self) -> &Map<String, Value> {
            &self.0
        }
    }

    #[test]
    fn reads_etag_and_type_and_ignores_non_strings() {
        let Value::Object(map) = serde_json::json!({
            "@odata.etag": "W/\"CQAAABYAAAA=\"",
            "@odata.type": "#microsoft.graph.eventMessage",
        }) else {
            unreachable!()
        };
        let entity = Entity(map);
        assert_eq!(entity.etag(), Some("W/\"CQAAABYAAAA=\""));
        assert_eq!(entity.odata_type(), Some("#microsoft.graph.eventMessage"));
        let Value::Object(map) = serde_json::json!({"@odata.etag": 5}) else {
            unreachable!()
        };
        assert_eq!(Entity(map).etag(), None);
        assert_eq!(Entity(Map::new()).odata_type(), None);
    }
}
