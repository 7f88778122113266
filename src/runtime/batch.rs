//! JSON batching: many requests in one `POST $batch` round trip.
//!
//! [`Connection::batch`] collects raw requests ([`RequestBuilder`]) and typed requests
//! ([`Request`](crate::typed::Request)) as steps. [`Batch::send`] packs them into `$batch` bodies of
//! at most [`MAX_BATCH_STEPS`] steps (steps linked by `dependsOn` stay in the same body), sends
//! them through the Connection's pipeline, and matches every answer back to its step by id.
//! Steps the service answered `429` or `503` inside a successful batch are sent again in a later
//! batch, after the longest `Retry-After` among them (on the Connection's clock), within the
//! Connection's [`RetryPolicy`](crate::RetryPolicy); steps that failed only because such a step
//! failed (`424 Failed Dependency`) go with them.
//!
//! ```no_run
//! # async fn example(conn: o365::Connection) -> o365::Result<()> {
//! use o365::batch::StepOptions;
//! let mut batch = conn.batch();
//! let me = batch.add(conn.request(reqwest::Method::GET, "me"))?;
//! let folder = batch.add_with(
//!     conn.request(reqwest::Method::GET, "me/mailFolders/inbox"),
//!     StepOptions::new().id("inbox").depends_on(me.id()),
//! )?;
//! let results = batch.send().await?;
//! let me: serde_json::Value = results.get(&me)?.json()?;
//! let inbox = results.get(&folder)?.status();
//! # let _ = (me, inbox); Ok(()) }
//! ```

use std::collections::{HashMap, HashSet};
use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

use base64::Engine;
use bytes::Bytes;
use indexmap::IndexMap;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::runtime::connection::decode_json;
use crate::runtime::connection::{
    Body, BodyKind, Connection, Outcome, Prepared, RequestBuilder, parse_retry_after,
};
use crate::typed::Request;
use crate::{Error, Result};

/// The most steps Graph accepts in one `$batch` body.
pub const MAX_BATCH_STEPS: usize = 20;

const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

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
    id: Option<String>,
    depends_on: Vec<String>,
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
pub struct StepRequest(Prepared);

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
    id: String,
    marker: PhantomData<fn() -> T>,
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
    id: String,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    url: url::Url,
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
    responses: IndexMap<String, StepResponse>,
    batches_sent: u32,
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

/// A step being collected.
#[derive(Clone)]
struct Step {
    wire: BatchStep,
    /// The absolute URL, for errors and decode messages.
    url: url::Url,
    method: Method,
}

/// Requests collected for `$batch`; see the [module docs](self).
#[must_use = "a batch does nothing until it is sent"]
pub struct Batch {
    connection: Connection,
    steps: Vec<Step>,
    ids: HashSet<String>,
    next_id: u64,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field(
                "steps",
                &self.steps.iter().map(|s| &s.wire).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// Starts a JSON batch (`POST $batch`) on this Connection.
    pub fn batch(&self) -> Batch {
        Batch {
            connection: self.clone(),
            steps: Vec::new(),
            ids: HashSet::new(),
            next_id: 1,
        }
    }
}

impl Batch {
    /// Adds a request with a numeric id.
    pub fn add<R: IntoStep>(&mut self, request: R) -> Result<Handle<R::Output>> {
        self.add_with(request, StepOptions::new())
    }

    /// Adds a request with an id and `dependsOn` ids; an id in use, or a dependency that is
    /// not an earlier step, is an invalid-input error.
    pub fn add_with<R: IntoStep>(
        &mut self,
        request: R,
        options: StepOptions,
    ) -> Result<Handle<R::Output>> {
        let StepRequest(prepared) = request.into_step()?;
        let id = self.take_id(options.id)?;
        self.check_depends(&id, &options.depends_on)?;
        let wire = self.wire_step(id.clone(), &prepared, options.depends_on)?;
        self.push(wire, prepared.url, prepared.method)
    }

    /// Adds a step given in its wire form (what `o365 batch FILE.json` reads). The same checks
    /// apply: unique id, earlier dependencies, a relative URL, `Content-Type` with a body.
    pub fn add_step(&mut self, step: BatchStep) -> Result<Handle<StepResponse>> {
        let method = Method::from_bytes(step.method.as_bytes())
            .map_err(|_| Error::invalid_input(format!("invalid method {:?}", step.method)))?;
        if !step.url.starts_with('/') {
            return Err(Error::invalid_input(format!(
                "batch step {:?}: the url must be relative to the service root (start with /)",
                step.id
            )));
        }
        let url = self
            .connection
            .resolve_url(step.url.trim_start_matches('/'))?;
        if step.body.is_some()
            && !step
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"))
        {
            return Err(Error::invalid_input(format!(
                "batch step {:?} has a body but no Content-Type header",
                step.id
            )));
        }
        let id = self.take_id(Some(step.id.clone()))?;
        self.check_depends(&id, &step.depends_on)?;
        self.push(step, url, method)
    }

