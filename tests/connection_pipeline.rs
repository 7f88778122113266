//! The request pipeline on the wire: headers, bodies, auth, pacing, retries, errors.

mod support;

use std::time::{Duration, UNIX_EPOCH};

use futures_util::{StreamExt, TryStreamExt};
use o365::clock::ManualClock;
use o365::token::MemoryTokenBackend;
use o365::{
    Body, Connection, ConnectionBuilder, Credentials, ErrorKind, Json, ProxyConfig, RequestOptions,
    RetryPolicy,
};
use reqwest::Method;
use serde_json::json;
use support::{ACCESS_TOKEN, Reply, ScriptedServer};

/// 2026-01-01T00:00:00Z, the start of every test's virtual clock.
const START: u64 = 1_767_225_600;

fn clock() -> ManualClock {
    ManualClock::at(UNIX_EPOCH + Duration::from_secs(START))
}

/// A Connection on `clock` whose cached token expires an hour after START, with no pacing and
/// jitter-free retries unless `tune` changes that.
async fn connection(
    clock: &ManualClock,
    token_expires_on: u64,
    tune: impl FnOnce(ConnectionBuilder) -> ConnectionBuilder,
) -> Connection {
    let builder = support::seeded_builder(clock, "s3cret-value", token_expires_on).await;
    tune(builder).build().unwrap()
}

/// A clock, a scripted server on it and a Connection (see `connection`) whose token is valid for
/// the hour, tuned by `tune`.
async fn started(
    tune: impl FnOnce(ConnectionBuilder) -> ConnectionBuilder,
) -> (ManualClock, ScriptedServer, Connection) {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let conn = connection(&clock, START + 3600, tune).await;
    (clock, server, conn)
}

/// `started` with two default headers.
async fn setup() -> (ManualClock, ScriptedServer, Connection) {
    started(|b| {
        b.default_header("Prefer", "IdType=\"ImmutableId\"")
            .default_header("X-Team", "o365")
    })
    .await
}

fn graph_error(code: &str, message: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": message,
        "innerError": {"code": "inner-code", "request-id": "req-42", "date": "2026-01-01T00:00:00"}}})
}

#[tokio::test]
async fn get_sends_bearer_default_headers_and_encoded_query() {
    let (_, server, conn) = setup().await;
    server.push([Reply::json(200, json!({"displayName": "Adele"}))]);
    let params = [("$filter", "subject eq 'a b'"), ("$top", "5")];
    let reply = conn.get(&server.url("/v1.0/me"), &params).await.unwrap();
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(body["displayName"], "Adele");

    let req = &server.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.target,
        "/v1.0/me?%24filter=subject+eq+%27a+b%27&%24top=5"
    );
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(req.header("prefer"), Some("IdType=\"ImmutableId\""));
    assert_eq!(req.header("x-team"), Some("o365"));
    assert!(req.header("user-agent").unwrap().starts_with("o365-rust/"));
    assert_eq!(req.header("content-type"), None);
}

#[tokio::test]
async fn json_text_and_byte_bodies_are_sent_as_given() {
    let (_, server, conn) = setup().await;
    server.fallback(Reply::new(202));
    conn.post(
        &server.url("/v1.0/me/sendMail"),
        Json(json!({"message": {"subject": "Hi ☃"}})),
    )
    .await
    .unwrap();
    conn.request(Method::POST, &server.url("/v1.0/raw"))
        .header("Content-Type", "text/csv")
        .body("a,b\n1,2")
        .send()
        .await
        .unwrap();
    conn.put(&server.url("/v1.0/blob"), vec![0u8, 159, 146, 150])
        .await
        .unwrap();
    conn.patch(&server.url("/v1.0/plain"), "raw").await.unwrap();

    let reqs = server.requests();
    assert_eq!(reqs[0].header("content-type"), Some("application/json"));
    assert_eq!(reqs[0].body_text(), r#"{"message":{"subject":"Hi ☃"}}"#);
    assert_eq!(reqs[1].header("content-type"), Some("text/csv"));
    assert_eq!(reqs[1].body_text(), "a,b\n1,2");
    assert_eq!(
        reqs[2].header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(reqs[2].body, vec![0u8, 159, 146, 150]);
    assert_eq!(reqs[3].body_text(), "raw", "strings are not JSON-quoted");
    assert_eq!(
        reqs[3].header("content-type"),
        Some("text/plain; charset=utf-8")
    );
}

#[tokio::test]
async fn prefer_is_joined_once_on_every_attempt() {
    let (clock, server, conn) = setup().await;
    server.push([
        Reply::new(429).header("Retry-After", "2"),
        Reply::new(503).header("Retry-After", "1"),
        Reply::json(200, json!({})),
    ]);
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("prefer", "outlook.timezone=\"UTC\"".parse().unwrap());
    let options = RequestOptions {
        headers: headers.clone(),
        ..Default::default()
    };
    conn.oauth_request(&server.url("/v1.0/me/events"), Method::GET, options)
        .await
        .unwrap();

    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    for req in &reqs {
        assert_eq!(
            req.header("prefer"),
            Some("outlook.timezone=\"UTC\", IdType=\"ImmutableId\"")
        );
    }
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(2), Duration::from_secs(1)]
    );
    assert_eq!(headers.len(), 1, "caller headers untouched");
}

