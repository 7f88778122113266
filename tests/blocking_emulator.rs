//! `o365::blocking::Connection` against the emulator from plain (non-async) tests: raw verbs,
//! paging as an iterator, typed requests, throttling retried on the virtual clock, typed
//! errors, any future through `block_on`, and a clear error when used inside a runtime.
#![cfg(all(feature = "blocking", feature = "emulator"))]

mod emulator_support;

use std::time::Duration;

use emulator_support::Page;
use o365::clock::ManualClock;
use o365::emulator::{Emulator, StatusCode};
use o365::typed::{Collection, Request};
use o365::{ErrorKind, RetryPolicy};
use reqwest::Method;
use serde_json::{Value, json};

struct Env {
    emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
    clock: ManualClock,
    conn: o365::blocking::Connection,
}

fn env() -> Env {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::builder().start()).unwrap();
    let clock = ManualClock::new();
    let conn = emulator
        .app_connection()
        .retry_policy(RetryPolicy::default().jitter(false))
        .clock(clock.clone())
        .build()
        .unwrap();
    let conn = o365::blocking::Connection::new(conn).unwrap();
    Env {
        emulator,
        _runtime: runtime,
        clock,
        conn,
    }
}

#[test]
fn verbs_paging_typed_calls_and_errors_without_async() {
    let Env {
        emulator,
        _runtime: _keep_serving,
        clock,
        conn,
    } = env();
    let user = format!("users/{}", emulator.user().oid);
    conn.request_token_for_client(None, false).unwrap();
    a_raw_get_and_paging_as_an_iterator(&emulator, &conn, &user);
    a_typed_listing_and_a_post(&conn, &user);
    a_throttled_get_is_retried_and_a_missing_item_is_a_typed_error(&emulator, &clock, &conn, &user);

    // Anything async runs through block_on: here a batch.
    let results = conn
        .block_on(async {
            let mut batch = conn.as_async().batch();
            batch
                .add(conn.as_async().request(Method::GET, &user))
                .unwrap();
            batch.send().await
        })
        .unwrap()
        .unwrap();
    assert_eq!(results.len(), 1);
}

/// A GET of the user with `$select`, then every message of the mailbox over three pages.
fn a_raw_get_and_paging_as_an_iterator(
    emulator: &Emulator,
    conn: &o365::blocking::Connection,
    user: &str,
) {
    let me: Value = conn
        .get(user, &[("$select", "displayName")])
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["displayName"], emulator.user().name.as_str());

    let subjects: Vec<String> = conn
        .items::<Value, _>(&format!("{user}/messages"), &[("$top", "10")], None)
        .unwrap()
        .map(|m| m.unwrap()["subject"].as_str().unwrap().to_owned())
        .collect();
    let (inbox, sent, drafts) = o365::emulator::fixtures::MESSAGE_COUNTS;
    assert_eq!(subjects.len(), inbox + sent + drafts);
    assert_eq!(
        emulator
            .counters()
            .requests("GET", &format!("/v1.0/{user}/messages")),
        3
    );
}

/// A typed request of three inbox subjects, and a POST of a new message.
fn a_typed_listing_and_a_post(conn: &o365::blocking::Connection, user: &str) {
    let typed: Request<Page, Collection> = Request::new(
        conn.as_async(),
        Method::GET,
        &format!("{user}/mailFolders/inbox/messages"),
    );
    let page = conn.send(typed.top(3).select(["subject"])).unwrap();
    assert_eq!(page.value.len(), 3);
    assert!(!page.value[0].subject.is_empty());

    let created: Value = conn
        .post(
            &format!("{user}/messages"),
            json!({"subject": "From a script"}),
        )
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(created["subject"], "From a script");
}

/// Throttled once: retried after Retry-After on the Connection's (virtual) clock. A missing
/// message is a status error with Graph's code.
fn a_throttled_get_is_retried_and_a_missing_item_is_a_typed_error(
    emulator: &Emulator,
    clock: &ManualClock,
    conn: &o365::blocking::Connection,
    user: &str,
) {
    emulator.script().throttle_next(
        1,
        &format!("/v1.0/{user}/contacts"),
        StatusCode::TOO_MANY_REQUESTS,
        Duration::from_secs(3),
    );
    let contacts = conn.get(&format!("{user}/contacts"), &()).unwrap();
    assert_eq!(contacts.status(), 200);
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(3)]);

    let err = conn
        .get(&format!("{user}/messages/missing"), &())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.graph_error().unwrap().code, "ErrorItemNotFound");
}

#[test]
fn inside_a_runtime_it_is_a_config_error_not_a_panic() {
    let Env {
        conn,
        _runtime: _keep_serving,
        ..
    } = env();
    let inner = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = inner.block_on(async { conn.get("me", &()).unwrap_err() });
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("inside an async runtime"), "{err}");
    let err = inner
        .block_on(async { o365::blocking::Connection::new(conn.as_async().clone()) })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    // Dropped inside a runtime: no panic either.
    inner.block_on(async move { drop(conn) });
}
