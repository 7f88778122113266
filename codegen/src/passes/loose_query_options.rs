//! `loose_query_options` (found in People.yml / Planner.yml, older generator runs):
//! `$select`/`$expand`/`$orderby` items carry an `enum` of property names (`"createdBy desc"`).
//! That becomes one generated enum per operation, rejects valid values (nested paths, other
//! casings) and bloats compile time. Drop `enum` from `$`-prefixed query parameters.

use serde_json::Value;

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    let mut loosen = |param: &mut Value| {
        let is_system_option = param.get("in").and_then(Value::as_str) == Some("query")
            && param
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.starts_with('$'));
        if !is_system_option {
            return;
        }
        if let Some(schema) = param.get_mut("schema") {
            walk::visit(schema, &mut |s| {
                if s.remove("enum").is_some() {
                    count += 1;
                }
            });
        }
    };
    if let Some(Value::Object(params)) = doc.pointer_mut("/components/parameters") {
        params.values_mut().for_each(&mut loosen);
    }
    walk::for_each_operation(doc, &mut |_, _, op| {
        if let Some(Value::Array(params)) = op.get_mut("parameters") {
            params.iter_mut().for_each(&mut loosen);
        }
    });
    count
}
