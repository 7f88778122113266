//! `polymorphic`: Graph's derived types (selected by `@odata.type`) as Rust enums.
//!
//! Runs before `flatten_allof`, while inheritance is still visible: a component whose `allOf`
//! refers to another component derives from it (as do the targets of a `discriminator.mapping`).
//! For every base that has derived types among the document's schemas (transitively) and that is
//! referenced directly (a property, an array item, a body or a response; not only as an `allOf`
//! parent), the pass adds a synthetic component next to it (`microsoft.graph.attachment` →
//! `microsoft.graph.anyAttachment`) carrying an `x-o365-polymorphic` extension with the
//! `@odata.type` and a `$ref` of each variant (so pruning keeps them and renames follow them),
//! and points the direct uses at it. PATCH request bodies keep the plain base type.
//! Only entity types (those deriving from `microsoft.graph.entity`, itself never a family) become
//! families: complex types such as `recipient` or `identity` do have derived types, but Graph
//! sends them without `@odata.type` where the base is declared, and an enum there would make
//! every e-mail address a `match`. Members of such a derived complex type land in the base's
//! `extra` map.
//!
//! The emitter side: [`families`] reads the synthetic components of a normalised document,
//! [`replacements`] names the types typify must not generate, [`emit`] writes the enums and
//! [`accessors`] their shared-field accessors.
//!
//! Files: this one finds the families and adds their components; `uses` visits the direct uses
//! of a schema; `family` reads the families back; `emit` and `accessors` write the Rust items.

mod accessors;
mod emit;
mod family;
mod uses;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

pub use accessors::accessors;
pub use emit::emit;
pub use family::{Family, Variant, families, is_family, replacements};
use uses::{count_uses, rewrite_uses};

/// The extension key marking a synthetic family component.
pub const EXTENSION: &str = "x-o365-polymorphic";

const PREFIX: &str = "#/components/schemas/";

/// The root of Graph's entity types.
const ENTITY: &str = "microsoft.graph.entity";

/// Base key → its derived component keys (transitively, sorted), for every base that has any.
/// `entity` included; callers (such as `import`, to keep derived types) filter as they need.
pub fn derived_types(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return BTreeMap::new();
    };
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (key, schema) in schemas {
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            for part in parts {
                if let Some(parent) = part
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(schema_key)
                    && schemas.contains_key(parent)
                    && parent != key
                {
                    parents.entry(key).or_default().insert(parent);
                }
            }
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for key in schemas.keys() {
        let mut stack: Vec<&str> = parents
            .get(key.as_str())
            .into_iter()
            .flatten()
            .copied()
            .collect();
        let mut seen = BTreeSet::new();
        while let Some(parent) = stack.pop() {
            if !seen.insert(parent) {
                continue;
            }
            out.entry(parent.to_string())
                .or_default()
                .insert(key.clone());
            stack.extend(parents.get(parent).into_iter().flatten().copied());
        }
    }
    for (base, targets) in mappings(schemas) {
        for (_, target) in targets {
            if target != base && schemas.contains_key(&target) {
                out.entry(base.clone()).or_default().insert(target);
            }
        }
    }
    out
}

/// `discriminator.mapping` of each schema (on the schema or on one of its `allOf` parts):
/// base key → `(odata type, target key)`.
fn mappings(schemas: &Map<String, Value>) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (key, schema) in schemas {
        let parts = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect::<Vec<_>>())
            .unwrap_or_default();
        for holder in std::iter::once(schema).chain(parts) {
            let Some(mapping) = holder
                .pointer("/discriminator/mapping")
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (odata_type, target) in mapping {
                if let Some(target) = target.as_str().and_then(schema_key) {
                    out.entry(key.clone())
                        .or_default()
                        .push((odata_type.clone(), target.to_string()));
                }
            }
        }
    }
    out
}

/// The component key a `#/components/schemas/…` reference names.
fn schema_key(reference: &str) -> Option<&str> {
    reference.strip_prefix(PREFIX)
}

/// The synthetic key for `base`: `any` before the last dotted segment.
pub fn synthetic_key(base: &str) -> String {
    let (namespace, name) = match base.rsplit_once('.') {
        Some((ns, name)) => (format!("{ns}."), name),
        None => (String::new(), base),
    };
    let mut chars = name.chars();
    let upper: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!("{namespace}any{upper}")
}

/// The pass: adds the family components and rewrites the direct uses. Returns the number of
/// families added.
pub fn run(doc: &mut Value, notes: &mut Vec<String>) -> usize {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return 0;
    };
    let derived = derived_types(doc);
    let mapped = mappings(&schemas);
    let bases = family_bases(doc, &derived);
    let mut families: BTreeMap<String, String> = BTreeMap::new();
    for (base, members) in &derived {
        if !bases.contains(base) {
            continue;
        }
        let mut key = synthetic_key(base);
        while schemas.contains_key(&key) || families.values().any(|k| *k == key) {
            key.push('_');
        }
        let odata_type = |member: &str| {
            mapped
                .get(base)
                .and_then(|m| m.iter().find(|(_, t)| t == member))
                .map(|(t, _)| t.clone())
                .unwrap_or_else(|| format!("#{member}"))
        };
        let variants: Vec<Value> = std::iter::once(base)
            .chain(members.iter())
            .map(|member| json!({"odataType": odata_type(member), "schema": {"$ref": format!("{PREFIX}{member}")}}))
            .collect();
        // Without the enum replacement (older generators) typify sees an open object: a map
        // that keeps every member.
        let component = json!({"type": "object", "additionalProperties": {}, EXTENSION: {"variants": variants}});
        notes.push(format!(
            "polymorphic: `{key}` over `{base}` and {} derived type(s)",
            members.len()
        ));
        if let Some(Value::Object(all)) = doc.pointer_mut("/components/schemas") {
            all.insert(key.clone(), component);
        }
        families.insert(base.clone(), key);
    }
    if families.is_empty() {
        return 0;
    }
    rewrite_uses(doc, &families);
    families.len()
}

/// The bases that become families: entity types other than `entity` itself that have derived
/// types (`derived`, from [`derived_types`]) and are used directly (a property, an array item,
/// a body or a response; not only as an inheritance parent or a PATCH request body).
pub fn family_bases(doc: &Value, derived: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let Some(entities) = derived.get(ENTITY) else {
        return BTreeSet::new();
    };
    let mut doc = doc.clone();
    let mut bases = BTreeSet::new();
    count_uses(&mut doc, &mut |key| {
        if entities.contains(key) && derived.contains_key(key) {
            bases.insert(key.to_string());
        }
    });
    bases
}
