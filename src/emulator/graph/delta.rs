//! Delta functions: `mailFolders/{id}/messages/delta`, `messages/delta`, `contacts/delta`,
//! `calendarView/delta` (a time window), `drive/root/delta` and `users/delta` (the last segment
//! may also be written `microsoft.graph.delta()`).
//! The first request (no token) answers every item; the last page carries an
//! `@odata.deltaLink` whose `$deltatoken` names a snapshot of the collection, and a request
//! with it answers only what changed since (added or changed items, then `@removed` entries).
//! Pages hold `Prefer: odata.maxpagesize=N` items (default 10) and link on with `$skiptoken`.
//! An unknown or forgotten token is `410 Gone` (`SyncStateNotFound`).

use http::StatusCode;
use serde_json::{Value, json};

use super::{Ctx, GraphErr, GraphResult};
use crate::emulator::data::{calendar, changes};
use crate::emulator::query::encode_skiptoken;
use crate::emulator::wire::Reply;

/// Page size without a `Prefer: odata.maxpagesize`.
const DEFAULT_PAGE: usize = 10;

impl Ctx<'_> {
    /// `calendarView/delta`: the occurrences in the `startDateTime`–`endDateTime` window (kept
    /// in the links), as a delta collection.
    pub(super) fn calendar_view_delta(&mut self, uid: &str) -> GraphResult {
        let (from, to) = self.calendar_window()?;
        let occurrences = calendar::view(&self.state.dir.mailbox(uid).events, from, to);
        let scope = format!("{uid}/calendarView/{from}/{to}");
        self.delta(&scope, occurrences, "#microsoft.graph.event", "event")
    }

    /// Answers a delta request over `items`, the current state of the collection `scope`: the
    /// next page of the round the request continues (or starts), linking on or to a delta token.
    pub(super) fn delta(
        &mut self,
        scope: &str,
        items: Vec<Value>,
        odata_type: &str,
        context: &str,
    ) -> GraphResult {
        let max_page = self.max_page_size();
        let page_size = max_page.or(self.opts.top).unwrap_or(DEFAULT_PAGE);
        let round = self.delta_round(scope, &items, odata_type)?;
        let (page, done) = self.take_page(round, page_size)?;
        let value: Vec<Value> = page.iter().map(|entry| self.delta_entry(entry)).collect();
        let mut body = json!({
            "@odata.context": self.context(&format!("Collection({context})")),
            "value": value,
        });
        if done {
            let token = self.state.changes.finish(round).ok_or_else(gone)?;
            body["@odata.deltaLink"] = json!(self.delta_link("$deltatoken", token));
        } else {
            body["@odata.nextLink"] = json!(self.delta_link("$skiptoken", encode_skiptoken(round)));
        }
        let reply = Reply::json(StatusCode::OK, &body);
        Ok(match max_page {
            Some(n) => reply.with_header("preference-applied", format!("odata.maxpagesize={n}")),
            None => reply,
        })
    }

    /// `Prefer: odata.maxpagesize=N`, when given and positive.
    fn max_page_size(&self) -> Option<usize> {
        self.req
            .header("prefer")
            .and_then(|p| {
                p.split(',').find_map(|part| {
                    part.trim()
                        .strip_prefix("odata.maxpagesize=")
                        .and_then(|n| n.trim().parse::<usize>().ok())
                })
            })
            .filter(|n| *n > 0)
    }

    /// The round a `$skiptoken` continues, or a new one with the changes since the
    /// `$deltatoken`'s snapshot (everything without one).
    fn delta_round(
        &mut self,
        scope: &str,
        items: &[Value],
        odata_type: &str,
    ) -> Result<usize, GraphErr> {
        if self.req.query_param("$skiptoken").is_some() {
            let id = self.opts.skip;
            self.state.changes.round(id).ok_or_else(gone)?;
            return Ok(id);
        }
        let before = match self.req.query_param("$deltatoken") {
            Some(token) => {
                let snapshot = self.state.changes.snapshot(token).ok_or_else(gone)?;
                if snapshot.scope != scope {
                    return Err(GraphErr::bad_request(
                        "The delta token belongs to another collection.",
                    ));
                }
                Some(snapshot.clone())
            }
            None => None,
        };
        let (pending, snapshot) = changes::diff(scope, before.as_ref(), items, odata_type);
        Ok(self.state.changes.begin(pending, snapshot))
    }

    /// The next `page_size` entries of `round`, and whether the round is done.
    fn take_page(
        &mut self,
        round: usize,
        page_size: usize,
    ) -> Result<(Vec<Value>, bool), GraphErr> {
        let state = self.state.changes.round(round).ok_or_else(gone)?;
        let n = page_size.min(state.pending.len());
        let page: Vec<Value> = state.pending.drain(..n).collect();
        Ok((page, state.pending.is_empty()))
    }

    /// One entry as answered: removals as they are, items with `$select` (and their id).
    fn delta_entry(&self, entry: &Value) -> Value {
        match entry.get("@removed") {
            Some(_) => entry.clone(),
            None => {
                let mut projected = self.opts.project(entry);
                projected["id"] = entry["id"].clone();
                projected
            }
        }
    }

    /// This request's URL with its query but `$skiptoken`/`$deltatoken`, plus `name=value`.
    /// Names keep their `$` as Graph writes them; values are form-encoded.
    fn delta_link(&self, name: &str, value: String) -> String {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let pairs: Vec<String> = self
            .req
            .query
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.to_ascii_lowercase().as_str(),
                    "$skiptoken" | "$deltatoken"
                )
            })
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain([(name, value.as_str())])
            .map(|(k, v)| format!("{}={}", enc(k).replace("%24", "$"), enc(v)))
            .collect();
        format!(
            "{}{}?{}",
            self.shared.base_url,
            self.req.path,
            pairs.join("&")
        )
    }
}

/// Graph's 410 for an unknown or forgotten sync state.
fn gone() -> GraphErr {
    GraphErr::new(
        StatusCode::GONE,
        "SyncStateNotFound",
        "The sync state generation is not found. Restart the synchronization.",
    )
}
