//! Change notifications end to end: a Receiver served on a loopback port, subscriptions created
//! on the emulator (which validates the URL first), changes delivered as typed events, a forged
//! clientState dropped, lifecycle events, renew/list/delete, and the emulator's own checks.
#![cfg(feature = "emulator")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use o365::clock::ManualClock;
use o365::emulator::{Emulator, StatusCode};
use o365::notifications::{
    ChangeType, Event, LifecycleEvent, NewSubscription, Receiver, RequestKind, Subscription,
};
use o365::{Connection, ErrorKind, RetryPolicy};
use serde_json::{Value, json};
use tokio::sync::mpsc;

async fn connection(em: &Emulator) -> Connection {
    let conn = em
        .app_connection()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    conn
}

/// A Receiver behind a loopback HTTP server: events come out of the channel.
struct Hook {
    url: String,
    events: mpsc::UnboundedReceiver<Event>,
    validations: Arc<AtomicUsize>,
    rejected: Arc<AtomicUsize>,
}

async fn hook(client_state: &str) -> Hook {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graph/hook", listener.local_addr().unwrap());
    let receiver = Arc::new(Receiver::new(client_state));
    let (tx, events) = mpsc::unbounded_channel();
    let validations = Arc::new(AtomicUsize::new(0));
    let rejected = Arc::new(AtomicUsize::new(0));
    let (v, r) = (validations.clone(), rejected.clone());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (receiver, tx, v, r) = (receiver.clone(), tx.clone(), v.clone(), r.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let (receiver, tx, v, r) =
                            (receiver.clone(), tx.clone(), v.clone(), r.clone());
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body.collect().await?.to_bytes();
                            let received = receiver.receive(http::Request::from_parts(parts, body));
                            if received.kind == RequestKind::Validation {
                                v.fetch_add(1, Ordering::SeqCst);
                            }
                            r.fetch_add(received.rejected, Ordering::SeqCst);
                            for event in received.events {
                                let _ = tx.send(event);
                            }
                            let (parts, body) = received.response.into_parts();
                            Ok::<_, hyper::Error>(hyper::Response::from_parts(
                                parts,
                                Full::new(body),
                            ))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Hook {
        url,
        events,
        validations,
        rejected,
    }
}

async fn next(hook: &mut Hook) -> Event {
    tokio::time::timeout(Duration::from_secs(10), hook.events.recv())
        .await
        .expect("a notification within 10 s")
        .unwrap()
}

fn change(event: Event) -> o365::notifications::ChangeNotification {
    match event {
        Event::Change(c) => c,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[tokio::test]
async fn subscribe_receive_renew_and_delete() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = connection(&em).await;
    let user = format!("users/{}", em.user().oid);
    let mut hook = hook("s3cret-state").await;

    let sub = subscribe_to_inbox_creations_and_updates(&em, &conn, &user, &hook).await;
    let id = receive_a_creation_and_an_update(&em, &conn, &user, &mut hook, &sub).await;
    a_delete_is_not_delivered(&conn, &user, &mut hook, &id).await;
    a_lifecycle_event_reaches_the_same_receiver(&em, &mut hook, &sub).await;
    renew_list_and_delete(&em, &conn, &sub).await;
    assert_eq!(hook.rejected.load(Ordering::SeqCst), 0);
}

/// A subscription to the inbox's creations and updates, validated at the hook first.
async fn subscribe_to_inbox_creations_and_updates(
    em: &Emulator,
    conn: &Connection,
    user: &str,
    hook: &Hook,
) -> Subscription {
    let sub = conn
        .change_notifications()
        .create(
            &NewSubscription::new(format!("{user}/mailFolders('Inbox')/messages"), &hook.url)
                .change_type(ChangeType::Created)
                .change_type(ChangeType::Updated)
                .client_state("s3cret-state")
                .expires_in(Duration::from_secs(3 * 24 * 3600)),
        )
        .await
        .unwrap();
    assert_eq!(hook.validations.load(Ordering::SeqCst), 1);
    assert_eq!(em.subscription_ids(), std::slice::from_ref(&sub.id));
    assert_eq!(sub.change_types, [ChangeType::Created, ChangeType::Updated]);
    assert_eq!(sub.notification_url, hook.url);
    sub
}

/// A new message arrives as a typed creation (resource, data, tenant), then its update; returns
/// the message's id.
async fn receive_a_creation_and_an_update(
    em: &Emulator,
    conn: &Connection,
    user: &str,
    hook: &mut Hook,
    sub: &Subscription,
) -> String {
    let created: Value = conn
        .post(
            &format!("{user}/mailFolders/inbox/messages"),
            json!({"subject": "Ping"}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let n = change(next(hook).await);
    assert_eq!(n.subscription_id, sub.id);
    assert_eq!(n.change_type, ChangeType::Created);
    assert_eq!(n.resource, format!("Users/{}/Messages/{id}", em.user().oid));
    let data = n.resource_data.unwrap();
    assert_eq!(data.id.as_deref(), Some(id.as_str()));
    assert_eq!(data.odata_type.as_deref(), Some("#Microsoft.Graph.Message"));
    assert_eq!(n.tenant_id.as_deref(), Some(em.user().tid.as_str()));

    conn.patch(&format!("{user}/messages/{id}"), json!({"isRead": false}))
        .await
        .unwrap();
    let n = change(next(hook).await);
    assert_eq!(
        (n.change_type, n.resource_data.unwrap().id),
        (ChangeType::Updated, Some(id.clone()))
    );
    id
}

/// Deletes were not subscribed to: after deleting message `id`, the next event is the next
/// creation.
async fn a_delete_is_not_delivered(conn: &Connection, user: &str, hook: &mut Hook, id: &str) {
    conn.delete(&format!("{user}/messages/{id}")).await.unwrap();
    conn.post(
        &format!("{user}/mailFolders/inbox/messages"),
        json!({"subject": "Two"}),
    )
    .await
    .unwrap();
    assert_eq!(change(next(hook).await).change_type, ChangeType::Created);
}

/// Lifecycle events reach the same receiver (no lifecycle URL was given).
async fn a_lifecycle_event_reaches_the_same_receiver(
    em: &Emulator,
    hook: &mut Hook,
    sub: &Subscription,
) {
    let status = em
        .send_lifecycle_event(&sub.id, "reauthorizationRequired")
        .await
        .unwrap();
    assert_eq!(status, 202);
    match next(hook).await {
        Event::Lifecycle(l) => {
            assert_eq!(l.event, LifecycleEvent::ReauthorizationRequired);
            assert_eq!(l.subscription_id, sub.id);
        }
        other => panic!("{other:?}"),
    }
}

/// Renewing moves the expiration later (as listed); after a delete the emulator holds no
/// subscription and a get is a 404.
async fn renew_list_and_delete(em: &Emulator, conn: &Connection, sub: &Subscription) {
    let renewed = conn
        .change_notifications()
        .renew(
            &sub.id,
            Some(&sub.resource),
            Duration::from_secs(5 * 24 * 3600),
        )
        .await
        .unwrap();
    assert!(renewed.expiration > sub.expiration);
    let listed = conn.change_notifications().list().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].expiration, renewed.expiration);
    assert_eq!(
        conn.change_notifications().get(&sub.id).await.unwrap().id,
        sub.id
    );
    conn.change_notifications().delete(&sub.id).await.unwrap();
    assert!(em.subscription_ids().is_empty());
    let err = conn.change_notifications().get(&sub.id).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
}

#[tokio::test]
async fn a_forged_client_state_is_dropped_and_removal_is_a_lifecycle_event() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = connection(&em).await;
    let user = format!("users/{}", em.user().oid);
    let mut hook = hook("the-real-secret").await;
    let forged = conn
        .change_notifications()
        .create(
            &NewSubscription::new(format!("{user}/contacts"), &hook.url)
                .change_type(ChangeType::Created)
                .client_state("not-the-secret"),
        )
        .await
        .unwrap();
    let real = conn
        .change_notifications()
        .create(
            &NewSubscription::new(format!("{user}/contacts"), &hook.url)
                .change_type(ChangeType::Created)
                .client_state("the-real-secret"),
        )
        .await
        .unwrap();
    conn.post(
        &format!("{user}/contacts"),
        json!({"displayName": "Nestor"}),
    )
    .await
    .unwrap();
    let n = change(next(&mut hook).await);
    assert_eq!(n.subscription_id, real.id);
    // The forged delivery was answered and dropped.
    for _ in 0..100 {
        if hook.rejected.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(hook.rejected.load(Ordering::SeqCst), 1);

    em.send_lifecycle_event(&real.id, "subscriptionRemoved")
        .await
        .unwrap();
    match next(&mut hook).await {
        Event::Lifecycle(l) => assert_eq!(l.event, LifecycleEvent::SubscriptionRemoved),
        other => panic!("{other:?}"),
    }
    assert_eq!(em.subscription_ids(), [forged.id]);
}

#[tokio::test]
async fn the_emulator_validates_like_graph() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = connection(&em).await;
    let user = format!("users/{}", em.user().oid);
    // Nothing listens there: the validation request fails.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    let err = conn
        .change_notifications()
        .create(&NewSubscription::new(format!("{user}/messages"), closed))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(
        err.to_string().contains("validation request failed"),
        "{err}"
    );

    // The service's own limits, when a client skips ours.
    let hook = hook("x").await;
    let now = chrono::Utc::now();
    let raw = |resource: &str, minutes: i64, url: &str| {
        json!({
            "changeType": "created", "resource": resource, "notificationUrl": url,
            "expirationDateTime": (now + chrono::Duration::minutes(minutes)).to_rfc3339(),
        })
    };
    for (body, needle) in [
        (
            raw(&format!("{user}/messages"), 10_090, &hook.url),
            "10080 minutes",
        ),
        (
            raw(&format!("{user}/messages"), 60, "http://hooks.example/x"),
            "https",
        ),
        (
            raw(&format!("{user}/drive/root"), 60, &hook.url),
            "cannot be subscribed",
        ),
        (
            json!({"changeType": "exploded", "resource": "users", "notificationUrl": hook.url,
                   "expirationDateTime": (now + chrono::Duration::minutes(60)).to_rfc3339()}),
            "changeType",
        ),
    ] {
        let err = conn.post("subscriptions", body).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Status);
        assert!(err.to_string().contains(needle), "{err}");
    }
    assert_eq!(hook.validations.load(Ordering::SeqCst), 0);
    assert!(em.subscription_ids().is_empty());
}

