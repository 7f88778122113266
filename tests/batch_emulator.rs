//! `conn.batch()` against the emulator's `$batch` route: steps reach the ordinary routes (JSON and
//! base64 bodies both ways), failed dependencies answer 424, and a step the script throttles is
//! sent again in a second `$batch` request after its Retry-After on the Connection's clock.
#![cfg(feature = "emulator")]

use std::time::Duration;

use o365::batch::{Batch, BatchResults, Handle, StepOptions, StepResponse};
use o365::clock::ManualClock;
use o365::emulator::{Emulator, StatusCode};
use o365::typed::{Collection, Request, Single};
use o365::{Body, Connection, RetryPolicy};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

async fn connection(em: &Emulator, clock: ManualClock) -> Connection {
    let conn = em
        .app_connection()
        .retry_policy(RetryPolicy::default().jitter(false))
        .clock(clock)
        .build()
        .unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    conn
}

#[derive(Debug, Deserialize)]
struct Message {
    id: String,
    subject: String,
    #[serde(rename = "isRead")]
    is_read: bool,
}

#[derive(Debug, Deserialize)]
struct Page {
    value: Vec<Message>,
}

#[tokio::test]
async fn steps_reach_the_routes_and_a_throttled_step_is_retried() {
    let em = Emulator::builder().start().await.unwrap();
    let clock = ManualClock::new();
    let conn = connection(&em, clock.clone()).await;
    let user = format!("users/{}", em.user().oid);

    let mut batch = conn.batch();
    let steps = add_the_steps(&mut batch, &conn, &user);
    em.script().throttle_next(
        1,
        &format!("/v1.0/{user}/contacts"),
        StatusCode::TOO_MANY_REQUESTS,
        Duration::from_secs(4),
    );
    let results = batch.send().await.unwrap();
    let draft = assert_each_step_answered(&results, &steps);

    // The throttled step went again, alone, after its Retry-After.
    assert_eq!(results.batches_sent(), 2);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(4)]);
    let counters = em.counters();
    assert_eq!(counters.requests("POST", "/v1.0/$batch"), 2);
    assert_eq!(
        counters.requests("GET", &format!("/v1.0/{user}/contacts")),
        2
    );
    assert_eq!(
        counters.requests("POST", &format!("/v1.0/{user}/messages")),
        1
    );
    assert_eq!(counters.throttled(), 1);
    // The draft really exists.
    let fetched: Value = conn
        .get(&format!("{user}/messages/{}", draft.id), &())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["subject"], "Batched draft");
}

/// The handles of the steps of the batch above.
struct Steps {
    list: Handle<Page>,
    created: Handle<Message>,
    put: Handle<StepResponse>,
    get_file: Handle<StepResponse>,
    missing: Handle<StepResponse>,
    after_missing: Handle<StepResponse>,
    contacts: Handle<StepResponse>,
}

/// A typed list and create, a PUT of bytes and the GET that depends on it, a missing message and
/// a step that depends on it, and the user's contacts (which the script throttles once).
fn add_the_steps(batch: &mut Batch, conn: &Connection, user: &str) -> Steps {
    let list: Request<Page, Collection> = Request::new(
        conn,
        Method::GET,
        &format!("{user}/mailFolders/inbox/messages"),
    );
    let list = batch
        .add_with(
            list.top(2).select(["subject", "isRead"]),
            StepOptions::new().id("inbox"),
        )
        .unwrap();
    let created: Request<Message, Single> =
        Request::new(conn, Method::POST, &format!("{user}/messages"));
    let created = batch
        .add(created.json(&json!({"subject": "Batched draft", "isRead": true})))
        .unwrap();
    let put = batch
        .add(
            conn.request(Method::PUT, &format!("{user}/drive/root:/b.bin:/content"))
                .body(Body::bytes(vec![0u8, 1, 2, 254, 255])),
        )
        .unwrap();
    let get_file = batch
        .add_with(
            conn.request(Method::GET, &format!("{user}/drive/root:/b.bin:/content")),
            StepOptions::new().depends_on(put.id()),
        )
        .unwrap();
    let missing = batch
        .add_with(
            conn.request(Method::GET, &format!("{user}/messages/no-such-id")),
            StepOptions::new().id("missing"),
        )
        .unwrap();
    let after_missing = batch
        .add_with(
            conn.request(Method::GET, &format!("{user}/mailFolders")),
            StepOptions::new().depends_on("missing"),
        )
        .unwrap();
    let contacts = batch
        .add(conn.request(Method::GET, &format!("{user}/contacts")))
        .unwrap();
    Steps {
        list,
        created,
        put,
        get_file,
        missing,
        after_missing,
        contacts,
    }
}

/// Each step got its route's answer: JSON and bytes both ways, a 404 and the 424 of the step
/// that depended on it, and the contacts after the retry. Returns the created draft.
fn assert_each_step_answered(results: &BatchResults, steps: &Steps) -> Message {
    let page = results.get(&steps.list).unwrap();
    assert_eq!(page.value.len(), 2);
    let draft = results.get(&steps.created).unwrap();
    assert_eq!(draft.subject, "Batched draft");
    assert!(draft.is_read);
    assert!(draft.id.starts_with("AAMkA"));
    assert_eq!(results.get(&steps.put).unwrap().status(), 201);
    let file = results.get(&steps.get_file).unwrap();
    assert_eq!(file.status(), 200);
    assert_eq!(file.body().as_ref(), [0u8, 1, 2, 254, 255]);
    let err = results
        .get(&steps.missing)
        .unwrap()
        .error_for_status()
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.graph_error().unwrap().code, "ErrorItemNotFound");
    assert_eq!(results.get(&steps.after_missing).unwrap().status(), 424);
    let contacts = results.get(&steps.contacts).unwrap();
    assert_eq!(contacts.status(), 200);
    assert!(
        !contacts.json::<Value>().unwrap()["value"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    draft
}

#[tokio::test]
async fn the_route_checks_the_batch_itself() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = connection(&em, ManualClock::new()).await;
    let post = |body: Value| {
        let conn = conn.clone();
        async move {
            let reply = conn
                .request(Method::POST, "$batch")
                .json(&body)
                .send()
                .await;
            reply.unwrap_err()
        }
    };
    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"}))
        .collect();
    let err = post(json!({ "requests": too_many })).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let err = post(json!({"requests": [
        {"id": "1", "method": "GET", "url": "/users"},
        {"id": "2", "method": "GET", "url": "/users", "dependsOn": ["9"]}
    ]}))
    .await;
    assert!(err.to_string().contains("Dependency"), "{err}");
    let err = post(json!({"requests": [
        {"id": "1", "method": "GET", "url": "/users"},
        {"id": "1", "method": "GET", "url": "/users"}
    ]}))
    .await;
    assert!(err.to_string().contains("more than once"), "{err}");
    // A body without Content-Type is refused for that step only.
    let reply: Value = conn
        .request(Method::POST, "$batch")
        .json(&json!({"requests": [
            {"id": "a", "method": "POST", "url": "/users", "body": {"x": 1}},
            {"id": "b", "method": "GET", "url": "/users?$top=1"}
        ]}))
        .send_json()
        .await
        .unwrap();
    assert_eq!(reply["responses"][0]["status"], 400);
    assert_eq!(reply["responses"][1]["status"], 200);
    assert_eq!(
        reply["responses"][1]["body"]["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
