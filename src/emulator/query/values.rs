//! Reading and ordering JSON values as OData does: property paths and the comparison order.

use std::cmp::Ordering;

use serde_json::Value;

use crate::emulator::util;

/// The value at a `/`-separated property path (`from/emailAddress/address`).
pub(crate) fn lookup<'a>(entity: &'a Value, path: &str) -> &'a Value {
    path.split('/').fold(entity, |v, key| {
        v.as_object()
            .and_then(|m| {
                m.get(key).or_else(|| {
                    m.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                        .map(|(_, v)| v)
                })
            })
            .unwrap_or(&Value::Null)
    })
}

/// OData ordering: null first, then numbers, then date-times by instant, strings without case.
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => match (util::parse_iso(x), util::parse_iso(y)) {
            (Some(tx), Some(ty)) if x.len() >= 10 && y.len() >= 10 => tx.cmp(&ty),
            _ => x.to_lowercase().cmp(&y.to_lowercase()),
        },
        _ => a.to_string().cmp(&b.to_string()),
    }
}