#[tokio::test]
async fn keep_renewed_renews_before_expiry_retries_what_may_pass_and_ends_when_it_is_gone() {
    let clock = ManualClock::at(std::time::SystemTime::now());
    let em = Emulator::builder()
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .unwrap();
    let conn = em
        .app_connection()
        .clock(clock.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let user = format!("users/{}", em.user().oid);
    let hook = hook("renewal-state").await;
    let hour = Duration::from_secs(3600);
    let sub = conn
        .change_notifications()
        .create(
            &NewSubscription::new(format!("{user}/messages"), &hook.url)
                .client_state("renewal-state")
                .expires_in(2 * hour),
        )
        .await
        .unwrap();
    let start = clock.elapsed();
    let mut renewals = conn
        .change_notifications()
        .keep_renewed(sub.clone(), Some(4 * hour));

    let first = renewed_an_hour_in_for_4_hours(&conn, &clock, &mut renewals, &sub, start).await;
    renewed_again_a_minute_after_a_503(&em, &clock, &mut renewals, &first).await;

    // Deleted: the next renewal's 404 is yielded, and the stream ends.
    conn.change_notifications().delete(&sub.id).await.unwrap();
    let err = renewals.next().await.unwrap().unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    assert!(renewals.next().await.is_none());
}

type Renewals = BoxStream<'static, o365::Result<Subscription>>;

/// A quarter of the 4 h lifetime before the 2 h expiry: renewed an hour after creation (at
/// `start`; expiry times have whole seconds, so within a second of it), for 4 h from then.
async fn renewed_an_hour_in_for_4_hours(
    conn: &Connection,
    clock: &ManualClock,
    renewals: &mut Renewals,
    sub: &Subscription,
    start: Duration,
) -> Subscription {
    let hour = Duration::from_secs(3600);
    let first = renewals.next().await.unwrap().unwrap();
    let waited = clock.elapsed() - start;
    assert!(
        waited > hour - Duration::from_secs(1) && waited <= hour,
        "{waited:?}"
    );
    let stored = conn.change_notifications().get(&sub.id).await.unwrap();
    assert_eq!(stored.expiration, first.expiration);
    let lifetime = (first.expiration - sub.expiration).to_std().unwrap() + hour;
    assert!(
        lifetime.abs_diff(4 * hour) <= Duration::from_secs(1),
        "{lifetime:?}"
    );
    first
}

/// The next renewal is answered 503 once: tried again a minute later, then renewed.
async fn renewed_again_a_minute_after_a_503(
    em: &Emulator,
    clock: &ManualClock,
    renewals: &mut Renewals,
    first: &Subscription,
) {
    let hour = Duration::from_secs(3600);
    em.script().throttle_next(
        1,
        "/v1.0/subscriptions/",
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(1),
    );
    let before = clock.elapsed();
    let second = renewals.next().await.unwrap().unwrap();
    let waited = clock.elapsed() - before;
    let expected = 3 * hour + o365::notifications::RENEWAL_RETRY;
    assert!(
        waited.abs_diff(expected) <= Duration::from_secs(1),
        "{waited:?}"
    );
    assert!(second.expiration > first.expiration);
    assert_eq!(em.counters().throttled(), 1);
}
