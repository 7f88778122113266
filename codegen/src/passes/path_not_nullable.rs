//! `path_not_nullable` (found in Users.Functions.yml: `search(q='{q}')`,
//! `getActivitiesByInterval(startDateTime='{startDateTime}',…)`): function parameters in the
//! path are `nullable: true`, so progenitor takes `Option<&str>` and then cannot format it into
//! the URL (E0599 `to_string` on `Option`). A path segment is always present: drop `nullable`
//! from path parameter schemas.

use serde_json::Value;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    let mut fix = |param: &mut Value| {
        if param.get("in").and_then(Value::as_str) != Some("path") {
            return;
        }
        if let Some(Value::Object(schema)) = param.get_mut("schema")
            && schema.remove("nullable").is_some()
        {
            count += 1;
        }
    };
    if let Some(Value::Object(params)) = doc.pointer_mut("/components/parameters") {
        params.values_mut().for_each(&mut fix);
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            let Value::Object(item) = item else { continue };
            for (key, value) in item.iter_mut() {
                let params = if key == "parameters" {
                    Some(value)
                } else {
                    value.get_mut("parameters")
                };
                if let Some(Value::Array(params)) = params {
                    params.iter_mut().for_each(&mut fix);
                }
            }
        }
    }
    count
}
