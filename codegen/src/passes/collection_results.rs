//! `collection_results`: an operation documented as answering a bare JSON array answers, on the
//! wire, an OData collection object (`{"value": [...], "@odata.nextLink": ...}`; a delta
//! function adds `@odata.deltaLink`). Older module files describe function results such as
//! `delta()` or `getByIds` as plain arrays; decoding the real reply into a `Vec` fails. The
//! pass wraps such response schemas in that object and marks GET operations pageable, so they
//! get `CollectionPage` pages and `.stream()`.

use serde_json::{Map, Value, json};

use super::walk;

/// The pass; returns the number of responses rewritten.
pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    walk::for_each_operation(doc, &mut |path, method, op| {
        let delta = path.trim_end_matches('/').ends_with("delta()");
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        let mut wrapped = false;
        for (code, response) in responses.iter_mut() {
            if code.starts_with('2') {
                wrapped |= wrap_content(response, delta);
            }
        }
        if wrapped {
            count += 1;
            if method == "get" && !op.contains_key("x-ms-pageable") {
                op.insert(
                    "x-ms-pageable".into(),
                    json!({"nextLinkName": "@odata.nextLink", "operationName": "listMore"}),
                );
            }
        }
    });
    count
}

/// Wraps the JSON schemas of a response that are plain arrays; whether any was.
fn wrap_content(response: &mut Value, delta: bool) -> bool {
    let Some(Value::Object(content)) = response.get_mut("content") else {
        return false;
    };
    let mut wrapped = false;
    for (media, entry) in content.iter_mut() {
        if !media.contains("json") {
            continue;
        }
        let Some(schema) = entry.get_mut("schema") else {
            continue;
        };
        if schema.get("type").and_then(Value::as_str) != Some("array") {
            continue;
        }
        let items = std::mem::take(schema);
        let mut properties = Map::new();
        properties.insert("value".into(), items);
        properties.insert(
            "@odata.nextLink".into(),
            json!({"type": "string", "nullable": true}),
        );
        if delta {
            properties.insert(
                "@odata.deltaLink".into(),
                json!({"type": "string", "nullable": true}),
            );
        }
        // Open, as Graph's own collection responses are: `@odata.context` & co. are kept.
        *schema = json!({
            "type": "object",
            "properties": properties,
            "additionalProperties": {"type": "object"},
        });
        wrapped = true;
    }
    wrapped
}
