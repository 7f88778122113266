//! A step as it goes on the wire, how it is added, and what can become one.

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::answers::{FromStep, StepResponse};
use crate::Result;
use crate::runtime::connection::{Prepared, RequestBuilder};
use crate::typed::Request;

/// One step as it goes on the wire: `{"id", "method", "url", "dependsOn", "headers", "body"}`.
/// `url` is relative to the service root (`/me/messages?$top=5`); `body` is JSON when the step's
/// `Content-Type` is JSON, else the base64 of the bytes. This is also the format of the file
/// `o365 batch FILE.json` reads (`{"requests": [...]}`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStep {
    /// The step's id, unique in the batch.
    pub id: String,
    /// The HTTP method.
    pub method: String,
    /// The URL relative to the service root, starting with `/`.
    pub url: String,
    /// Ids of the steps that must succeed before this one runs.
    #[serde(rename = "dependsOn", default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// The step's own headers (`Content-Type` is required with a body).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// The body: JSON, or a base64 string for other content types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl std::fmt::Debug for BatchStep {
    /// Header values and the body are left out: they may carry secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchStep")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("url", &self.url.split('?').next().unwrap_or_default())
            .field("depends_on", &self.depends_on)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body", &self.body.as_ref().map(|_| "…"))
            .finish()
    }
}

/// How a step is added: its id (default: the next free number) and its `dependsOn` ids.
#[derive(Debug, Clone, Default)]
pub struct StepOptions {
    pub(super) id: Option<String>,
    pub(super) depends_on: Vec<String>,
}

impl StepOptions {
    /// Default options: a numeric id, no dependencies.
    pub fn new() -> StepOptions {
        StepOptions::default()
    }

    /// The step's id.
    pub fn id(mut self, id: impl Into<String>) -> StepOptions {
        self.id = Some(id.into());
        self
    }

    /// Runs the step only after the step `id` (added before it) succeeded.
    pub fn depends_on(mut self, id: impl Into<String>) -> StepOptions {
        self.depends_on.push(id.into());
        self
    }
}

/// A request that can become a batch step, and what its answer decodes into.
pub trait IntoStep {
    /// What [`BatchResults::get`] gives for this step.
    type Output: FromStep;
    /// The request as the pipeline would send it.
    fn into_step(self) -> Result<StepRequest>;
}

/// A request on its way into a batch (made by [`IntoStep::into_step`]).
#[derive(Debug)]
pub struct StepRequest(pub(super) Prepared);

impl IntoStep for RequestBuilder {
    /// Raw requests give the step's reply, whatever its status.
    type Output = StepResponse;
    fn into_step(self) -> Result<StepRequest> {
        RequestBuilder::into_prepared(self).map(StepRequest)
    }
}

impl<T: DeserializeOwned, O> IntoStep for Request<T, O> {
    /// Typed requests give the decoded model (a 4xx/5xx answer is the typed error).
    type Output = T;
    fn into_step(self) -> Result<StepRequest> {
        Request::into_prepared(self).map(StepRequest)
    }
}
