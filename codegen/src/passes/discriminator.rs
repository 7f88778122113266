//! `discriminator`: typify ignores `discriminator`, and `required: ['@odata.type']` would make
//! `odata_type` mandatory in every request body. Drop the discriminator and un-require
//! `@odata.type`; members of derived types then arrive in `extra`.

use serde_json::Value;

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        if schema.remove("discriminator").is_some() {
            count += 1;
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            let before = required.len();
            required.retain(|name| name.as_str() != Some("@odata.type"));
            count += before - required.len();
            if required.is_empty() {
                schema.remove("required");
            }
        }
    });
    count
}
