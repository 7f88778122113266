//! Operation names, made from the path and the HTTP method rather than from the description's
//! operationId (Graph's ids are long and singular: `user.mailFolder_ListMessage`).
//!
//! The rules, applied to the path with `/users/{user-id}` (or `/me`) taken as the root:
//!
//! * the last segment decides the verb and the noun: a collection (`messages`) gives
//!   `list_messages` (GET, plural as in the path) and `create_message` (POST, singular); an item
//!   (`messages/{message-id}`) gives `get_message`, `update_message` (PATCH), `set_message` (PUT)
//!   and `delete_message`; a single-valued navigation (`calendar`) gives `get_calendar`;
//! * actions and functions (`microsoft.graph.sendMail`, `copy` under an item, `delta()`) are
//!   named verb first, then what they act on: `send_mail`, `copy_message`, `delta_messages`;
//!   `$count` gives `count_messages`, `$ref` `…_ref`/`…_refs`, `$value` `…_content`, and an
//!   OData cast (`members/microsoft.graph.user`) `list_members_as_user`;
//! * a `/users/{user-id}/…` path is named like its `/me/…` twin with a `user_` prefix;
//! * when two operations would share a name, the path segments above the noun qualify it,
//!   nearest first (`/me` last, as `my`), for every operation of the clash that still has such
//!   segments
//!   (`/me/messages` keeps `list_messages`, `/me/mailFolders/{id}/messages` becomes
//!   `list_mail_folder_messages`); an operation whose segments are used up keeps its name, and
//!   when every one of them is used up the later ones (by number of path parameters, then path)
//!   get `_by_id`, then a number, with a warning. Naming never fails.
//!
//! Explicit renames from `spec/operations.toml` (keyed by operationId) win over all of this.
//!
//! Files: this one collects the operations and puts the names together; `segments` reads a
//! path, `shape` makes one operation's mechanical name, `clash` settles clashes, `words` holds
//! the word helpers.

mod clash;
mod segments;
mod shape;
mod words;

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

use crate::Error;
use crate::passes::walk;
use shape::{Shape, shape};
pub use words::singular;

/// Extension key that keeps the description's operationId after renaming.
pub const ORIGINAL_ID: &str = "x-o365-operation-id";

/// The Rust method name progenitor derives from an operationId.
pub fn method_name(operation_id: &str) -> String {
    walk::word_breaks(operation_id).to_snake_case()
}

/// Parses `spec/operations.toml`: one table per description (keyed by its path under `spec/`,
/// e.g. `["graph/v1.0/mail.yaml"]`) mapping operationIds to Rust method names. Returns the
/// table for `section` (empty when absent).
pub fn load_renames(toml_text: &str, section: &str) -> Result<BTreeMap<String, String>, Error> {
    let table: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(toml_text).map_err(|e| Error::Parse(format!("operations.toml: {e}")))?;
    Ok(table.get(section).cloned().unwrap_or_default())
}

/// The names chosen for a document's operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Naming {
    /// One Rust method name per operation, in document order (`walk::for_each_operation`).
    pub names: Vec<String>,
    /// The (deduplicated) operationId of each operation, the key of explicit renames.
    pub ids: Vec<String>,
    /// Warnings: clashes that needed a fallback suffix, renames that clash.
    pub notes: Vec<String>,
}

/// Renames every operation in place (the original id is kept under [`ORIGINAL_ID`]). Never
/// fails on clashes (see the module documentation); the `Result` is kept for callers.
pub fn apply(doc: &mut Value, renames: &BTreeMap<String, String>) -> Result<(), Error> {
    let naming = assign(doc, renames);
    let mut index = 0;
    walk::for_each_operation(doc, &mut |_, _, op| {
        let original = op.get("operationId").cloned().unwrap_or(Value::Null);
        op.insert(ORIGINAL_ID.into(), original);
        op.insert(
            "operationId".into(),
            Value::String(naming.names[index].clone()),
        );
        index += 1;
    });
    Ok(())
}

/// Chooses the names (see the module documentation) without changing the document.
pub fn assign(doc: &Value, renames: &BTreeMap<String, String>) -> Naming {
    let ops = collect_ops(doc);
    let ids = dedupe(&ops);
    let mut notes = Vec::new();
    let mut names = mechanical_names(&ops, &ids, renames, &mut notes);
    clash::number_repeats(&mut names, &ops, &mut notes);
    Naming { names, ids, notes }
}

/// The operations of `doc`, in document order.
fn collect_ops(doc: &Value) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut snapshot = doc.clone();
    walk::for_each_operation(&mut snapshot, &mut |path, method, op| {
        ops.push(Op {
            path: path.to_string(),
            method: method.to_string(),
            id: op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            action_hint: action_hint(op),
            collection: returns_collection(doc, op),
        });
    });
    ops
}

