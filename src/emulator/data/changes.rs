//! The delta change log: what a client was last told about a collection (a snapshot of every
//! item's version, kept under the delta token it was given), and the delta rounds being paged.
//! Subscriptions (`subscriptions.rs`) compare their collections with the same versions.
//! A later request with that token is answered with the difference: items added or whose version
//! changed, and `@removed` entries for ids that are gone.

use std::collections::{HashMap, VecDeque};

use serde_json::{Value, json};

/// Item id → its version (its `changeKey`, or the whole JSON when it has none).
pub(crate) type Versions = HashMap<String, String>;

/// A collection's state as a client last saw it.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The collection (request path) the token belongs to.
    pub scope: String,
    pub versions: Versions,
}

/// A delta answer being paged through `@odata.nextLink`.
#[derive(Debug)]
pub(crate) struct Round {
    pub pending: VecDeque<Value>,
    pub snapshot: Snapshot,
}

/// The sync states and rounds of every collection.
#[derive(Debug, Default)]
pub(crate) struct DeltaLog {
    tokens: HashMap<String, Snapshot>,
    rounds: HashMap<usize, Round>,
    next_round: usize,
    next_token: u64,
}

/// The version of one item.
pub(crate) fn version(item: &Value) -> String {
    match item.get("changeKey").and_then(Value::as_str) {
        Some(key) => key.to_owned(),
        None => item.to_string(),
    }
}

/// The version of every item of `items` by id.
pub(crate) fn versions(items: &[Value]) -> Versions {
    items
        .iter()
        .filter_map(|i| Some((i.get("id")?.as_str()?.to_owned(), version(i))))
        .collect()
}

/// The ids `before` has and `now` has not, sorted.
pub(crate) fn removed<'a>(before: &'a Versions, now: &Versions) -> Vec<&'a String> {
    let mut gone: Vec<&String> = before.keys().filter(|id| !now.contains_key(*id)).collect();
    gone.sort();
    gone
}

/// The changes between `before` (none: the initial sync) and `items`, items in their order and
/// removals after them; and the snapshot of `items`.
pub(crate) fn diff(
    scope: &str,
    before: Option<&Snapshot>,
    items: &[Value],
    odata_type: &str,
) -> (VecDeque<Value>, Snapshot) {
    let versions = versions(items);
    let mut changes: VecDeque<Value> = items
        .iter()
        .filter(|item| {
            let id = item["id"].as_str().unwrap_or_default();
            before.is_none_or(|b| b.versions.get(id) != versions.get(id))
        })
        .cloned()
        .collect();
    if let Some(before) = before {
        for id in removed(&before.versions, &versions) {
            changes.push_back(json!({
                "@odata.type": odata_type,
                "id": id,
                "@removed": {"reason": "deleted"},
            }));
        }
    }
    let snapshot = Snapshot {
        scope: scope.to_owned(),
        versions,
    };
    (changes, snapshot)
}

impl DeltaLog {
    /// The snapshot kept under `token`.
    pub fn snapshot(&self, token: &str) -> Option<&Snapshot> {
        self.tokens.get(token)
    }

    /// Starts paging a delta answer; returns the round's number (carried by `$skiptoken`).
    pub fn begin(&mut self, pending: VecDeque<Value>, snapshot: Snapshot) -> usize {
        self.next_round += 1;
        self.rounds
            .insert(self.next_round, Round { pending, snapshot });
        self.next_round
    }

    pub fn round(&mut self, id: usize) -> Option<&mut Round> {
        self.rounds.get_mut(&id)
    }

    /// Ends a round: its snapshot is kept under a new delta token.
    pub fn finish(&mut self, id: usize) -> Option<String> {
        let round = self.rounds.remove(&id)?;
        self.next_token += 1;
        let token = format!(
            "emu-delta-{}-{}",
            self.next_token,
            crate::emulator::util::urlsafe_token(6)
        );
        self.tokens.insert(token.clone(), round.snapshot);
        Some(token)
    }

    /// Forgets every sync state and round: later requests with old tokens get `410 Gone`.
    pub fn forget_all(&mut self) {
        self.tokens.clear();
        self.rounds.clear();
    }
}
