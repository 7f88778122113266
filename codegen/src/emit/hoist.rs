//! Gives every inline request-body and response schema a component name, so each operation
//! takes and returns a named model: an operation's own schemas become `<method>Body` /
//! `<method>Response` (e.g. `sendMailBody`), those of shared `components/responses` and
//! `components/requestBodies` take the component's key; identical schemas share one name.
//! Names never clash with an existing
//! schema key or type name (a counter is appended). Runs after operations are named.

use std::collections::BTreeSet;

use heck::ToLowerCamelCase;
use serde_json::{Map, Value, json};

use crate::passes::{polymorphic, walk};

/// Hoists the inline schemas; returns how many component schemas were added.
pub fn run(doc: &mut Value) -> usize {
    let mut taken = Taken::new(doc);
    let mut hoisted: Vec<(String, Value)> = Vec::new();
    for (kind, role) in [("responses", Role::Response), ("requestBodies", Role::Body)] {
        let Some(Value::Object(items)) = doc.pointer_mut(&format!("/components/{kind}")) else {
            continue;
        };
        for (key, item) in items.iter_mut() {
            hoist_content(item, &mut taken, &mut hoisted, key, role);
        }
    }
    walk::for_each_operation(doc, &mut |_, _, op| {
        let method = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lower_camel_case();
        if let Some(body) = op.get_mut("requestBody") {
            let base = format!("{method}Body");
            hoist_content(body, &mut taken, &mut hoisted, &base, Role::Body);
        }
        if let Some(Value::Object(responses)) = op.get_mut("responses") {
            for (code, response) in responses.iter_mut() {
                if code.starts_with('2') {
                    let base = format!("{method}Response");
                    hoist_content(response, &mut taken, &mut hoisted, &base, Role::Response);
                }
            }
        }
    });
    let count = hoisted.len();
    if count > 0 {
        let components = doc
            .as_object_mut()
            .map(|d| d.entry("components").or_insert_with(|| json!({})));
        if let Some(Value::Object(components)) = components {
            let schemas = components
                .entry("schemas")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(schemas) = schemas {
                schemas.extend(hoisted);
            }
        }
    }
    count
}

/// Schema keys and type names already used.
struct Taken {
    keys: BTreeSet<String>,
    types: BTreeSet<String>,
    /// The document's component schemas before hoisting.
    existing: Map<String, Value>,
}

impl Taken {
    fn new(doc: &Value) -> Taken {
        let existing = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let keys: BTreeSet<String> = existing.keys().cloned().collect();
        let types = keys.iter().map(|k| walk::type_name(k)).collect();
        Taken {
            keys,
            types,
            existing,
        }
    }

    /// `base`, or `base2`, `base3`, … whichever is free; marks it used.
    fn fresh(&mut self, base: &str) -> String {
        let mut candidate = base.to_string();
        let mut n = 1;
        while self.keys.contains(&candidate) || self.types.contains(&walk::type_name(&candidate)) {
            n += 1;
            candidate = format!("{base}{n}");
        }
        self.keys.insert(candidate.clone());
        self.types.insert(walk::type_name(&candidate));
        candidate
    }
}

/// Whether a schema is sent (a request body) or received (a response).
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Body,
    Response,
}

/// Moves the JSON schema of a body or response (not a `$ref` to one) into `hoisted`.
fn hoist_content(
    item: &mut Value,
    taken: &mut Taken,
    hoisted: &mut Vec<(String, Value)>,
    base: &str,
    role: Role,
) {
    if item.get("$ref").is_some() {
        return;
    }
    let Some(Value::Object(content)) = item.get_mut("content") else {
        return;
    };
    for (media, entry) in content.iter_mut() {
        if !media.contains("json") {
            continue;
        }
        let Some(schema) = entry.get_mut("schema") else {
            continue;
        };
        if needs_name(schema) {
            hoist_schema(schema, taken, hoisted, base, role);
        }
    }
}

/// Replaces an inline `schema` by a `$ref`: to an existing component of the same shape, to one
/// hoisted before, or to a new component (named `base`, or after its items for a page).
fn hoist_schema(
    schema: &mut Value,
    taken: &mut Taken,
    hoisted: &mut Vec<(String, Value)>,
    base: &str,
    role: Role,
) {
    let page = page_shape(schema);
    let same = same_as_hoisted(hoisted, schema, page.as_ref());
    // A body shaped like a page (`{"value": [site]}` of `sites/add`) is not one: it keeps
    // its operation's name.
    let collection = match role {
        Role::Response => collection_name(&taken.existing, schema),
        Role::Body => None,
    };
    // A page schema like the description's own `…CollectionResponse` component is it (pages of
    // the same items with the same members differ only in details such as a `nullable` that
    // give the same Rust type).
    let same_shape = |other: &Value| other == &*schema || page_fits(page.as_ref(), other);
    let same = same.or_else(|| {
        collection
            .clone()
            .filter(|name| taken.existing.get(name).is_some_and(same_shape))
    });
    if let Some(key) = same.as_ref().filter(|k| taken.existing.contains_key(*k)) {
        *schema = json!({"$ref": format!("#/components/schemas/{key}")});
        return;
    }
    let base = collection.unwrap_or_else(|| base.to_string());
    let key = same.clone().unwrap_or_else(|| taken.fresh(&base));
    let reference = json!({"$ref": format!("#/components/schemas/{key}")});
    let moved = std::mem::replace(schema, reference);
    if same.is_none() {
        hoisted.push((key, moved));
    }
}

