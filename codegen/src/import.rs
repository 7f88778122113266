//! `import`: cut our own trimmed description out of a Microsoft module description.
//!
//! * keeps the selected paths (with all their operations),
//! * optionally adds `/me/...` twins of `/users/{user-id}/...` paths (the PowerShell module
//!   files only list the `users` form; `/me` is the same resource for the signed-in user),
//! * merges hand-written paths/components (`--merge`, for actions a module file lacks),
//! * drops prose (`description`, `summary`, `example`, schema `title`), response `links` and
//!   `x-ms-docs-*` annotations (except an operation's `x-ms-docs-operation-type`, which tells
//!   actions and functions from CRUD); each operation gets a one-line summary such as `GET /me/messages`,
//! * keeps only the components reachable from the kept paths, and writes YAML deterministically.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::passes::{polymorphic, walk};
use crate::{Error, load, reach};

/// What to cut.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Path patterns; `*` matches any run of characters (including `/`). A pattern starting
    /// with `!` removes the paths it matches from those the other patterns keep.
    pub patterns: Vec<String>,
    /// Also emit `/me/...` for every kept `/users/{user-id}/...` path.
    pub also_me: bool,
    /// Drop navigation properties from the models (properties marked
    /// `x-ms-navigationProperty`, or whose type is an entity type, i.e. derives from
    /// `microsoft.graph.entity`): they are only filled with `$expand`, and following them pulls
    /// most of Graph into a module (`user` → drive, calendar, planner, …).
    pub drop_navigation: bool,
    /// Component schemas to take from other descriptions (with what they reach there), for
    /// derived types a module file lacks: `(description text, schema keys)`. Schemas the
    /// document already has are kept as they are.
    pub take: Vec<(String, Vec<String>)>,
}

/// Cuts `source` (YAML/JSON text) down to `selection`, merging `extra` (hand-written
/// description text, optional) first. Returns the YAML text.
pub fn import(source: &str, extra: Option<&str>, selection: &Selection) -> Result<String, Error> {
    import_merged(source, extra.as_slice(), selection)
}

/// Like [`import`], with any number of descriptions merged into `source` in order (later ones
/// win on equal keys): other module files (`Users.Actions.yml` into `Users.yml`) and
/// hand-written additions.
pub fn import_merged(
    source: &str,
    extras: &[&str],
    selection: &Selection,
) -> Result<String, Error> {
    let mut doc = load::parse(source)?;
    for extra in extras {
        merge(&mut doc, load::parse(extra)?);
    }
    for (text, keys) in &selection.take {
        let mut other = load::parse(text)?;
        if selection.drop_navigation {
            drop_navigation(&mut other);
        }
        take_schemas(&mut doc, &other, keys)?;
    }
    if selection.drop_navigation {
        drop_navigation(&mut doc);
    }
    restore_collection_values(&mut doc);
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let (excludes, includes): (Vec<&String>, Vec<&String>) =
        selection.patterns.iter().partition(|p| p.starts_with('!'));
    let mut kept = Map::new();
    for (path, item) in &paths {
        let included = includes.iter().any(|p| glob_match(p, path));
        let excluded = excludes.iter().any(|p| glob_match(&p[1..], path));
        if included && !excluded {
            kept.insert(path.clone(), item.clone());
        }
    }
    if selection.also_me {
        for (path, item) in kept.clone() {
            let me_path = path
                .strip_prefix("/users/{user-id}")
                .map(|rest| format!("/me{rest}"));
            if let Some(me_path) = me_path
                && !kept.contains_key(&me_path)
                && !paths.contains_key(&me_path)
            {
                kept.insert(me_path, me_twin(item));
            }
        }
    }
    kept.sort_keys();
    doc["paths"] = Value::Object(kept);
    strip_prose(&mut doc);
    let keep = keep_with_derived(&doc);
    reach::prune(
        &mut doc,
        &keep,
        &[
            "schemas",
            "responses",
            "parameters",
            "requestBodies",
            "headers",
            "examples",
            "links",
        ],
    );
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        for kind in ["schemas", "responses", "parameters", "requestBodies"] {
            if let Some(Value::Object(items)) = components.get_mut(kind) {
                items.sort_keys();
            }
        }
        components.retain(|_, v| v.as_object().is_none_or(|m| !m.is_empty()));
    }
    if let Some(Value::Object(root)) = Some(&mut doc) {
        root.remove("tags");
    }
    yaml_serde::to_string(&doc).map_err(|e| Error::Parse(e.to_string()))
}

