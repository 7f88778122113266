//! `describe`: documentation from facts only. Every `description` and `title` of the input is
//! dropped (the generated code carries no copied prose), then each component schema gets a
//! line naming its Graph type and the type it derives from, and each property a line with its
//! type, format, allowed values, nullability and read-only flag, which typify turns into doc
//! comments. Without it a model's doc is just its name, and a Microsoft module's prose would be
//! copied into the output.

use serde_json::{Map, Value};

use super::walk;

/// The pass; returns the number of component schemas described.
pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    walk::for_each_schema(doc, &mut |schema| {
        schema.remove("description");
        schema.remove("title");
    });
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return 0;
    };
    let mut count = 0;
    for (key, schema) in schemas.iter_mut() {
        let Value::Object(map) = schema else { continue };
        let parent = match map.get("allOf") {
            Some(Value::Array(parts)) => parts
                .iter()
                .find_map(|p| {
                    p.get("$ref")
                        .and_then(Value::as_str)
                        .and_then(walk::schema_ref_name)
                })
                .map(str::to_string),
            _ => None,
        };
        let mut text = format!("Graph type `{}`.", short(key));
        if let Some(parent) = parent {
            let parent = short(&parent);
            text.push_str(&format!(
                " Derives from `{parent}`, whose members it includes."
            ));
        }
        map.insert("description".into(), Value::String(text));
        describe_properties(map);
        if let Some(Value::Array(parts)) = map.get_mut("allOf") {
            for part in parts.iter_mut().filter_map(Value::as_object_mut) {
                describe_properties(part);
            }
        }
        count += 1;
    }
    count
}

fn describe_properties(schema: &mut Map<String, Value>) {
    let Some(Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    for property in properties.values_mut() {
        let Value::Object(map) = property else {
            continue;
        };
        // A bare `$ref` cannot carry a description next to it (typify ignores siblings).
        if map.contains_key("$ref") {
            continue;
        }
        let text = facts(map);
        map.insert("description".into(), Value::String(text));
    }
}

/// `date-time, may be null.`, `one of `low`, `normal`, `high`.`, `list of `recipient`.`
fn facts(schema: &Map<String, Value>) -> String {
    let mut parts = vec![kind(schema)];
    if let Some(Value::Array(values)) = schema.get("enum") {
        let shown: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .take(8)
            .map(|v| format!("`{v}`"))
            .collect();
        if !shown.is_empty() {
            let more = if values.len() > shown.len() {
                ", …"
            } else {
                ""
            };
            parts.push(format!("one of {}{more}", shown.join(", ")));
        }
    }
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        parts.push("may be null".into());
    }
    if schema.get("readOnly") == Some(&Value::Bool(true)) {
        parts.push("read-only".into());
    }
    let mut text = parts.join(", ");
    text.push('.');
    text[..1].to_uppercase() + &text[1..]
}

fn kind(schema: &Map<String, Value>) -> String {
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            let names: Vec<String> = options
                .iter()
                .filter_map(|o| o.get("$ref").and_then(Value::as_str))
                .filter_map(walk::schema_ref_name)
                .map(|n| format!("`{}`", short(n)))
                .collect();
            if !names.is_empty() {
                return names.join(" or ");
            }
        }
    }
    let format = schema.get("format").and_then(Value::as_str);
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let item = schema
                .get("items")
                .and_then(Value::as_object)
                .map(|items| match items.get("$ref").and_then(Value::as_str) {
                    Some(r) => format!("`{}`", short(walk::schema_ref_name(r).unwrap_or(r))),
                    None => kind(items),
                })
                .unwrap_or_else(|| "values".into());
            format!("list of {item}")
        }
        Some("string") => match format {
            Some("date-time") => "date-time (RFC 3339)".into(),
            Some(format) => format!("string ({format})"),
            None => "string".into(),
        },
        Some(kind @ ("integer" | "number")) => match format {
            Some(format) => format!("{kind} ({format})"),
            None => kind.into(),
        },
        Some(kind) => kind.into(),
        None => "any JSON value".into(),
    }
}

/// A schema key without Graph's namespace: `microsoft.graph.message` → `message`.
fn short(key: &str) -> &str {
    key.strip_prefix("microsoft.graph.").unwrap_or(key)
}
