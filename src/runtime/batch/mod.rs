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
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::runtime::connection::{Connection, Prepared};
use crate::{Error, Result};

mod answers;
mod rounds;
mod step;
mod wire;

pub use answers::{BatchResults, FromStep, Handle, StepResponse};
pub use step::{BatchStep, IntoStep, StepOptions, StepRequest};

use rounds::{add_failed_dependents, body_of, pack, send_round, throttled};
use wire::{wire_body, wire_headers};

/// The most steps Graph accepts in one `$batch` body.
pub const MAX_BATCH_STEPS: usize = 20;

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
