//! Rounds of a batch: packing steps into bodies, sending a round, choosing what goes again.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

use indexmap::IndexMap;
use reqwest::StatusCode;
use serde_json::Value;

use super::answers::StepResponse;
use super::step::BatchStep;
use super::wire::post_batch;
use super::{MAX_BATCH_STEPS, Step};
use crate::runtime::connection::{Connection, Outcome, parse_retry_after};
use crate::{Error, Result};

/// Sends the `pending` steps in as few `$batch` requests as fit and records their answers;
/// returns how many requests it sent.
pub(super) async fn send_round(
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
pub(super) fn throttled<'a>(
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
pub(super) fn add_failed_dependents<'a>(
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

/// Groups the steps `members` (indices, in order) into bodies of at most [`MAX_BATCH_STEPS`],
/// keeping steps linked by `dependsOn` together.
pub(super) fn pack(steps: &[Step], members: &[usize]) -> Result<Vec<Vec<usize>>> {
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
pub(super) fn body_of(steps: &[Step], chunk: &[usize], live: &HashSet<&str>) -> Value {
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
