//! `POST /v1.0/$batch`: JSON batching. Each step is answered by the same routes as a request of
//! its own (same bearer token, the script's faults apply per step path, the counters count it),
//! in the order given; a step whose `dependsOn` step failed is answered `424 Failed Dependency`.
//! Bodies are JSON, or base64 for other content types, both ways.

use std::collections::{HashMap, HashSet};

use base64::Engine;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Map, Value, json};

use super::GraphErr;
use crate::emulator::state::Shared;
use crate::emulator::util;
use crate::emulator::wire::{Reply, Req};

/// Graph's limit of steps per batch.
const MAX_STEPS: usize = 20;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn bad(req: &Req, message: &str) -> Reply {
    Reply::graph_error(StatusCode::BAD_REQUEST, "BadRequest", message, req)
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// Answers a `$batch` request (already authenticated): checks the steps, then answers each in
/// order.
pub(super) fn handle(shared: &Shared, req: &Req) -> Reply {
    if req.method != Method::POST {
        return GraphErr::method_not_allowed(&req.method).reply(req);
    }
    let steps = match checked_steps(req) {
        Ok(steps) => steps,
        Err(message) => return bad(req, &message),
    };
    let mut statuses: HashMap<String, StatusCode> = HashMap::new();
    let mut responses = Vec::with_capacity(steps.len());
    for step in &steps {
        let id = step["id"].as_str().unwrap_or_default().to_owned();
        let reply = answer_step(shared, req, step, &statuses);
        statuses.insert(id.clone(), reply.status);
        responses.push(answer_json(&id, reply));
    }
    Reply::json(StatusCode::OK, &json!({ "responses": responses }))
}

/// The payload's `requests`: at most [`MAX_STEPS`], each with a unique `id`, every `dependsOn`
/// naming one of them.
fn checked_steps(req: &Req) -> Result<Vec<Value>, String> {
    let Some(Value::Array(steps)) = req
        .json()
        .and_then(|mut v| v.get_mut("requests").map(Value::take))
    else {
        return Err("Invalid batch payload format.".to_owned());
    };
    if steps.len() > MAX_STEPS {
        return Err(format!(
            "The number of batch requests exceeds the allowed maximum of {MAX_STEPS}."
        ));
    }
    let mut ids = HashSet::new();
    for step in &steps {
        let Some(id) = step["id"].as_str() else {
            return Err("Each batch request must have an 'id'.".to_owned());
        };
        if !ids.insert(id.to_owned()) {
            return Err(format!("Batch request id '{id}' is used more than once."));
        }
    }
    for step in &steps {
        for dep in step["dependsOn"].as_array().into_iter().flatten() {
            if !dep.as_str().is_some_and(|d| ids.contains(d)) {
                return Err(format!(
                    "Dependency '{dep}' of request '{}' was not found.",
                    step["id"]
                ));
            }
        }
    }
    Ok(steps)
}

/// One step's reply: `424` when a step it depends on failed, else its own answer.
fn answer_step(
    shared: &Shared,
    outer: &Req,
    step: &Value,
    statuses: &HashMap<String, StatusCode>,
) -> Reply {
    let failed_dependency = step["dependsOn"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|d| statuses.get(d).is_none_or(|s| !s.is_success()));
    if failed_dependency {
        return Reply::graph_error(
            StatusCode::FAILED_DEPENDENCY,
            "BadRequest",
            "Dependent request failed.",
            outer,
        );
    }
    match step_request(outer, step) {
        Ok(step_req) => dispatch(shared, &step_req),
        Err(message) => bad(outer, &message),
    }
}

/// One step as a request of its own: its method, URL, headers and body, the outer bearer token.
fn step_request(outer: &Req, step: &Value) -> Result<Req, String> {
    let method = step["method"]
        .as_str()
        .and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
        .ok_or("Each batch request must have a valid 'method'.")?;
    let url = step["url"]
        .as_str()
        .ok_or("Each batch request must have a 'url'.")?;
    if url.contains("://") {
        return Err("Batch request urls must be relative to the service root.".to_owned());
    }
    let url = url.trim_start_matches('/');
    let url = url.strip_prefix("v1.0/").unwrap_or(url);
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut headers = HeaderMap::new();
    if let Some(auth) = outer.headers.get("authorization") {
        headers.insert("authorization", auth.clone());
    }
    for (name, value) in step["headers"].as_object().into_iter().flatten() {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(text),
        ) else {
            return Err(format!("Invalid header '{name}'."));
        };
        headers.insert(name, value);
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match (&step["body"], content_type) {
        (Value::Null, _) => Bytes::new(),
        (_, None) => {
            return Err("Content-Type header must be specified when a body is present.".to_owned());
        }
        (Value::String(text), Some(ct)) if !is_json(&ct) => Bytes::from(
            BASE64
                .decode(text)
                .map_err(|_| "A non-JSON body must be base64 encoded.".to_owned())?,
        ),
        (value, Some(_)) => Bytes::from(value.to_string()),
    };
    Ok(Req {
        method,
        path: format!("/v1.0/{}", util::percent_decode(path)),
        query: url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect(),
        headers,
        body,
        request_id: util::uuid4(),
        now: outer.now,
    })
}

/// Counts the step, applies the script to its path, and answers it with the Graph routes.
fn dispatch(shared: &Shared, req: &Req) -> Reply {
    shared
        .counters()
        .record_request(req.method.as_str(), &req.path, &req.headers);
    let decision = shared.script().decide(&req.path);
    shared.counters().record_fault(&decision);
    if let Some((status, retry_after)) = decision.throttle {
        return Reply::throttled(req, status, retry_after);
    }
    let rest = req.path.strip_prefix("/v1.0/").unwrap_or_default();
    if rest.trim_end_matches('/') == "$batch" {
        return bad(req, "A batch request cannot contain a batch request.");
    }
    super::handle(shared, rest, req)
}

/// A reply in the batch answer form: `{"id", "status", "headers", "body"}`.
fn answer_json(id: &str, reply: Reply) -> Value {
    let mut headers = Map::new();
    for (name, value) in &reply.headers {
        headers.insert((*name).to_owned(), Value::String(value.clone()));
    }
    let content_type = reply
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    let mut answer = json!({ "id": id, "status": reply.status.as_u16() });
    if !headers.is_empty() {
        answer["headers"] = Value::Object(headers);
    }
    if !reply.body.is_empty() {
        answer["body"] = match content_type {
            Some(ct) if is_json(ct) => serde_json::from_slice(&reply.body)
                .unwrap_or_else(|_| Value::String(BASE64.encode(&reply.body))),
            _ => Value::String(BASE64.encode(&reply.body)),
        };
    }
    answer
}