/// Each operation's explicit rename, or its mechanical name (worked out once per method and
/// root-relative path, clashes settled) with its root prefix.
fn mechanical_names(
    ops: &[Op],
    ids: &[String],
    renames: &BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Vec<String> {
    let mut shapes: BTreeMap<(String, String), Shape> = BTreeMap::new();
    let mut prefixes = Vec::with_capacity(ops.len());
    let mut shape_prefixes: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
    for (op, id) in ops.iter().zip(ids) {
        let (prefix, relative) = split_root(&op.path);
        prefixes.push(prefix);
        if renames.contains_key(id) {
            continue;
        }
        let key = (op.method.clone(), relative.clone());
        shape_prefixes
            .entry(key.clone())
            .or_default()
            .insert(prefix);
        shapes.entry(key).or_insert_with(|| shape(&relative, op));
    }
    // A mechanical name is blocked when, with a prefix its operations use, it is an explicit one.
    let fixed: BTreeSet<&String> = renames.values().collect();
    let blocked = |key: &(String, String), name: &str| {
        shape_prefixes[key]
            .iter()
            .any(|prefix| fixed.contains(&format!("{prefix}{name}")))
    };
    clash::resolve(&mut shapes, &blocked, notes);
    ops.iter()
        .zip(ids)
        .zip(&prefixes)
        .map(|((op, id), prefix)| match renames.get(id) {
            Some(name) => name.clone(),
            None => {
                let (_, relative) = split_root(&op.path);
                format!("{prefix}{}", shapes[&(op.method.clone(), relative)].name())
            }
        })
        .collect()
}

/// One operation, as naming sees it.
struct Op {
    path: String,
    method: String,
    id: String,
    /// The description marks it an action/function (`x-ms-docs-operation-type`, or a
    /// PowerShell-style id whose last part starts in lower case: `me.message_copy`).
    action_hint: bool,
    /// A GET whose answer is a page of items.
    collection: bool,
}

/// Whether the description marks the operation an action or function (see [`Op`]).
fn action_hint(op: &serde_json::Map<String, Value>) -> bool {
    if let Some(kind) = op.get("x-ms-docs-operation-type").and_then(Value::as_str) {
        return kind == "action" || kind == "function";
    }
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    id.rsplit_once('_')
        .and_then(|(_, last)| last.chars().next())
        .is_some_and(char::is_lowercase)
}

/// Whether the operation answers with a page of items (pageable, a `…CollectionResponse`, an
/// array or an object whose `value` is one).
fn returns_collection(doc: &Value, op: &serde_json::Map<String, Value>) -> bool {
    if op.contains_key("x-ms-pageable") {
        return true;
    }
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return false;
    };
    let Some((_, response)) = responses.iter().find(|(k, _)| k.starts_with('2')) else {
        return false;
    };
    let response = walk::resolve(doc, response);
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        return false;
    };
    if schema
        .get("$ref")
        .and_then(Value::as_str)
        .is_some_and(|r| r.ends_with("CollectionResponse"))
    {
        return true;
    }
    let schema = walk::resolve(doc, schema);
    schema.get("type").and_then(Value::as_str) == Some("array")
        || schema
            .pointer("/properties/value/type")
            .and_then(Value::as_str)
            == Some("array")
}

/// `/users/{user-id}/rest` → (`user_`, `/me/rest`); anything else → (``, path).
fn split_root(path: &str) -> (&'static str, String) {
    if let Some(rest) = path.strip_prefix("/users/{user-id}/")
        && !rest.is_empty()
    {
        return ("user_", format!("/me/{rest}"));
    }
    ("", path.to_string())
}

/// Gives every repeated operationId a distinct id (the key explicit renames use): the path
/// parameters the first user lacks (`…_by_calendar`), else a counter.
fn dedupe(ops: &[Op]) -> Vec<String> {
    let mut first: BTreeMap<&str, &Op> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let Some(original) = first.get(op.id.as_str()) else {
            first.insert(&op.id, op);
            used.insert(op.id.clone());
            out.push(op.id.clone());
            continue;
        };
        let theirs = path_params(&original.path);
        let extra: Vec<String> = path_params(&op.path)
            .into_iter()
            .filter(|p| !theirs.contains(p))
            .map(|p| p.trim_end_matches("-id").to_string())
            .collect();
        let mut candidate = if extra.is_empty() {
            format!("{}_2", op.id)
        } else {
            format!("{}_by_{}", op.id, extra.join("_and_"))
        };
        let mut n = 2;
        while used.contains(&candidate) {
            n += 1;
            candidate = format!("{}_{n}", op.id);
        }
        used.insert(candidate.clone());
        out.push(candidate);
    }
    out
}

/// The path parameter names of `path`, in order.
fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}'))
        .map(|(p, _)| p.to_string())
        .collect()
}
