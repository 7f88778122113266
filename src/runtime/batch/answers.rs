//! What a sent batch gives back: each step's answer, by handle or id.

use std::marker::PhantomData;
use std::time::SystemTime;

use bytes::Bytes;
use indexmap::IndexMap;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::runtime::connection::{decode_json, parse_retry_after};
use crate::{Error, Result};

/// How a step's reply becomes what the caller asked for.
pub trait FromStep: Sized {
    /// Decodes (or, for [`StepResponse`], copies) the step's reply.
    fn from_step(step: &StepResponse) -> Result<Self>;
}

impl<T: DeserializeOwned> FromStep for T {
    fn from_step(step: &StepResponse) -> Result<T> {
        step.error_for_status()?.json()
    }
}

impl FromStep for StepResponse {
    fn from_step(step: &StepResponse) -> Result<StepResponse> {
        Ok(step.clone())
    }
}

/// Names a step of a batch; [`BatchResults::get`] gives its answer as `T`.
#[derive(Debug)]
pub struct Handle<T> {
    pub(super) id: String,
    pub(super) marker: PhantomData<fn() -> T>,
}

impl<T> Clone for Handle<T> {
    fn clone(&self) -> Self {
        Handle {
            id: self.id.clone(),
            marker: PhantomData,
        }
    }
}

impl<T> Handle<T> {
    /// The step's id (for [`StepOptions::depends_on`]).
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The answer to one step.
#[derive(Clone)]
pub struct StepResponse {
    pub(super) id: String,
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) url: url::Url,
}

impl std::fmt::Debug for StepResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StepResponse")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl StepResponse {
    /// The step's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The step's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The step's reply headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The step's body: the JSON text, or the decoded bytes of a base64 body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body decoded from JSON (an empty body is `null`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        decode_json(&self.body, &self.url)
    }

    /// Ok for 1xx–3xx; for 4xx/5xx the typed error (status, Graph error body, Retry-After).
    pub fn error_for_status(&self) -> Result<&StepResponse> {
        if !(self.status.is_client_error() || self.status.is_server_error()) {
            return Ok(self);
        }
        let retry_after = parse_retry_after(&self.headers, SystemTime::now());
        Err(Error::from_status(
            self.status,
            &self.url,
            &self.body,
            retry_after,
        ))
    }
}

/// The answers of a sent batch, by step id.
#[derive(Debug)]
pub struct BatchResults {
    pub(super) responses: IndexMap<String, StepResponse>,
    pub(super) batches_sent: u32,
}

impl BatchResults {
    /// The answer to a step, decoded as its handle says. A step the service did not answer is
    /// a decode error.
    pub fn get<T: FromStep>(&self, handle: &Handle<T>) -> Result<T> {
        T::from_step(self.response(&handle.id).ok_or_else(|| {
            Error::decode(format!(
                "the $batch reply has no answer for step {:?}",
                handle.id
            ))
        })?)
    }

    /// The raw answer to the step `id`.
    pub fn response(&self, id: &str) -> Option<&StepResponse> {
        self.responses.get(id)
    }

    /// Every answer, in the order the steps were added.
    pub fn iter(&self) -> impl Iterator<Item = &StepResponse> {
        self.responses.values()
    }

    /// How many answers there are.
    pub fn len(&self) -> usize {
        self.responses.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.responses.is_empty()
    }

    /// How many `POST $batch` requests were sent (splitting and retries included).
    pub fn batches_sent(&self) -> u32 {
        self.batches_sent
    }
}
