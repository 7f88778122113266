//! The direct uses of a schema: every `$ref` outside inheritance `allOf` parents, family
//! components and PATCH request bodies.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{EXTENSION, PREFIX, schema_key};
use crate::passes::walk;

/// Calls `f` with the schema key of every direct use (not an inheritance parent, not inside a
/// family component, not a PATCH request body).
pub(super) fn count_uses(doc: &mut Value, f: &mut dyn FnMut(&str)) {
    visit_uses(doc, &mut |reference: &mut Value| {
        if let Some(key) = reference.as_str().and_then(schema_key) {
            f(key);
        }
    });
}

/// Points every direct use of a family base at its family component (`families`: base key →
/// family key).
pub(super) fn rewrite_uses(doc: &mut Value, families: &BTreeMap<String, String>) {
    visit_uses(doc, &mut |reference: &mut Value| {
        if let Some(new) = reference
            .as_str()
            .and_then(schema_key)
            .and_then(|key| families.get(key))
        {
            *reference = Value::String(format!("{PREFIX}{new}"));
        }
    });
}

/// Visits (mutably) every `$ref` value that is a direct use.
fn visit_uses(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    // PATCH request bodies keep the plain type: take them out while visiting.
    let mut patch_bodies: BTreeMap<String, Value> = BTreeMap::new();
    walk::for_each_operation(doc, &mut |path, method, op| {
        if method == "patch"
            && let Some(body) = op.remove("requestBody")
        {
            patch_bodies.insert(path.to_string(), body);
        }
    });
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        for (kind, items) in components.iter_mut() {
            let Value::Object(items) = items else {
                continue;
            };
            for item in items.values_mut() {
                if kind == "schemas" {
                    if item.get(EXTENSION).is_some() {
                        continue;
                    }
                    component_schema(item, f);
                } else {
                    refs(item, f);
                }
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        refs(paths, f);
    }
    walk::for_each_operation(doc, &mut |path, method, op| {
        if method == "patch"
            && let Some(body) = patch_bodies.remove(path)
        {
            op.insert("requestBody".into(), body);
        }
    });
}

/// A component schema: its inheritance `allOf` parents are not uses; everything else is.
fn component_schema(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    let Value::Object(map) = schema else { return };
    let inheritance = match map.get("allOf") {
        Some(Value::Array(parts)) => {
            parts.len() > 1 || parts.iter().any(|p| p.get("$ref").is_none())
        }
        _ => false,
    };
    for (key, value) in map.iter_mut() {
        if key == "allOf" && inheritance {
            if let Value::Array(parts) = value {
                for part in parts.iter_mut().filter(|p| p.get("$ref").is_none()) {
                    refs(part, f);
                }
            }
        } else if key == "$ref" {
            f(value);
        } else if key != "discriminator" {
            refs(value, f);
        }
    }
}

/// Calls `f` with every `$ref` value below `value`.
fn refs(value: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    f(v);
                } else {
                    refs(v, f);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| refs(v, f)),
        _ => {}
    }
}
