//! Choosing the kept paths and their `/me` twins.

use serde_json::{Map, Value};

use crate::passes::walk;

/// The paths of `doc` that match `patterns` (see [`super::Selection`]), plus their `/me` twins
/// when `also_me`; sorted.
pub(super) fn kept_paths(doc: &Value, patterns: &[String], also_me: bool) -> Map<String, Value> {
    let empty = Map::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let (excludes, includes): (Vec<&String>, Vec<&String>) =
        patterns.iter().partition(|p| p.starts_with('!'));
    let mut kept = Map::new();
    for (path, item) in paths {
        let included = includes.iter().any(|p| glob_match(p, path));
        let excluded = excludes.iter().any(|p| glob_match(&p[1..], path));
        if included && !excluded {
            kept.insert(path.clone(), item.clone());
        }
    }
    if also_me {
        add_me_twins(&mut kept, paths);
    }
    kept.sort_keys();
    kept
}

/// Adds the `/me` twin of every kept `/users/{user-id}` path the description does not list.
fn add_me_twins(kept: &mut Map<String, Value>, paths: &Map<String, Value>) {
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
