//! The refresh policy: proactive and reactive renewal, single flight across 256 concurrent
//! requests, and two processes sharing one token file.

mod identity_common;
mod support;

use std::time::Duration;

use httpmock::Method::POST;
use httpmock::MockServer;
use identity_common::*;
use o365::token::{FileTokenBackend, TokenBackend};
use o365::{Connection, ErrorKind};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use support::{Reply, ScriptedServer};

/// A cache for `env` with the access token `at-old` (cached at `cached_at`, expiring at
/// `expires_on`) and the refresh token `rt-old`.
fn old_cache(env: &str, cached_at: u64, expires_on: u64) -> String {
    user_cache(env, "at-old", cached_at, expires_on, Some("rt-old"))
}

async fn seeded_memory(
    authority: &str,
    env: &str,
    clock: &o365::clock::ManualClock,
    cached_at: u64,
    expires_on: u64,
) -> Connection {
    seeded(authority, clock, old_cache(env, cached_at, expires_on))
        .await
        .build()
        .unwrap()
}

/// A Connection against the mock `server` whose access token expired a second before START.
async fn just_expired(server: &MockServer) -> Connection {
    let clock = clock();
    let base = server.base_url();
    seeded_memory(&base, &env_of(&base), &clock, START - 3600, START - 1).await
}

/// A scripted server and a Connection against it whose [`old_cache`] was cached at `cached_at`
/// and expires at `expires_on`.
async fn scripted(
    cached_at: u64,
    expires_on: u64,
) -> (o365::clock::ManualClock, ScriptedServer, Connection) {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let env = env_of(&server.base);
    let conn = seeded_memory(&server.base, &env, &clock, cached_at, expires_on).await;
    (clock, server, conn)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_with_an_expired_token_share_one_refresh() {
    let server = MockServer::start_async().await;
    let token = mock_refresh(&server, &[], Duration::ZERO).await;
    let api = mock_get(&server, "/v1.0/me", "at-new", json!({"id": "me"})).await;
    let conn = just_expired(&server).await;
    gets_all_ok(&conn, &server.url("/v1.0/me"), 256).await;
    assert_eq!(token.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 256);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_waiters_get_the_same_failure() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/{TENANT}/oauth2/v2.0/token"));
            then.status(400)
                .json_body(oauth_error(
                    "invalid_grant",
                    "AADSTS50173: The provided grant has expired due to it being revoked.",
                    50173,
                ))
                .delay(Duration::from_millis(200));
        })
        .await;
    let conn = just_expired(&server).await;
    let url = server.url("/v1.0/me");
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (conn, url) = (conn.clone(), url.clone());
            tokio::spawn(async move { conn.get(&url, &()).await.unwrap_err() })
        })
        .collect();
    for task in tasks {
        let err = task.await.unwrap();
        assert_eq!(
            err.oauth_error().map(|e| e.aadsts()),
            Some(Some(50173)),
            "{err}"
        );
    }
    assert_eq!(token.calls_async().await, 1);
    // A later request tries again (the failure is not cached forever).
    conn.get(&url, &()).await.unwrap_err();
    assert_eq!(token.calls_async().await, 2);
}

