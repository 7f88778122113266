//! `flatten_allof`: resolve `allOf` inheritance chains into one plain object (base properties
//! first). Without it typify intersects each property with the parts' open-type
//! `additionalProperties` and emits uninhabited `enum X {}` types.

use serde_json::{Map, Value};

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let snapshot = doc
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or(Value::Null);
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        if is_inheritance(schema) && flatten(schema, &snapshot) {
            count += 1;
        }
    });
    count
}

/// `allOf` with an inline part that adds properties, or with several parts. A lone
/// `allOf: [$ref]` (the nullable-reference idiom) is left alone.
fn is_inheritance(schema: &Map<String, Value>) -> bool {
    match schema.get("allOf") {
        Some(Value::Array(parts)) => {
            parts.len() > 1 || parts.iter().any(|p| p.get("$ref").is_none())
        }
        _ => false,
    }
}

#[derive(Default)]
struct Merged {
    properties: Map<String, Value>,
    required: Vec<Value>,
    additional: Option<Value>,
}

fn flatten(schema: &mut Map<String, Value>, components: &Value) -> bool {
    let Some(Value::Array(parts)) = schema.get("allOf") else {
        return false;
    };
    let mut merged = Merged::default();
    for part in parts {
        if !collect(part, components, &mut merged, 0) {
            return false;
        }
    }
    let own = Value::Object(schema.clone());
    collect_own(&own, &mut merged);
    schema.remove("allOf");
    schema.insert("type".into(), Value::String("object".into()));
    schema.insert("properties".into(), Value::Object(merged.properties));
    if merged.required.is_empty() {
        schema.remove("required");
    } else {
        schema.insert("required".into(), Value::Array(merged.required));
    }
    if let Some(additional) = merged.additional {
        schema.insert("additionalProperties".into(), additional);
    }
    true
}

/// Adds one part (a reference, followed recursively, or an inline object) to `merged`.
/// Returns false when a part is not an object, so the `allOf` cannot be flattened.
fn collect(part: &Value, components: &Value, merged: &mut Merged, depth: usize) -> bool {
    if depth > 32 {
        return false;
    }
    let part = match part.get("$ref").and_then(Value::as_str) {
        Some(reference) => match walk::schema_ref_name(reference).and_then(|n| components.get(n)) {
            Some(target) => target,
            None => return false,
        },
        None => part,
    };
    if let Some(Value::Array(parents)) = part.get("allOf") {
        for parent in parents {
            if !collect(parent, components, merged, depth + 1) {
                return false;
            }
        }
    } else if part.get("properties").is_none()
        && part.get("type").and_then(Value::as_str) != Some("object")
    {
        return false;
    }
    collect_own(part, merged);
    true
}

fn collect_own(part: &Value, merged: &mut Merged) {
    if let Some(Value::Object(props)) = part.get("properties") {
        for (name, prop) in props {
            merged.properties.insert(name.clone(), prop.clone());
        }
    }
    if let Some(Value::Array(required)) = part.get("required") {
        for name in required {
            if !merged.required.contains(name) {
                merged.required.push(name.clone());
            }
        }
    }
    if let Some(additional) = part.get("additionalProperties") {
        merged.additional = Some(additional.clone());
    }
}