/// The key of a schema hoisted before that `schema` can share: the same schema (`sendMail` on
/// `/me` and on `/users/{id}`), or the same page (`page`). A page hoisted before with the same
/// items but not nullable ones is widened, so that it decodes both.
fn same_as_hoisted(
    hoisted: &mut [(String, Value)],
    schema: &Value,
    page: Option<&PageShape>,
) -> Option<String> {
    hoisted
        .iter_mut()
        .find(|(_, s)| *s == *schema || same_page(page, s))
        .map(|(k, s)| {
            if page.is_some_and(|p| p.nullable_items) {
                allow_null_items(s);
            }
            k.clone()
        })
}

/// `<item>CollectionResponse` for a page of items (an object whose `value` is an array of one
/// component or of strings, beside OData annotations): `members` of a group is a
/// `directoryObjectCollectionResponse`, whichever operation comes first.
/// A page of a polymorphic family is named after the family's base.
fn collection_name(existing: &Map<String, Value>, schema: &Value) -> Option<String> {
    let properties = schema.get("properties")?.as_object()?;
    // A delta page keeps its operation's name (`deltaMessagesResponse`): it also carries
    // `@odata.deltaLink`, unlike the plain page of the same items.
    if properties
        .keys()
        .any(|k| (k != "value" && !k.starts_with("@odata.")) || k == "@odata.deltaLink")
    {
        return None;
    }
    let items = properties.get("value")?.get("items")?;
    let item = match items.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let key = walk::schema_ref_name(reference)?;
            let base = existing
                .get(key)
                .and_then(|c| {
                    c.pointer(&format!(
                        "/{}/variants/0/schema/$ref",
                        polymorphic::EXTENSION
                    ))
                })
                .and_then(Value::as_str)
                .and_then(walk::schema_ref_name)
                .unwrap_or(key);
            base.rsplit('.').next()?.to_string()
        }
        None if items.get("type").and_then(Value::as_str) == Some("string") => "string".into(),
        None => return None,
    };
    Some(format!("{}CollectionResponse", item.to_lower_camel_case()))
}

/// What makes two page schemas the same Rust type: the item schema (apart from its
/// nullability) and the member names.
#[derive(PartialEq)]
struct PageShape {
    items: Value,
    nullable_items: bool,
    members: Vec<String>,
}

fn page_shape(schema: &Value) -> Option<PageShape> {
    let properties = schema.get("properties")?.as_object()?;
    let mut items = properties.get("value")?.get("items")?.clone();
    let nullable_items = items
        .as_object_mut()
        .and_then(|i| i.remove("nullable"))
        .is_some_and(|n| n == Value::Bool(true));
    let mut members: Vec<String> = properties.keys().cloned().collect();
    members.sort();
    let open = schema.get("additionalProperties").is_some();
    members.push(format!("open={open}"));
    Some(PageShape {
        items,
        nullable_items,
        members,
    })
}

/// Whether `other` is a page of the same items (nullable or not) with the same members.
fn same_page(page: Option<&PageShape>, other: &Value) -> bool {
    match (page, page_shape(other)) {
        (Some(page), Some(other)) => page.items == other.items && page.members == other.members,
        _ => false,
    }
}

/// Whether the page `other` decodes every page of shape `page`: the same page, with nullable
/// items if `page`'s are (a page of strings fits a page of optional strings).
fn page_fits(page: Option<&PageShape>, other: &Value) -> bool {
    same_page(page, other)
        && page_shape(other)
            .is_some_and(|o| o.nullable_items || page.is_some_and(|p| !p.nullable_items))
}

/// Makes the items of a page schema nullable.
fn allow_null_items(page: &mut Value) {
    if let Some(Value::Object(items)) = page.pointer_mut("/properties/value/items") {
        items.insert("nullable".into(), Value::Bool(true));
    }
}

/// Whether a schema would make typify invent a type: objects, arrays and compositions, except a
/// lone reference wrapped for nullability (`allOf: [$ref]`, `nullable`).
pub fn needs_name(schema: &Value) -> bool {
    let Value::Object(map) = schema else {
        return false;
    };
    if map.contains_key("$ref") || single_ref(schema).is_some() {
        return false;
    }
    let kind = map.get("type").and_then(Value::as_str);
    matches!(kind, Some("object" | "array"))
        || ["properties", "allOf", "anyOf", "oneOf", "items"]
            .iter()
            .any(|k| map.contains_key(*k))
}

/// The schema key of `{"allOf": [{"$ref": …}]}` (no other members but annotations).
pub fn single_ref(schema: &Value) -> Option<&str> {
    let map = schema.as_object()?;
    let Some(Value::Array(parts)) = map.get("allOf") else {
        return None;
    };
    let [part] = parts.as_slice() else {
        return None;
    };
    if map.contains_key("properties") || map.contains_key("type") {
        return None;
    }
    walk::schema_ref_name(part.get("$ref")?.as_str()?)
}
