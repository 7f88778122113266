//! HTTP-level rows of the fault matrix that no other test covers (see RELIABILITY.md for the
//! whole table): each test's name is the expected outcome. Loopback servers only, the
//! `ManualClock` for every retry wait (so they run instantly and the waits are asserted).

mod fault_common;
mod identity_common;
mod support;

use std::time::{Duration, UNIX_EPOCH};

use fault_common::{clock_and_server, connection, graph_error};
use identity_common::{
    CLIENT, SECRET, START, builder, env_of, field, form, oauth_error, user_cache, user_reply,
};
use o365::token::{MemoryTokenBackend, TokenBackend};
use o365::{AuthFlowType, Connection, Credentials, ErrorKind, ProxyConfig, RetryPolicy};
use secrecy::SecretString;
use serde_json::{Value, json};
use support::{ACCESS_TOKEN, Reply, ScriptedServer, get_json};

fn clock() -> o365::clock::ManualClock {
    fault_common::clock()
}

/// A clock, a scripted server on it, and the fault tests' Connection.
async fn scripted() -> (o365::clock::ManualClock, ScriptedServer, Connection) {
    let (clock, server) = clock_and_server().await;
    let conn = connection(&clock, |b| b).await;
    (clock, server, conn)
}

/// A clock and two scripted servers on it: Graph and the identity platform.
async fn graph_and_identity() -> (o365::clock::ManualClock, ScriptedServer, ScriptedServer) {
    let (clock, graph) = clock_and_server().await;
    let identity = ScriptedServer::start(clock.clone()).await;
    (clock, graph, identity)
}

#[tokio::test]
async fn a_429_with_retry_after_seconds_is_waited_out_and_the_get_succeeds() {
    let (clock, server, conn) = scripted().await;
    server.push([
        Reply::json(429, graph_error("TooManyRequests", "slow down", "r-1"))
            .header("Retry-After", "12"),
        Reply::json(200, json!({"id": "me"})),
    ]);
    let me = get_json(&conn, &server.url("/v1.0/me")).await;
    assert_eq!(me, json!({"id": "me"}));
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(12)],
        "Retry-After, not back-off"
    );
    assert_eq!(sent[1].at, Duration::from_secs(12));
}

#[tokio::test]
async fn a_429_with_an_http_date_on_get_waits_until_that_date_and_succeeds() {
    let (clock, server, conn) = scripted().await;
    let at = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(START + 25));
    server.push([
        Reply::new(429).header("Retry-After", &at),
        Reply::json(200, json!({"value": []})),
    ]);
    conn.get(&server.url("/v1.0/me/messages"), &())
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 2);
    assert_eq!(clock.sleeps(), [Duration::from_secs(25)]);
}

#[tokio::test]
async fn a_503_storm_past_the_time_budget_gives_graphs_message_and_request_id() {
    let (clock, server) = clock_and_server().await;
    let policy = RetryPolicy::default()
        .max_retries(10)
        .max_total_wait(Duration::from_secs(60))
        .jitter(false);
    let conn = connection(&clock, |b| b.retry_policy(policy)).await;
    server.fallback(
        Reply::json(
            503,
            graph_error(
                "serviceNotAvailable",
                "The service is busy, try later",
                "req-503",
            ),
        )
        .header("Retry-After", "25")
        .header("request-id", "req-503"),
    );
    let err = conn
        .get(&server.url("/v1.0/me/events"), &())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        server.requests().len(),
        3,
        "25 s + 25 s fit in 60 s, a third wait does not"
    );
    assert_eq!(clock.sleeps(), [Duration::from_secs(25); 2]);
    assert_eq!(
        err.graph_error().unwrap().message,
        "The service is busy, try later"
    );
    assert_eq!(err.request_id(), Some("req-503"));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(25)));
    let text = err.to_string();
    assert!(text.contains("The service is busy, try later"), "{text}");
    assert!(!text.contains("too many retries"), "{text}");
}