    /// How many steps have been added.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether no step has been added.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The `$batch` bodies [`send`](Batch::send) would post first, in order (for logs and tests).
    pub fn bodies(&self) -> Result<Vec<Value>> {
        let all: Vec<usize> = (0..self.steps.len()).collect();
        let chunks = pack(&self.steps, &all)?;
        Ok(chunks
            .iter()
            .map(|chunk| body_of(&self.steps, chunk, &HashSet::new()))
            .collect())
    }

    fn push<T>(&mut self, wire: BatchStep, url: url::Url, method: Method) -> Result<Handle<T>> {
        let id = wire.id.clone();
        self.ids.insert(id.clone());
        self.steps.push(Step { wire, url, method });
        Ok(Handle {
            id,
            marker: PhantomData,
        })
    }

    fn take_id(&mut self, id: Option<String>) -> Result<String> {
        match id {
            Some(id) if id.is_empty() => {
                Err(Error::invalid_input("a batch step id cannot be empty"))
            }
            Some(id) if self.ids.contains(&id) => Err(Error::invalid_input(format!(
                "the batch already has a step with id {id:?}"
            ))),
            Some(id) => Ok(id),
            None => loop {
                let id = self.next_id.to_string();
                self.next_id += 1;
                if !self.ids.contains(&id) {
                    return Ok(id);
                }
            },
        }
    }

    fn check_depends(&self, id: &str, depends_on: &[String]) -> Result<()> {
        for dep in depends_on {
            if !self.ids.contains(dep) {
                return Err(Error::invalid_input(format!(
                    "batch step {id:?} depends on {dep:?}, which is not an earlier step of the batch"
                )));
            }
        }
        Ok(())
    }

    /// The wire form of a prepared request.
    fn wire_step(&self, id: String, req: &Prepared, depends_on: Vec<String>) -> Result<BatchStep> {
        let service = self.connection.protocol().service_url();
        let url = req.url.as_str();
        let relative = url.strip_prefix(service.as_str()).ok_or_else(|| {
            Error::invalid_input(format!(
                "batch step {id:?}: only requests under the Connection's service URL can be batched"
            ))
        })?;
        let mut headers = wire_headers(&id, req)?;
        let body = wire_body(&id, req, &mut headers)?;
        Ok(BatchStep {
            id,
            method: req.method.as_str().to_owned(),
            url: format!("/{relative}"),
            depends_on,
            headers,
            body,
        })
    }

