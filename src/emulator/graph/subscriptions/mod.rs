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

use http::{Method, StatusCode};
use serde_json::{Value, json};

mod checks;
mod deliver;
mod watch;

use super::GraphErr;
use crate::emulator::data::changes;
use crate::emulator::data::subscriptions::EmuSubscription;
use crate::emulator::data::tokens::AccessGrant;
use crate::emulator::state::{Shared, State};
use crate::emulator::util;
use crate::emulator::wire::{Reply, Req};
use checks::{expiration, invalid, not_found};

/// Whether `path` is one of the subscription routes.
pub(crate) fn is_subscriptions(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path == "/v1.0/subscriptions" || path.starts_with("/v1.0/subscriptions/")
}

type Answer = std::result::Result<Reply, GraphErr>;

pub(crate) use deliver::{notify_changes, send_lifecycle};

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

/// Subscription `id`, if the caller's application created it.
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

/// A subscription as Graph shows it.
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

/// `POST subscriptions`: checks the request, snapshots the watched collection, has the
/// receivers validate, then stores the subscription.
async fn create(shared: &Arc<Shared>, req: &Req, grant: &AccessGrant) -> Answer {
    let body = req
        .json()
        .filter(Value::is_object)
        .ok_or_else(|| invalid("Empty Payload. JSON content expected."))?;
    let requested = checks::requested(&body, grant, req.now)?;
    let versions = {
        let mut state = shared.state();
        let resource = &requested.resource;
        watch::watched(&mut state, requested.owner.as_deref(), resource)
            .map(|w| changes::versions(&w.items))
            .ok_or_else(|| {
                invalid(format!(
                    "The resource '{resource}' cannot be subscribed to."
                ))
            })?
    };
    let urls = std::iter::once(&requested.notification_url).chain(requested.lifecycle_url.as_ref());
    for url in urls {
        if !deliver::validate(url).await {
            return Err(invalid(
                "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
            ));
        }
    }
    let sub = requested.into_subscription(grant.client_id.clone(), versions);
    let reply = Reply::json(StatusCode::CREATED, &view(shared, &sub));
    shared.state().subscriptions.subscriptions.push(sub);
    Ok(reply)
}

/// `PATCH subscriptions/{id}`: a new expiry, checked like a new one's.
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
