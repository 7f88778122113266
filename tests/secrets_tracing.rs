//! Secrets never leak: everything the crate logs at TRACE (and the `log` records of its HTTP
//! stack, through tracing-log) across a sign-in, a password grant, a refresh with rotation, a
//! failing request, a retried request and an upload session, and then the Debug and Display of
//! the Connection, credentials, tokens, flows, upload sessions and errors, never contain the
//! client secret, an access token, a refresh token, the authorization code, the password, the
//! PKCE verifier or a URL's query secret. The first test installs the process-wide subscriber;
//! the second (certificate, federated and managed-identity credentials, the device-code flow,
//! the blocking Connection with feature `blocking`, a proxy answering 407) captures its own
//! thread's traces.

mod identity_common;
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use identity_common::*;
use o365::clock::ManualClock;
use o365::identity::AuthorizationFlow;
use o365::token::{MemoryTokenBackend, TokenBackend, TokenResponse};
use o365::{AuthFlowType, Connection, Credentials, ErrorKind, RetryPolicy, UploadSession};
use secrecy::SecretString;
use serde_json::json;
use support::{Reply, ScriptedServer};
use tracing_subscriber::util::SubscriberInitExt;

/// Everything written by the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

const CODE: &str = "authcode-SECRET-7a1";
const PASSWORD: &str = "pw-SECRET-Tr0ub4dor";
const QUERY_SECRET: &str = "sig-SECRET-9f8e";
const UPLOAD_SECRET: &str = "tempauth-SECRET-55c";

/// A subscriber of every level down to TRACE, without colours, writing into what it returns
/// with it.
fn capturing() -> (Captured, impl tracing::Subscriber + Send + Sync + 'static) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, subscriber)
}

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{what} contains the secret {secret:?}:\n{text}"
        );
    }
}

#[tokio::test]
async fn no_secret_reaches_trace_output_debug_or_display() {
    let (captured, subscriber) = capturing();
    subscriber
        .try_init()
        .expect("the only subscriber of this test binary");

    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let conn = builder(
        &server.base,
        AuthFlowType::Authorization,
        secret_app(),
        &clock,
    )
    .retry_policy(RetryPolicy::default().jitter(false))
    .build()
    .unwrap();

    let flow = sign_in_with_the_code_flow(&server, &conn).await;
    refresh_with_a_rotated_refresh_token(&server, &conn, &clock).await;
    let failed = fail_a_request_with_a_query_secret(&server, &conn).await;
    retry_after_503_and_429(&server, &conn).await;
    let (session, upload_err) = fail_an_upload_chunk(&server, &conn).await;
    let (ropc, ropc_err) = fail_a_password_grant(&server, &clock).await;

    let secrets = [
        SECRET,
        CODE,
        PASSWORD,
        QUERY_SECRET,
        UPLOAD_SECRET,
        flow.code_verifier.as_str(),
        "at-SECRET-1",
        "at-SECRET-2",
        "rt-SECRET-1",
        "rt-SECRET-2",
    ];
    assert_each_was_sent_or_stored(&server, &conn, &secrets).await;
    assert_traced_without_secrets(&captured.text(), &secrets);

    // Debug and Display of everything a caller can print.
    let mut printed = printed_connection_and_tokens(&server, &conn, &ropc).await;
    printed.extend([
        ("authorization flow", format!("{flow:?}")),
        ("upload session", format!("{session:?}")),
        ("request error (Debug)", format!("{failed:?}")),
        ("request error (Display)", failed.to_string()),
        ("upload error (Debug)", format!("{upload_err:?}")),
        ("upload error (Display)", upload_err.to_string()),
        ("identity error (Debug)", format!("{ropc_err:?}")),
        ("identity error (Display)", ropc_err.to_string()),
    ]);
    for (what, text) in &printed {
        assert_clean(what, text, &secrets);
    }
}

