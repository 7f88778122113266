//! Faults and their outcomes, one test each (the expected outcome is in the name). More of the
//! matrix lives beside the feature it exercises: `connection_pipeline.rs` (retries, timeouts,
//! HTML error pages), `throttle_shared.rs` (throttle windows), `identity_*.rs` (identity errors).

mod identity_common;
mod support;

use identity_common::*;
use o365::token::FileTokenBackend;
use o365::{AuthFlow, Body, ErrorKind};
use secrecy::ExposeSecret;
use serde_json::json;
use support::{Reply, ScriptedServer};

#[tokio::test]
async fn a_401_on_a_streamed_body_returns_token_expired_and_renews_for_the_next_request() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let cache = valid_cache(&env_of(&server.base), Some("rt-old"));
    let conn = seeded(&server.base, &clock, cache).await.build().unwrap();
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

/// A cache for `server` whose access token `at-old` expired at START (an hour after it was
/// cached), with the refresh token `rt-old`.
fn expired_at_start(server: &ScriptedServer) -> String {
    user_cache(
        &env_of(&server.base),
        "at-old",
        START - 3600,
        START,
        Some("rt-old"),
    )
}

/// The access token (or with `refresh`, the refresh token) `conn` holds in memory.
fn held(conn: &o365::Connection, refresh: bool) -> Option<String> {
    conn.token_store().read(|c| match refresh {
        true => c
            .get_refresh_token(None)
            .map(|t| t.secret.expose_secret().to_string()),
        false => c
            .get_access_token(None)
            .map(|t| t.secret.expose_secret().to_string()),
    })
}

/// A Connection on `server` whose token file holds an access token that expired at START and
/// the refresh token `rt-old`, and which keeps renewed tokens in memory only.
fn unsaved_refreshing(server: &ScriptedServer, path: &std::path::Path) -> o365::Connection {
    std::fs::write(path, expired_at_start(server)).unwrap();
    builder(
        &server.base,
        AuthFlow::Authorization,
        secret_app(),
        &clock(),
    )
    .token_backend(FileTokenBackend::new(path))
    .store_token_after_refresh(false)
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_rotated_refresh_token_never_saved_survives_the_reload_under_the_refresh_lock() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let conn = unsaved_refreshing(&server, &dir.path().join("o365_token.txt"));
    server.push([
        Reply::json(200, user_reply("at-2", "rt-2", None)),
        Reply::json(200, json!({"id": "me"})),
        Reply::json(200, user_reply("at-3", "rt-3", None)),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    // The renewal is in memory only; renew again (as after a 401): the file is re-read under
    // the cross-process lock, and the rotated refresh token must still be the one sent.
    conn.refresh_token().await.unwrap();
    let sent = server.requests();
    assert_eq!(field(&form(&sent[0].body), "refresh_token"), Some("rt-old"));
    assert_eq!(field(&form(&sent[2].body), "refresh_token"), Some("rt-2"));
    assert_eq!(held(&conn, false).as_deref(), Some("at-3"));
    assert!(conn.token_store().has_changed(), "still unsaved, as asked");
}

#[tokio::test]
async fn a_newer_token_saved_by_another_process_wins_over_an_older_unsaved_one() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let conn = unsaved_refreshing(&server, &path);
    server.push([
        Reply::json(200, user_reply("at-2", "rt-2", None)),
        Reply::json(200, json!({"id": "me"})),
        Reply::json(200, user_reply("at-4", "rt-4", None)),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    // Another process renewed later and saved: its cache is newer than ours.
    let theirs = user_cache(
        &env_of(&server.base),
        "at-other",
        START + 60,
        START + 3660,
        Some("rt-other"),
    );
    std::fs::write(&path, theirs).unwrap();
    conn.refresh_token().await.unwrap();
    assert_eq!(
        server.requests().len(),
        2,
        "their renewal is taken, none of ours is made"
    );
    assert_eq!(held(&conn, false).as_deref(), Some("at-other"));
    assert_eq!(held(&conn, true).as_deref(), Some("rt-other"));
}

#[tokio::test]
async fn a_sign_in_never_saved_survives_the_reload_under_the_refresh_lock_and_its_refresh_token_is_used()
 {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    // An older sign-in, saved an hour ago, whose access token ran out at START.
    let older = expired_at_start(&server);
    std::fs::write(&path, &older).unwrap();
    let conn = password_builder(&server.base, &clock, "pw-1")
        .token_backend(FileTokenBackend::new(&path))
        .build()
        .unwrap();
    server.push([
        Reply::json(200, user_reply("at-1", "rt-1", None)),
        Reply::json(200, user_reply("at-2", "rt-2", None)),
        Reply::json(200, json!({"id": "me"})),
    ]);
    // A fresh sign-in, kept in memory only (store_token = false): the file still holds the old one.
    conn.request_token_by_password(&["Mail.Read"], false)
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), older);
    // A renewal re-reads the file under the cross-process lock: the fresh sign-in must survive
    // it, and its refresh token (not the file's older one) is redeemed.
    conn.refresh_token().await.unwrap();
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();

    let sent = server.requests();
    assert_eq!(sent.len(), 3, "sign-in, renewal, Graph call");
    let sign_in = form(&sent[0].body);
    assert_eq!(field(&sign_in, "grant_type"), Some("password"));
    assert_eq!(field(&sign_in, "username"), Some(USER));
    assert_eq!(field(&sign_in, "password"), Some("pw-1"));
    let renewal = form(&sent[1].body);
    assert_eq!(
        (
            field(&renewal, "grant_type"),
            field(&renewal, "refresh_token"),
            field(&renewal, "client_id")
        ),
        (Some("refresh_token"), Some("rt-1"), Some(CLIENT)),
        "the fresh sign-in's refresh token, not the file's rt-old: {renewal:?}"
    );
    assert_eq!(sent[2].header("authorization"), Some("Bearer at-2"));
    // The renewal is saved (store_token_after_refresh defaults to true): the file now holds it.
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(
        saved.contains("\"rt-2\"") && saved.contains("\"at-2\""),
        "{saved}"
    );
    assert!(!saved.contains("\"rt-old\""), "{saved}");
}
