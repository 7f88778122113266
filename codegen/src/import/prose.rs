//! Dropping prose, keeping the permissions it states.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::passes::walk;

/// The last segments a Graph permission name can have after its resource
/// (`Mail.Read`, `User.ReadWrite.All`, `UserActivity.ReadWrite.CreatedByApp`).
const PERMISSION_VERBS: &[&str] = &[
    "Read",
    "ReadWrite",
    "ReadBasic",
    "Write",
    "Send",
    "Manage",
    "Create",
    "AccessAsUser",
    "Invite",
    "Export",
];

/// The Graph permission names stated in `text`: dotted identifiers whose segments are
/// capitalised words and whose second segment is an access verb (`Mail.Read`,
/// `User.ReadWrite.All`, `Mail.Send.Shared`); sorted, each once. A sentence's final period
/// is not part of a name.
pub fn stated_permissions(text: &str) -> Vec<String> {
    let mut found = BTreeSet::new();
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
        let token = token.trim_matches('.');
        let segments: Vec<&str> = token.split('.').collect();
        let word = |s: &&str| {
            s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && s.chars().all(|c| c.is_ascii_alphanumeric())
        };
        if segments.len() >= 2
            && segments.iter().all(word)
            && PERMISSION_VERBS.contains(&segments[1])
        {
            found.insert(token.to_string());
        }
    }
    found.into_iter().collect()
}

/// Records the permissions an operation's prose names as `x-ms-permissions` (added to any the
/// operation already lists), before the prose is dropped.
fn keep_stated_permissions(op: &mut Map<String, Value>) {
    let prose: String = ["summary", "description"]
        .iter()
        .filter_map(|k| op.get(*k).and_then(Value::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let mut permissions: BTreeSet<String> = stated_permissions(&prose).into_iter().collect();
    if permissions.is_empty() {
        return;
    }
    if let Some(Value::Array(listed)) = op.get("x-ms-permissions") {
        permissions.extend(listed.iter().filter_map(Value::as_str).map(String::from));
    }
    op.insert(
        "x-ms-permissions".into(),
        Value::Array(permissions.into_iter().map(Value::String).collect()),
    );
}

/// Drops the prose of `doc` (see the module documentation of [`super`]) and gives each
/// operation its one-line summary.
pub(super) fn strip_prose(doc: &mut Value) {
    if let Some(Value::Object(info)) = doc.get_mut("info") {
        info.retain(|k, _| k == "title" || k == "version");
    }
    if let Some(Value::Array(servers)) = doc.get_mut("servers") {
        servers
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(|s| {
                s.remove("description");
            });
    }
    walk::for_each_schema(doc, &mut |schema| {
        for key in [
            "description",
            "title",
            "example",
            "examples",
            "externalDocs",
        ] {
            schema.remove(key);
        }
    });
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        strip_components(components);
    }
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        item.retain(|k, _| k != "description" && k != "summary");
        strip_params(item.get_mut("parameters"));
        for (method, op) in item.iter_mut() {
            let Value::Object(op) = op else { continue };
            if walk::METHODS.contains(&method.as_str()) {
                strip_operation(op, method, path);
            }
        }
    }
}

/// The shared parameters, responses and request bodies.
fn strip_components(components: &mut Map<String, Value>) {
    for p in components
        .get_mut("parameters")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        strip_param(p);
    }
    for kind in ["responses", "requestBodies"] {
        let items = components.get_mut(kind).and_then(Value::as_object_mut);
        for (name, b) in items.into_iter().flat_map(|m| m.iter_mut()) {
            strip_body(b, name);
        }
    }
}

/// One operation: its stated permissions kept, its prose replaced by `METHOD path`.
fn strip_operation(op: &mut Map<String, Value>, method: &str, path: &str) {
    keep_stated_permissions(op);
    op.retain(|k, _| {
        !matches!(
            k.as_str(),
            "description" | "summary" | "externalDocs" | "tags"
        ) && (!k.starts_with("x-ms-docs") || k == "x-ms-docs-operation-type")
    });
    op.insert(
        "summary".into(),
        Value::String(format!("{} {path}", method.to_uppercase())),
    );
    strip_params(op.get_mut("parameters"));
    if let Some(body) = op.get_mut("requestBody") {
        strip_body(body, "request body");
    }
    for (status, r) in op
        .get_mut("responses")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        strip_body(r, status);
    }
}

/// Every parameter of a `parameters` list.
fn strip_params(params: Option<&mut Value>) {
    for p in params.and_then(Value::as_array_mut).into_iter().flatten() {
        strip_param(p);
    }
}

fn strip_param(p: &mut Value) {
    if let Value::Object(p) = p {
        p.retain(|k, _| {
            !matches!(k.as_str(), "description" | "example" | "examples")
                && !k.starts_with("x-ms-docs")
        });
    }
}

/// A response or request body: no links, its description only the status (or `request body`).
fn strip_body(b: &mut Value, status: &str) {
    if let Value::Object(b) = b {
        b.remove("links");
        b.remove("x-ms-docs-operation-type");
        if b.contains_key("description") {
            b.insert("description".into(), Value::String(status.to_string()));
        }
    }
}
