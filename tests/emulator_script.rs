//! Contract tests of the emulator's scripted faults and counters.
#![cfg(feature = "emulator")]

mod emulator_support;

use std::time::Duration;

use emulator_support::{app_token, get, http, user_token};
use o365::emulator::{Emulator, GRAPH_PATHS, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn throttle_next_answers_429_with_retry_after_then_succeeds() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    em.script().throttle_next(
        1,
        "/v1.0/me/messages",
        StatusCode::TOO_MANY_REQUESTS,
        Duration::from_secs(3),
    );
    assert_eq!(get(&em, "me", &token).await.0, StatusCode::OK);
    let response = http()
        .get(format!("{}me/messages", em.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "3");
    assert!(response.headers().contains_key("request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert_eq!(get(&em, "me/messages", &token).await.0, StatusCode::OK);
    let counters = em.counters();
    assert_eq!(
        (
            counters.throttled(),
            counters.requests("GET", "/v1.0/me/messages"),
            counters.graph_requests()
        ),
        (1, 2, 3)
    );
}

#[tokio::test]
async fn throttle_every_nth_graph_request_with_503() {
    let em = Emulator::builder().start().await.unwrap();
    let token = app_token(&em).await;
    em.script()
        .throttle_every(3, StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(1));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get(&em, "users", &token).await.0.as_u16());
    }
    assert_eq!(statuses, [200, 200, 503, 200, 200, 503]);
    em.script().clear();
    assert_eq!(get(&em, "users", &token).await.0, StatusCode::OK);
    assert_eq!(em.counters().throttled(), 2);
}

#[tokio::test]
async fn dropped_connections_fail_the_request_and_the_next_one_succeeds() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    em.script().drop_next(1, GRAPH_PATHS);
    let err = http()
        .get(format!("{}me", em.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_timeout() && !err.is_status(), "{err}");
    assert_eq!(get(&em, "me", &token).await.0, StatusCode::OK);
    assert_eq!(em.counters().dropped(), 1);
}

#[tokio::test]
async fn delayed_responses_trip_a_client_timeout() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    em.script().delay_next(1, "/", Duration::from_millis(400));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let err = client
        .get(format!("{}me", em.graph_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(
        client
            .get(format!("{}me", em.graph_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn counters_record_paths_grants_and_the_last_headers() {
    let em = Emulator::builder().start().await.unwrap();
    let token = app_token(&em).await;
    http()
        .get(format!("{}users", em.graph_url()))
        .bearer_auth(&token)
        .header("x-test-marker", "42")
        .send()
        .await
        .unwrap();
    let counters = em.counters();
    assert_eq!(counters.token_requests("client_credentials"), 1);
    assert_eq!(counters.requests("POST", "/common/oauth2/v2.0/token"), 1);
    assert_eq!(counters.requests("GET", "/v1.0/users"), 1);
    assert_eq!(counters.total_requests(), 2);
    assert_eq!(
        counters.last_request_headers().unwrap()["x-test-marker"],
        "42"
    );
    em.reset_counters();
    assert_eq!(em.counters().total_requests(), 0);
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let em = Emulator::builder().start().await.unwrap();
    let url = em.graph_url();
    em.shutdown().await;
    assert!(http().get(url).send().await.unwrap_err().is_connect());
}
