//! Change notifications without a server: the Receiver's handshake, clientState check and typed
//! events; and the subscription helpers on the wire (exact bodies, lifetime limits checked
//! before anything is sent, the client state kept out of Debug).

mod generated_support;
mod support;

use std::time::Duration;

use bytes::Bytes;
use generated_support::setup;
use o365::ErrorKind;
use o365::notifications::{
    ChangeType, Event, LifecycleEvent, NewSubscription, Receiver, RequestKind, max_lifetime,
};
use serde_json::{Value, json};
use support::Reply;

fn post(uri: &str, body: impl Into<Bytes>) -> http::Request<Bytes> {
    http::Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

#[test]
fn the_validation_token_is_echoed_as_plain_text() {
    let receiver = Receiver::new("s3cret-state");
    let token =
        "Validation: Testing client application reachability for subscription Request-Id: 4c9f";
    let uri = format!(
        "/hook?validationToken={}",
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    );
    let received = receiver.receive(post(&uri, Bytes::new()));
    assert_eq!(received.kind, RequestKind::Validation);
    assert_eq!(received.response.status(), 200);
    assert_eq!(
        received.response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(received.response.body().as_ref(), token.as_bytes());
    assert!(received.events.is_empty());

    let get = http::Request::builder()
        .method("GET")
        .uri(&uri)
        .body(Bytes::new())
        .unwrap();
    assert_eq!(receiver.receive(get).response.status(), 400);
    assert_eq!(
        receiver
            .receive(post("/hook?validationToken=", Bytes::new()))
            .response
            .status(),
        400
    );
}

/// Six notifications for `sub-1`: a created message with its resource data, one with a forged
/// client state, one with none, a reauthorization and a missed lifecycle event, and one of a
/// change type nobody knows.
fn six_notifications() -> Value {
    json!({"value": [
        {"subscriptionId": "sub-1", "subscriptionExpirationDateTime": "2026-01-03T00:00:00Z",
         "changeType": "created", "resource": "Users/u1/Messages/m1",
         "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "@odata.id": "Users/u1/Messages/m1",
                          "@odata.etag": "W/\"CQAAAA==\"", "id": "m1"},
         "clientState": "s3cret-state", "tenantId": "t1"},
        {"subscriptionId": "sub-1", "changeType": "created", "resource": "Users/u1/Messages/m2",
         "clientState": "forged"},
        {"subscriptionId": "sub-1", "changeType": "deleted", "resource": "Users/u1/Messages/m3"},
        {"subscriptionId": "sub-1", "lifecycleEvent": "reauthorizationRequired",
         "subscriptionExpirationDateTime": "2026-01-03T00:00:00Z", "clientState": "s3cret-state"},
        {"subscriptionId": "sub-1", "lifecycleEvent": "missed", "clientState": "s3cret-state"},
        {"subscriptionId": "sub-1", "changeType": "exploded", "resource": "x", "clientState": "s3cret-state"}
    ]})
}

/// `event` is the created message `m1` of [`six_notifications`], every field typed.
fn assert_created_m1(event: &Event) {
    let Event::Change(change) = event else {
        panic!("{event:?}");
    };
    assert_eq!(change.subscription_id, "sub-1");
    assert_eq!(change.change_type, ChangeType::Created);
    assert_eq!(change.resource, "Users/u1/Messages/m1");
    let data = change.resource_data.as_ref().unwrap();
    assert_eq!(data.id.as_deref(), Some("m1"));
    assert_eq!(data.etag.as_deref(), Some("W/\"CQAAAA==\""));
    assert_eq!(
        change.subscription_expiration.unwrap().to_rfc3339(),
        "2026-01-03T00:00:00+00:00"
    );
    assert_eq!(change.tenant_id.as_deref(), Some("t1"));
}

#[test]
fn notifications_are_typed_and_a_wrong_client_state_is_dropped() {
    let receiver = Receiver::new("s3cret-state");
    let body = six_notifications();
    let received = receiver.receive(post("/hook", body.to_string()));
    assert_eq!(received.kind, RequestKind::Notifications);
    assert_eq!(received.response.status(), 202);
    assert!(received.response.body().is_empty());
    assert_eq!(received.rejected, 2);
    assert_eq!(received.unreadable, 1);
    assert_eq!(received.events.len(), 3);
    assert_created_m1(&received.events[0]);
    let Event::Lifecycle(lifecycle) = &received.events[1] else {
        panic!("{:?}", received.events[1]);
    };
    assert_eq!(lifecycle.event, LifecycleEvent::ReauthorizationRequired);
    let Event::Lifecycle(missed) = &received.events[2] else {
        panic!("{:?}", received.events[2]);
    };
    assert_eq!(missed.event, LifecycleEvent::Missed);
    assert!(!format!("{receiver:?}").contains("s3cret"));

    assert_eq!(
        receiver
            .receive(post("/hook", "not json"))
            .response
            .status(),
        400
    );
    assert_eq!(receiver.receive(post("/hook", "{}")).response.status(), 400);
    let put = http::Request::builder()
        .method("PUT")
        .uri("/hook")
        .body(Bytes::from("{}"))
        .unwrap();
    assert_eq!(receiver.receive(put).response.status(), 405);
    let open = Receiver::without_client_state().receive(post("/hook", body.to_string()));
    assert_eq!((open.rejected, open.events.len()), (0, 5));
}

#[test]
fn lifetimes_follow_the_documented_limits() {
    let minutes = |r: &str| max_lifetime(r).as_secs() / 60;
    assert_eq!(minutes("me/mailFolders('Inbox')/messages"), 10_080);
    assert_eq!(minutes("/users/u1/events"), 10_080);
    assert_eq!(minutes("me/contacts"), 10_080);
    assert_eq!(minutes("users"), 41_760);
    assert_eq!(minutes("groups"), 41_760);
    assert_eq!(minutes("me/drive/root"), 42_300);
    assert_eq!(minutes("security/alerts?$filter=status eq 'New'"), 43_200);
    assert_eq!(minutes("chats/getAllMessages"), 4_320);
    assert_eq!(minutes("communications/presences/abc"), 60);
    assert_eq!(minutes("me/todo/lists/x/tasks"), 4_230);
}

/// The server's answers to [`subscriptions_on_the_wire`]'s create, two pages of list, renew and
/// delete.
fn push_subscription_replies(server: &support::ScriptedServer) {
    let created = json!({
        "id": "sub-1", "resource": "me/mailFolders('Inbox')/messages", "changeType": "created,updated",
        "notificationUrl": "https://hooks.example/graph", "expirationDateTime": "2026-01-01T01:00:00Z",
        "clientState": "s3cret-state", "applicationId": "client-1"
    });
    server.push([
        Reply::json(201, created.clone()),
        Reply::json(
            200,
            json!({"value": [created.clone()], "@odata.nextLink": server.url("/v1.0/subscriptions?$skiptoken=2")}),
        ),
        Reply::json(200, json!({"value": [{
            "id": "sub-2", "resource": "users", "changeType": "deleted",
            "notificationUrl": "https://hooks.example/graph", "expirationDateTime": "2026-01-20T00:00:00.0000000Z"
        }]})),
        Reply::json(200, json!({
            "id": "sub-1", "resource": "me/mailFolders('Inbox')/messages", "changeType": "created,updated",
            "notificationUrl": "https://hooks.example/graph", "expirationDateTime": "2026-01-07T23:00:00Z"
        })),
        Reply::new(204),
    ]);
}

/// The five requests of [`subscriptions_on_the_wire`], the create's and the renew's bodies
/// exactly.
fn assert_subscription_requests(server: &support::ScriptedServer) {
    let requests = server.requests();
    let lines: Vec<(String, String)> = requests
        .iter()
        .map(|r| (r.method.clone(), r.target.clone()))
        .collect();
    assert_eq!(
        lines,
        [
            ("POST".into(), "/v1.0/subscriptions".into()),
            ("GET".into(), "/v1.0/subscriptions".into()),
            ("GET".into(), "/v1.0/subscriptions?$skiptoken=2".into()),
            ("PATCH".into(), "/v1.0/subscriptions/sub-1".into()),
            ("DELETE".into(), "/v1.0/subscriptions/sub-1".into()),
        ]
    );
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "changeType": "created,updated",
            "notificationUrl": "https://hooks.example/graph",
            "resource": "me/mailFolders('Inbox')/messages",
            "expirationDateTime": "2026-01-01T01:00:00Z",
            "clientState": "s3cret-state"
        })
    );
    let body: Value = serde_json::from_slice(&requests[3].body).unwrap();
    assert_eq!(body, json!({"expirationDateTime": "2026-01-07T23:00:00Z"}));
}

