//! The JSON Schema of a polymorphic family enum (generated `AnyMessage`, `AnyAttachment`, …).

use schemars::Schema;
use serde_json::{Map, Value, json};

use crate::typed::polymorphic::ODATA_TYPE;

/// Both spellings of a type name Graph accepts in `@odata.type`: with and without the `#`.
fn spellings(odata_type: &str) -> [Value; 2] {
    let bare = odata_type.strip_prefix('#').unwrap_or(odata_type);
    [json!(format!("#{bare}")), json!(bare)]
}

/// `oneOf` over a family's variants as the generated `Deserialize` chooses them:
///
/// * the base (`types[0]`, `variants[0]`): its schema, with `@odata.type` absent, `null` or the
///   base type;
/// * each derived type: its schema, with `@odata.type` required and naming that type;
/// * any other object whose `@odata.type` names none of `types` (the `Other` variant).
///
/// The branches exclude each other, so exactly one matches a valid value. `variants` are the
/// variants' schemas (usually `$ref`s from the generator), in the order of `types`.
pub fn family_schema(types: &[&str], variants: Vec<Schema>) -> Schema {
    let mut one_of = Vec::with_capacity(variants.len() + 1);
    for (index, (variant, odata_type)) in variants.into_iter().zip(types).enumerate() {
        let mut names: Vec<Value> = spellings(odata_type).into();
        let pin = if index == 0 {
            names.insert(0, Value::Null);
            json!({ "properties": { ODATA_TYPE: { "enum": names } } })
        } else {
            json!({ "required": [ODATA_TYPE], "properties": { ODATA_TYPE: { "enum": names } } })
        };
        one_of.push(json!({ "allOf": [variant.to_value(), pin] }));
    }
    let known: Vec<Value> = types.iter().flat_map(|t| spellings(t)).collect();
    one_of.push(json!({
        "type": "object",
        "required": [ODATA_TYPE],
        "properties": { ODATA_TYPE: { "type": "string", "not": { "enum": known } } },
    }));
    let mut schema = Map::new();
    schema.insert("oneOf".into(), Value::Array(one_of));
    Schema::from(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(schema: &Schema, value: Value) -> bool {
        jsonschema::validator_for(schema.as_value())
            .unwrap()
            .is_valid(&value)
    }

    #[test]
    fn exactly_one_branch_per_type() {
        let base = Schema::from(
            json!({"type": "object", "properties": {"name": {"type": "string"}}})
                .as_object()
                .unwrap()
                .clone(),
        );
        let derived = Schema::from(
            json!({"type": "object", "properties": {"size": {"type": "integer"}}})
                .as_object()
                .unwrap()
                .clone(),
        );
        let schema = family_schema(&["#x.base", "#x.derived"], vec![base, derived]);
        assert_eq!(schema.as_value()["oneOf"].as_array().unwrap().len(), 3);
        assert!(valid(&schema, json!({"name": "a"})));
        assert!(valid(
            &schema,
            json!({"@odata.type": "#x.base", "name": "a"})
        ));
        assert!(valid(
            &schema,
            json!({"@odata.type": "x.derived", "size": 1})
        ));
        assert!(valid(
            &schema,
            json!({"@odata.type": "#x.other", "size": "big"})
        ));
        assert!(!valid(&schema, json!({"name": 1})));
        assert!(!valid(
            &schema,
            json!({"@odata.type": "#x.derived", "size": "big"})
        ));
        assert!(!valid(&schema, json!("text")));
    }
}
