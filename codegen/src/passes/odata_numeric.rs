//! `odata_numeric`: Edm.Double/Single are described as `oneOf`/`anyOf` of a number, a string
//! (`"NaN"`, `"INF"`) and a `ReferenceNumeric` enum. Collapse them to the number branch so the
//! field is an `f64` instead of an untagged three-variant enum.

use serde_json::{Map, Value};

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        for key in ["oneOf", "anyOf"] {
            if let Some(number) = numeric_branch(schema.get(key)) {
                let nullable = nullable_member(schema.get(key));
                schema.remove(key);
                for (k, v) in number {
                    schema.insert(k, v);
                }
                if nullable {
                    schema.insert("nullable".into(), Value::Bool(true));
                }
                count += 1;
            }
        }
    });
    count
}

fn numeric_branch(parts: Option<&Value>) -> Option<Map<String, Value>> {
    let parts = parts?.as_array()?;
    let is_number = |p: &Value| {
        matches!(
            p.get("type").and_then(Value::as_str),
            Some("number" | "integer")
        )
    };
    let number = parts.iter().find(|p| is_number(p))?;
    let others_are_numeric_spellings = parts.iter().filter(|p| !is_number(p)).all(|p| {
        p.get("type").and_then(Value::as_str) == Some("string")
            || p.get("$ref")
                .and_then(Value::as_str)
                .is_some_and(|r| r.ends_with("ReferenceNumeric"))
            || p.get("nullable") == Some(&Value::Bool(true))
    });
    (parts.len() > 1 && others_are_numeric_spellings)
        .then(|| number.as_object().cloned())
        .flatten()
}

fn nullable_member(parts: Option<&Value>) -> bool {
    parts.and_then(Value::as_array).is_some_and(|parts| {
        parts
            .iter()
            .any(|p| p.get("nullable") == Some(&Value::Bool(true)))
    })
}
