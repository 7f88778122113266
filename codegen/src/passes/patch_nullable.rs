//! `patch_nullable`: PATCH is documented as `2XX: <entity>` but many entity sets answer
//! `204 No Content`. Make the PATCH success body `allOf: [$ref] + nullable`, so the method
//! returns `Option<T>` (the runtime turns an empty 2xx body into `null`).

use serde_json::{Value, json};

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let snapshot = doc.clone();
    let mut count = 0;
    walk::for_each_operation(doc, &mut |_, method, op| {
        if method != "patch" {
            return;
        }
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        for (status, response) in responses.iter_mut() {
            if !status.starts_with('2') {
                continue;
            }
            let mut inline = walk::resolve(&snapshot, response).clone();
            let Some(schema) = inline.pointer_mut("/content/application~1json/schema") else {
                continue;
            };
            if let Some(reference) = schema.get("$ref").cloned() {
                *schema = json!({ "allOf": [{ "$ref": reference }], "nullable": true });
                *response = inline;
                count += 1;
            }
        }
    });
    count
}
