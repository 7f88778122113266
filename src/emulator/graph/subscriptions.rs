//! Change notifications: `subscriptions` (POST, GET) and `subscriptions/{id}` (GET, PATCH,
//! DELETE), and the deliveries.
//!
//! Creating a subscription checks it as Graph does (change types, an https notification URL, or
//! http on a loopback host for tests, `clientState` length, the expiry within the resource's
//! limit) and then sends the validation request: a POST to the notification URL (and the
//! lifecycle URL) with `?validationToken=…`, which must be answered `200` with the token as the
//! `text/plain` body within 10 seconds. After every request that may change data, each live
//! subscription's collection is compared with what it last notified, and the created, updated
//! and deleted items it subscribed to are posted to its notification URL as
//! `{"value": [{subscriptionId, changeType, resource, resourceData, clientState, tenantId, …}]}`.
//! Watched resources: `me|users/{id}` + `/messages`, `/mailFolders/{id}/messages` (also written
//! `mailFolders('Inbox')/messages`), `/events`, `/contacts`, and `users`.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::GraphErr;
use crate::emulator::data::changes::{EmuSubscription, Versions, version};
use crate::emulator::data::tokens::AccessGrant;
use crate::emulator::state::{Shared, State};
use crate::emulator::util;
use crate::emulator::wire::{Reply, Req};

/// How long a receiver has to answer the validation request.
const VALIDATION_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether `path` is one of the subscription routes.
pub(crate) fn is_subscriptions(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path == "/v1.0/subscriptions" || path.starts_with("/v1.0/subscriptions/")
}

type Answer = std::result::Result<Reply, GraphErr>;

fn invalid(message: impl Into<String>) -> GraphErr {
    GraphErr::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
}

fn not_found() -> GraphErr {
    GraphErr::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The object was not found.",
    )
}

/// Answers a subscription route.
pub(crate) async fn handle(shared: Arc<Shared>, req: &Req) -> Reply {
    let grant = match super::authenticate(&shared, req) {
        Ok(grant) => grant,
        Err(e) => return e.reply(req),
    };
    let rest = req
        .path
        .trim_end_matches('/')
        .strip_prefix("/v1.0/subscriptions")
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_owned();
    let answer = match (rest.as_str(), &req.method) {
        ("", &Method::POST) => create(&shared, req, &grant).await,
        ("", &Method::GET) => {
            let state = shared.state();
            let value: Vec<Value> = state
                .subscriptions
                .subscriptions
                .iter()
                .filter(|s| s.app == grant.client_id)
                .map(|s| view(&shared, s))
                .collect();
            Ok(Reply::json(
                StatusCode::OK,
                &json!({
                    "@odata.context": format!("{}/v1.0/$metadata#subscriptions", shared.base_url),
                    "value": value,
                }),
            ))
        }
        (id, &Method::GET) => {
            let state = shared.state();
            own(&state, id, &grant).map(|sub| Reply::json(StatusCode::OK, &view(&shared, sub)))
        }
        (id, &Method::PATCH) => renew(&shared, req, id, &grant),
        (id, &Method::DELETE) => {
            let mut state = shared.state();
            match own(&state, id, &grant) {
                Ok(_) => {
                    state.subscriptions.remove(id);
                    Ok(Reply::empty(StatusCode::NO_CONTENT))
                }
                Err(e) => Err(e),
            }
        }
        (_, method) => Err(GraphErr::method_not_allowed(method)),
    };
    answer.unwrap_or_else(|e| e.reply(req))
}

fn own<'a>(
    state: &'a State,
    id: &str,
    grant: &AccessGrant,
) -> std::result::Result<&'a EmuSubscription, GraphErr> {
    state
        .subscriptions
        .get(id)
        .filter(|s| s.app == grant.client_id)
        .ok_or_else(not_found)
}

