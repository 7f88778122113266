//! Routing to a user: `me`, `users`, `users/delta`, `users/{id-or-upn}`, and under a user the
//! workload that owns the first segment (mail, calendar, contacts, OneDrive).

use http::{Method, StatusCode};
use serde_json::json;

use super::{Ctx, GraphErr, GraphResult};
use crate::emulator::data::tokens::AccessGrant;
use crate::emulator::wire::Reply;

impl Ctx<'_> {
    /// Routes the path after `/v1.0/` for the holder of `grant`.
    pub(super) fn route(&mut self, grant: &AccessGrant, segments: &[&str]) -> GraphResult {
        match segments {
            ["me", rest @ ..] => {
                let user = grant.user.clone().ok_or_else(|| {
                    GraphErr::bad_request(
                        "/me request is only valid with delegated authentication flow.",
                    )
                })?;
                self.user_resource(&user, rest)
            }
            ["users"] => {
                self.only(&Method::GET)?;
                let users = self.state.dir.users.clone();
                Ok(self.list(users, 100, "users"))
            }
            ["users", "delta" | "microsoft.graph.delta()"] => {
                self.only(&Method::GET)?;
                let users = self.state.dir.users.clone();
                self.delta("users", users, "#microsoft.graph.user", "users")
            }
            ["users", key, rest @ ..] => {
                let user = self.state.dir.user(key).ok_or_else(|| {
                    GraphErr::new(
                        StatusCode::NOT_FOUND,
                        "Request_ResourceNotFound",
                        format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
                    )
                })?;
                let id = user["id"].as_str().unwrap_or_default().to_owned();
                self.user_resource(&id, rest)
            }
            [first, ..] => Err(GraphErr::bad_request(format!(
                "Resource not found for the segment '{first}'."
            ))),
            [] => Err(GraphErr::bad_request("Invalid request.")),
        }
    }

    /// `{rest}` under user `uid`: the user itself, or the workload its first segment names.
    fn user_resource(&mut self, uid: &str, rest: &[&str]) -> GraphResult {
        match rest.first().copied() {
            None => self.user_entity(uid),
            Some("messages" | "mailFolders" | "sendMail") => self.mail_routes(uid, rest),
            Some("events" | "calendarView") => self.calendar_routes(uid, rest),
            Some("contacts") => self.contact_routes(uid, rest),
            Some("drive") => self.drive(uid, &rest[1..]),
            Some(_) => self.unrouted(rest),
        }
    }

    /// `GET` of the user (with `$select`).
    fn user_entity(&mut self, uid: &str) -> GraphResult {
        self.only(&Method::GET)?;
        let user = self
            .state
            .dir
            .user(uid)
            .cloned()
            .ok_or_else(GraphErr::not_found)?;
        let mut body = self.opts.project(&user);
        body["@odata.context"] = json!(self.context("users/$entity"));
        Ok(Reply::json(StatusCode::OK, &body))
    }

    /// The answer to a path under a user that no route takes: an unknown segment for `GET`,
    /// else a method the resource does not allow.
    pub(super) fn unrouted(&self, rest: &[&str]) -> GraphResult {
        match (rest.first(), &self.req.method) {
            (Some(first), &Method::GET) => Err(GraphErr::bad_request(format!(
                "Resource not found for the segment '{first}'."
            ))),
            (_, method) => Err(GraphErr::method_not_allowed(method)),
        }
    }
}