/// The components the kept paths reach, plus the types derived from every entity type they use
/// directly (a response may hold any of them, told apart by `@odata.type`), and what those
/// reach in turn. Module files rarely carry derived types; hand-written `--merge` files add
/// them.
fn keep_with_derived(doc: &Value) -> BTreeSet<(String, String)> {
    let derived = polymorphic::derived_types(doc);
    let mut extra: BTreeSet<String> = BTreeSet::new();
    loop {
        let schema = |key: &String| doc.pointer("/components/schemas").and_then(|s| s.get(key));
        let roots: Vec<&Value> = std::iter::once(&doc["paths"])
            .chain(extra.iter().filter_map(schema))
            .collect();
        let mut keep = reach::reachable(doc, &roots, &BTreeSet::new());
        keep.extend(extra.iter().map(|key| ("schemas".to_string(), key.clone())));
        let mut kept = doc.clone();
        reach::prune(&mut kept, &keep, &["schemas"]);
        let before = extra.len();
        for base in polymorphic::family_bases(&kept, &derived) {
            extra.extend(derived[&base].iter().cloned());
        }
        if extra.len() == before {
            return keep;
        }
    }
}

/// Gives every `<item>CollectionResponse` schema that lacks it its `value` array of `<item>`
/// (cuts made before navigation dropping spared collection responses lost it). Returns how
/// many were restored.
pub fn restore_collection_values(doc: &mut Value) -> usize {
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return 0;
    };
    let keys: BTreeSet<String> = schemas.keys().cloned().collect();
    let mut restored = 0;
    for (key, schema) in schemas.iter_mut() {
        let Some(item) = key.strip_suffix("CollectionResponse") else {
            continue;
        };
        // `allOf: [BaseCollectionPaginationCountResponse, {properties: {…}}]` or plain.
        let own = match schema.get_mut("allOf") {
            Some(Value::Array(parts)) => parts.iter_mut().find(|p| p.get("$ref").is_none()),
            _ => Some(schema),
        };
        let Some(Value::Object(properties)) = own.and_then(|s| s.get_mut("properties")) else {
            continue;
        };
        if keys.contains(item) && !properties.contains_key("value") {
            let items = serde_json::json!({"$ref": format!("#/components/schemas/{item}")});
            properties.insert(
                "value".into(),
                serde_json::json!({"type": "array", "items": items}),
            );
            restored += 1;
        }
    }
    restored
}

/// Removes navigation properties from every component schema (see [`Selection`]).
pub fn drop_navigation(doc: &mut Value) -> usize {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return 0;
    };
    let parent = |schema: &Value| -> Vec<String> {
        schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|part| part.get("$ref").and_then(Value::as_str))
            .filter_map(walk::schema_ref_name)
            .map(String::from)
            .collect()
    };
    let mut entities: BTreeSet<String> = BTreeSet::from(["microsoft.graph.entity".to_string()]);
    loop {
        let before = entities.len();
        for (key, schema) in schemas {
            if parent(schema).iter().any(|p| entities.contains(p)) {
                entities.insert(key.clone());
            }
        }
        if entities.len() == before {
            break;
        }
    }
    let targets_entity = |prop: &Value| -> bool {
        let mut candidates = vec![prop];
        if let Some(items) = prop.get("items") {
            candidates.push(items);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for part in prop
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                candidates.push(part);
            }
        }
        candidates.iter().any(|c| {
            c.get("$ref")
                .and_then(Value::as_str)
                .and_then(walk::schema_ref_name)
                .is_some_and(|name| entities.contains(name))
        })
    };
    let mut count = 0;
    let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") else {
        return 0;
    };
    // Only entity types have navigation properties; a collection response's `value` (an
    // array of entities) is the payload itself.
    for (_, schema) in schemas
        .iter_mut()
        .filter(|(key, _)| entities.contains(*key))
    {
        let parts: Vec<&mut Value> = if schema.get("allOf").is_some_and(Value::is_array) {
            schema["allOf"]
                .as_array_mut()
                .into_iter()
                .flatten()
                .collect()
        } else {
            vec![schema]
        };
        for part in parts {
            if let Some(Value::Object(props)) = part.get_mut("properties") {
                let before = props.len();
                props.retain(|_, prop| {
                    prop.get("x-ms-navigationProperty") != Some(&Value::Bool(true))
                        && !targets_entity(prop)
                });
                count += before - props.len();
            }
        }
    }
    count
}

/// Copies the schemas `keys` (`microsoft.graph.` assumed when a key has no dot) from `other`
/// into `doc`, with every component they reach there; what `doc` already has stays.
fn take_schemas(doc: &mut Value, other: &Value, keys: &[String]) -> Result<(), Error> {
    let mut roots = Vec::new();
    for key in keys {
        let key = if key.contains('.') {
            key.clone()
        } else {
            format!("microsoft.graph.{key}")
        };
        let schema = other
            .pointer("/components/schemas")
            .and_then(|s| s.get(&key))
            .ok_or_else(|| Error::Parse(format!("`{key}` is not a schema of that description")))?;
        doc["components"]["schemas"]
            .as_object_mut()
            .ok_or_else(|| Error::Parse("the description has no components.schemas".into()))?
            .entry(key)
            .or_insert_with(|| schema.clone());
        roots.push(schema);
    }
    for (kind, name) in reach::reachable(other, &roots, &BTreeSet::new()) {
        if let Some(item) = other
            .get("components")
            .and_then(|c| c.get(&kind))
            .and_then(|k| k.get(&name))
            && doc["components"][&kind].get(&name).is_none()
        {
            doc["components"][&kind][&name] = item.clone();
        }
    }
    Ok(())
}

