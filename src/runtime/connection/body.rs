//! Request bodies. JSON goes in as [`Json`] (or a `serde_json::Value`) and is sent with
//! `Content-Type: application/json`; text and bytes are sent as they are, with the caller's
//! content type (python-o365 JSON-quotes strings — this does not).

use bytes::Bytes;
use serde::Serialize;

/// A request body. Everything except [`Body::stream`] can be replayed on a retry.
#[derive(Debug, Default)]
pub struct Body {
    pub(crate) kind: BodyKind,
}

#[derive(Debug, Default)]
pub(crate) enum BodyKind {
    #[default]
    Empty,
    /// Already-encoded bytes and the content type they default to.
    Bytes {
        data: Bytes,
        content_type: &'static str,
    },
    /// A JSON value that failed to serialize; reported when the request is sent.
    Invalid(String),
    /// A one-shot stream; sent once, never retried.
    Stream(Option<reqwest::Body>),
}

/// Wraps any `Serialize` value to be sent as a JSON body: `conn.post(url, Json(&message))`.
#[derive(Debug, Clone, Copy)]
pub struct Json<T>(pub T);

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";
const OCTETS: &str = "application/octet-stream";

impl Body {
    /// No body.
    pub fn empty() -> Body {
        Body::default()
    }

    /// `value` serialized as JSON.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Body {
        let kind = match serde_json::to_vec(value) {
            Ok(data) => BodyKind::Bytes {
                data: data.into(),
                content_type: JSON,
            },
            Err(e) => BodyKind::Invalid(e.to_string()),
        };
        Body { kind }
    }

    /// Raw bytes (`application/octet-stream` unless the caller sets a content type).
    pub fn bytes(data: impl Into<Bytes>) -> Body {
        Body {
            kind: BodyKind::Bytes {
                data: data.into(),
                content_type: OCTETS,
            },
        }
    }

    /// Text sent as is (`text/plain` unless the caller sets a content type).
    pub fn text(text: impl Into<String>) -> Body {
        Body {
            kind: BodyKind::Bytes {
                data: Bytes::from(text.into()),
                content_type: TEXT,
            },
        }
    }

    /// A streamed body (uploads). It cannot be replayed, so the request gets exactly one attempt.
    pub fn stream(body: impl Into<reqwest::Body>) -> Body {
        Body {
            kind: BodyKind::Stream(Some(body.into())),
        }
    }

    /// Whether the body can be sent again on a retry.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, BodyKind::Stream(_))
    }
}

impl<T: Serialize> From<Json<T>> for Body {
    fn from(value: Json<T>) -> Body {
        Body::json(&value.0)
    }
}

impl From<serde_json::Value> for Body {
    fn from(value: serde_json::Value) -> Body {
        Body::json(&value)
    }
}

impl From<()> for Body {
    fn from((): ()) -> Body {
        Body::empty()
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Body {
        Body::text(text)
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::text(text)
    }
}

impl From<Vec<u8>> for Body {
    fn from(data: Vec<u8>) -> Body {
        Body::bytes(data)
    }
}

impl From<Bytes> for Body {
    fn from(data: Bytes) -> Body {
        Body::bytes(data)
    }
}