#[tokio::test]
async fn subscriptions_on_the_wire() {
    let (server, conn) = setup(true).await;
    push_subscription_replies(&server);
    let new = NewSubscription::new(
        "me/mailFolders('Inbox')/messages",
        "https://hooks.example/graph",
    )
    .change_type(ChangeType::Created)
    .change_type(ChangeType::Updated)
    .client_state("s3cret-state")
    .expires_in(Duration::from_secs(3600));
    assert!(!format!("{new:?}").contains("s3cret"));
    let sub = conn.change_notifications().create(&new).await.unwrap();
    assert_eq!(sub.id, "sub-1");
    assert_eq!(sub.change_types, [ChangeType::Created, ChangeType::Updated]);
    assert_eq!(sub.client_state.as_deref(), Some("s3cret-state"));
    assert!(!format!("{sub:?}").contains("s3cret"));

    let all = conn.change_notifications().list().await.unwrap();
    assert_eq!(
        all.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["sub-1", "sub-2"]
    );
    assert_eq!(all[1].change_types, [ChangeType::Deleted]);
    assert_eq!(all[1].expiration.to_rfc3339(), "2026-01-20T00:00:00+00:00");

    let renewed = conn
        .change_notifications()
        .renew(
            "sub-1",
            Some(&sub.resource),
            Duration::from_secs(10_080 * 60 - 3600),
        )
        .await
        .unwrap();
    assert_eq!(renewed.expiration.to_rfc3339(), "2026-01-07T23:00:00+00:00");
    conn.change_notifications().delete("sub-1").await.unwrap();
    assert_subscription_requests(&server);
}