/// 1. Sign-in: the authorization code flow (whose URL carries the PKCE challenge, never the
///    verifier or the client secret), then a call with its token.
async fn sign_in_with_the_code_flow(
    server: &ScriptedServer,
    conn: &Connection,
) -> AuthorizationFlow {
    let (auth_url, flow) = conn
        .get_authorization_url(&["Mail.Read"], Some("http://localhost:5000/cb"))
        .unwrap();
    assert!(
        auth_url.contains("code_challenge="),
        "the URL carries the challenge, not the verifier"
    );
    assert_clean(
        "the authorization URL",
        &auth_url,
        &[SECRET, flow.code_verifier.as_str()],
    );
    server.push([Reply::json(
        200,
        reply_for(&flow, "at-SECRET-1", "rt-SECRET-1"),
    )]);
    let redirected = format!(
        "http://localhost:5000/cb?code={CODE}&state={}&session_state=x",
        flow.state
    );
    conn.request_token(&redirected, &flow, true).await.unwrap();
    server.push([Reply::json(200, json!({"id": "me"}))]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    flow
}

/// 2. A refresh (the access token is made stale by the clock) with a rotated refresh token,
///    then the call that needed it.
async fn refresh_with_a_rotated_refresh_token(
    server: &ScriptedServer,
    conn: &Connection,
    clock: &ManualClock,
) {
    clock.advance(Duration::from_secs(7200));
    server.push([
        Reply::json(200, user_reply("at-SECRET-2", "rt-SECRET-2", None)),
        Reply::json(200, json!({"id": "me"})),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
}

/// 3. A failing request whose URL carries a secret in its query.
async fn fail_a_request_with_a_query_secret(
    server: &ScriptedServer,
    conn: &Connection,
) -> o365::Error {
    server.push([Reply::json(
        403,
        json!({"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}),
    )]);
    let failed = conn
        .get(
            &server.url(&format!("/v1.0/shares/x/driveItem?sig={QUERY_SECRET}")),
            &(),
        )
        .await
        .unwrap_err();
    assert_eq!(failed.status().map(|s| s.as_u16()), Some(403));
    failed
}

/// 4. A retried request (503, then 429 with Retry-After, then success).
async fn retry_after_503_and_429(server: &ScriptedServer, conn: &Connection) {
    server.push([
        Reply::new(503),
        Reply::new(429).header("Retry-After", "2"),
        Reply::json(200, json!({"value": []})),
    ]);
    conn.get(
        &server.url(&format!("/v1.0/me/messages?sig={QUERY_SECRET}")),
        &(),
    )
    .await
    .unwrap();
}

/// 5. An upload session whose pre-authenticated URL carries a token; its chunk fails.
async fn fail_an_upload_chunk(
    server: &ScriptedServer,
    conn: &Connection,
) -> (UploadSession, o365::Error) {
    let upload_url = server.url(&format!("/upload/s1?tempauth={UPLOAD_SECRET}"));
    server.push([
        Reply::json(
            200,
            json!({"uploadUrl": upload_url, "expirationDateTime": "2026-01-02T00:00:00Z"}),
        ),
        Reply::json(
            400,
            json!({"error": {"code": "invalidRange", "message": "bad range"}}),
        ),
    ]);
    let session: UploadSession = conn
        .upload_session(
            &server.url("/v1.0/me/drive/root:/a.bin:/createUploadSession"),
            None,
        )
        .await
        .unwrap();
    let upload_err = session
        .upload(conn, &[1u8; 10][..], 10, o365::UPLOAD_CHUNK_UNIT, |_| {})
        .await
        .unwrap_err();
    (session, upload_err)
}

/// 6. A password grant that the identity server refuses.
async fn fail_a_password_grant(
    server: &ScriptedServer,
    clock: &ManualClock,
) -> (Connection, o365::Error) {
    let ropc = password_builder(&server.base, clock, PASSWORD)
        .build()
        .unwrap();
    server.push([Reply::json(
        400,
        oauth_error(
            "invalid_grant",
            "AADSTS50126: Error validating credentials.",
            50126,
        ),
    )]);
    let ropc_err = ropc
        .request_token_by_password(&["Mail.Read"], true)
        .await
        .unwrap_err();
    assert_eq!(ropc_err.kind(), ErrorKind::Identity);
    (ropc, ropc_err)
}

/// Every secret did go over the wire (or into the token backend), so the checks on what is
/// printed are not vacuous.
async fn assert_each_was_sent_or_stored(
    server: &ScriptedServer,
    conn: &Connection,
    secrets: &[&str],
) {
    let sent: String = server
        .requests()
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {}\n",
                r.method,
                r.target,
                r.headers,
                r.body_text()
            )
        })
        .collect();
    let stored = {
        use secrecy::ExposeSecret;
        let saved = conn.token_store().backend().load().await.unwrap().unwrap();
        saved.expose_secret().to_owned()
    };
    for secret in secrets {
        assert!(
            sent.contains(secret) || stored.contains(secret),
            "{secret} was neither sent nor stored: the scenario changed"
        );
    }
}

/// The retries and the failure were traced, at TRACE or DEBUG, without a secret.
fn assert_traced_without_secrets(logged: &str, secrets: &[&str]) {
    if std::env::var_os("O365_SHOW_TRACE").is_some() {
        eprintln!("{logged}");
    }
    assert!(
        logged.contains("retrying"),
        "the retries were traced:\n{logged}"
    );
    assert!(
        logged.contains("request failed"),
        "the failure was traced:\n{logged}"
    );
    assert!(
        logged.contains("TRACE") || logged.contains("DEBUG"),
        "{logged}"
    );
    assert_clean("the trace output", logged, secrets);
}

/// The Debug of the Connections, their credentials and token store, a token reply and a memory
/// backend holding the tokens of the first sign-in.
async fn printed_connection_and_tokens(
    server: &ScriptedServer,
    conn: &Connection,
    ropc: &Connection,
) -> Vec<(&'static str, String)> {
    let cache_text = conn.token_store().read(|c| format!("{c:?}"));
    let token_reply: TokenResponse =
        serde_json::from_value(user_reply("at-SECRET-1", "rt-SECRET-1", None)).unwrap();
    let memory = MemoryTokenBackend::new();
    memory
        .save(SecretString::from(user_cache(
            &env_of(&server.base),
            "at-SECRET-1",
            START,
            START + 60,
            Some("rt-SECRET-1"),
        )))
        .await
        .unwrap();
    vec![
        ("Connection", format!("{conn:?}")),
        ("password Connection", format!("{ropc:?}")),
        (
            "credentials",
            format!("{:?}", Credentials::client_secret(CLIENT, SECRET)),
        ),
        (
            "credentials of the Connection",
            format!("{:?}", conn.credentials()),
        ),
        ("token store", format!("{:?}", conn.token_store())),
        ("token cache", cache_text),
        ("token reply", format!("{token_reply:?}")),
        ("memory backend", format!("{memory:?}")),
    ]
}

const KEY: &str = "key-SECRET-3c9d";
const FEDERATED: &str = "fedjwt-SECRET-a41";
const HEADER: &str = "xidhdr-SECRET-b07";
const DEVICE: &str = "devcode-SECRET-e11";
const PROXY_PASSWORD: &str = "pr0xy-SECRET-pass";

/// The other credentials, the device-code flow, the blocking Connection and a proxy's 407, with
/// their traces captured by a subscriber of this thread (the test above owns the global one).
#[tokio::test]
async fn no_secret_of_other_credentials_device_code_blocking_or_a_407_proxy_reaches_traces_or_debug()
 {
    let (captured, subscriber) = capturing();
    let _guard = tracing::subscriber::set_default(subscriber);

    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let certificate = certificate_credentials();
    let dir = tempfile::tempdir().unwrap();
    let federated = call_with_a_federated_token(&server, &clock, dir.path()).await;
    let managed = call_with_a_managed_identity(&server, &clock).await;
    let (device, prompt_debug) = sign_in_with_a_device_code(&server, &clock).await;
    let proxy = ScriptedServer::start(clock.clone()).await;
    let (proxied, proxy_err) = fail_through_a_407_proxy(&server, &proxy, &clock).await;
    let blocking_debug = blocking_connection_debug(&device);

    assert_each_was_sent(&server, &[FEDERATED, HEADER, DEVICE]);
    let secrets = [
        KEY,
        FEDERATED,
        HEADER,
        DEVICE,
        PROXY_PASSWORD,
        SECRET,
        "at-SECRET-fed",
        "at-SECRET-mi",
        "at-SECRET-dev",
        "rt-SECRET-dev",
    ];
    let logged = captured.text();
    assert!(
        logged.contains("TRACE") || logged.contains("DEBUG"),
        "the traces were captured:\n{logged}"
    );
    assert_clean("the trace output", &logged, &secrets);
    let printed = [
        ("certificate credentials", format!("{certificate:?}")),
        (
            "federated credentials",
            format!("{:?}", federated.credentials()),
        ),
        ("federated Connection", format!("{federated:?}")),
        (
            "managed identity credentials",
            format!("{:?}", managed.credentials()),
        ),
        ("managed identity Connection", format!("{managed:?}")),
        ("device-code prompt", prompt_debug),
        ("device-code Connection", format!("{device:?}")),
        ("blocking Connection", blocking_debug),
        ("proxied Connection", format!("{proxied:?}")),
        ("407 error (Debug)", format!("{proxy_err:?}")),
        ("407 error (Display)", proxy_err.to_string()),
    ];
    for (what, text) in &printed {
        assert_clean(what, text, &secrets);
    }
}

/// Every secret went over the wire, so the checks are not vacuous.
fn assert_each_was_sent(server: &ScriptedServer, secrets: &[&str]) {
    let sent: String = server
        .requests()
        .iter()
        .map(|r| format!("{} {:?} {}\n", r.target, r.headers, r.body_text()))
        .collect();
    for secret in secrets {
        assert!(sent.contains(secret), "{secret} was not sent");
    }
}

/// A client-credentials Connection to `server` with `credentials`, without retries.
fn app(server: &ScriptedServer, clock: &ManualClock, credentials: Credentials) -> Connection {
    builder(&server.base, AuthFlowType::Credentials, credentials, clock)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Certificate credentials: the private key is never printed.
fn certificate_credentials() -> Credentials {
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{KEY}\n-----END PRIVATE KEY-----\n");
    Credentials::certificate(
        CLIENT,
        pem,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
}

/// Workload identity federation: the federated token is read from its file (in `dir`) and sent.
async fn call_with_a_federated_token(
    server: &ScriptedServer,
    clock: &ManualClock,
    dir: &std::path::Path,
) -> Connection {
    let token_file = dir.join("federated-token");
    std::fs::write(&token_file, FEDERATED).unwrap();
    let federated = app(
        server,
        clock,
        Credentials::federated_token(CLIENT, &token_file),
    );
    server.push([
        Reply::json(200, app_reply("at-SECRET-fed")),
        Reply::json(200, json!({"id": "app"})),
    ]);
    federated
        .get(&server.url("/v1.0/users"), &())
        .await
        .unwrap();
    federated
}

/// Managed identity (App Service): the X-IDENTITY-HEADER secret is sent, never printed.
async fn call_with_a_managed_identity(server: &ScriptedServer, clock: &ManualClock) -> Connection {
    let managed = app(
        server,
        clock,
        Credentials::managed_identity(
            o365::identity::ManagedIdentity::system_assigned()
                .app_service(server.url("/msi/token"), HEADER),
        ),
    );
    server.push([
        Reply::json(
            200,
            json!({"access_token": "at-SECRET-mi", "expires_on": (START + 3600).to_string(),
                "resource": "https://graph.microsoft.com", "token_type": "Bearer"}),
        ),
        Reply::json(200, json!({"id": "app"})),
    ]);
    managed.get(&server.url("/v1.0/users"), &()).await.unwrap();
    managed
}

/// The device-code flow: one pending poll, then the tokens. Returns the Connection and the
/// Debug of the prompt it showed.
async fn sign_in_with_a_device_code(
    server: &ScriptedServer,
    clock: &ManualClock,
) -> (Connection, String) {
    let device = builder(
        &server.base,
        AuthFlowType::DeviceCode,
        Credentials::client_id(CLIENT),
        clock,
    )
    .build()
    .unwrap();
    server.push([
        Reply::json(
            200,
            json!({"device_code": DEVICE, "user_code": "ABCD-EFGH",
                "verification_uri": "https://microsoft.com/devicelogin",
                "message": "Enter ABCD-EFGH", "expires_in": 900, "interval": 5}),
        ),
        Reply::json(
            400,
            oauth_error("authorization_pending", "AADSTS70016: pending", 70016),
        ),
        Reply::json(200, user_reply("at-SECRET-dev", "rt-SECRET-dev", None)),
    ]);
    let prompt_debug = Arc::new(Mutex::new(String::new()));
    let seen = prompt_debug.clone();
    device
        .request_token_by_device_code(
            &["Mail.Read"],
            move |prompt| *seen.lock().unwrap() = format!("{prompt:?}"),
            std::future::pending(),
            true,
        )
        .await
        .unwrap();
    let prompt_debug = prompt_debug.lock().unwrap().clone();
    assert!(prompt_debug.contains("ABCD-EFGH"), "{prompt_debug}");
    (device, prompt_debug)
}

/// A request through a proxy that answers 407: the proxy password goes over the wire (base64).
async fn fail_through_a_407_proxy(
    server: &ScriptedServer,
    proxy: &ScriptedServer,
    clock: &ManualClock,
) -> (Connection, o365::Error) {
    proxy.fallback(Reply::new(407).header("Proxy-Authenticate", "Basic realm=\"corp\""));
    let proxied = builder(&server.base, AuthFlowType::Credentials, secret_app(), clock)
        .proxy(
            o365::ProxyConfig::new("127.0.0.1")
                .port(proxy.port())
                .credentials("corp\\me", PROXY_PASSWORD),
        )
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let proxy_err = proxied
        .get("http://graph.example.test/v1.0/me", &())
        .await
        .unwrap_err();
    assert_eq!(proxy_err.status().map(|s| s.as_u16()), Some(407));
    let proxy_sent = proxy.requests();
    assert!(
        proxy_sent[0]
            .header("proxy-authorization")
            .is_some_and(|h| h.starts_with("Basic ")),
        "the proxy password went over the wire (base64): the check below is not vacuous"
    );
    (proxied, proxy_err)
}

/// The Debug of a blocking Connection around `device` (its own runtime, so built and printed
/// off this runtime).
#[cfg(feature = "blocking")]
fn blocking_connection_debug(device: &Connection) -> String {
    let async_conn = device.clone();
    std::thread::spawn(move || {
        let blocking = o365::blocking::Connection::new(async_conn).unwrap();
        format!("{blocking:?}")
    })
    .join()
    .unwrap()
}

#[cfg(not(feature = "blocking"))]
fn blocking_connection_debug(_device: &Connection) -> String {
    String::from("(feature blocking off)")
}
