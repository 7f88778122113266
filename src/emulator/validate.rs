//! Request bodies of the operations the emulator serves, checked against the generated models'
//! JSON Schema (feature `schemars`): a bad body is answered `400` naming the property, as Graph
//! does, before any handler runs.

use http::StatusCode;

use super::wire::{Reply, Req};

/// The `400` for a body of a known operation that does not match its schema (`rest` is the path
/// after `/v1.0/`), or `None` when the body is fine or the operation unknown.
pub(crate) fn check(rest: &str, req: &Req) -> Option<Reply> {
    let operation = crate::schema::operation_for(req.method.as_str(), rest)?;
    let body = req.json()?;
    let invalid = operation.check(&body).err()?;
    let message = if invalid.property.is_empty() {
        format!("Invalid request body: {}", invalid.message)
    } else {
        format!(
            "Invalid value for property '{}': {}",
            invalid.property, invalid.message
        )
    };
    Some(Reply::graph_error(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        &message,
        req,
    ))
}
