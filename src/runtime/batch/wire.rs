//! The `$batch` wire format: a prepared request as a step, the reply's answers, the POST.

use std::collections::HashMap;

use base64::Engine;
use bytes::Bytes;
use indexmap::IndexMap;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::Step;
use super::answers::StepResponse;
use crate::runtime::connection::{Body, BodyKind, Connection, Prepared};
use crate::{Error, Result};

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The headers of a prepared request as a step carries them (repeated names joined by `, `).
pub(super) fn wire_headers(id: &str, req: &Prepared) -> Result<IndexMap<String, String>> {
    let mut headers: IndexMap<String, String> = IndexMap::new();
    for (name, value) in &req.headers {
        let value = value.to_str().map_err(|_| {
            Error::invalid_input(format!("batch step {id:?}: header {name} is not text"))
        })?;
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(value);
            })
            .or_insert_with(|| value.to_owned());
    }
    Ok(headers)
}

/// The body of a prepared request as a step carries it: JSON as JSON, anything else base64
/// (the content type added to `headers` when the request did not declare one).
pub(super) fn wire_body(
    id: &str,
    req: &Prepared,
    headers: &mut IndexMap<String, String>,
) -> Result<Option<Value>> {
    let (data, content_type) = match &req.body.kind {
        BodyKind::Empty => return Ok(None),
        BodyKind::Invalid(reason) => {
            return Err(Error::invalid_input(format!(
                "the request body could not be encoded as JSON: {reason}"
            )));
        }
        BodyKind::Stream(_) => {
            return Err(Error::invalid_input(format!(
                "batch step {id:?}: a streamed body cannot be batched"
            )));
        }
        BodyKind::Bytes { data, content_type } => (data, content_type),
    };
    let declared = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(CONTENT_TYPE.as_str()))
        .map(|(_, v)| v.clone());
    let effective = match declared {
        Some(ct) => ct,
        None => {
            headers.insert(CONTENT_TYPE.as_str().to_owned(), content_type.to_string());
            content_type.to_string()
        }
    };
    if !is_json(&effective) {
        return Ok(Some(Value::String(BASE64.encode(data))));
    }
    serde_json::from_slice(data).map(Some).map_err(|e| {
        Error::invalid_input(format!(
            "batch step {id:?}: the body is declared JSON but is not ({e})"
        ))
    })
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

/// One answer as it comes off the wire.
#[derive(Debug, Deserialize)]
pub(super) struct WireAnswer {
    id: String,
    status: u16,
    #[serde(default)]
    headers: IndexMap<String, Value>,
    #[serde(default)]
    body: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct WireReply {
    #[serde(default)]
    responses: Vec<WireAnswer>,
}

impl WireAnswer {
    pub(super) fn to_response(&self, step: &Step) -> Result<StepResponse> {
        let status = StatusCode::from_u16(self.status).map_err(|_| {
            Error::decode(format!(
                "the $batch reply gives step {:?} the invalid status {}",
                self.id, self.status
            ))
        })?;
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let (Ok(name), Ok(value)) = (
                HeaderName::try_from(name.as_str()),
                HeaderValue::try_from(text),
            ) {
                headers.append(name, value);
            }
        }
        let json_body = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(is_json);
        let body = match &self.body {
            None | Some(Value::Null) => Bytes::new(),
            Some(Value::String(text)) if !json_body => match BASE64.decode(text) {
                Ok(bytes) => Bytes::from(bytes),
                Err(_) => Bytes::from(text.clone()),
            },
            Some(value) => Bytes::from(value.to_string()),
        };
        Ok(StepResponse {
            id: self.id.clone(),
            status,
            headers,
            body,
            url: step.url.clone(),
        })
    }
}

pub(super) async fn post_batch(
    connection: &Connection,
    body: Value,
) -> Result<HashMap<String, WireAnswer>> {
    let url = connection.resolve_url("$batch")?;
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let prepared = Prepared {
        method: Method::POST,
        url: url.clone(),
        headers,
        body: Body::json(&body),
        timeout: None,
        authenticated: true,
    };
    let reply = connection
        .execute(prepared)
        .await?
        .error_for_status()
        .await?;
    let reply: WireReply = reply.json().await?;
    Ok(reply
        .responses
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect())
}
