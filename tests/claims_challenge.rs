//! Continuous access evaluation: the `cp1` capability on token requests, a 401 claims challenge
//! answered with a token carrying the claims and one retry, and the typed challenge error when
//! only the user can satisfy it.

mod identity_common;
mod support;

use base64::Engine;
use identity_common::*;
use o365::token::{MemoryTokenBackend, TokenBackend};
use o365::{AuthFlowType, Credentials, ErrorKind};
use secrecy::SecretString;
use serde_json::json;
use support::{Reply, ScriptedServer};

const CLAIMS: &str = r#"{"access_token":{"nbf":{"essential":true,"value":"1767225000"}}}"#;
const MERGED: &str = r#"{"access_token":{"nbf":{"essential":true,"value":"1767225000"},"xms_cc":{"values":["cp1"]}}}"#;

fn challenge() -> Reply {
    let claims = base64::engine::general_purpose::STANDARD.encode(CLAIMS);
    Reply::json(401, json!({"error": {"code": "InvalidAuthenticationToken", "message": "Continuous access evaluation resulted in challenge"}}))
        .header(
            "WWW-Authenticate",
            &format!(r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="{claims}""#),
        )
}

async fn connection(server: &ScriptedServer, refresh: Option<&str>) -> o365::Connection {
    let clock = clock();
    let backend = MemoryTokenBackend::new();
    let cache = user_cache(
        &env_of(&server.base),
        "at-old",
        START - 600,
        START + 3000,
        refresh,
    );
    backend.save(SecretString::from(cache)).await.unwrap();
    builder(
        &server.base,
        AuthFlowType::Authorization,
        Credentials::client_secret(CLIENT, SECRET),
        &clock,
    )
    .token_backend(backend)
    .client_capabilities(["cp1"])
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_claims_challenge_gets_a_token_with_the_claims_and_one_retry() {
    let clock = clock();
    let server = ScriptedServer::start(clock).await;
    let conn = connection(&server, Some("rt-old")).await;
    server.push([
        challenge(),
        Reply::json(200, user_reply("at-claims", "rt-2", None)),
        Reply::json(200, json!({"id": "me"})),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let token = form(&reqs[1].body);
    assert_eq!(field(&token, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&token, "refresh_token"), Some("rt-old"));
    assert_eq!(field(&token, "claims"), Some(MERGED));
    assert_eq!(reqs[2].header("authorization"), Some("Bearer at-claims"));
}

#[tokio::test]
async fn every_token_request_declares_the_capability() {
    let clock = clock();
    let server = ScriptedServer::start(clock).await;
    let conn = connection(&server, Some("rt-old")).await;
    server.push([Reply::json(200, user_reply("at-2", "rt-2", None))]);
    conn.renew_token().await.unwrap();
    let token = form(&server.requests()[0].body);
    assert_eq!(
        field(&token, "claims"),
        Some(r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#)
    );
}

#[tokio::test]
async fn without_a_refresh_token_the_caller_gets_the_challenge() {
    let clock = clock();
    let server = ScriptedServer::start(clock).await;
    let conn = connection(&server, None).await;
    server.push([challenge()]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ClaimsChallenge);
    assert_eq!(err.claims_challenge(), Some(CLAIMS));
    assert_eq!(
        server.requests().len(),
        1,
        "no token request without a refresh token"
    );
}

#[tokio::test]
async fn interaction_required_and_a_second_challenge_are_the_typed_challenge() {
    let clock = clock();
    let server = ScriptedServer::start(clock).await;
    let conn = connection(&server, Some("rt-old")).await;
    server.push([
        challenge(),
        Reply::json(
            400,
            oauth_error("interaction_required", "AADSTS50079: MFA required.", 50079),
        ),
    ]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ClaimsChallenge);
    assert_eq!(err.claims_challenge(), Some(CLAIMS));
    assert_eq!(
        err.oauth_error().map(|e| e.code.as_str()),
        Some("interaction_required")
    );

    server.push([
        challenge(),
        Reply::json(200, user_reply("at-claims", "rt-2", None)),
        challenge(),
    ]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ClaimsChallenge);
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert_eq!(
        server.requests().len(),
        5,
        "one token request, one retry, no loop"
    );
}

/// End to end against the emulator: it challenges, the app-only Connection gets a token with
/// the claims (and its `cp1` capability) and the retried request succeeds.
#[cfg(feature = "emulator")]
#[tokio::test]
async fn the_emulator_challenges_and_the_connection_answers_with_the_claims() {
    use o365::emulator::{Emulator, GRAPH_PATHS};
    let em = Emulator::builder().start().await.unwrap();
    let conn = em
        .app_connection()
        .client_capabilities(["cp1"])
        .build()
        .unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    em.script().claims_challenge_next(1, GRAPH_PATHS);
    let oid = em.user().oid.clone();
    let reply = conn.get(&format!("users/{oid}"), &()).await.unwrap();
    assert_eq!(reply.status(), 200);
    let counters = em.counters();
    assert_eq!(counters.token_requests("client_credentials"), 2);
    let claims: Vec<serde_json::Value> = counters
        .token_claims()
        .iter()
        .map(|c| serde_json::from_str(c).unwrap())
        .collect();
    assert_eq!(
        claims.len(),
        2,
        "both token requests declare the capability"
    );
    assert_eq!(
        claims[0],
        json!({"access_token": {"xms_cc": {"values": ["cp1"]}}})
    );
    assert_eq!(
        claims[1]["access_token"]["xms_cc"]["values"],
        json!(["cp1"])
    );
    assert_eq!(claims[1]["access_token"]["nbf"]["essential"], true);
    assert_eq!(counters.graph_requests(), 2);
}
