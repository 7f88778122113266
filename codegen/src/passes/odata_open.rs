//! `odata_open`: widen the OData open-type marker `additionalProperties: {type: object}` to
//! `additionalProperties: {}`, so annotations such as `"@odata.etag": "W/\"1\""` (strings, not
//! objects) land in the generated `extra` map instead of failing to deserialise.

use serde_json::{Value, json};

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let marker = json!({"type": "object"});
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        if schema.get("additionalProperties") == Some(&marker) {
            schema.insert("additionalProperties".into(), json!({}));
            count += 1;
        }
    });
    count
}
