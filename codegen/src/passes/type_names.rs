//! `type_names`: typify names each model after its component key, so Graph's keys give
//! `MicrosoftGraphMessage`. Rename the keys (and every reference to them) without the
//! description's namespace (the two leading segments most keys share, see [`namespace`]):
//! `microsoft.graph.message` → `message` (`Message`), `microsoft.graph.security.alert` →
//! `security.alert` (`SecurityAlert`), Outlook REST's `Microsoft.OutlookServices.Message` →
//! `Message`. A key keeps its full
//! form when its short name would clash: with another key's Rust type name (short or full), or
//! with a name generated code uses unqualified (`Option`, `Result`, `Client`, …). The error
//! envelope (`…ODataErrors.*`) keeps its keys: the generator replaces it by the crate's types.
//! Runs last, so the other passes see the description's own keys.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::walk;

/// Graph's namespace, dropped from component keys (the default of [`namespace`]).
pub const NAMESPACE: &str = "microsoft.graph.";

/// Type names generated code uses unqualified (prelude, std, the runtime, the emitter, serde).
pub const RESERVED: &[&str] = &[
    "Body",
    "Box",
    "ByteStream",
    "Clone",
    "Collection",
    "Connection",
    "Copy",
    "Cow",
    "Date",
    "DateTime",
    "Debug",
    "Default",
    "Deserialize",
    "Display",
    "Duration",
    "Eq",
    "Err",
    "Error",
    "From",
    "FromStr",
    "Hash",
    "HashMap",
    "Into",
    "Iterator",
    "Map",
    "Method",
    "NaiveDate",
    "NoContent",
    "None",
    "Ok",
    "Option",
    "Ord",
    "Patch",
    "PartialEq",
    "Plain",
    "Request",
    "Response",
    "ResponseValue",
    "Result",
    "Self",
    "Send",
    "Serialize",
    "Single",
    "Some",
    "String",
    "Sync",
    "ToString",
    "Utc",
    "Uuid",
    "Value",
    "Vec",
    "Client",
];

pub fn run(doc: &mut Value, notes: &mut Vec<String>) -> usize {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return 0;
    };
    let keys: Vec<String> = schemas.keys().cloned().collect();
    let renames = plan(&keys, notes);
    if renames.is_empty() {
        return 0;
    }
    walk::rename_schema_keys(doc, &renames);
    rewrite(doc, &renames);
    renames.len()
}

/// Old key → new key for every key that is shortened (see the module documentation).
pub fn plan(keys: &[String], notes: &mut Vec<String>) -> BTreeMap<String, String> {
    let namespace = namespace(keys);
    let short = |key: &str| -> Option<String> {
        if key.contains("ODataErrors.") {
            return None;
        }
        let rest = key.strip_prefix(namespace.as_str())?;
        (!rest.is_empty()).then(|| rest.to_string())
    };
    let all: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    let mut shortened: BTreeMap<String, String> = keys
        .iter()
        .filter_map(|k| short(k).map(|s| (k.clone(), s)))
        .filter(|(_, s)| !all.contains(s.as_str()))
        .collect();
    // Undo shortenings whose type name clashes, until none does.
    loop {
        let mut by_type: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for key in keys {
            let name = shortened.get(key).map(String::as_str).unwrap_or(key);
            by_type.entry(walk::type_name(name)).or_default().push(key);
        }
        let mut undo = BTreeSet::new();
        for (type_name, users) in &by_type {
            let reserved = RESERVED.contains(&type_name.as_str());
            if users.len() > 1 || reserved {
                undo.extend(
                    users
                        .iter()
                        .filter(|k| shortened.contains_key(**k))
                        .map(|k| k.to_string()),
                );
            }
        }
        if undo.is_empty() {
            break;
        }
        for key in undo {
            let short = shortened.remove(&key).unwrap_or_default();
            notes.push(format!(
                "type_names: kept `{key}` whole (`{}` is taken)",
                walk::type_name(&short)
            ));
        }
    }
    shortened
}

/// The namespace of a description's schema keys: the two leading dotted segments most keys
/// share (`microsoft.graph.` for Graph, `Microsoft.OutlookServices.` for Outlook REST), the
/// first in key order on a tie; [`NAMESPACE`] when no key has one. The error envelope's keys
/// do not count.
pub fn namespace(keys: &[String]) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for key in keys.iter().filter(|k| !k.contains("ODataErrors.")) {
        let mut parts = key.splitn(3, '.');
        if let (Some(a), Some(b), Some(rest)) = (parts.next(), parts.next(), parts.next())
            && !a.is_empty()
            && !b.is_empty()
            && !rest.is_empty()
        {
            *counts.entry(format!("{a}.{b}.")).or_default() += 1;
        }
    }
    let mut best: Option<(&String, usize)> = None;
    for (prefix, &count) in &counts {
        if best.is_none_or(|(_, n)| count > n) {
            best = Some((prefix, count));
        }
    }
    best.map_or_else(|| NAMESPACE.to_string(), |(p, _)| p.clone())
}

/// Rewrites every reference to a renamed schema: `$ref` values and any other string that is a
/// whole schema reference (discriminator mappings, extensions).
fn rewrite(value: &mut Value, renames: &BTreeMap<String, String>) {
    match value {
        Value::String(s) => {
            if let Some(new) = walk::schema_ref_name(s).and_then(|name| renames.get(name)) {
                *s = format!("#/components/schemas/{new}");
            }
        }
        Value::Object(map) => map.values_mut().for_each(|v| rewrite(v, renames)),
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, renames)),
        _ => {}
    }
}
