//! `enum_collision`: string enum values that give the same Rust variant name under both of
//! typify's naming attempts make it panic ("Failed to make unique variant names"). Widen such
//! an enum to a plain string, which keeps every wire value readable. (Users.Functions.yml's
//! `windowsMalwareCategory` has `remoteControlSoftware` and `remote_Control_Software`; typify's
//! second attempt separates those, but a careless casing pass would not.)

use std::collections::BTreeSet;

use heck::ToPascalCase;
use serde_json::Value;

use super::walk;

pub fn run(doc: &mut Value, notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        let Some(Value::Array(values)) = schema.get("enum") else {
            return;
        };
        let raw: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let clash = first_clash(&raw, variant).and(first_clash(&raw, |v| {
            variant(&v.replace(|c: char| !c.is_alphanumeric(), "X"))
        }));
        if let Some(clash) = clash {
            notes.push(format!(
                "enum_collision: `{clash}` clashes with another value; enum widened to string"
            ));
            schema.remove("enum");
            count += 1;
        }
    });
    count
}

fn first_clash<'a>(values: &[&'a str], name: impl Fn(&str) -> String) -> Option<&'a str> {
    let mut seen = BTreeSet::new();
    values.iter().copied().find(|v| !seen.insert(name(v)))
}

/// typify's `sanitize(value, Pascal)`: non-identifier characters become word breaks.
fn variant(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    cleaned.to_pascal_case()
}
