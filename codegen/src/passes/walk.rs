//! Traversal helpers shared by the passes: every schema object of a document, every operation.

use serde_json::{Map, Value};

/// HTTP methods an OpenAPI path item may hold, in document order of preference.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `f` on every schema object in the document (component schemas, parameter, request and
/// response schemas, and everything nested in them), parents before children.
pub fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        schemas.values_mut().for_each(|s| visit(s, f));
    }
    for_each_inline_schema(doc, f);
}

/// Like [`for_each_schema`], but skips `components.schemas` (only parameter, body and response
/// schemas, and what is nested in them).
pub fn for_each_inline_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(components) = doc.get_mut("components") {
        for kind in ["parameters", "headers"] {
            if let Some(Value::Object(items)) = components.get_mut(kind) {
                items.values_mut().for_each(|p| parameter(p, f));
            }
        }
        for kind in ["responses", "requestBodies"] {
            if let Some(Value::Object(items)) = components.get_mut(kind) {
                items.values_mut().for_each(|b| body(b, f));
            }
        }
    }
    for_each_operation(doc, &mut |_, _, op| {
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            params.iter_mut().for_each(|p| parameter(p, f));
        }
        if let Some(b) = op.get_mut("requestBody") {
            body(b, f);
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            responses.values_mut().for_each(|r| body(r, f));
        }
    });
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            if let Some(Value::Array(params)) = item.get_mut("parameters") {
                params.iter_mut().for_each(|p| parameter(p, f));
            }
        }
    }
}

fn parameter(p: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(s) = p.get_mut("schema") {
        visit(s, f);
    }
    body(p, f);
}

fn body(b: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    if let Some(Value::Object(content)) = b.get_mut("content") {
        for media in content.values_mut() {
            if let Some(s) = media.get_mut("schema") {
                visit(s, f);
            }
        }
    }
    if let Some(Value::Object(headers)) = b.get_mut("headers") {
        headers.values_mut().for_each(|h| parameter(h, f));
    }
}

/// Visits one schema and its sub-schemas.
pub fn visit(schema: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Value::Object(map) = schema else { return };
    f(map);
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.values_mut().for_each(|p| visit(p, f));
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(sub) = map.get_mut(key) {
            visit(sub, f);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(parts)) = map.get_mut(key) {
            parts.iter_mut().for_each(|p| visit(p, f));
        }
    }
}

/// A callback receiving `(path, method, operation)`.
pub type OperationVisitor<'a> = dyn FnMut(&str, &str, &mut Map<String, Value>) + 'a;

/// Calls `f(path, method, operation)` for every operation, in document order.
pub fn for_each_operation(doc: &mut Value, f: &mut OperationVisitor<'_>) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Value::Object(op) = op {
                f(path, method, op);
            }
        }
    }
}

/// The component schema name a `#/components/schemas/…` reference points at.
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Resolves `{"$ref": "#/components/<kind>/<name>"}` to the component, or returns `value` itself.
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
        return value;
    };
    let Some(rest) = reference.strip_prefix("#/components/") else {
        return value;
    };
    let Some((kind, name)) = rest.split_once('/') else {
        return value;
    };
    doc.get("components")
        .and_then(|c| c.get(kind))
        .and_then(|k| k.get(name))
        .unwrap_or(value)
}

/// Renames the keys of `components/schemas` as `renames` says (the `$ref`s are the caller's).
pub fn rename_schema_keys(doc: &mut Value, renames: &std::collections::BTreeMap<String, String>) {
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        let old = std::mem::take(schemas);
        for (key, schema) in old {
            schemas.insert(renames.get(&key).cloned().unwrap_or(key), schema);
        }
    }
}

/// Rewrites every `$ref` string in the document with `f` (returning `None` keeps it).
pub fn rewrite_refs(value: &mut Value, f: &dyn Fn(&str) -> Option<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    if let Some(new) = v.as_str().and_then(f) {
                        *v = Value::String(new);
                    }
                } else {
                    rewrite_refs(v, f);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, f)),
        _ => {}
    }
}

/// typify's Rust type name for a component schema name (its `sanitize(name, Pascal)`).
pub fn type_name(schema_name: &str) -> String {
    use heck::ToPascalCase;
    let out = word_breaks(&schema_name.replace('\'', "")).to_pascal_case();
    match out.chars().next() {
        None => "X".to_string(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("X{out}"),
    }
}

/// typify's `sanitize`: every character that cannot be part of an identifier becomes a word
/// break (`-`), ready for heck's case conversions.
pub fn word_breaks(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
