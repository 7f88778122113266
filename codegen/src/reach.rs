//! Reachability of components from the operations, used by `import` (to cut a description) and by
//! generation (to drop schemas no operation uses, which typify would otherwise emit).

use std::collections::BTreeSet;

use serde_json::Value;

/// `(kind, name)` of every component reachable from `roots`, following `$ref`s transitively
/// but not through (only up to) components named in `stop` (e.g. schemas replaced by hand-written types).
pub fn reachable(
    doc: &Value,
    roots: &[&Value],
    stop: &BTreeSet<(String, String)>,
) -> BTreeSet<(String, String)> {
    let mut seen = BTreeSet::new();
    let mut queue: Vec<&Value> = roots.to_vec();
    while let Some(value) = queue.pop() {
        let mut refs = Vec::new();
        collect_refs(value, &mut refs);
        for reference in refs {
            let Some(rest) = reference.strip_prefix("#/components/") else {
                continue;
            };
            let Some((kind, name)) = rest.split_once('/') else {
                continue;
            };
            let key = (kind.to_string(), name.to_string());
            if !seen.insert(key.clone()) || stop.contains(&key) {
                continue;
            }
            if let Some(target) = doc
                .get("components")
                .and_then(|c| c.get(kind))
                .and_then(|k| k.get(name))
            {
                queue.push(target);
            }
        }
    }
    seen
}

/// `(kind, name)` of every local `$ref` (`#/components/<kind>/<name>`) in the paths and in the
/// components `skip` does not pass over that names no component: a partial description (one
/// meant to be merged into another first) has them.
pub fn missing_components(
    doc: &Value,
    skip: impl Fn(&str, &str) -> bool,
) -> BTreeSet<(String, String)> {
    let component = |kind: &str, name: &str| doc.get("components")?.get(kind)?.get(name);
    let mut refs = Vec::new();
    collect_refs(&doc["paths"], &mut refs);
    if let Some(Value::Object(kinds)) = doc.get("components") {
        for (kind, items) in kinds.iter().filter(|(kind, _)| *kind != "securitySchemes") {
            let Value::Object(items) = items else {
                continue;
            };
            for (_, item) in items.iter().filter(|(name, _)| !skip(kind, name)) {
                collect_refs(item, &mut refs);
            }
        }
    }
    refs.into_iter()
        .filter_map(|reference| reference.strip_prefix("#/components/"))
        .map(|rest| rest.split_once('/').unwrap_or((rest, "")))
        .filter(|(kind, name)| component(kind, name).is_none())
        .map(|(kind, name)| (kind.to_string(), name.to_string()))
        .collect()
}

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(s)) => out.push(s),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The component kinds whose unreached members are pruned: every kind a `$ref` points at
/// (`securitySchemes` stay: operations name them without one).
pub const COMPONENT_KINDS: &[&str] = &[
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "examples",
    "links",
];

/// Removes components of `kinds` that are not in `keep`; returns how many were removed.
pub fn prune(doc: &mut Value, keep: &BTreeSet<(String, String)>, kinds: &[&str]) -> usize {
    let mut removed = 0;
    let Some(Value::Object(components)) = doc.get_mut("components") else {
        return 0;
    };
    for kind in kinds {
        if let Some(Value::Object(items)) = components.get_mut(*kind) {
            let before = items.len();
            items.retain(|name, _| keep.contains(&(kind.to_string(), name.clone())));
            removed += before - items.len();
        }
    }
    removed
}
