//! OpenAPI 3.0 schema objects → JSON Schema (what typify reads). The two dialects differ in a
//! few words only: `nullable: true` becomes a `null` member of `type` (or a `oneOf` with `null`
//! around a composition), `example` and the OpenAPI-only keywords are dropped, boolean
//! `exclusiveMinimum`/`exclusiveMaximum` go away. Everything else (`$ref`, `format`, `enum`,
//! `properties`, `additionalProperties`, `allOf`, …) is the same text.

use serde_json::{Map, Value, json};

/// Keywords of OpenAPI schemas that JSON Schema lacks (or spells differently) and typify
/// does not need.
const DROPPED: [&str; 6] = [
    "nullable",
    "example",
    "discriminator",
    "externalDocs",
    "xml",
    "x-ms-discriminator-value",
];

/// Converts one schema (and everything nested in it).
pub fn to_json_schema(schema: &Value) -> Result<schemars::schema::Schema, String> {
    serde_json::from_value(convert(schema)).map_err(|e| format!("schema not understood: {e}"))
}

fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(convert_object(map)),
        other => other.clone(),
    }
}

/// An object schema: a `$ref` alone, else its members converted, then `nullable` applied.
fn convert_object(map: &Map<String, Value>) -> Map<String, Value> {
    if let Some(reference) = map.get("$ref") {
        // As in OpenAPI 3.0, a reference's siblings are ignored.
        return Map::from_iter([("$ref".to_string(), reference.clone())]);
    }
    let out: Map<String, Value> = map
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), convert_member(key, value)?)))
        .collect();
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        allow_null(map, out)
    } else {
        out
    }
}

/// One member of an object schema, with the schemas nested in it converted; `None` for a
/// member JSON Schema does without.
fn convert_member(key: &str, value: &Value) -> Option<Value> {
    if DROPPED.contains(&key) {
        return None;
    }
    Some(match key {
        "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => return None,
        "properties" => match value {
            Value::Object(props) => Value::Object(
                props
                    .iter()
                    .map(|(name, prop)| (name.clone(), convert(prop)))
                    .collect(),
            ),
            other => other.clone(),
        },
        "items" | "additionalProperties" | "not" => convert(value),
        "allOf" | "anyOf" | "oneOf" => match value {
            Value::Array(parts) => Value::Array(parts.iter().map(convert).collect()),
            other => other.clone(),
        },
        _ => value.clone(),
    })
}

/// The converted schema `out` of the nullable OpenAPI schema `map`: `null` added to its
/// `type` (stated, or implied by its members), or a composition wrapped in a `oneOf` with null.
fn allow_null(map: &Map<String, Value>, mut out: Map<String, Value>) -> Map<String, Value> {
    match map.get("type").and_then(Value::as_str) {
        Some(kind) => {
            out.insert("type".into(), json!([kind, "null"]));
            out
        }
        None if ["allOf", "anyOf", "oneOf", "not"]
            .iter()
            .any(|k| map.contains_key(*k)) =>
        {
            null_or_composition(out)
        }
        None if map.contains_key("properties") || map.contains_key("additionalProperties") => {
            out.insert("type".into(), json!(["object", "null"]));
            out
        }
        None if map.contains_key("items") => {
            out.insert("type".into(), json!(["array", "null"]));
            out
        }
        None => out,
    }
}

/// `oneOf: [null, composition]`; the description stays on the outside.
fn null_or_composition(mut out: Map<String, Value>) -> Map<String, Value> {
    let mut outer = Map::new();
    for key in [
        "description",
        "title",
        "readOnly",
        "writeOnly",
        "deprecated",
    ] {
        if let Some(v) = out.remove(key) {
            outer.insert(key.into(), v);
        }
    }
    outer.insert(
        "oneOf".into(),
        json!([{"type": "null"}, Value::Object(out)]),
    );
    outer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_type_or_a_one_of() {
        assert_eq!(
            convert(&json!({"type": "string", "nullable": true, "example": "x"})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            convert(&json!({"allOf": [{"$ref": "#/a"}], "nullable": true, "description": "d"})),
            json!({"description": "d", "oneOf": [{"type": "null"}, {"allOf": [{"$ref": "#/a"}]}]})
        );
        assert_eq!(
            convert(&json!({"properties": {"a": {"type": "integer", "nullable": true}}})),
            json!({"properties": {"a": {"type": ["integer", "null"]}}})
        );
    }
}
