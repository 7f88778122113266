//! `conn.batch()` on the wire, against a scripted server: the exact `$batch` bodies (ids, relative
//! URLs, headers, JSON and base64 bodies, `dependsOn`), splitting at 20 steps, answers matched by
//! id, typed decoding and errors, and throttled steps retried in a later batch on virtual time.

mod support;

use std::time::{Duration, UNIX_EPOCH};

use o365::batch::{MAX_BATCH_STEPS, StepOptions, StepResponse};
use o365::clock::ManualClock;
use o365::protocol::Protocol;
use o365::typed::{Collection, Request, Single};
use o365::{Body, Connection, ErrorKind, RetryPolicy};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use support::{ACCESS_TOKEN, Reply, ScriptedServer};

const START: u64 = 1_767_225_600;

async fn setup() -> (ScriptedServer, Connection, ManualClock) {
    let clock = ManualClock::at(UNIX_EPOCH + Duration::from_secs(START));
    let server = ScriptedServer::start(clock.clone()).await;
    let conn = support::seeded_builder(&clock, "s3cret-value", START + 3600)
        .await
        .protocol(Protocol::graph_for_host(&server.base))
        .build()
        .unwrap();
    (server, conn, clock)
}

#[derive(Debug, Deserialize, PartialEq)]
struct Message {
    id: String,
    subject: String,
}

#[derive(Debug, Deserialize)]
struct MessagePage {
    value: Vec<Message>,
}

fn message(id: &str, subject: &str) -> Message {
    Message {
        id: id.into(),
        subject: subject.into(),
    }
}

fn batch_reply(responses: Value) -> Reply {
    Reply::json(200, json!({ "responses": responses }))
}

fn body_json(req: &support::Recorded) -> Value {
    serde_json::from_slice(&req.body).unwrap()
}

/// `sent` is the one `$batch` POST of
/// [`steps_go_on_the_wire_exactly_and_answers_match_by_id`]: its four steps exactly, with ids,
/// relative URLs, headers, JSON and base64 bodies and `dependsOn`.
fn assert_four_steps_sent(sent: &support::Recorded) {
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.target, "/v1.0/$batch");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(
        body_json(sent),
        json!({"requests": [
            {"id": "1", "method": "GET", "url": "/me?%24select=displayName"},
            {"id": "list", "method": "GET", "url": "/me/messages?%24top=2", "dependsOn": ["1"],
             "headers": {"prefer": "outlook.body-content-type=\"text\""}},
            {"id": "2", "method": "POST", "url": "/me/messages",
             "headers": {"content-type": "application/json"},
             "body": {"subject": "Hi", "isRead": false}},
            {"id": "3", "method": "PUT", "url": "/me/drive/root:/a.bin:/content",
             "dependsOn": ["list", "2"],
             "headers": {"content-type": "application/octet-stream"}, "body": "AJ+Slg=="}
        ]})
    );
}

#[tokio::test]
async fn steps_go_on_the_wire_exactly_and_answers_match_by_id() {
    let (server, conn, _) = setup().await;
    let mut batch = conn.batch();
    let me = batch
        .add(
            conn.request(Method::GET, "me")
                .query(&[("$select", "displayName")]),
        )
        .unwrap();
    let list: Request<MessagePage, Collection> = Request::new(&conn, Method::GET, "me/messages");
    let list = batch
        .add_with(
            list.top(2)
                .header("Prefer", "outlook.body-content-type=\"text\""),
            StepOptions::new().id("list").depends_on(me.id()),
        )
        .unwrap();
    let create: Request<Message, Single> = Request::new(&conn, Method::POST, "me/messages");
    let create = batch
        .add(create.json(&json!({"subject": "Hi", "isRead": false})))
        .unwrap();
    let upload = batch
        .add_with(
            conn.request(Method::PUT, "me/drive/root:/a.bin:/content")
                .body(Body::bytes(vec![0u8, 159, 146, 150])),
            StepOptions::new().depends_on("list").depends_on("2"),
        )
        .unwrap();
    assert_eq!(upload.id(), "3");
    // Answers in another order than the steps: matched by id.
    server.push([batch_reply(json!([
        {"id": "3", "status": 201, "headers": {"Content-Type": "application/json"},
         "body": {"id": "f-1", "subject": "a.bin"}},
        {"id": "list", "status": 200, "headers": {"Content-Type": "application/json"},
         "body": {"value": [{"id": "m-1", "subject": "One"}, {"id": "m-2", "subject": "Two"}]}},
        {"id": "2", "status": 201, "headers": {"Content-Type": "application/json"},
         "body": {"id": "m-3", "subject": "Hi"}},
        {"id": "1", "status": 200, "headers": {"Content-Type": "application/json"},
         "body": {"displayName": "Adele"}}
    ]))]);
    let results = batch.send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_four_steps_sent(&requests[0]);
    assert_eq!(results.len(), 4);
    assert_eq!(results.batches_sent(), 1);
    let me: StepResponse = results.get(&me).unwrap();
    assert_eq!(me.json::<Value>().unwrap(), json!({"displayName": "Adele"}));
    let page = results.get(&list).unwrap();
    assert_eq!(page.value, [message("m-1", "One"), message("m-2", "Two")]);
    assert_eq!(results.get(&create).unwrap(), message("m-3", "Hi"));
    assert_eq!(results.get(&upload).unwrap().status(), 201);
    let ids: Vec<&str> = results.iter().map(StepResponse::id).collect();
    assert_eq!(ids, ["1", "list", "2", "3"]);
}