#[tokio::test]
async fn throttled_post_is_retried_after_http_date() {
    let (clock, server, conn) = setup().await;
    let at = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(START + 7));
    server.push([Reply::new(429).header("Retry-After", &at), Reply::new(202)]);
    let reply = conn
        .post(&server.url("/v1.0/me/sendMail"), Json(json!({})))
        .await
        .unwrap();
    assert_eq!(reply.status(), 202);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
}

#[tokio::test]
async fn server_errors_are_retried_only_for_idempotent_methods() {
    let (clock, server, conn) = setup().await;
    server.fallback(Reply::json(500, graph_error("generalException", "boom")));
    let err = conn
        .post(&server.url("/v1.0/x"), Json(json!({})))
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(reqwest::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert_eq!(server.requests().len(), 1, "POST is not retried on 500");
    let err = conn.get(&server.url("/v1.0/x"), &()).await.unwrap_err();
    assert_eq!(server.requests().len(), 5, "GET: 1 attempt + 3 retries");
    assert_eq!(err.graph_error().unwrap().message, "boom");
    let backoffs: Vec<u128> = clock.sleeps().iter().map(Duration::as_millis).collect();
    assert_eq!(backoffs, [500, 1000, 2000]);
}

#[tokio::test]
async fn exhausted_retries_give_the_typed_graph_error() {
    let (_, server, conn) = setup().await;
    server.fallback(
        Reply::json(503, graph_error("serviceNotAvailable", "Try later"))
            .header("Retry-After", "1"),
    );
    let err = conn
        .delete(&server.url("/v1.0/me/messages/1"))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 4);
    assert_eq!(err.kind(), ErrorKind::Status);
    assert!(err.is_throttled());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    let graph = err.graph_error().unwrap();
    assert_eq!(
        (graph.code.as_str(), graph.message.as_str()),
        ("serviceNotAvailable", "Try later")
    );
    assert_eq!(err.request_id(), Some("req-42"));
    assert!(err.to_string().contains("Try later"), "{err}");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_or_budget_is_not_waited_for() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let policy = RetryPolicy::default()
        .max_delay(Duration::from_secs(30))
        .max_total_wait(Duration::from_secs(50));
    let conn = connection(&clock, START + 3600, |b| {
        b.retry_policy(policy.jitter(false))
    })
    .await;
    server.push([Reply::new(429).header("Retry-After", "3600")]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(server.requests().len(), 1);

    server.fallback(Reply::new(429).header("Retry-After", "20"));
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(
        server.requests().len(),
        1 + 3,
        "20 s + 20 s fit in 50 s, a third wait does not"
    );
    assert!(clock.sleeps().iter().sum::<Duration>() <= Duration::from_secs(50));
}

#[tokio::test]
async fn raise_http_errors_false_returns_the_reply() {
    let (_, server, conn) = started(|b| b.raise_http_errors(false)).await;
    server.push([Reply::json(404, graph_error("ErrorItemNotFound", "gone"))]);
    let reply = conn
        .get(&server.url("/v1.0/me/messages/x"), &())
        .await
        .unwrap();
    assert_eq!(reply.status(), 404);
    let err = reply.error_for_status().await.unwrap_err();
    assert_eq!(err.graph_error().unwrap().code, "ErrorItemNotFound");
}

#[tokio::test]
async fn html_error_pages_still_give_status_and_excerpt() {
    let (_, server, conn) = setup().await;
    server.push([Reply::new(502)
        .header("content-type", "text/html")
        .body("<html><body><h1>502 Bad Gateway</h1></body></html>")]);
    let err = conn.post(&server.url("/v1.0/x"), ()).await.unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::BAD_GATEWAY));
    assert!(err.graph_error().is_none());
    assert_eq!(
        err.body_excerpt(),
        Some("<html><body><h1>502 Bad Gateway</h1></body></html>")
    );
}

