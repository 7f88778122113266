//! `prop_collision`: two property names that are equal after snake_case (`Value` / `value`)
//! would be one Rust field declared twice (E0124). Keep the first spelling, drop the others and
//! report them.

use std::collections::BTreeSet;

use heck::ToSnakeCase;
use serde_json::Value;

use super::walk;

pub fn run(doc: &mut Value, notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            return;
        };
        let mut seen = BTreeSet::new();
        let mut dropped = Vec::new();
        props.retain(|name, _| {
            let keep = seen.insert(field_name(name));
            if !keep {
                dropped.push(name.clone());
            }
            keep
        });
        for name in dropped {
            notes.push(format!(
                "prop_collision: dropped property `{name}` (same Rust field as an earlier one)"
            ));
            count += 1;
        }
    });
    count
}

fn field_name(property: &str) -> String {
    let cleaned: String = property
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    cleaned.to_snake_case()
}
