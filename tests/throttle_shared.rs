//! Shared throttle state: after a 429/503 with `Retry-After`, every request of the Connection to
//! that host (all clones, all tasks) waits out the window instead of collecting its own 429.
//! The scripted server stamps each request with the test's virtual clock.

mod generated_support;
mod support;

use std::time::{Duration, UNIX_EPOCH};

use futures_util::future::join_all;
use generated_support::{START, setup_with};
use o365::RetryPolicy;
use serde_json::json;
use support::Reply;

const WINDOW: Duration = Duration::from_secs(7);

#[tokio::test]
async fn after_a_429_no_sibling_request_arrives_inside_the_window() {
    let (server, conn) = setup_with(true, RetryPolicy::none()).await;
    server.push([Reply::json(
        429,
        json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
    )
    .header("Retry-After", "7")]);
    server.fallback(Reply::json(200, json!({"value": []})));

    let err = conn.get("me/messages", &()).await.unwrap_err();
    assert!(err.is_throttled());
    let tasks = (0..8).map(|i| {
        let conn = conn.clone();
        tokio::spawn(async move { conn.get(&format!("me/messages/{i}"), &()).await.map(|_| ()) })
    });
    for result in join_all(tasks).await {
        result.unwrap().unwrap();
    }

    let sent = server.requests();
    assert_eq!(sent.len(), 9);
    let inside: Vec<_> = sent[1..].iter().filter(|r| r.at < WINDOW).collect();
    assert!(inside.is_empty(), "requests inside the window: {inside:?}");
}

#[tokio::test]
async fn a_503_with_an_http_date_pauses_siblings_until_that_date() {
    let (server, conn) = setup_with(true, RetryPolicy::none()).await;
    let until = UNIX_EPOCH + Duration::from_secs(START) + WINDOW;
    server.push([Reply::new(503).header("Retry-After", &httpdate::fmt_http_date(until))]);
    server.fallback(Reply::json(200, json!({"id": "x"})));

    let err = conn.get("me", &()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    let sibling = conn.clone();
    let (a, b) = tokio::join!(conn.get("me/drive", &()), sibling.get("me", &()));
    a.unwrap();
    b.unwrap();
    let sent = server.requests();
    assert_eq!(sent.len(), 3);
    assert!(sent[1..].iter().all(|r| r.at >= WINDOW), "{sent:?}");
}

#[tokio::test]
async fn a_429_without_retry_after_does_not_hold_siblings_back() {
    let (server, conn) = setup_with(true, RetryPolicy::none()).await;
    server.push([Reply::new(429)]);
    server.fallback(Reply::json(200, json!({"id": "x"})));
    assert!(conn.get("me", &()).await.unwrap_err().is_throttled());
    conn.get("me", &()).await.unwrap();
    assert_eq!(server.requests()[1].at, Duration::ZERO);
}

#[tokio::test]
async fn without_waiting_on_throttling_the_429_comes_back_at_once_and_holds_nobody_back() {
    let policy = RetryPolicy::default().jitter(false).wait_on_throttle(false);
    let (server, conn) = setup_with(true, policy).await;
    server.push([
        Reply::json(
            429,
            json!({"error": {"code": "TooManyRequests", "message": "slow down"}}),
        )
        .header("Retry-After", "7"),
        // Other failures are still retried (after the 500 ms back-off).
        Reply::new(500),
    ]);
    server.fallback(Reply::json(200, json!({"value": []})));

    let err = conn.get("me/messages", &()).await.unwrap_err();
    assert!(err.is_throttled(), "{err}");
    assert_eq!(err.retry_after(), Some(WINDOW));
    assert_eq!(
        err.graph_error().map(|g| g.message.as_str()),
        Some("slow down")
    );
    conn.get("me/messages", &()).await.unwrap();

    let sent = server.requests();
    let at: Vec<_> = sent.iter().map(|r| r.at).collect();
    assert_eq!(
        at,
        [Duration::ZERO, Duration::ZERO, Duration::from_millis(500)],
        "no wait after the 429, nor a window for the next request; the 500 retried"
    );
}
