//! The Graph v1.0 subset: users, messages (list/get/patch/delete/move/sendMail, attachments),
//! mail folders, events (list/get/create, calendarView), contacts, OneDrive — under `/me/…` and
//! `/users/{id-or-upn}/…`, every request authenticated with an issued bearer token.

mod batch;
mod calendar;
mod contacts;
mod delta;
mod drive;
mod error;
mod mail;
mod subscriptions;
mod user;

use std::sync::MutexGuard;

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::data::store::Kind;
use super::data::tokens::AccessGrant;
use super::query::QueryOptions;
use super::state::{Shared, State};
use super::util;
use super::wire::{Reply, Req};

use error::{GraphErr, GraphResult};

pub(crate) use drive::upload;
pub(crate) use subscriptions::{
    handle as subscriptions, is_subscriptions, notify_changes, send_lifecycle,
};

/// Answers a request under `/v1.0/` (`rest` is the path after it).
pub(crate) fn handle(shared: &Shared, rest: &str, req: &Req) -> Reply {
    let grant = match authenticate(shared, req) {
        Ok(grant) => grant,
        Err(e) => {
            return e.reply(req).with_header(
                "www-authenticate",
                format!(
                    "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                    shared.base_url
                ),
            );
        }
    };
    #[cfg(feature = "schemars")]
    if let Some(reply) = super::validate::check(rest, req) {
        return reply;
    }
    if rest.trim_end_matches('/') == "$batch" {
        return batch::handle(shared, req);
    }
    let result = QueryOptions::parse(&req.query)
        .map_err(GraphErr::bad_request)
        .and_then(|opts| {
            let mut ctx = Ctx {
                shared,
                req,
                state: shared.state(),
                opts,
            };
            let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
            ctx.route(&grant, &segments)
        });
    result.unwrap_or_else(|e| e.reply(req))
}

fn authenticate(shared: &Shared, req: &Req) -> std::result::Result<AccessGrant, GraphErr> {
    let unauthorized = |message: &str| {
        GraphErr::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        )
    };
    let token = req
        .bearer()
        .ok_or_else(|| unauthorized("Access token is empty."))?;
    let state = shared.state();
    let grant = state
        .tokens
        .access(token)
        .ok_or_else(|| unauthorized("Access token validation failure. Invalid audience."))?;
    if grant.expires_at <= req.now {
        return Err(unauthorized(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    Ok(grant.clone())
}

/// One Graph request being answered, with the store locked.
struct Ctx<'a> {
    shared: &'a Shared,
    req: &'a Req,
    state: MutexGuard<'a, State>,
    opts: QueryOptions,
}

impl Ctx<'_> {
    /// `Ok` when the request uses `method`, else Graph's 405.
    fn only(&self, method: &Method) -> std::result::Result<(), GraphErr> {
        if self.req.method == *method {
            Ok(())
        } else {
            Err(GraphErr::method_not_allowed(&self.req.method))
        }
    }

    fn context(&self, what: &str) -> String {
        format!("{}/v1.0/$metadata#{what}", self.shared.base_url)
    }

    fn list(&self, items: Vec<Value>, default_top: usize, what: &str) -> Reply {
        let link_base = format!("{}{}", self.shared.base_url, self.req.path);
        let body = self.opts.page(
            items,
            default_top,
            &self.context(what),
            &link_base,
            &self.req.query,
        );
        Reply::json(StatusCode::OK, &body)
    }

    /// Messages come newest first unless `$orderby` says otherwise.
    fn list_newest_first(&self, mut messages: Vec<Value>, uid: &str, what: &str) -> Reply {
        messages.sort_by(|a, b| {
            b["receivedDateTime"]
                .as_str()
                .cmp(&a["receivedDateTime"].as_str())
        });
        self.list(messages, 10, &format!("users('{uid}')/{what}"))
    }

    fn body_object(&self) -> std::result::Result<serde_json::Map<String, Value>, GraphErr> {
        match self.req.json() {
            Some(Value::Object(map)) => Ok(map),
            _ => Err(GraphErr::bad_request(
                "Empty Payload. JSON content expected.",
            )),
        }
    }

    /// GET, PATCH or DELETE of one item.
    fn item(&mut self, uid: &str, kind: Kind, id: &str) -> GraphResult {
        let now = self.req.now;
        match self.req.method {
            Method::GET => {
                let item = self
                    .state
                    .dir
                    .mailbox(uid)
                    .find(kind, id)
                    .cloned()
                    .ok_or_else(GraphErr::not_found)?;
                Ok(Reply::json(StatusCode::OK, &self.opts.project(&item)))
            }
            Method::PATCH => {
                let changes = self.body_object()?;
                let items = self.state.dir.mailbox(uid).items_mut(kind);
                let index = items
                    .iter()
                    .position(|v| v["id"] == id)
                    .ok_or_else(GraphErr::not_found)?;
                let mut item = items[index].clone();
                for (key, value) in changes {
                    if !matches!(
                        key.as_str(),
                        "id" | "changeKey" | "createdDateTime" | "parentFolderId"
                    ) && !key.starts_with("@odata")
                    {
                        item[key] = value;
                    }
                }
                item["lastModifiedDateTime"] = json!(util::iso(now));
                self.state.dir.stamp(kind, &mut item);
                self.state.dir.mailbox(uid).items_mut(kind)[index] = item.clone();
                Ok(Reply::json(StatusCode::OK, &item))
            }
            Method::DELETE => {
                let mailbox = self.state.dir.mailbox(uid);
                let items = mailbox.items_mut(kind);
                let before = items.len();
                items.retain(|v| v["id"] != id);
                if items.len() == before {
                    return Err(GraphErr::not_found());
                }
                mailbox.attachments.remove(id);
                Ok(Reply::empty(StatusCode::NO_CONTENT))
            }
            ref other => Err(GraphErr::method_not_allowed(other)),
        }
    }

    fn created(
        &mut self,
        uid: &str,
        kind: Kind,
        body: serde_json::Map<String, Value>,
        what: &str,
    ) -> GraphResult {
        let mut entity = Value::Object(body);
        let now = util::iso(self.req.now);
        entity["createdDateTime"] = json!(now);
        entity["lastModifiedDateTime"] = json!(now);
        let mut stored = self.state.dir.insert(uid, kind, entity);
        stored["@odata.context"] = json!(self.context(&format!("users('{uid}')/{what}/$entity")));
        Ok(Reply::json(StatusCode::CREATED, &stored))
    }
}
