//! Calendar routes: events (list, items, creating one: a series master when it has a
//! recurrence) and `calendarView` over a time window (and its delta).

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, GraphErr, GraphResult};
use crate::emulator::data::store::Kind;
use crate::emulator::data::{calendar, fixtures};
use crate::emulator::util;

impl Ctx<'_> {
    /// `events…` and `calendarView…` of user `uid`.
    pub(super) fn calendar_routes(&mut self, uid: &str, rest: &[&str]) -> GraphResult {
        let method = self.req.method.clone();
        match (rest, &method) {
            (["events"], &Method::GET) => {
                let events = self.state.dir.mailbox(uid).events.clone();
                Ok(self.list(events, 10, &format!("users('{uid}')/events")))
            }
            (["events"], &Method::POST) => self.create_event(uid),
            (["events", id], _) => self.item(uid, Kind::Event, id),
            (["calendarView", "delta" | "microsoft.graph.delta()"], &Method::GET) => {
                self.calendar_view_delta(uid)
            }
            (["calendarView"], &Method::GET) => self.calendar_view(uid),
            _ => self.unrouted(rest),
        }
    }

    fn create_event(&mut self, uid: &str) -> GraphResult {
        let given = self.body_object()?;
        for key in ["start", "end"] {
            let valid = given
                .get(key)
                .and_then(|v| v["dateTime"].as_str())
                .and_then(util::parse_iso)
                .is_some();
            if !valid {
                return Err(GraphErr::new(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidRequest",
                    format!("The property '{key}' is required and must be a dateTimeTimeZone."),
                ));
            }
        }
        let me = self.me_address(uid);
        let mut event = fixtures::event("", self.req.now, 30, &me);
        event["location"] = json!({"displayName": ""});
        for (key, value) in given {
            event[key] = value;
        }
        if !event["recurrence"].is_null() {
            event["type"] = json!("seriesMaster");
        }
        event["bodyPreview"] = json!(
            event["body"]["content"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(255)
                .collect::<String>()
        );
        let Value::Object(map) = event else {
            unreachable!("an event is an object")
        };
        self.created(uid, Kind::Event, map, "events")
    }

    /// The `startDateTime`–`endDateTime` window of a calendar view (epoch seconds), or Graph's
    /// 400 when either is missing or not a date-time.
    pub(super) fn calendar_window(&self) -> Result<(i64, i64), GraphErr> {
        let param = |name: &str| {
            self.req
                .query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| util::parse_iso(v))
        };
        match (param("startDateTime"), param("endDateTime")) {
            (Some(from), Some(to)) => Ok((from, to)),
            _ => Err(GraphErr::new(
                StatusCode::BAD_REQUEST,
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
            )),
        }
    }

    fn calendar_view(&mut self, uid: &str) -> GraphResult {
        let (from, to) = self.calendar_window()?;
        let occurrences = calendar::view(&self.state.dir.mailbox(uid).events, from, to);
        Ok(self.list(occurrences, 10, &format!("users('{uid}')/calendarView")))
    }
}
