//! Faults and their outcomes, one test each (the expected outcome is in the name). More of the
//! matrix lives beside the feature it exercises: `connection_pipeline.rs` (retries, timeouts,
//! HTML error pages), `throttle_shared.rs` (throttle windows), `identity_*.rs` (identity errors).

mod identity_common;
mod support;

use identity_common::*;
use o365::token::{MemoryTokenBackend, TokenBackend};
use o365::{AuthFlow, Body, Credentials, ErrorKind};
use secrecy::SecretString;
use serde_json::json;
use support::{Reply, ScriptedServer};

#[tokio::test]
async fn a_401_on_a_streamed_body_returns_token_expired_and_renews_for_the_next_request() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let backend = MemoryTokenBackend::new();
    let cache = user_cache(
        &env_of(&server.base),
        "at-old",
        START - 600,
        START + 3000,
        Some("rt-old"),
    );
    backend.save(SecretString::from(cache)).await.unwrap();
    let conn = builder(
        &server.base,
        AuthFlow::Authorization,
        Credentials::client_secret(CLIENT, SECRET),
        &clock,
    )
    .token_backend(backend)
    .build()
    .unwrap();
    server.push([
        Reply::json(401, json!({"error": {"code": "InvalidAuthenticationToken", "message": "Lifetime validation failed"}})),
        Reply::json(200, user_reply("at-new", "rt-new", None)),
        Reply::json(200, json!({"id": "me"})),
    ]);
    let chunks =
        futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"chunk"))]);
    let body = Body::stream(reqwest::Body::wrap_stream(chunks));
    let err = conn
        .request(
            reqwest::Method::PUT,
            &server.url("/v1.0/me/drive/root:/a.txt:/content"),
        )
        .body(body)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert_eq!(err.kind(), ErrorKind::TokenExpired);
    assert!(err.is_token_expired());

    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let sent = server.requests();
    let auth: Vec<Option<&str>> = sent.iter().map(|r| r.header("authorization")).collect();
    assert_eq!(auth, [Some("Bearer at-old"), None, Some("Bearer at-new")]);
}