/// Adds `extra`'s paths and components to `doc` (extra wins on equal keys).
fn merge(doc: &mut Value, extra: Value) {
    if let Some(Value::Object(paths)) = extra.get("paths") {
        for (path, item) in paths {
            doc["paths"][path] = item.clone();
        }
    }
    if let Some(Value::Object(components)) = extra.get("components") {
        for (kind, items) in components {
            for (name, item) in items.as_object().into_iter().flatten() {
                doc["components"][kind][name] = item.clone();
            }
        }
    }
}

/// The `/me` form of a `/users/{user-id}` path item: no `user-id` parameter, ids `me…`.
fn me_twin(mut item: Value) -> Value {
    let drop_user_id = |params: &mut Value| {
        if let Value::Array(list) = params {
            list.retain(|p| p.get("name").and_then(Value::as_str) != Some("user-id"));
        }
    };
    if let Some(params) = item.get_mut("parameters") {
        drop_user_id(params);
    }
    if let Value::Object(map) = &mut item {
        for (method, op) in map.iter_mut() {
            if !walk::METHODS.contains(&method.as_str()) {
                continue;
            }
            if let Some(params) = op.get_mut("parameters") {
                drop_user_id(params);
            }
            if let Some(Value::String(id)) = op.get_mut("operationId")
                && let Some(rest) = id.strip_prefix("user")
            {
                *id = format!("me{rest}");
            }
        }
    }
    item
}

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

fn strip_prose(doc: &mut Value) {
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
    let strip_param = |p: &mut Value| {
        if let Value::Object(p) = p {
            p.retain(|k, _| {
                !matches!(k.as_str(), "description" | "example" | "examples")
                    && !k.starts_with("x-ms-docs")
            });
        }
    };
    let strip_body = |b: &mut Value, status: &str| {
        if let Value::Object(b) = b {
            b.remove("links");
            b.remove("x-ms-docs-operation-type");
            if b.contains_key("description") {
                b.insert("description".into(), Value::String(status.to_string()));
            }
        }
    };
    if let Some(Value::Object(components)) = doc.get_mut("components") {
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
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        item.retain(|k, _| k != "description" && k != "summary");
        for p in item
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            strip_param(p);
        }
        for (method, op) in item.iter_mut() {
            let Value::Object(op) = op else { continue };
            if !walk::METHODS.contains(&method.as_str()) {
                continue;
            }
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
            for p in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                strip_param(p);
            }
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
    }
}

/// `*` matches any run of characters; everything else literally.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first)
        || !text[first.len()..].ends_with(last)
        || text.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// `import --from FILE --paths (LIST_FILE | PATTERN,PATTERN…) [--merge FILE]… [--also-me]
/// [--drop-navigation] [--take FILE=SCHEMA,SCHEMA…]… --out FILE`.
pub fn run_cli(args: &[String]) -> Result<(), String> {
    let (mut from, mut paths, mut out) = (None, None, None);
    let mut merge_files = Vec::new();
    let mut takes = Vec::new();
    let mut selection = Selection::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--from" => from = Some(PathBuf::from(value()?)),
            "--paths" => paths = Some(value()?),
            "--merge" => merge_files.push(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--also-me" => selection.also_me = true,
            "--drop-navigation" => selection.drop_navigation = true,
            "--take" => {
                let value = value()?;
                let (file, keys) = value
                    .split_once('=')
                    .ok_or_else(|| format!("--take {value}: expected FILE=SCHEMA,SCHEMA"))?;
                let keys = keys.split(',').map(|k| k.trim().to_string()).collect();
                takes.push((PathBuf::from(file), keys));
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let (Some(from), Some(paths), Some(out)) = (from, paths, out) else {
        return Err("import needs --from, --paths and --out".into());
    };
    let read =
        |p: &PathBuf| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let list = match std::fs::read_to_string(&paths) {
        Ok(text) => text,
        Err(_) => paths.replace(',', "\n"),
    };
    selection.patterns = list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    let extras = merge_files
        .iter()
        .map(read)
        .collect::<Result<Vec<_>, _>>()?;
    let extras: Vec<&str> = extras.iter().map(String::as_str).collect();
    for (file, keys) in takes {
        selection.take.push((read(&file)?, keys));
    }
    let yaml = import_merged(&read(&from)?, &extras, &selection).map_err(|e| e.to_string())?;
    std::fs::write(&out, yaml).map_err(|e| format!("{}: {e}", out.display()))?;
    let ops = crate::load::parse(&std::fs::read_to_string(&out).map_err(|e| e.to_string())?)
        .map(|mut doc| {
            let mut n = 0;
            walk::for_each_operation(&mut doc, &mut |_, _, _| n += 1);
            n
        })
        .map_err(|e| e.to_string())?;
    println!("{}: {ops} operations", out.display());
    Ok(())
}
