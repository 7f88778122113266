//! `schema_collision`: component keys that are equal after PascalCase
//! (`microsoft.graph.mail.folder` / `microsoft.graph.mailFolder`) would be one Rust type defined
//! twice (E0428). Rename the later key to `…_2` and rewrite its references.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::walk;

pub fn run(doc: &mut Value, notes: &mut Vec<String>) -> usize {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return 0;
    };
    let mut taken = BTreeSet::new();
    let mut renames = BTreeMap::new();
    let keys: BTreeSet<String> = schemas.keys().cloned().collect();
    for key in schemas.keys() {
        if taken.insert(walk::type_name(key)) {
            continue;
        }
        let mut n = 2;
        let new_key = loop {
            let candidate = format!("{key}_{n}");
            if !keys.contains(&candidate) && !taken.contains(&walk::type_name(&candidate)) {
                break candidate;
            }
            n += 1;
        };
        taken.insert(walk::type_name(&new_key));
        notes.push(format!(
            "schema_collision: renamed schema `{key}` to `{new_key}`"
        ));
        renames.insert(key.clone(), new_key);
    }
    if renames.is_empty() {
        return 0;
    }
    walk::rename_schema_keys(doc, &renames);
    walk::rewrite_refs(doc, &|reference| {
        let name = walk::schema_ref_name(reference)?;
        renames
            .get(name)
            .map(|new| format!("#/components/schemas/{new}"))
    });
    renames.len()
}