#[tokio::test]
async fn malformed_json_in_a_success_reply_is_a_decode_error() {
    let (_, server, conn) = setup().await;
    server.push([Reply::new(200).body("{\"value\": [1, 2")]);
    let reply = conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let err = reply.json::<serde_json::Value>().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn unauthorized_with_an_expired_token_is_token_expired() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let conn = connection(&clock, START - 10, |b| b).await;
    server.push([Reply::json(
        401,
        graph_error("InvalidAuthenticationToken", "expired"),
    )]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert!(err.is_token_expired());
    assert_eq!(err.status(), Some(reqwest::StatusCode::UNAUTHORIZED));

    let fresh = connection(&clock, START + 3600, |b| b).await;
    server.push([Reply::json(
        403,
        graph_error("Authorization_RequestDenied", "no"),
    )]);
    let err = fresh.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Status,
        "a valid token's 403 is a real denial"
    );
}

#[tokio::test]
async fn pacing_is_shared_by_clones_and_concurrent_tasks() {
    let (clock, server, conn) = started(|b| b.requests_delay(Duration::from_millis(200))).await;
    server.fallback(Reply::json(200, json!({})));
    let url = server.url("/v1.0/me");
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (conn, url) = (conn.clone(), url.clone());
            tokio::spawn(async move { conn.get(&url, &()).await.map(|r| r.status()) })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    assert_eq!(server.requests().len(), 5);
    let mut slots: Vec<u128> = clock.deadlines().iter().map(Duration::as_millis).collect();
    slots.sort();
    assert_eq!(
        slots,
        [200, 400, 600, 800],
        "the first request never waits; the rest are 200 ms apart"
    );
}

#[tokio::test]
async fn retries_respect_pacing() {
    let (_, server, conn) = started(|b| b.requests_delay(Duration::from_millis(800))).await;
    server.push([Reply::new(503), Reply::new(200)]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let starts: Vec<u128> = server.requests().iter().map(|r| r.at.as_millis()).collect();
    assert_eq!(
        starts,
        [0, 800],
        "the 500 ms back-off is stretched to the 800 ms spacing"
    );
}

#[tokio::test]
async fn timeouts_are_typed_and_overridable_per_request() {
    let (_, server, conn) = started(|b| b.request_retries(1)).await;
    server.fallback(Reply::json(200, json!({})).delay(Duration::from_secs(5)));
    let err = conn
        .request(Method::GET, &server.url("/v1.0/slow"))
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.requests().len(), 2, "GET timeouts are retried");
}

#[tokio::test]
async fn connection_errors_are_retried_for_get_not_post() {
    let clock = clock();
    let conn = connection(&clock, START + 3600, |b| b).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1.0/me", l.local_addr().unwrap())
    };
    let err = conn.post(&closed, Json(json!({}))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(clock.sleeps().is_empty());
    let err = conn.get(&closed, &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(clock.sleeps().len(), 3);
}

#[tokio::test]
async fn relative_urls_resolve_against_the_protocol_and_no_token_is_an_error() {
    let clock = clock();
    let conn = Connection::builder(Credentials::client_id("client-1"))
        .auth_flow(o365::AuthFlowType::Public)
        .token_backend(MemoryTokenBackend::new())
        .clock(clock)
        .build()
        .unwrap();
    let err = conn.get("me/messages", &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAuthenticated);
}

#[tokio::test]
async fn naive_requests_carry_no_authorization() {
    let (_, server, conn) = setup().await;
    server.push([Reply::json(200, json!({}))]);
    conn.naive_request(
        &server.url("/discovery"),
        Method::GET,
        RequestOptions::default(),
    )
    .await
    .unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.header("authorization"), None);
    assert_eq!(
        req.header("x-team"),
        Some("o365"),
        "default headers apply to naive requests too"
    );
}

