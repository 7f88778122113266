//! The Graph error a route answers with, in Graph's JSON shape.

use http::{Method, StatusCode};

use crate::emulator::wire::{Reply, Req};

/// A Graph error to answer with.
#[derive(Debug)]
pub(crate) struct GraphErr {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

/// What a Graph route answers.
pub(crate) type GraphResult = std::result::Result<Reply, GraphErr>;

impl GraphErr {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> GraphErr {
        GraphErr {
            status,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> GraphErr {
        GraphErr::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    pub(crate) fn not_found() -> GraphErr {
        GraphErr::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    }

    pub(crate) fn method_not_allowed(method: &Method) -> GraphErr {
        GraphErr::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest",
            format!("The HTTP method '{method}' is not allowed for this resource."),
        )
    }

    /// The error as Graph's reply to `req`.
    pub(crate) fn reply(&self, req: &Req) -> Reply {
        Reply::graph_error(self.status, self.code, &self.message, req)
    }
}