#[tokio::test]
async fn a_gateway_503_page_keeps_the_request_id_header_in_the_typed_error() {
    let (clock, server) = clock_and_server().await;
    let conn = connection(&clock, |b| b.retry_policy(RetryPolicy::none())).await;
    server.push([Reply::new(503)
        .header("content-type", "text/html")
        .header("request-id", "gw-77")
        .body("<html><body>Service Unavailable</body></html>")]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert!(err.graph_error().is_none());
    assert_eq!(err.request_id(), Some("gw-77"));
    assert_eq!(
        err.body_excerpt(),
        Some("<html><body>Service Unavailable</body></html>")
    );
}

#[tokio::test]
async fn an_html_502_page_on_get_is_retried_then_a_status_error_with_the_excerpt() {
    let (clock, server, conn) = scripted().await;
    server.fallback(
        Reply::new(502)
            .header("content-type", "text/html")
            .body("<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>"),
    );
    let err = conn
        .get(&server.url("/v1.0/me/drive/root"), &())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(err.graph_error().is_none());
    assert_eq!(
        err.body_excerpt(),
        Some("<html> <head><title>502 Bad Gateway</title></head> <body>nginx</body></html>")
    );
    assert_eq!(server.requests().len(), 4, "1 attempt + 3 retries");
    let waits: Vec<u128> = clock.sleeps().iter().map(Duration::as_millis).collect();
    assert_eq!(waits, [500, 1000, 2000]);
}

#[tokio::test]
async fn invalid_json_in_a_200_is_a_decode_error_with_an_excerpt_and_no_query() {
    let (_clock, server, conn) = scripted().await;
    server.push([Reply::new(200)
        .header("content-type", "application/json")
        .body("{\"value\": [{\"id\": 1,}], oops}")]);
    let reply = conn
        .get(
            &server.url("/v1.0/me/messages?$filter=from%20eq%20'boss'"),
            &(),
        )
        .await
        .unwrap();
    let err = reply.json::<Value>().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let text = err.to_string();
    assert!(
        text.contains("body starts with: {\"value\": [{\"id\": 1,}], oops}"),
        "{text}"
    );
    assert!(!text.contains("boss"), "the query is not echoed: {text}");
    assert_eq!(server.requests().len(), 1, "a decode error is not retried");
}

#[tokio::test]
async fn truncated_json_with_a_matching_length_is_a_decode_error() {
    let (_clock, server, conn) = scripted().await;
    server.push([Reply::new(200).body("{\"value\": [{\"id\": \"a\"}, {\"id\": \"b")]);
    let page = conn
        .get(&server.url("/v1.0/me/messages"), &())
        .await
        .unwrap();
    let err = page.json::<Value>().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("EOF while parsing"), "{err}");
}

#[tokio::test]
async fn a_json_error_body_that_is_not_graphs_shape_keeps_the_status_and_excerpt() {
    let (_clock, server, conn) = scripted().await;
    server.push([Reply::new(400).body("{\"error\": \"bad\"")]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(err.graph_error().is_none());
    assert_eq!(err.body_excerpt(), Some("{\"error\": \"bad\""));
}

#[tokio::test]
async fn error_for_status_on_an_unraised_429_keeps_retry_after() {
    let (clock, server) = clock_and_server().await;
    let conn = connection(&clock, |b| {
        b.raise_http_errors(false).retry_policy(RetryPolicy::none())
    })
    .await;
    server.push([Reply::new(429).header("Retry-After", "9")]);
    let reply = conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    assert_eq!(reply.status(), 429);
    let err = reply.error_for_status().await.unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(9)));
}

/// A Connection whose identity platform is `identity` and whose cached access token `at-old`
/// is still valid (unless `expired`), with refresh token `rt-old`.
async fn two_servers(
    identity: &str,
    clock: &o365::clock::ManualClock,
    expired: bool,
) -> Connection {
    let expires_on = if expired { START - 10 } else { START + 3000 };
    let backend = MemoryTokenBackend::new();
    let cache = user_cache(
        &env_of(identity),
        "at-old",
        START - 600,
        expires_on,
        Some("rt-old"),
    );
    backend.save(SecretString::from(cache)).await.unwrap();
    builder(
        identity,
        AuthFlowType::Authorization,
        Credentials::client_secret(CLIENT, SECRET),
        clock,
    )
    .token_backend(backend)
    .retry_policy(RetryPolicy::default().jitter(false))
    .build()
    .unwrap()
}

/// What a Graph call left when the identity platform answered every refresh of the expired
/// token of `two_servers` with one reply.
struct Refused {
    clock: o365::clock::ManualClock,
    graph: ScriptedServer,
    identity: ScriptedServer,
    conn: Connection,
    err: o365::Error,
}