fn view(shared: &Shared, sub: &EmuSubscription) -> Value {
    json!({
        "@odata.context": format!("{}/v1.0/$metadata#subscriptions/$entity", shared.base_url),
        "id": sub.id,
        "resource": sub.resource,
        "applicationId": sub.app,
        "changeType": sub.change_types.join(","),
        "clientState": sub.client_state,
        "notificationUrl": sub.notification_url,
        "lifecycleNotificationUrl": sub.lifecycle_url,
        "expirationDateTime": util::iso(sub.expiration),
        "creatorId": sub.owner.clone().unwrap_or_else(|| sub.app.clone()),
        "latestSupportedTlsVersion": "v1_2",
        "includeResourceData": false,
    })
}

/// The expiry in `body`, checked against the resource's limit.
fn expiration(body: &Value, resource: &str, now: i64) -> std::result::Result<i64, GraphErr> {
    let at = body["expirationDateTime"]
        .as_str()
        .and_then(util::parse_iso)
        .ok_or_else(|| invalid("expirationDateTime is required and must be a date-time."))?;
    if at <= now {
        return Err(invalid("Subscription expiration must be in the future."));
    }
    let max = crate::notifications::max_lifetime(resource).as_secs() as i64;
    if at - now > max {
        return Err(invalid(format!(
            "Subscription expiration can only be {} minutes in the future.",
            max / 60
        )));
    }
    Ok(at)
}

fn check_url(url: &str, what: &str) -> std::result::Result<(), GraphErr> {
    let parsed = url::Url::parse(url).map_err(|_| invalid(format!("Invalid {what}.")))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(invalid(format!("The {what} must be an https URL."))),
    }
}

async fn create(shared: &Arc<Shared>, req: &Req, grant: &AccessGrant) -> Answer {
    let body = req
        .json()
        .filter(Value::is_object)
        .ok_or_else(|| invalid("Empty Payload. JSON content expected."))?;
    let resource = body["resource"]
        .as_str()
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| invalid("resource is required."))?
        .to_owned();
    let change_types: Vec<String> = body["changeType"]
        .as_str()
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if change_types.is_empty()
        || change_types
            .iter()
            .any(|t| !matches!(t.as_str(), "created" | "updated" | "deleted"))
    {
        return Err(invalid(
            "changeType must be one or more of created, updated, deleted.",
        ));
    }
    let notification_url = body["notificationUrl"]
        .as_str()
        .ok_or_else(|| invalid("notificationUrl is required."))?
        .to_owned();
    check_url(&notification_url, "notificationUrl")?;
    let lifecycle_url = body["lifecycleNotificationUrl"].as_str().map(str::to_owned);
    if let Some(url) = &lifecycle_url {
        check_url(url, "lifecycleNotificationUrl")?;
    }
    let client_state = body["clientState"].as_str().map(str::to_owned);
    if client_state
        .as_ref()
        .is_some_and(|s| s.chars().count() > 128)
    {
        return Err(invalid("clientState cannot be longer than 128 characters."));
    }
    let expiration = expiration(&body, &resource, req.now)?;
    let owner = grant.user.clone();
    if resource.trim_start_matches('/').starts_with("me") && owner.is_none() {
        return Err(invalid(
            "/me request is only valid with delegated authentication flow.",
        ));
    }
    let versions = {
        let mut state = shared.state();
        watched(&mut state, owner.as_deref(), &resource)
            .map(|w| snapshot(&w.items))
            .ok_or_else(|| {
                invalid(format!(
                    "The resource '{resource}' cannot be subscribed to."
                ))
            })?
    };
    for url in std::iter::once(&notification_url).chain(lifecycle_url.as_ref()) {
        if !validate(url).await {
            return Err(invalid(
                "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
            ));
        }
    }
    let sub = EmuSubscription {
        id: util::uuid4(),
        resource,
        change_types,
        notification_url,
        lifecycle_url,
        expiration,
        client_state,
        app: grant.client_id.clone(),
        owner,
        versions,
    };
    let reply = Reply::json(StatusCode::CREATED, &view(shared, &sub));
    shared.state().subscriptions.subscriptions.push(sub);
    Ok(reply)
}