#[tokio::test]
async fn a_failed_step_is_the_typed_error_and_binary_bodies_are_decoded() {
    let (server, conn, _) = setup().await;
    let mut batch = conn.batch();
    let get: Request<Message, Single> = Request::new(&conn, Method::GET, "me/messages/gone");
    let missing = batch.add(get).unwrap();
    let photo = batch
        .add(conn.request(Method::GET, "me/photo/$value"))
        .unwrap();
    server.push([batch_reply(json!([
        {"id": "1", "status": 404, "headers": {"Content-Type": "application/json"},
         "body": {"error": {"code": "ErrorItemNotFound", "message": "Not found.",
                            "innerError": {"request-id": "r-9"}}}},
        {"id": "2", "status": 200, "headers": {"Content-Type": "image/jpeg"}, "body": "/9j/4AAQ"}
    ]))]);
    let results = batch.send().await.unwrap();
    let err = results.get(&missing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.graph_error().unwrap().code, "ErrorItemNotFound");
    assert_eq!(err.request_id(), Some("r-9"));
    let photo = results.get(&photo).unwrap();
    assert_eq!(photo.headers()["content-type"], "image/jpeg");
    assert_eq!(photo.body().as_ref(), [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
}

/// The ids of a `$batch` body's steps, in order.
fn step_ids(body: &Value) -> Vec<String> {
    body["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A `$batch` answer of 200 `{"id": "u{i}"}` for each step id `i` of `range`.
fn user_answers(range: std::ops::RangeInclusive<u32>) -> Reply {
    let list: Vec<Value> = range
        .map(|i| json!({"id": i.to_string(), "status": 200, "body": {"id": format!("u{i}")}}))
        .collect();
    batch_reply(Value::Array(list))
}

#[tokio::test]
async fn more_than_twenty_steps_are_split_keeping_dependency_chains_together() {
    let (server, conn, _) = setup().await;
    let mut batch = conn.batch();
    for i in 1..=18 {
        batch
            .add(conn.request(Method::GET, &format!("users/u{i}")))
            .unwrap();
    }
    // 19 ← 20 ← 21 ← 22 does not fit in the first body's two free places.
    batch.add(conn.request(Method::GET, "users/u19")).unwrap();
    for i in 20..=22 {
        batch
            .add_with(
                conn.request(Method::GET, &format!("users/u{i}")),
                StepOptions::new().depends_on((i - 1).to_string()),
            )
            .unwrap();
    }
    for i in 23..=25 {
        batch
            .add(conn.request(Method::GET, &format!("users/u{i}")))
            .unwrap();
    }
    let bodies = batch.bodies().unwrap();
    let expected_first: Vec<String> = (1..=18).map(|i| i.to_string()).collect();
    let expected_second: Vec<String> = (19..=25).map(|i| i.to_string()).collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(step_ids(&bodies[0]), expected_first);
    assert_eq!(step_ids(&bodies[1]), expected_second);
    server.push([user_answers(1..=18), user_answers(19..=25)]);
    let results = batch.send().await.unwrap();
    assert_eq!(results.len(), 25);
    assert_eq!(results.batches_sent(), 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(body_json(&requests[0]), bodies[0]);
    assert_eq!(body_json(&requests[1]), bodies[1]);
    assert_eq!(
        body_json(&requests[1])["requests"][1],
        json!({"id": "20", "method": "GET", "url": "/users/u20", "dependsOn": ["19"]})
    );
    assert_eq!(
        results.response("22").unwrap().json::<Value>().unwrap(),
        json!({"id": "u22"})
    );
}

#[tokio::test]
async fn forty_independent_steps_fill_two_full_bodies() {
    let (_server, conn, _) = setup().await;
    let mut batch = conn.batch();
    for i in 0..(2 * MAX_BATCH_STEPS) {
        batch
            .add(conn.request(Method::GET, &format!("users/x{i}")))
            .unwrap();
    }
    let sizes: Vec<usize> = batch
        .bodies()
        .unwrap()
        .iter()
        .map(|b| b["requests"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [20, 20]);
}

#[tokio::test]
async fn bad_ids_and_dependencies_are_typed_errors_and_nothing_is_sent() {
    let (server, conn, _) = setup().await;
    let mut batch = conn.batch();
    batch
        .add_with(conn.request(Method::GET, "me"), StepOptions::new().id("a"))
        .unwrap();
    let err = batch
        .add_with(conn.request(Method::GET, "me"), StepOptions::new().id("a"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("already has a step with id \"a\""),
        "{err}"
    );
    let err = batch
        .add_with(
            conn.request(Method::GET, "me"),
            StepOptions::new().depends_on("nope"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("depends on \"nope\""), "{err}");
    let err = batch
        .add(conn.request(Method::GET, "https://elsewhere.example/v1.0/me"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = batch
        .add(
            conn.request(Method::POST, "me/x")
                .body(Body::stream(vec![1u8])),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(batch.len(), 1);

    // A chain of 21 cannot be split.
    let mut chain = conn.batch();
    chain.add(conn.request(Method::GET, "me")).unwrap();
    for i in 2..=21 {
        chain
            .add_with(
                conn.request(Method::GET, "me"),
                StepOptions::new().depends_on((i - 1).to_string()),
            )
            .unwrap();
    }
    let err = chain.send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("21 batch steps are linked"),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn throttled_steps_are_retried_in_a_later_batch_after_retry_after() {
    let (server, conn, clock) = setup().await;
    let mut batch = conn.batch();
    let one = batch.add(conn.request(Method::GET, "me")).unwrap();
    let two = batch.add(conn.request(Method::GET, "me/messages")).unwrap();
    let three = batch
        .add_with(
            conn.request(Method::GET, "me/events"),
            StepOptions::new().depends_on("2"),
        )
        .unwrap();
    let four = batch
        .add_with(
            conn.request(Method::GET, "me/contacts"),
            StepOptions::new().depends_on("1"),
        )
        .unwrap();
    server.push([
        batch_reply(json!([
            {"id": "1", "status": 200, "body": {"n": 1}},
            {"id": "2", "status": 429, "headers": {"Retry-After": "7"},
             "body": {"error": {"code": "TooManyRequests", "message": "slow down"}}},
            {"id": "3", "status": 424, "body": {"error": {"code": "BadRequest", "message": "Dependent request failed."}}},
            {"id": "4", "status": 503, "headers": {"Retry-After": "3"}}
        ])),
        batch_reply(json!([
            {"id": "2", "status": 200, "body": {"n": 2}},
            {"id": "3", "status": 200, "body": {"n": 3}},
            {"id": "4", "status": 200, "body": {"n": 4}}
        ])),
    ]);
    let results = batch.send().await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        body_json(&requests[1]),
        json!({"requests": [
            {"id": "2", "method": "GET", "url": "/me/messages"},
            {"id": "3", "method": "GET", "url": "/me/events", "dependsOn": ["2"]},
            {"id": "4", "method": "GET", "url": "/me/contacts"}
        ]})
    );
    // One wait, the longest Retry-After, on the Connection's clock.
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(7)]);
    assert_eq!(requests[1].at - requests[0].at, Duration::from_secs(7));
    for (handle, n) in [(&one, 1), (&two, 2), (&three, 3), (&four, 4)] {
        let value: Value = results.get(handle).unwrap().json().unwrap();
        assert_eq!(value, json!({ "n": n }));
    }
    assert_eq!(results.batches_sent(), 2);
}

#[tokio::test]
async fn a_step_still_throttled_after_the_retries_keeps_its_429() {
    let (server, conn, clock) = setup().await;
    let conn2 = support::seeded_builder(&clock, "s3cret-value", START + 3600)
        .await
        .protocol(conn.protocol().clone())
        .retry_policy(RetryPolicy::default().jitter(false).max_retries(1))
        .build()
        .unwrap();
    let throttled = || {
        batch_reply(
            json!([{"id": "1", "status": 429, "headers": {"Retry-After": "2"},
            "body": {"error": {"code": "TooManyRequests", "message": "x"}}}]),
        )
    };
    server.push([throttled(), throttled()]);
    let mut batch = conn2.batch();
    let step = batch.add(conn2.request(Method::GET, "me")).unwrap();
    let results = batch.send().await.unwrap();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
    let err = results.get(&step).unwrap().error_for_status().unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
}

#[tokio::test]
async fn debug_output_leaves_header_values_bodies_and_queries_out() {
    let (_server, conn, _) = setup().await;
    let mut batch = conn.batch();
    batch
        .add(
            conn.request(Method::POST, "me/messages")
                .query(&[("$filter", "from eq 'boss@contoso.com'")])
                .header("X-Api-Key", "key-value-1234")
                .json(&json!({"subject": "salary review"})),
        )
        .unwrap();
    let shown = format!("{batch:?}");
    for secret in ["key-value-1234", "salary", "boss@contoso.com"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("x-api-key"), "{shown}");
}
