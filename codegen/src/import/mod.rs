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

mod cli;
mod components;
mod navigation;
mod paths;
mod prose;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::passes::polymorphic;
use crate::{Error, load, reach};

pub use cli::run_cli;
pub use components::restore_collection_values;
pub use navigation::drop_navigation;
pub use paths::glob_match;
pub use prose::stated_permissions;

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
    let mut doc = merged_inputs(source, extras, selection)?;
    let kept = paths::kept_paths(&doc, &selection.patterns, selection.also_me);
    doc["paths"] = Value::Object(kept);
    prose::strip_prose(&mut doc);
    prune_unreached(&mut doc);
    yaml_serde::to_string(&doc).map_err(|e| Error::Parse(e.to_string()))
}

/// `source` with `extras` merged in, the taken schemas added, navigation dropped when asked,
/// and the collection responses' `value` arrays restored.
fn merged_inputs(source: &str, extras: &[&str], selection: &Selection) -> Result<Value, Error> {
    let mut doc = load::parse(source)?;
    for extra in extras {
        components::merge(&mut doc, load::parse(extra)?);
    }
    for (text, keys) in &selection.take {
        let mut other = load::parse(text)?;
        if selection.drop_navigation {
            drop_navigation(&mut other);
        }
        components::take_schemas(&mut doc, &other, keys)?;
    }
    if selection.drop_navigation {
        drop_navigation(&mut doc);
    }
    restore_collection_values(&mut doc);
    Ok(doc)
}

/// Keeps only the components the kept paths reach (see [`keep_with_derived`]), sorted, and
/// drops the document's tags.
fn prune_unreached(doc: &mut Value) {
    let keep = keep_with_derived(doc);
    reach::prune(doc, &keep, reach::COMPONENT_KINDS);
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        for kind in ["schemas", "responses", "parameters", "requestBodies"] {
            if let Some(Value::Object(items)) = components.get_mut(kind) {
                items.sort_keys();
            }
        }
        components.retain(|_, v| v.as_object().is_none_or(|m| !m.is_empty()));
    }
    if let Value::Object(root) = doc {
        root.remove("tags");
    }
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