/// A Graph call whose expired token's every refresh the identity platform answers with `reply`.
async fn refresh_answered(reply: Reply) -> Refused {
    let (clock, graph, identity) = graph_and_identity().await;
    identity.fallback(reply);
    let conn = two_servers(&identity.base, &clock, true).await;
    let err = conn.get(&graph.url("/v1.0/me"), &()).await.unwrap_err();
    Refused {
        clock,
        graph,
        identity,
        conn,
        err,
    }
}

/// An OAuth error reply of the identity platform.
fn oauth_reply(status: u16, error: &str, description: &str, aadsts: u32) -> Reply {
    Reply::json(status, oauth_error(error, description, aadsts))
}

impl Refused {
    /// The identity platform got one token request and Graph none.
    fn assert_one_refresh_and_no_graph_call(&self) {
        assert_eq!(self.identity.requests().len(), 1);
        assert!(self.graph.requests().is_empty());
    }
}

fn refresh_token_kept(conn: &Connection) -> bool {
    use secrecy::ExposeSecret;
    conn.token_store().read(|c| {
        c.get_refresh_token(None)
            .is_some_and(|t| t.secret.expose_secret() == "rt-old")
    })
}

#[tokio::test]
async fn a_401_on_an_unexpired_token_refreshes_once_and_the_retry_succeeds() {
    let (clock, graph, identity) = graph_and_identity().await;
    let conn = two_servers(&identity.base, &clock, false).await;
    graph.push([
        Reply::json(
            401,
            json!({"error": {"code": "InvalidAuthenticationToken",
            "message": "Access token has been revoked"}}),
        ),
        Reply::json(200, json!({"id": "me"})),
    ]);
    identity.push([Reply::json(200, user_reply("at-new", "rt-new", None))]);
    let me = get_json(&conn, &graph.url("/v1.0/me")).await;
    assert_eq!(me["id"], "me");
    let auth = graph.authorizations();
    assert_eq!(
        auth,
        [Some("Bearer at-old".into()), Some("Bearer at-new".into())]
    );
    let renewals = identity.requests();
    assert_eq!(renewals.len(), 1, "exactly one refresh");
    assert_eq!(
        field(&form(&renewals[0].body), "refresh_token"),
        Some("rt-old")
    );
}

#[tokio::test]
async fn identity_endpoint_down_fails_the_call_as_transport_and_sends_nothing_to_graph() {
    let clock = clock();
    let graph = ScriptedServer::start(clock.clone()).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let conn = two_servers(&closed, &clock, true).await;
    let err = conn.get(&graph.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(graph.requests().is_empty(), "no call with an expired token");
    assert!(refresh_token_kept(&conn));
}

#[tokio::test]
async fn identity_endpoint_answering_500_fails_the_call_as_a_status_error_without_a_retry() {
    let refused = refresh_answered(Reply::new(500).body("<html>internal error</html>")).await;
    let err = &refused.err;
    assert_eq!(err.kind(), ErrorKind::Status, "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    // A token request is not idempotent (the refresh token may rotate): only what the
    // platform did not process (429, 503) is sent again, never a 500.
    refused.assert_one_refresh_and_no_graph_call();
    assert!(refresh_token_kept(&refused.conn));
}

#[tokio::test]
async fn identity_invalid_grant_fails_the_call_as_identity_and_is_not_retried() {
    let reply = oauth_reply(
        400,
        "invalid_grant",
        "AADSTS50173: The provided grant has expired.",
        50173,
    );
    let refused = refresh_answered(reply).await;
    let err = &refused.err;
    assert_eq!(err.kind(), ErrorKind::Identity);
    let oauth = err.oauth_error().unwrap();
    assert!(oauth.is_invalid_grant());
    assert_eq!(oauth.aadsts(), Some(50173));
    refused.assert_one_refresh_and_no_graph_call();
    assert!(!err.to_string().contains("rt-old"));
}

#[tokio::test]
async fn identity_invalid_client_fails_the_call_as_identity_without_the_secret() {
    let reply = oauth_reply(
        401,
        "invalid_client",
        "AADSTS7000215: Invalid client secret provided.",
        7_000_215,
    );
    let refused = refresh_answered(reply).await;
    let err = &refused.err;
    assert_eq!(err.kind(), ErrorKind::Identity);
    assert!(err.oauth_error().unwrap().is_invalid_client());
    refused.assert_one_refresh_and_no_graph_call();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(SECRET) && !text.contains("rt-old"), "{text}");
    }
}