#[tokio::test]
async fn streamed_bodies_get_exactly_one_attempt() {
    let (_, server, conn) = setup().await;
    server.fallback(Reply::new(503));
    let err = conn
        .request(
            Method::PUT,
            &server.url("/v1.0/me/drive/root:/f.bin:/content"),
        )
        .body(Body::stream(reqwest::Body::wrap_stream(
            futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(
                b"chunk",
            ))]),
        )))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn proxy_carries_requests_with_encoded_credentials() {
    let clock = clock();
    let proxy = ScriptedServer::start(clock.clone()).await;
    proxy.fallback(Reply::json(200, json!({"ok": true})));
    let port = proxy.port();
    let conn = connection(&clock, START + 3600, |b| {
        b.proxy(
            ProxyConfig::new("127.0.0.1")
                .port(port)
                .credentials("corp\\me", "p@ss"),
        )
    })
    .await;
    conn.get("http://graph.example.test/v1.0/me", &())
        .await
        .unwrap();
    let req = &proxy.requests()[0];
    assert_eq!(req.target, "http://graph.example.test/v1.0/me");
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD.encode("corp\\me:p@ss");
    assert_eq!(
        req.header("proxy-authorization"),
        Some(format!("Basic {expected}").as_str())
    );

    let other = ScriptedServer::start(clock.clone()).await;
    other.fallback(Reply::json(200, json!({})));
    let port = other.port();
    conn.set_proxy(Some(ProxyConfig::new("127.0.0.1").port(port)))
        .unwrap();
    conn.get("http://graph.example.test/v1.0/me", &())
        .await
        .unwrap();
    assert_eq!(proxy.requests().len(), 1);
    assert_eq!(other.requests()[0].header("proxy-authorization"), None);
}

/// A page of messages with these ids, and a next link and a delta link if given.
fn message_page(ids: &[u32], next: Option<String>, delta: Option<&str>) -> Reply {
    let mut body =
        json!({"value": ids.iter().map(|i| json!({"id": i.to_string()})).collect::<Vec<_>>()});
    if let Some(n) = next {
        body["@odata.nextLink"] = json!(n);
    }
    if let Some(d) = delta {
        body["@odata.deltaLink"] = json!(d);
    }
    Reply::json(200, body)
}

/// A page with a next link to `/v1.0/me/messages?$skiptoken={token}`.
fn linked_message_page(server: &ScriptedServer, ids: &[u32], token: &str) -> Reply {
    let next = server.url(&format!("/v1.0/me/messages?$skiptoken={token}"));
    message_page(ids, Some(next), None)
}

#[derive(serde::Deserialize, Debug)]
struct Msg {
    id: String,
}

#[tokio::test]
async fn paging_follows_next_links_with_a_limit_and_exposes_delta_link() {
    let (_, server, conn) = setup().await;
    server.push([
        linked_message_page(&server, &[1, 2], "p2"),
        linked_message_page(&server, &[3, 4], "p3"),
        message_page(
            &[5],
            None,
            Some("https://graph.microsoft.com/v1.0/me/messages/delta?$deltatoken=d"),
        ),
    ]);
    let mut items = conn
        .items::<Msg, _>(&server.url("/v1.0/me/messages"), &[("$top", "2")], None)
        .unwrap();
    let mut ids = Vec::new();
    while let Some(m) = items.next().await {
        ids.push(m.unwrap().id);
    }
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    assert_eq!(
        items.delta_link(),
        Some("https://graph.microsoft.com/v1.0/me/messages/delta?$deltatoken=d")
    );
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            "/v1.0/me/messages?%24top=2",
            "/v1.0/me/messages?$skiptoken=p2",
            "/v1.0/me/messages?$skiptoken=p3"
        ]
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_some())
    );

    server.push([
        linked_message_page(&server, &[1, 2], "p2"),
        linked_message_page(&server, &[3, 4], "p3"),
    ]);
    let limited: Vec<Msg> = conn
        .items(&server.url("/v1.0/me/messages"), &(), Some(3))
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(limited.len(), 3);
    assert_eq!(
        server.requests().len(),
        5,
        "the limit stops paging: no third page fetched"
    );
}

#[tokio::test]
async fn secrets_never_show_in_debug_or_errors() {
    let (_, server, conn) = setup().await;
    server.push([Reply::json(400, graph_error("BadRequest", "nope"))]);
    let err = conn
        .get(&server.url("/v1.0/me?code=abc"), &())
        .await
        .unwrap_err();
    for text in [format!("{conn:?}"), format!("{err:?}"), err.to_string()] {
        assert!(
            !text.contains(ACCESS_TOKEN) && !text.contains("s3cret-value"),
            "{text}"
        );
        assert!(!text.contains("code=abc"), "{text}");
    }
}