fn renew(shared: &Shared, req: &Req, id: &str, grant: &AccessGrant) -> Answer {
    let body = req
        .json()
        .ok_or_else(|| invalid("Empty Payload. JSON content expected."))?;
    let mut state = shared.state();
    let resource = own(&state, id, grant)?.resource.clone();
    let at = expiration(&body, &resource, req.now)?;
    let sub = state.subscriptions.get_mut(id).ok_or_else(not_found)?;
    sub.expiration = at;
    Ok(Reply::json(StatusCode::OK, &view(shared, sub)))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(VALIDATION_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Sends the validation request; true when the token came back as Graph requires.
async fn validate(url: &str) -> bool {
    let token = format!(
        "Validation: Testing client application reachability for subscription Request-Id: {}",
        util::uuid4()
    );
    let separator = if url.contains('?') { '&' } else { '?' };
    let target = format!(
        "{url}{separator}validationToken={}",
        util::query_encode(&token)
    );
    let Ok(reply) = client()
        .post(target)
        .header("content-type", "text/plain; charset=utf-8")
        .send()
        .await
    else {
        return false;
    };
    let plain = reply
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/plain"));
    reply.status() == StatusCode::OK && plain && reply.text().await.is_ok_and(|t| t == token)
}

/// A watched collection: its items, the path of one item, and their OData type.
struct Watched {
    items: Vec<Value>,
    item_path: String,
    odata_type: &'static str,
}

fn snapshot(items: &[Value]) -> Versions {
    items
        .iter()
        .filter_map(|i| Some((i.get("id")?.as_str()?.to_owned(), version(i))))
        .collect()
}

/// The collection `resource` names (`me` is `owner`).
fn watched(state: &mut State, owner: Option<&str>, resource: &str) -> Option<Watched> {
    let normalized = resource
        .trim_start_matches('/')
        .replace("('", "/")
        .replace("')", "");
    let segments: Vec<&str> = normalized.trim_end_matches('/').split('/').collect();
    let (uid, rest) = match segments.as_slice() {
        ["users"] => {
            return Some(Watched {
                items: state.dir.users.clone(),
                item_path: "Users".into(),
                odata_type: "#Microsoft.Graph.User",
            });
        }
        [me, rest @ ..] if me.eq_ignore_ascii_case("me") => (owner?.to_owned(), rest),
        [users, key, rest @ ..] if users.eq_ignore_ascii_case("users") => {
            let id = state.dir.user(key)?["id"].as_str()?.to_owned();
            (id, rest)
        }
        _ => return None,
    };
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let mailbox = state.dir.mailbox(&uid);
    let (items, kind, odata_type) = match lower.as_slice() {
        ["messages"] => (
            mailbox.messages.clone(),
            "Messages",
            "#Microsoft.Graph.Message",
        ),
        ["mailfolders", _, "messages"] => {
            let folder = mailbox.folder_id(rest[1])?;
            let items = mailbox
                .messages
                .iter()
                .filter(|m| m["parentFolderId"] == folder.as_str())
                .cloned()
                .collect();
            (items, "Messages", "#Microsoft.Graph.Message")
        }
        ["events"] => (mailbox.events.clone(), "Events", "#Microsoft.Graph.Event"),
        ["contacts"] => (
            mailbox.contacts.clone(),
            "Contacts",
            "#Microsoft.Graph.Contact",
        ),
        _ => return None,
    };
    Some(Watched {
        items,
        item_path: format!("Users/{uid}/{kind}"),
        odata_type,
    })
}

/// Compares every live subscription's collection with what it last notified and posts the
/// differences (called after each request that may have changed data).
pub(crate) fn notify_changes(shared: &Arc<Shared>) {
    let now = shared.now();
    let tenant = shared.config.user.tid.clone();
    let mut deliveries: Vec<(String, Value)> = Vec::new();
    {
        let mut state = shared.state();
        let subs = std::mem::take(&mut state.subscriptions.subscriptions);
        let mut kept = Vec::with_capacity(subs.len());
        for mut sub in subs {
            if sub.expiration <= now {
                continue; // expired subscriptions are removed, as Graph does
            }
            let Some(w) = watched(&mut state, sub.owner.as_deref(), &sub.resource) else {
                kept.push(sub);
                continue;
            };
            let current = snapshot(&w.items);
            let mut entries = Vec::new();
            let mut note = |change: &str, id: &str, etag: Option<&Value>| {
                if !sub.change_types.iter().any(|t| t == change) {
                    return;
                }
                let path = format!("{}/{id}", w.item_path);
                let mut data = json!({"@odata.type": w.odata_type, "@odata.id": path, "id": id});
                if let Some(etag) = etag.filter(|e| !e.is_null()) {
                    data["@odata.etag"] = etag.clone();
                }
                entries.push(json!({
                    "subscriptionId": sub.id,
                    "subscriptionExpirationDateTime": util::iso(sub.expiration),
                    "changeType": change,
                    "resource": path,
                    "resourceData": data,
                    "clientState": sub.client_state,
                    "tenantId": tenant,
                }));
            };
            for item in &w.items {
                let id = item["id"].as_str().unwrap_or_default();
                match sub.versions.get(id) {
                    None => note("created", id, item.get("@odata.etag")),
                    Some(v) if Some(v) != current.get(id) => {
                        note("updated", id, item.get("@odata.etag"))
                    }
                    Some(_) => {}
                }
            }
            let mut gone: Vec<&String> = sub
                .versions
                .keys()
                .filter(|id| !current.contains_key(*id))
                .collect();
            gone.sort();
            for id in gone {
                note("deleted", id, None);
            }
            if !entries.is_empty() {
                deliveries.push((sub.notification_url.clone(), json!({ "value": entries })));
            }
            sub.versions = current;
            kept.push(sub);
        }
        state.subscriptions.subscriptions = kept;
    }
    if deliveries.is_empty() {
        return;
    }
    let mut state = shared.state();
    let outbox = state.subscriptions.outbox.get_or_insert_with(|| {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Value)>();
        tokio::spawn(async move {
            let client = client();
            while let Some((url, body)) = rx.recv().await {
                if let Err(e) = client.post(&url).json(&body).send().await {
                    tracing::debug!(error = %e, "notification delivery failed");
                }
            }
        });
        tx
    });
    for delivery in deliveries {
        // The worker lives as long as the emulator's runtime; a closed queue only means the
        // emulator is shutting down.
        let _ = outbox.send(delivery);
    }
}

/// Posts a lifecycle event for subscription `id` to its lifecycle URL (or its notification
/// URL); `subscriptionRemoved` also removes it. Returns the receiver's status.
pub(crate) async fn send_lifecycle(shared: &Shared, id: &str, event: &str) -> crate::Result<u16> {
    let (url, body) = {
        let mut state = shared.state();
        let sub = state
            .subscriptions
            .get(id)
            .cloned()
            .ok_or_else(|| crate::Error::invalid_input(format!("no subscription {id:?}")))?;
        if event == "subscriptionRemoved" {
            state.subscriptions.remove(id);
        }
        let body = json!({"value": [{
            "subscriptionId": sub.id,
            "subscriptionExpirationDateTime": util::iso(sub.expiration),
            "tenantId": shared.config.user.tid,
            "clientState": sub.client_state,
            "lifecycleEvent": event,
        }]});
        (sub.lifecycle_url.unwrap_or(sub.notification_url), body)
    };
    let reply = client()
        .post(url)
        .json(&body)
        .send()
        .await
        .map_err(crate::Error::transport)?;
    Ok(reply.status().as_u16())
}