/// The loopback proxy on `port`, with the credentials the 407 tests look for in the errors.
fn corp_proxy(port: u16) -> ProxyConfig {
    ProxyConfig::new("127.0.0.1")
        .port(port)
        .credentials("corp\\me", "pr0xy-pass")
}

#[tokio::test]
async fn a_proxy_answering_407_is_a_407_status_error_and_is_not_retried() {
    let (clock, proxy) = clock_and_server().await;
    proxy.fallback(
        Reply::new(407)
            .header("Proxy-Authenticate", "Basic realm=\"corp\"")
            .body("<html>Proxy Authentication Required</html>"),
    );
    let port = proxy.port();
    let conn = connection(&clock, |b| b.proxy(corp_proxy(port))).await;
    let err = conn
        .get("http://graph.example.test/v1.0/me", &())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(407));
    assert_eq!(proxy.requests().len(), 1, "a 407 is not retried");
    assert!(clock.sleeps().is_empty());
    for text in [err.to_string(), format!("{err:?}"), format!("{conn:?}")] {
        assert!(!text.contains("pr0xy-pass"), "{text}");
    }
}

#[tokio::test]
async fn a_proxy_answering_407_to_connect_is_a_transport_error_without_the_password() {
    let (clock, proxy) = clock_and_server().await;
    proxy.fallback(Reply::new(407).header("Proxy-Authenticate", "Basic realm=\"corp\""));
    let port = proxy.port();
    let conn = connection(&clock, |b| {
        b.proxy(corp_proxy(port)).retry_policy(RetryPolicy::none())
    })
    .await;
    let err = conn
        .get("https://graph.example.test/v1.0/me", &())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    let sent = proxy.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "CONNECT");
    assert_eq!(sent[0].target, "graph.example.test:443");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains("pr0xy-pass"), "{text}");
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_is_followed_without_the_authorization_header() {
    let clock = clock();
    let first = ScriptedServer::start(clock.clone()).await;
    let other = ScriptedServer::start(clock.clone()).await;
    let conn = connection(&clock, |b| b).await;
    first.push([Reply::new(302).header("Location", &other.url("/download/f.txt?sig=abc"))]);
    other.push([Reply::new(200).body("file body")]);
    let reply = conn
        .get(&first.url("/v1.0/me/drive/items/f/content"), &())
        .await
        .unwrap();
    assert_eq!(reply.text().await.unwrap(), "file body");
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    assert_eq!(
        first.requests()[0].header("authorization"),
        Some(bearer.as_str())
    );
    let followed = &other.requests()[0];
    assert_eq!(followed.target, "/download/f.txt?sig=abc");
    assert_eq!(
        followed.header("authorization"),
        None,
        "the token stays on its host"
    );
}

