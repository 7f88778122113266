//! `drop_patterns`: a `pattern` makes typify emit a validating newtype that needs the `regress`
//! crate and `TryFrom` at every use. Drop the patterns: the service validates anyway, and
//! `format` (date-time, date) still selects chrono types.

use serde_json::Value;

use super::walk;

pub fn run(doc: &mut Value, _notes: &mut Vec<String>) -> usize {
    let mut count = 0;
    walk::for_each_schema(doc, &mut |schema| {
        if schema.remove("pattern").is_some() {
            count += 1;
        }
    });
    count
}
