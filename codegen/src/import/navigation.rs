//! Dropping navigation properties from the models.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::passes::walk;

/// Removes navigation properties from every component schema (see [`super::Selection`]).
pub fn drop_navigation(doc: &mut Value) -> usize {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return 0;
    };
    let entities = entity_types(schemas);
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return 0;
    };
    let mut count = 0;
    // Only entity types have navigation properties; a collection response's `value` (an
    // array of entities) is the payload itself.
    for (_, schema) in schemas
        .iter_mut()
        .filter(|(key, _)| entities.contains(*key))
    {
        for part in own_parts(schema) {
            if let Some(Value::Object(props)) = part.get_mut("properties") {
                let before = props.len();
                props.retain(|_, prop| !is_navigation(prop, &entities));
                count += before - props.len();
            }
        }
    }
    count
}

/// `microsoft.graph.entity` and every schema deriving from it (through `allOf` references).
fn entity_types(schemas: &Map<String, Value>) -> BTreeSet<String> {
    let mut entities: BTreeSet<String> = BTreeSet::from(["microsoft.graph.entity".to_string()]);
    loop {
        let before = entities.len();
        for (key, schema) in schemas {
            if parents(schema).any(|p| entities.contains(p)) {
                entities.insert(key.clone());
            }
        }
        if entities.len() == before {
            return entities;
        }
    }
}

/// The schema keys an `allOf` schema derives from.
fn parents(schema: &Value) -> impl Iterator<Item = &str> {
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|part| part.get("$ref").and_then(Value::as_str))
        .filter_map(walk::schema_ref_name)
}

/// The parts of a schema that can hold properties: its `allOf` members, or itself.
fn own_parts(schema: &mut Value) -> Vec<&mut Value> {
    if schema.get("allOf").is_some_and(Value::is_array) {
        schema["allOf"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .collect()
    } else {
        vec![schema]
    }
}

/// Whether a property is marked `x-ms-navigationProperty` or is typed as an entity (directly,
/// as array items, or as a member of `anyOf`/`oneOf`/`allOf`).
fn is_navigation(prop: &Value, entities: &BTreeSet<String>) -> bool {
    if prop.get("x-ms-navigationProperty") == Some(&Value::Bool(true)) {
        return true;
    }
    let mut candidates = vec![prop];
    candidates.extend(prop.get("items"));
    for key in ["anyOf", "oneOf", "allOf"] {
        candidates.extend(
            prop.get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    candidates.iter().any(|c| {
        c.get("$ref")
            .and_then(Value::as_str)
            .and_then(walk::schema_ref_name)
            .is_some_and(|name| entities.contains(name))
    })
}
