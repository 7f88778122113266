//! `nullable_anyof`: the full Graph metadata writes nullable references as
//! `anyOf: [{$ref: X}, {type: object, nullable: true}]`. Rewrite them to
//! `allOf: [{$ref: X}], nullable: true`, which typify turns into `Option<X>`.

use serde_json::{Value, json};

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        let Some(Value::Array(parts)) = schema.get("anyOf") else {
            return;
        };
        let refs: Vec<&Value> = parts.iter().filter(|p| p.get("$ref").is_some()).collect();
        let null_only = parts.iter().filter(|p| p.get("$ref").is_none()).all(|p| {
            p.get("nullable") == Some(&Value::Bool(true)) && p.get("properties").is_none()
        });
        if refs.len() == 1 && parts.len() == 2 && null_only {
            let reference = refs[0].get("$ref").cloned().unwrap_or(Value::Null);
            schema.remove("anyOf");
            schema.insert("allOf".into(), json!([{ "$ref": reference }]));
            schema.insert("nullable".into(), Value::Bool(true));
            count += 1;
        }
    });
    count
}