#[tokio::test]
async fn a_redirect_on_the_same_host_keeps_the_authorization_header() {
    let (_clock, server, conn) = scripted().await;
    server.push([
        Reply::new(301).header("Location", "/v1.0/users/me-moved"),
        Reply::json(200, json!({"id": "moved"})),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    let auth = server.authorizations();
    assert_eq!(auth, [Some(bearer.clone()), Some(bearer)]);
}

#[tokio::test]
async fn a_retry_after_too_large_is_back_off_or_the_typed_error_never_a_panic() {
    let (clock, server, conn) = scripted().await;
    server.push([
        Reply::new(429).header("Retry-After", "1e300"),
        Reply::new(503).header("Retry-After", "18446744073709551615"),
        Reply::json(200, json!({"id": "me"})),
    ]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    // 1e300 s is no Retry-After: the back-off applies. u64::MAX s is beyond the per-wait cap:
    // the call ends with the typed error carrying the requested wait.
    assert_eq!(clock.sleeps(), [Duration::from_millis(500)]);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(u64::MAX)));
}

#[tokio::test]
async fn identity_endpoint_answering_503_is_retried_three_times_then_a_503_status_error_keeping_the_refresh_token()
 {
    let reply = Reply::new(503).body("<html>Service Unavailable</html>");
    let refused = refresh_answered(reply).await;
    let err = &refused.err;
    assert_eq!(err.kind(), ErrorKind::Status, "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    // The platform did not process a 503: the token request is sent again (1 + 3 retries),
    // each time with the same refresh token, after the back-off.
    let sent = refused.identity.requests();
    assert_eq!(sent.len(), 4, "1 attempt + 3 retries");
    for request in &sent {
        let form = form(&request.body);
        assert_eq!(field(&form, "grant_type"), Some("refresh_token"));
        assert_eq!(field(&form, "refresh_token"), Some("rt-old"));
    }
    assert_eq!(
        refused.clock.sleeps(),
        [
            Duration::from_millis(500),
            Duration::from_secs(1),
            Duration::from_secs(2)
        ]
    );
    assert!(
        refused.graph.requests().is_empty(),
        "no Graph call without a token"
    );
    assert!(refresh_token_kept(&refused.conn));
    assert!(!err.to_string().contains("rt-old"), "{err}");
}

#[tokio::test]
async fn identity_endpoint_answering_503_once_is_retried_and_the_call_succeeds_with_the_new_token()
{
    let (clock, graph, identity) = graph_and_identity().await;
    identity.push([
        Reply::new(503).header("retry-after", "7"),
        Reply::json(200, user_reply("at-new", "rt-new", None)),
    ]);
    graph.push([Reply::json(200, json!({"id": "me"}))]);
    let conn = two_servers(&identity.base, &clock, true).await;
    conn.get(&graph.url("/v1.0/me"), &()).await.unwrap();
    assert_eq!(identity.requests().len(), 2);
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)], "Retry-After wins");
    assert_eq!(
        graph.requests()[0].header("authorization"),
        Some("Bearer at-new")
    );
}

/// A managed-identity Connection whose every request goes through `proxy` (a scripted server
/// that records absolute-URL requests), so a token request to any host would reach it.
fn managed_through_proxy(
    proxy: &ScriptedServer,
    identity: o365::identity::ManagedIdentity,
    clock: &o365::clock::ManualClock,
) -> Connection {
    builder(
        &proxy.base,
        AuthFlowType::Credentials,
        Credentials::managed_identity(identity),
        clock,
    )
    .proxy(ProxyConfig::new("127.0.0.1").port(proxy.port()))
    .retry_policy(RetryPolicy::none())
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_plain_http_managed_identity_endpoint_on_another_host_is_refused_and_nothing_is_sent() {
    use o365::identity::ManagedIdentity;
    let (clock, proxy) = clock_and_server().await;
    let header_secret = "x-identity-s3cret";
    for identity in [
        ManagedIdentity::system_assigned()
            .imds_endpoint("http://imds.contoso.test/metadata/identity/oauth2/token"),
        ManagedIdentity::system_assigned()
            .app_service("http://appservice.contoso.test/msi/token", header_secret),
        // The IMDS address is an exception for IMDS only, never for App Service's secret.
        ManagedIdentity::system_assigned()
            .app_service("http://169.254.169.254/msi/token", header_secret),
    ] {
        let conn = managed_through_proxy(&proxy, identity, &clock);
        let err = conn
            .get("http://graph.example.test/v1.0/me", &())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config, "{err:?}");
        assert!(err.to_string().contains("refused"), "{err}");
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(header_secret), "{text}");
        }
    }
    assert!(
        proxy.requests().is_empty(),
        "nothing sent: {:?}",
        proxy.requests()
    );

    // The same path with the IMDS address does reach the proxy: the refusal above is the check's.
    proxy.push([
        Reply::json(
            200,
            json!({"access_token": "mi-token", "expires_in": "3599", "token_type": "Bearer",
                "resource": "https://graph.microsoft.com"}),
        ),
        Reply::json(200, json!({"id": "app"})),
    ]);
    let conn = managed_through_proxy(
        &proxy,
        ManagedIdentity::system_assigned()
            .imds_endpoint("http://169.254.169.254/metadata/identity/oauth2/token"),
        &clock,
    );
    conn.get("http://graph.example.test/v1.0/me", &())
        .await
        .unwrap();
    let sent = proxy.requests();
    assert_eq!(sent.len(), 2);
    assert!(
        sent[0].target.starts_with(
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        ),
        "{}",
        sent[0].target
    );
    assert_eq!(sent[0].header("metadata"), Some("true"));
    assert_eq!(sent[1].header("authorization"), Some("Bearer mi-token"));
}
