//! Deliveries: the validation request a new subscription's receivers must answer, the change
//! notifications posted after data changed, and lifecycle events.

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use serde_json::{Value, json};

use super::watch::{Watched, watched};
use crate::emulator::data::changes::{self, Versions};
use crate::emulator::data::subscriptions::EmuSubscription;
use crate::emulator::state::Shared;
use crate::emulator::util;

/// How long a receiver has to answer the validation request.
const VALIDATION_TIMEOUT: Duration = Duration::from_secs(10);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(VALIDATION_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Sends the validation request; true when the token came back as Graph requires.
pub(super) async fn validate(url: &str) -> bool {
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

/// Compares every live subscription's collection with what it last notified and posts the
/// differences (called after each request that may have changed data).
pub(crate) fn notify_changes(shared: &Arc<Shared>) {
    let deliveries = collect_changes(shared);
    if !deliveries.is_empty() {
        queue(shared, deliveries);
    }
}

/// The notifications due (notification URL, body), one per subscription with changes; drops
/// expired subscriptions, as Graph does, and records what each was told.
fn collect_changes(shared: &Shared) -> Vec<(String, Value)> {
    let now = shared.now();
    let tenant = shared.config.user.tid.clone();
    let mut deliveries: Vec<(String, Value)> = Vec::new();
    let mut state = shared.state();
    let subs = std::mem::take(&mut state.subscriptions.subscriptions);
    let mut kept = Vec::with_capacity(subs.len());
    for mut sub in subs {
        if sub.expiration <= now {
            continue;
        }
        let Some(w) = watched(&mut state, sub.owner.as_deref(), &sub.resource) else {
            kept.push(sub);
            continue;
        };
        let current = changes::versions(&w.items);
        let entries = change_entries(&sub, &w, &current, &tenant);
        if !entries.is_empty() {
            deliveries.push((sub.notification_url.clone(), json!({ "value": entries })));
        }
        sub.versions = current;
        kept.push(sub);
    }
    state.subscriptions.subscriptions = kept;
    deliveries
}

/// The notification entries of `sub`: items created or updated since it last notified (in the
/// collection's order), then the deleted ones, for the change types it subscribed to.
fn change_entries(
    sub: &EmuSubscription,
    w: &Watched,
    current: &Versions,
    tenant: &str,
) -> Vec<Value> {
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
            Some(v) if Some(v) != current.get(id) => note("updated", id, item.get("@odata.etag")),
            Some(_) => {}
        }
    }
    for id in changes::removed(&sub.versions, current) {
        note("deleted", id, None);
    }
    entries
}

/// Hands the deliveries to the one task that posts them in order (started on first use).
fn queue(shared: &Shared, deliveries: Vec<(String, Value)>) {
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
