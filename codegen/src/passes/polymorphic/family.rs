//! The families of a normalised document, read back from their synthetic components.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{EXTENSION, schema_key};
use crate::passes::walk;

/// One polymorphic enum of a normalised document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Component key of the synthetic schema.
    pub key: String,
    /// Rust name of the enum (typify's name for the key).
    pub name: String,
    /// Its variants, the base first.
    pub variants: Vec<Variant>,
}

/// One variant of a [`Family`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Component key of the variant's schema.
    pub key: String,
    /// Rust name of the variant's struct (and of the variant).
    pub type_name: String,
    /// `@odata.type` value, e.g. `#microsoft.graph.fileAttachment`.
    pub odata_type: String,
    /// Whether the variant holds a `Box` (the struct contains the enum by value).
    pub boxed: bool,
}

/// Whether `schema` is a `$ref` to a family component.
pub fn is_family(doc: &Value, schema: &Value) -> bool {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(schema_key)
        .and_then(|key| doc.pointer("/components/schemas")?.get(key))
        .is_some_and(|component| component.get(EXTENSION).is_some())
}

/// The families of a normalised document (after every pass), in key order.
pub fn families(doc: &Value) -> Vec<Family> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let edges = by_value_edges(schemas);
    let mut out = Vec::new();
    for (key, schema) in schemas {
        let Some(Value::Array(variants)) = schema.pointer(&format!("/{EXTENSION}/variants")) else {
            continue;
        };
        let variants = variants
            .iter()
            .filter_map(|v| {
                let target = schema_key(v.pointer("/schema/$ref")?.as_str()?)?;
                let odata_type = v.get("odataType")?.as_str()?.to_string();
                schemas.contains_key(target).then(|| Variant {
                    key: target.to_string(),
                    type_name: walk::type_name(target),
                    odata_type,
                    boxed: reaches(&edges, target, key),
                })
            })
            .collect();
        out.push(Family {
            key: key.clone(),
            name: walk::type_name(key),
            variants,
        });
    }
    out
}

/// `(typify type name, replacement path)` for every family: typify must use the emitted enum
/// (placed in the same module as its types) instead of generating the synthetic schema.
pub fn replacements(doc: &Value) -> Vec<(String, String)> {
    families(doc)
        .into_iter()
        .map(|f| (f.name.clone(), f.name))
        .collect()
}

/// Component → components it holds by value (not behind an array or a map).
fn by_value_edges(schemas: &Map<String, Value>) -> BTreeMap<&str, BTreeSet<&str>> {
    fn collect<'a>(value: &'a Value, out: &mut BTreeSet<&'a str>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(r)) => {
                            if let Some(k) = schema_key(r) {
                                out.insert(k);
                            }
                        }
                        ("items" | "additionalProperties", _) => {}
                        _ => collect(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    schemas
        .iter()
        .map(|(key, schema)| {
            let mut out = BTreeSet::new();
            collect(schema, &mut out);
            (key.as_str(), out)
        })
        .collect()
}

/// Whether `to` can be reached from `from` along `edges`.
fn reaches(edges: &BTreeMap<&str, BTreeSet<&str>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(node) = stack.pop() {
        if !seen.insert(node) {
            continue;
        }
        for next in edges.get(node).into_iter().flatten() {
            if *next == to {
                return true;
            }
            stack.push(next);
        }
    }
    false
}