#[tokio::test]
async fn bad_subscriptions_are_refused_before_anything_is_sent() {
    let (server, conn) = setup(true).await;
    let base = || NewSubscription::new("me/messages", "https://hooks.example/graph");
    let too_long = base().expires_in(Duration::from_secs(10_081 * 60));
    let err = conn
        .change_notifications()
        .create(&too_long)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("at most 10080 minutes"), "{err}");
    for bad in [
        base().expires_in(Duration::ZERO),
        base().client_state("x".repeat(129)),
        NewSubscription::new("me/messages", "not a url"),
        NewSubscription::new("", "https://hooks.example/graph"),
    ] {
        let err = conn.change_notifications().create(&bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad:?}");
    }
    let err = conn
        .change_notifications()
        .renew("sub-1", Some("users"), Duration::from_secs(41_761 * 60))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(server.requests().is_empty());

    // Without a lifetime: the resource's longest, less a minute (the clock starts at 2026-01-01).
    server.push([Reply::json(201, json!({
        "id": "s", "resource": "me/messages", "changeType": "created",
        "notificationUrl": "https://hooks.example/graph", "expirationDateTime": "2026-01-07T23:59:00Z"
    }))]);
    conn.change_notifications().create(&base()).await.unwrap();
    let body: Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    assert_eq!(body["expirationDateTime"], "2026-01-07T23:59:00Z");
    assert_eq!(body["changeType"], "created");
    assert!(body.get("clientState").is_none());
}
