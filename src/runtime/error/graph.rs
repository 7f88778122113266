//! The typed error body Microsoft 365 services put in 4xx/5xx replies.

use serde::{Deserialize, Serialize};

/// The error body Microsoft Graph (and Outlook REST, Business Central) returns:
/// `{"error": {"code", "message", "innerError": {"code", "request-id", "date", …}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GraphError {
    /// Top-level error code, e.g. `ErrorItemNotFound`, `TooManyRequests`.
    #[serde(default)]
    pub code: String,
    /// Human-readable message from the service.
    #[serde(default)]
    pub message: String,
    /// Diagnostic details (`innerError`; Outlook REST spells it `innererror`).
    #[serde(
        default,
        rename = "innerError",
        alias = "innererror",
        skip_serializing_if = "Option::is_none"
    )]
    pub inner_error: Option<InnerError>,
}

/// Diagnostic details inside a [`GraphError`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InnerError {
    /// A more specific code than the top-level one (python-o365 reports only this one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The `request-id` to quote to Microsoft support.
    #[serde(
        default,
        rename = "request-id",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
    /// The `client-request-id` echoed by the service.
    #[serde(
        default,
        rename = "client-request-id",
        skip_serializing_if = "Option::is_none"
    )]
    pub client_request_id: Option<String>,
    /// When the service produced the error (ISO 8601, as sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The whole error reply body, `{"error": {...}}`: the error type every generated module shares
/// (`progenitor_client::Error<GraphErrorResponse>`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GraphErrorResponse {
    /// The error itself.
    pub error: GraphError,
}

impl GraphError {
    /// Parses a Graph-style error envelope; `None` when the body is not one.
    pub fn from_body(body: &[u8]) -> Option<GraphError> {
        serde_json::from_slice::<GraphErrorResponse>(body)
            .ok()
            .map(|e| e.error)
    }
}
