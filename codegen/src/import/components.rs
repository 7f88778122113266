//! Components from other descriptions: merged files, taken schemas, restored collection values.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{Error, reach};

/// Gives every `<item>CollectionResponse` schema that lacks it its `value` array of `<item>`
/// (cuts made before navigation dropping spared collection responses lost it). Returns how
/// many were restored.
pub fn restore_collection_values(doc: &mut Value) -> usize {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return 0;
    };
    let keys: BTreeSet<String> = schemas.keys().cloned().collect();
    let mut restored = 0;
    for (key, schema) in schemas.iter_mut() {
        let Some(item) = key.strip_suffix("CollectionResponse") else {
            continue;
        };
        // `allOf: [BaseCollectionPaginationCountResponse, {properties: {…}}]` or plain.
        let own = match schema.get_mut("allOf") {
            Some(Value::Array(parts)) => parts.iter_mut().find(|p| p.get("$ref").is_none()),
            _ => Some(schema),
        };
        let Some(Value::Object(properties)) = own.and_then(|s| s.get_mut("properties")) else {
            continue;
        };
        if keys.contains(item) && !properties.contains_key("value") {
            let items = serde_json::json!({"$ref": format!("#/components/schemas/{item}")});
            properties.insert(
                "value".into(),
                serde_json::json!({"type": "array", "items": items}),
            );
            restored += 1;
        }
    }
    restored
}

/// Copies the schemas `keys` (`microsoft.graph.` assumed when a key has no dot) from `other`
/// into `doc`, with every component they reach there; what `doc` already has stays.
pub(super) fn take_schemas(doc: &mut Value, other: &Value, keys: &[String]) -> Result<(), Error> {
    let mut roots = Vec::new();
    for key in keys {
        let key = if key.contains('.') {
            key.clone()
        } else {
            format!("microsoft.graph.{key}")
        };
        let schema = other
            .pointer("/components/schemas")
            .and_then(|s| s.get(&key))
            .ok_or_else(|| Error::Parse(format!("`{key}` is not a schema of that description")))?;
        doc["components"]["schemas"]
            .as_object_mut()
            .ok_or_else(|| Error::Parse("the description has no components.schemas".into()))?
            .entry(key)
            .or_insert_with(|| schema.clone());
        roots.push(schema);
    }
    for (kind, name) in reach::reachable(other, &roots, &BTreeSet::new()) {
        if let Some(item) = other
            .get("components")
            .and_then(|c| c.get(&kind))
            .and_then(|k| k.get(&name))
            && doc["components"][&kind].get(&name).is_none()
        {
            doc["components"][&kind][&name] = item.clone();
        }
    }
    Ok(())
}

/// Adds `extra`'s paths and components to `doc` (extra wins on equal keys).
pub(super) fn merge(doc: &mut Value, extra: Value) {
    if let Some(Value::Object(paths)) = extra.get("paths") {
        for (path, item) in paths {
            doc["paths"][path] = item.clone();
        }
    }
    if let Some(Value::Object(components)) = extra.get("components") {
        for (kind, items) in components {
            for (name, item) in items.as_object().into_iter().flatten() {
                doc["components"][kind][name] = item.clone();
            }
        }
    }
}
