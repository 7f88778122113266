//! The Graph v1.0 subset: users, messages (list/get/patch/delete/move/sendMail, attachments),
//! mail folders, events (list/get/create, calendarView), contacts, OneDrive — under `/me/…` and
//! `/users/{id-or-upn}/…`, every request authenticated with an issued bearer token.

mod batch;
mod calendar;
mod delta;
mod drive;
mod mail;
mod subscriptions;

use std::sync::MutexGuard;

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::data::store::Kind;
use super::data::tokens::AccessGrant;
use super::query::QueryOptions;
use super::state::{Shared, State};
use super::util;
use super::wire::{Reply, Req};

pub(crate) use drive::upload;
pub(crate) use subscriptions::{
    handle as subscriptions, is_subscriptions, notify_changes, send_lifecycle,
};

/// A Graph error to answer with.
#[derive(Debug)]
struct GraphErr {
    status: StatusCode,
    code: &'static str,
    message: String,
}

type GraphResult = std::result::Result<Reply, GraphErr>;

impl GraphErr {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> GraphErr {
        GraphErr {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> GraphErr {
        GraphErr::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    fn not_found() -> GraphErr {
        GraphErr::new(
            StatusCode::NOT_FOUND,
            "ErrorItemNotFound",
            "The specified object was not found in the store.",
        )
    }

    fn method_not_allowed(method: &Method) -> GraphErr {
        GraphErr::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest",
            format!("The HTTP method '{method}' is not allowed for this resource."),
        )
    }
}

/// Answers a request under `/v1.0/` (`rest` is the path after it).
pub(crate) fn handle(shared: &Shared, rest: &str, req: &Req) -> Reply {
    let grant = match authenticate(shared, req) {
        Ok(grant) => grant,
        Err(e) => {
            return Reply::graph_error(e.status, e.code, &e.message, req).with_header(
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
    result.unwrap_or_else(|e| Reply::graph_error(e.status, e.code, &e.message, req))
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
    fn route(&mut self, grant: &AccessGrant, segments: &[&str]) -> GraphResult {
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

    fn only(&self, method: &Method) -> std::result::Result<(), GraphErr> {
        if self.req.method == *method {
            Ok(())
        } else {
            Err(GraphErr::method_not_allowed(&self.req.method))
        }
    }

    fn user_resource(&mut self, uid: &str, rest: &[&str]) -> GraphResult {
        let method = self.req.method.clone();
        match (rest, &method) {
            ([], &Method::GET) => {
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
            (["messages"], &Method::GET) => {
                let messages = self.state.dir.mailbox(uid).messages.clone();
                Ok(self.list_newest_first(messages, uid, "messages"))
            }
            (["messages"], &Method::POST) => self.create_message(uid, "drafts"),
            (["messages", "delta" | "microsoft.graph.delta()"], &Method::GET) => {
                let messages = self.state.dir.mailbox(uid).messages.clone();
                let scope = format!("{uid}/messages");
                self.delta(&scope, messages, "#microsoft.graph.message", "message")
            }
            (["messages", id], _) => self.item(uid, Kind::Message, id),
            (["messages", id, "move"], &Method::POST) => self.move_message(uid, id),
            (["messages", id, "attachments"], &Method::GET) => {
                let mailbox = self.state.dir.mailbox(uid);
                mailbox
                    .find(Kind::Message, id)
                    .ok_or_else(GraphErr::not_found)?;
                let attachments = mailbox.attachments.get(*id).cloned().unwrap_or_default();
                Ok(self.list(
                    attachments,
                    10,
                    &format!("users('{uid}')/messages('{id}')/attachments"),
                ))
            }
            (["mailFolders"], &Method::GET) => {
                let mailbox = self.state.dir.mailbox(uid);
                let folders = mailbox
                    .folders
                    .iter()
                    .map(|f| mailbox.folder_view(f))
                    .collect();
                Ok(self.list(folders, 10, &format!("users('{uid}')/mailFolders")))
            }
            (["mailFolders", folder], &Method::GET) => {
                let mailbox = self.state.dir.mailbox(uid);
                let id = mailbox.folder_id(folder).ok_or_else(GraphErr::not_found)?;
                let folder = mailbox
                    .folders
                    .iter()
                    .find(|f| f["id"] == id.as_str())
                    .map(|f| mailbox.folder_view(f));
                let mut body = self.opts.project(&folder.ok_or_else(GraphErr::not_found)?);
                body["@odata.context"] =
                    json!(self.context(&format!("users('{uid}')/mailFolders/$entity")));
                Ok(Reply::json(StatusCode::OK, &body))
            }
            (["mailFolders", folder, "messages"], &Method::GET) => {
                let mailbox = self.state.dir.mailbox(uid);
                let id = mailbox.folder_id(folder).ok_or_else(GraphErr::not_found)?;
                let messages = mailbox
                    .messages
                    .iter()
                    .filter(|m| m["parentFolderId"] == id.as_str())
                    .cloned()
                    .collect();
                Ok(self.list_newest_first(
                    messages,
                    uid,
                    &format!("mailFolders('{folder}')/messages"),
                ))
            }
            (
                [
                    "mailFolders",
                    folder,
                    "messages",
                    "delta" | "microsoft.graph.delta()",
                ],
                &Method::GET,
            ) => {
                let mailbox = self.state.dir.mailbox(uid);
                let id = mailbox.folder_id(folder).ok_or_else(GraphErr::not_found)?;
                let messages: Vec<Value> = mailbox
                    .messages
                    .iter()
                    .filter(|m| m["parentFolderId"] == id.as_str())
                    .cloned()
                    .collect();
                let scope = format!("{uid}/mailFolders/{id}/messages");
                self.delta(&scope, messages, "#microsoft.graph.message", "message")
            }
            (["mailFolders", folder, "messages"], &Method::POST) => {
                self.create_message(uid, folder)
            }
            (["sendMail"], &Method::POST) => self.send_mail(uid),
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
            (["contacts"], &Method::GET) => {
                let contacts = self.state.dir.mailbox(uid).contacts.clone();
                Ok(self.list(contacts, 10, &format!("users('{uid}')/contacts")))
            }
            (["contacts"], &Method::POST) => {
                let body = self.body_object()?;
                self.created(uid, Kind::Contact, body, "contacts")
            }
            (["contacts", "delta" | "microsoft.graph.delta()"], &Method::GET) => {
                let contacts = self.state.dir.mailbox(uid).contacts.clone();
                let scope = format!("{uid}/contacts");
                self.delta(&scope, contacts, "#microsoft.graph.contact", "contact")
            }
            (["contacts", id], _) => self.item(uid, Kind::Contact, id),
            (["drive", "root", "delta" | "microsoft.graph.delta()"], &Method::GET) => {
                let items = self
                    .state
                    .dir
                    .drives
                    .get(uid)
                    .map(|d| d.items.clone())
                    .unwrap_or_default();
                let scope = format!("{uid}/drive");
                self.delta(&scope, items, "#microsoft.graph.driveItem", "driveItem")
            }
            (["drive", rest @ ..], _) => self.drive(uid, rest),
            ([first, ..], &Method::GET) => Err(GraphErr::bad_request(format!(
                "Resource not found for the segment '{first}'."
            ))),
            _ => Err(GraphErr::method_not_allowed(&method)),
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