    /// Sends every step and collects the answers (see the [module docs](self)). Fails only
    /// when a `$batch` request itself fails; each step's own failure is in its answer.
    pub async fn send(self) -> Result<BatchResults> {
        let Batch {
            connection, steps, ..
        } = self;
        let policy = connection.retry_policy().clone();
        let clock = connection.clock();
        let mut responses: HashMap<String, StepResponse> = HashMap::new();
        let mut pending: Vec<usize> = (0..steps.len()).collect();
        let (mut round, mut waited, mut batches_sent) = (0u32, Duration::ZERO, 0u32);
        while !pending.is_empty() {
            batches_sent += send_round(&connection, &steps, &pending, &mut responses).await?;
            let now = clock.system_now();
            let (wait, mut again) = throttled(
                &steps,
                &pending,
                &responses,
                |step, outcome| policy.next_wait(outcome, &step.method, true, round, waited),
                now,
            );
            if again.is_empty() {
                break;
            }
            add_failed_dependents(&steps, &pending, &responses, &mut again);
            tracing::debug!(steps = again.len(), ?wait, "retrying throttled batch steps");
            clock.sleep_until(clock.now() + wait).await;
            waited += wait;
            round += 1;
            pending.retain(|&i| again.contains(steps[i].wire.id.as_str()));
        }
        let responses = steps
            .iter()
            .filter_map(|s| responses.remove(&s.wire.id).map(|r| (s.wire.id.clone(), r)))
            .collect();
        Ok(BatchResults {
            responses,
            batches_sent,
        })
    }
}

/// The headers of a prepared request as a step carries them (repeated names joined by `, `).
fn wire_headers(id: &str, req: &Prepared) -> Result<IndexMap<String, String>> {
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
fn wire_body(
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

/// Sends the `pending` steps in as few `$batch` requests as fit and records their answers;
/// returns how many requests it sent.
async fn send_round(
    connection: &Connection,
    steps: &[Step],
    pending: &[usize],
    responses: &mut HashMap<String, StepResponse>,
) -> Result<u32> {
    let in_round: HashSet<&str> = pending.iter().map(|&i| steps[i].wire.id.as_str()).collect();
    let mut sent = 0;
    for chunk in pack_within(steps, pending, &in_round)? {
        let answers = post_batch(connection, body_of(steps, &chunk, &in_round)).await?;
        sent += 1;
        for i in chunk {
            let step = &steps[i];
            if let Some(answer) = answers.get(step.wire.id.as_str()) {
                responses.insert(step.wire.id.clone(), answer.to_response(step)?);
            }
        }
    }
    Ok(sent)
}

/// The throttled (429, 503) steps of `pending` the retry policy (`next_wait`) sends again,
/// with the longest wait any of them asked for.
fn throttled<'a>(
    steps: &'a [Step],
    pending: &[usize],
    responses: &HashMap<String, StepResponse>,
    next_wait: impl Fn(&Step, Outcome) -> Option<Duration>,
    now: SystemTime,
) -> (Duration, HashSet<&'a str>) {
    let mut wait = Duration::ZERO;
    let mut again = HashSet::new();
    for &i in pending {
        let step = &steps[i];
        let Some(answer) = responses.get(&step.wire.id) else {
            continue;
        };
        if !matches!(answer.status.as_u16(), 429 | 503) {
            continue;
        }
        let outcome = Outcome::Status {
            status: answer.status,
            retry_after: parse_retry_after(&answer.headers, now),
        };
        if let Some(w) = next_wait(step, outcome) {
            wait = wait.max(w);
            again.insert(step.wire.id.as_str());
        }
    }
    (wait, again)
}

/// Adds to `again` the steps that failed only because a step in it failed (424 with a
/// dependency that goes again), until no more join.
fn add_failed_dependents<'a>(
    steps: &'a [Step],
    pending: &[usize],
    responses: &HashMap<String, StepResponse>,
    again: &mut HashSet<&'a str>,
) {
    loop {
        let before = again.len();
        for &i in pending {
            let step = &steps[i];
            let failed_dependency = responses
                .get(&step.wire.id)
                .is_some_and(|a| a.status == StatusCode::FAILED_DEPENDENCY);
            if failed_dependency
                && step
                    .wire
                    .depends_on
                    .iter()
                    .any(|d| again.contains(d.as_str()))
            {
                again.insert(step.wire.id.as_str());
            }
        }
        if again.len() == before {
            break;
        }
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence.to_ascii_lowercase().ends_with("+json")
}

/// Groups the steps `members` (indices, in order) into bodies of at most [`MAX_BATCH_STEPS`],
/// keeping steps linked by `dependsOn` together.
fn pack(steps: &[Step], members: &[usize]) -> Result<Vec<Vec<usize>>> {
    let ids: HashSet<&str> = members.iter().map(|&i| steps[i].wire.id.as_str()).collect();
    pack_within(steps, members, &ids)
}

fn pack_within(steps: &[Step], members: &[usize], live: &HashSet<&str>) -> Result<Vec<Vec<usize>>> {
    // Union-find over the members, linked by the dependencies that are still live.
    let position: HashMap<&str, usize> = members
        .iter()
        .enumerate()
        .map(|(pos, &i)| (steps[i].wire.id.as_str(), pos))
        .collect();
    let mut parent: Vec<usize> = (0..members.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (pos, &i) in members.iter().enumerate() {
        for dep in &steps[i].wire.depends_on {
            if !live.contains(dep.as_str()) {
                continue;
            }
            if let Some(&other) = position.get(dep.as_str()) {
                let (a, b) = (root(&mut parent, pos), root(&mut parent, other));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: IndexMap<usize, Vec<usize>> = IndexMap::new();
    for (pos, &i) in members.iter().enumerate() {
        let r = root(&mut parent, pos);
        groups.entry(r).or_default().push(i);
    }
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    for group in groups.into_values() {
        if group.len() > MAX_BATCH_STEPS {
            return Err(Error::invalid_input(format!(
                "{} batch steps are linked by dependsOn; at most {MAX_BATCH_STEPS} fit in one $batch request",
                group.len()
            )));
        }
        match chunks.last_mut() {
            Some(last) if last.len() + group.len() <= MAX_BATCH_STEPS => last.extend(group),
            _ => chunks.push(group),
        }
    }
    for chunk in &mut chunks {
        chunk.sort_unstable();
    }
    Ok(chunks)
}

/// The `{"requests": [...]}` body of one chunk; dependencies outside `live` (answered in an
/// earlier round) are left out.
fn body_of(steps: &[Step], chunk: &[usize], live: &HashSet<&str>) -> Value {
    let requests: Vec<BatchStep> = chunk
        .iter()
        .map(|&i| {
            let mut wire = steps[i].wire.clone();
            if !live.is_empty() {
                wire.depends_on.retain(|d| live.contains(d.as_str()));
            }
            wire
        })
        .collect();
    serde_json::json!({ "requests": requests })
}

/// One answer as it comes off the wire.
#[derive(Debug, Deserialize)]
struct WireAnswer {
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
    fn to_response(&self, step: &Step) -> Result<StepResponse> {
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

async fn post_batch(connection: &Connection, body: Value) -> Result<HashMap<String, WireAnswer>> {
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