#[tokio::test]
async fn a_token_near_expiry_is_renewed_before_sending() {
    // One hour lifetime, four minutes left: inside the 5-minute margin.
    let (clock, server, conn) = scripted(START - 3360, START + 240).await;
    server.push([
        Reply::json(200, user_reply("at-new", "rt-new", None)),
        Reply::json(200, json!({})),
        Reply::json(200, json!({})),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let reqs = server.requests();
    assert_eq!(
        field(&form(&reqs[0].body), "grant_type"),
        Some("refresh_token")
    );
    assert_eq!(reqs[1].header("authorization"), Some("Bearer at-new"));
    assert_eq!(reqs[2].header("authorization"), Some("Bearer at-new"));
    assert_eq!(reqs.len(), 3);

    // With a 1-minute margin the same token is used as is.
    let clock2 = clock.clone();
    let server2 = ScriptedServer::start(clock2.clone()).await;
    let cache = old_cache(&env_of(&server2.base), START - 3360, START + 240);
    let relaxed = seeded(&server2.base, &clock2, cache)
        .await
        .refresh_margin(Duration::from_secs(60))
        .build()
        .unwrap();
    server2.push([Reply::json(200, json!({}))]);
    relaxed.get(&server2.url("/v1.0/me"), &()).await.unwrap();
    assert_eq!(
        server2.requests()[0].header("authorization"),
        Some("Bearer at-old")
    );
}

#[tokio::test]
async fn short_lived_tokens_are_not_renewed_on_every_request() {
    // 60-second lifetime, 40 s left: more than half its life remains.
    let (_, server, conn) = scripted(START - 20, START + 40).await;
    server.push([Reply::json(200, json!({}))]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer at-old")
    );
}

fn graph_403(code: &str, message: &str) -> Reply {
    Reply::json(403, json!({"error": {"code": code, "message": message}}))
}

#[tokio::test]
async fn rejections_renew_once_and_only_for_token_problems() {
    let (_, server, conn) = scripted(START - 600, START + 3000).await;
    // A 403 about the token: renew and retry.
    server.push([
        graph_403(
            "InvalidAuthenticationToken",
            "Access token validation failure.",
        ),
        Reply::json(200, user_reply("at-2", "rt-2", None)),
        Reply::json(200, json!({"ok": 1})),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    // 403 "No authorization information present" (python-o365 #1174) too.
    server.push([
        graph_403(
            "UnknownError",
            "No authorization information present on the request.",
        ),
        Reply::json(200, user_reply("at-3", "rt-3", None)),
        Reply::json(200, json!({"ok": 2})),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    // A permission 403 with a valid token is reported without renewing.
    server.push([graph_403("ErrorAccessDenied", "Access is denied.")]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::FORBIDDEN));
    assert_eq!(err.graph_error().unwrap().code, "ErrorAccessDenied");
    // A 401 renews once; a second 401 after that is returned, no loop.
    server.push([
        Reply::json(401, json!({"error": {"code": "InvalidAuthenticationToken", "message": "CompactToken validation failed"}})),
        Reply::json(200, user_reply("at-4", "rt-4", None)),
        Reply::json(401, json!({"error": {"code": "InvalidAuthenticationToken", "message": "CompactToken validation failed"}})),
    ]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    assert_eq!(err.kind(), ErrorKind::Status);

    let reqs = server.requests();
    let auth: Vec<Option<&str>> = reqs.iter().map(|r| r.header("authorization")).collect();
    assert_eq!(
        auth,
        [
            Some("Bearer at-old"),
            None,
            Some("Bearer at-2"),
            Some("Bearer at-2"),
            None,
            Some("Bearer at-3"),
            Some("Bearer at-3"),
            Some("Bearer at-3"),
            None,
            Some("Bearer at-4"),
        ]
    );
    assert_eq!(field(&form(&reqs[4].body), "refresh_token"), Some("rt-2"));
    assert_eq!(field(&form(&reqs[8].body), "refresh_token"), Some("rt-3"));
}

#[tokio::test]
async fn accounts_are_selected_by_username() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let conn = password_builder(&server.base, &clock, "pw")
        .build()
        .unwrap();
    let mut second = user_reply("at-b", "rt-b", None);
    second["id_token"] = json!(jwt(
        json!({"oid": "oid-2", "tid": "tid-1", "sub": "s2", "preferred_username": "bob@contoso.test"})
    ));
    second["client_info"] = json!(base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        json!({"uid": "oid-2", "utid": "tid-1"}).to_string()
    ));
    server.push([
        Reply::json(200, user_reply("at-a", "rt-a", None)),
        Reply::json(200, second),
        Reply::json(200, json!({})),
        Reply::json(200, json!({})),
    ]);
    conn.request_token_by_password(&["Mail.Read"], false)
        .await
        .unwrap();
    conn.set_username(Some("bob@contoso.test".into()));
    conn.request_token_by_password(&["Mail.Read"], false)
        .await
        .unwrap();
    assert_eq!(conn.token_store().read(|c| c.get_all_accounts().len()), 2);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    conn.set_username(Some(USER.into()));
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let reqs = server.requests();
    assert_eq!(
        reqs[1].header("x-anchormailbox"),
        Some("upn:bob@contoso.test")
    );
    assert_eq!(reqs[2].header("authorization"), Some("Bearer at-b"));
    assert_eq!(reqs[3].header("authorization"), Some("Bearer at-a"));
}

const CHILD_ENV: &str = "O365_IDENTITY_CHILD";

/// Child mode of `two_processes_sharing_a_token_file_refresh_once`: one process of the pair.
#[tokio::test]
#[ignore = "run as a child process by two_processes_sharing_a_token_file_refresh_once"]
async fn child_process_uses_the_shared_token_file() {
    let spec = std::env::var(CHILD_ENV)
        .expect("started by two_processes_sharing_a_token_file_refresh_once");
    let (authority, path) = spec.split_once('|').unwrap();
    let conn = live_builder(authority, Duration::ZERO)
        .token_backend(FileTokenBackend::new(path))
        .build()
        .unwrap();
    let reply = conn
        .get(&format!("{authority}/v1.0/me"), &())
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sharing_a_token_file_refresh_once() {
    let server = MockServer::start_async().await;
    let token = mock_refresh(
        &server,
        &[("refresh_token", "rt-old")],
        Duration::from_millis(300),
    )
    .await;
    let api = mock_get(&server, "/v1.0/me", "at-new", json!({"id": "me"})).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let env = env_of(&server.base_url());
    FileTokenBackend::new(&path)
        .save(SecretString::from(expired_cache(&env, now_secs())))
        .await
        .unwrap();
    let spec = format!("{}|{}", server.base_url(), path.display());
    run_child_tests(
        "child_process_uses_the_shared_token_file",
        vec![vec![(CHILD_ENV, spec)]; 2],
    )
    .await;
    assert_eq!(
        token.calls_async().await,
        1,
        "one refresh for both processes"
    );
    assert_eq!(api.calls_async().await, 2);
    let saved = FileTokenBackend::new(&path).load().await.unwrap().unwrap();
    assert!(saved.expose_secret().contains("\"rt-new\""));
    assert!(saved.expose_secret().contains("\"at-new\""));
    assert!(!saved.expose_secret().contains("rt-old"));
}

/// The pipeline remembers the token it attached last; every change of the cache, of the
/// selected account and of the clock must still be seen by the next request.
#[tokio::test]
async fn the_attached_token_follows_the_cache_the_selected_account_and_the_clock() {
    let (clock, server, conn) = scripted(START, START + 3600).await;
    let env = env_of(&server.base);
    let me = server.url("/v1.0/me");
    server.push([Reply::json(200, json!({})), Reply::json(200, json!({}))]);
    conn.get(&me, &()).await.unwrap();
    conn.get(&me, &()).await.unwrap();

    // Another sign-in was saved (by another process) and is loaded: the next request carries it.
    let two = user_cache(&env, "at-two", START, START + 3600, Some("rt-two"));
    let backend = conn.token_store().backend().clone();
    backend.save(SecretString::from(two)).await.unwrap();
    conn.load_token_from_backend().await.unwrap();
    server.push([Reply::json(200, json!({}))]);
    conn.get(&me, &()).await.unwrap();

    // An account without a token of its own is selected: the last token is not attached for it.
    conn.set_username(Some("someone-else@contoso.test".into()));
    let err = conn.get(&me, &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAuthenticated);
    conn.set_username(None);

    // Inside the refresh margin (5 minutes before expiry) the token is renewed before use.
    clock.advance(Duration::from_secs(3600 - 299));
    server.push([
        Reply::json(200, user_reply("at-new", "rt-new", None)),
        Reply::json(200, json!({})),
    ]);
    conn.get(&me, &()).await.unwrap();

    let requests = server.requests();
    let sent: Vec<_> = requests
        .iter()
        .map(|r| (r.target.as_str(), r.header("authorization")))
        .collect();
    let token_path = format!("/{TENANT}/oauth2/v2.0/token");
    assert_eq!(
        sent,
        [
            ("/v1.0/me", Some("Bearer at-old")),
            ("/v1.0/me", Some("Bearer at-old")),
            ("/v1.0/me", Some("Bearer at-two")),
            (token_path.as_str(), None),
            ("/v1.0/me", Some("Bearer at-new")),
        ]
    );
    assert_eq!(
        field(&form(&requests[3].body), "refresh_token"),
        Some("rt-two")
    );
}
