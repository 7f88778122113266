//! `default_resp`: progenitor supports one success type and one error type per operation.
//! * A `default` response next to `2XX` gives an `unreachable_patterns` warning per operation,
//!   and next to `200` with another schema it trips progenitor's `response_types.len() <= 1`
//!   assertion. Re-key `default` as `4XX` + `5XX`.
//! * Older descriptions list `200`/`201`/`204` (or those plus `2XX`) side by side. Keep one
//!   success response: the first with a JSON body in the order `2XX`, `200`, `201`, `202`, …;
//!   else the first one.

use serde_json::{Map, Value};

use super::walk;

const SUCCESS_PREFERENCE: [&str; 7] = ["2XX", "200", "201", "202", "203", "206", "204"];

pub fn run(doc: &mut Value, notes: &mut Vec<String>) -> usize {
    let snapshot = doc.clone();
    let mut count = 0;
    walk::for_each_operation(doc, &mut |path, method, op| {
        let Some(Value::Object(responses)) = op.get_mut("responses") else {
            return;
        };
        count += keep_one_success(&snapshot, responses, path, method, notes);
        if let Some(default) = responses.remove("default") {
            for key in ["4XX", "5XX"] {
                responses.entry(key).or_insert_with(|| default.clone());
            }
            count += 1;
        }
    });
    count
}

fn keep_one_success(
    doc: &Value,
    responses: &mut Map<String, Value>,
    path: &str,
    method: &str,
    notes: &mut Vec<String>,
) -> usize {
    let success: Vec<String> = responses
        .keys()
        .filter(|k| k.starts_with('2'))
        .cloned()
        .collect();
    if success.len() <= 1 {
        return 0;
    }
    let has_json = |key: &str| {
        responses
            .get(key)
            .map(|r| walk::resolve(doc, r))
            .and_then(|r| r.get("content"))
            .and_then(Value::as_object)
            .is_some_and(|content| !content.is_empty())
    };
    let rank = |key: &String| {
        SUCCESS_PREFERENCE
            .iter()
            .position(|p| p == key)
            .unwrap_or(usize::MAX)
    };
    let mut ordered = success.clone();
    ordered.sort_by_key(rank);
    let keep = ordered
        .iter()
        .find(|k| has_json(k))
        .unwrap_or(&ordered[0])
        .clone();
    let dropped: Vec<&String> = success.iter().filter(|k| **k != keep).collect();
    notes.push(format!(
        "default_resp: {} {path}: kept success response {keep}, dropped {}",
        method.to_uppercase(),
        dropped
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    responses.retain(|k, _| !k.starts_with('2') || *k == keep);
    success.len() - 1
}
