//! The sign-in flows on the wire: exact authorization URLs and token-request forms for every
//! grant (as python-o365 with MSAL sends them), state and nonce checks, certificate assertions, device-code
//! polling, refresh forms and typed identity errors.

mod identity_common;
mod support;

use std::time::Duration;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use identity_common::*;
use o365::clock::ManualClock;
use o365::identity::{AssertionAlgorithm, Cloud, DeviceCodePrompt};
use o365::token::MemoryTokenBackend;
use o365::{AuthFlowType, AuthorizationFlow, Connection, Credentials, ErrorKind, ProxyConfig};
use secrecy::ExposeSecret;
use serde_json::json;
use support::{Reply, ScriptedServer};

async fn server() -> (ManualClock, ScriptedServer) {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    (clock, server)
}

/// A fresh server and a Connection for `flow` against it.
async fn connected(
    flow: AuthFlowType,
    credentials: Credentials,
) -> (ManualClock, ScriptedServer, Connection) {
    let (clock, server) = server().await;
    let conn = builder(&server.base, flow, credentials, &clock)
        .build()
        .unwrap();
    (clock, server, conn)
}

/// The authorization-code redemption form of `flow` (a confidential client), scope Mail.Read.
fn redemption(flow: &AuthorizationFlow, code: &str, redirect_uri: &str) -> Vec<(String, String)> {
    pairs(&[
        ("client_id", CLIENT),
        ("grant_type", "authorization_code"),
        ("client_info", "1"),
        ("client_secret", SECRET),
        ("code_verifier", flow.code_verifier.as_str()),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("scope", MAIL_READ),
    ])
}

/// The scope sent for `["Mail.Read"]` in a delegated flow.
const MAIL_READ: &str = "https://graph.microsoft.com/Mail.Read offline_access openid profile";

#[tokio::test]
async fn authorization_url_has_msal_query_and_pkce() {
    let (_, server, conn) = connected(AuthFlowType::Authorization, secret_app()).await;
    let (url, flow) = conn
        .get_authorization_url(&["Mail.Read", "offline_access"], None)
        .unwrap();
    assert_eq!(url, flow.auth_uri);
    let url = url::Url::parse(&url).unwrap();
    assert_eq!(
        url.as_str().split('?').next().unwrap(),
        format!("{}/{TENANT}/oauth2/v2.0/authorize", server.base)
    );
    let query = form(url.query().unwrap().as_bytes());
    assert_eq!(names(&query), AUTHORIZE_FIELDS);
    assert_eq!(field(&query, "client_id"), Some(CLIENT));
    assert_eq!(field(&query, "response_type"), Some("code"));
    assert_eq!(
        field(&query, "redirect_uri"),
        Some("https://login.microsoftonline.com/common/oauth2/nativeclient")
    );
    assert_eq!(field(&query, "scope"), Some(MAIL_READ));
    assert_eq!(field(&query, "state"), Some(flow.state.as_str()));
    assert!(flow.state.len() >= 22 && flow.code_verifier.len() >= 43);
    let challenge = URL_SAFE_NO_PAD.encode(digest::digest(
        &digest::SHA256,
        flow.code_verifier.as_bytes(),
    ));
    assert_eq!(field(&query, "code_challenge"), Some(challenge.as_str()));
    assert_eq!(field(&query, "code_challenge_method"), Some("S256"));
    assert_eq!(
        field(&query, "nonce"),
        Some(sha256_hex(&flow.nonce).as_str())
    );
    assert_eq!(field(&query, "client_info"), Some("1"));
    // A web app stores the flow between the two steps.
    let stored = serde_json::to_string(&flow).unwrap();
    assert_eq!(
        serde_json::from_str::<AuthorizationFlow>(&stored).unwrap(),
        flow
    );
    assert!(!format!("{flow:?}").contains(&flow.code_verifier));
    // Another sign-in gets other random values.
    let (_, again) = conn.get_authorization_url(&["Mail.Read"], None).unwrap();
    assert_ne!(again.state, flow.state);
    assert_ne!(again.code_verifier, flow.code_verifier);
}

#[tokio::test]
async fn authorization_url_needs_scopes_and_a_delegated_flow() {
    let (clock, server, conn) = connected(AuthFlowType::Authorization, secret_app()).await;
    let err = conn.get_authorization_url(&[], None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), "Must provide at least one scope");
    let app = builder(
        &server.base,
        AuthFlowType::Credentials,
        secret_app(),
        &clock,
    )
    .build()
    .unwrap();
    assert_eq!(
        app.get_authorization_url(&["Mail.Read"], None)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn request_token_redeems_the_code_with_the_verifier() {
    let (_, server, conn) = connected(AuthFlowType::Authorization, secret_app()).await;
    let (_, flow) = conn
        .get_authorization_url(&["Mail.Read"], Some("http://localhost:5000/cb"))
        .unwrap();
    server.push([Reply::json(200, reply_for(&flow, "at-1", "rt-1"))]);
    let redirected = format!(
        "http://localhost:5000/cb?code=the-code&state={}&session_state=x",
        flow.state
    );
    let account = conn.request_token(&redirected, &flow, true).await.unwrap();
    assert_eq!(account.unwrap().username, USER);

    let req = &server.requests()[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.target, format!("/{TENANT}/oauth2/v2.0/token"));
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!(req.header("client-request-id").map(str::len), Some(36));
    assert_eq!(
        form(&req.body),
        redemption(&flow, "the-code", "http://localhost:5000/cb")
    );
    assert_eq!(conn.username().as_deref(), Some(USER));
    let saved = saved(&conn).await;
    assert!(saved.contains("\"rt-1\""));
}

#[tokio::test]
async fn a_pasted_url_with_another_state_is_refused_before_redeeming() {
    let (_, server, conn) = connected(AuthFlowType::Authorization, secret_app()).await;
    let (_, flow) = conn.get_authorization_url(&["Mail.Read"], None).unwrap();
    for url in [
        "https://login.microsoftonline.com/common/oauth2/nativeclient?code=c&state=other"
            .to_owned(),
        "https://login.microsoftonline.com/common/oauth2/nativeclient?code=c".to_owned(),
    ] {
        let err = conn.request_token(&url, &flow, true).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Identity);
        let text = err.to_string();
        assert!(text.starts_with("state mismatch"), "{text}");
        assert!(text.contains("pasted wrong"), "{text}");
    }
    // The identity platform's own error in the redirect is typed.
    let denied = format!(
        "?error=access_denied&error_description=AADSTS65004%3A+User+declined&state={}",
        flow.state
    );
    let err = conn.request_token(&denied, &flow, true).await.unwrap_err();
    let oauth = err.oauth_error().unwrap();
    assert_eq!(oauth.code, "access_denied");
    assert_eq!(oauth.aadsts(), Some(65004));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_id_token_for_another_nonce_is_rejected_and_nothing_stored() {
    let (_, server, conn) = connected(AuthFlowType::Public, Credentials::client_id(CLIENT)).await;
    let (_, flow) = conn.get_authorization_url(&["Mail.Read"], None).unwrap();
    server.push([
        Reply::json(200, user_reply("at-1", "rt-1", Some("another-nonce"))),
        Reply::json(200, user_reply("at-1", "rt-1", None)),
    ]);
    let url = format!("?code=c&state={}", flow.state);
    for _ in 0..2 {
        let err = conn.request_token(&url, &flow, true).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Identity);
        assert!(err.to_string().starts_with("nonce mismatch"), "{err}");
    }
    assert!(!conn.token_store().read(|c| c.has_data()));
    // A public client sends no secret.
    let sent = form(&server.requests()[0].body);
    assert_eq!(
        names(&sent),
        [
            "client_id",
            "grant_type",
            "client_info",
            "code_verifier",
            "code",
            "redirect_uri",
            "scope"
        ]
    );
}

#[tokio::test]
async fn client_credentials_send_the_secret_and_default_scope_and_renew_with_it() {
    let (clock, server, conn) = connected(AuthFlowType::Credentials, secret_app()).await;
    server.push([
        Reply::json(200, app_reply("app-at-1")),
        Reply::json(200, app_reply("app-at-2")),
        Reply::json(200, json!({"value": []})),
    ]);
    conn.request_token_for_client(None, true).await.unwrap();
    let expected = pairs(&[
        ("client_id", CLIENT),
        ("grant_type", "client_credentials"),
        ("client_info", "1"),
        ("client_secret", SECRET),
        ("scope", "https://graph.microsoft.com/.default"),
    ]);
    assert_eq!(form(&server.requests()[0].body), expected);
    assert_eq!(conn.username(), None);

    // An hour later the token has expired (and MSAL would have dropped it): the pipeline asks
    // again with the remembered scope, before sending the API request.
    clock.advance(Duration::from_secs(3600));
    conn.get(&server.url("/v1.0/users"), &()).await.unwrap();
    let reqs = server.requests();
    assert_eq!(form(&reqs[1].body), expected);
    assert_eq!(reqs[2].header("authorization"), Some("Bearer app-at-2"));
}

#[tokio::test]
async fn custom_app_scopes_are_remembered_for_renewal() {
    let (_, server, conn) = connected(AuthFlowType::Credentials, secret_app()).await;
    server.push([
        Reply::json(200, app_reply("a1")),
        Reply::json(200, app_reply("a2")),
    ]);
    conn.request_token_for_client(Some(&["api://other-app/.default"]), false)
        .await
        .unwrap();
    conn.refresh_token().await.unwrap();
    for req in server.requests() {
        assert_eq!(
            field(&form(&req.body), "scope"),
            Some("api://other-app/.default")
        );
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/certs/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn cert_der() -> Vec<u8> {
    let pem = fixture("test-cert.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD.decode(body).unwrap()
}

#[derive(serde::Deserialize, Debug)]
struct AssertionClaims {
    aud: String,
    iss: String,
    sub: String,
    jti: String,
    iat: u64,
    nbf: u64,
    exp: u64,
}

async fn certificate_assertion(
    algorithm: AssertionAlgorithm,
) -> (jsonwebtoken::Header, AssertionClaims, String) {
    let Credentials::Certificate { certificate, .. } =
        Credentials::certificate(CLIENT, fixture("test-key.pem"), fixture("test-cert.pem"))
    else {
        unreachable!()
    };
    let credentials = Credentials::Certificate {
        client_id: CLIENT.into(),
        certificate: certificate.with_algorithm(algorithm),
    };
    let (_, server, conn) = connected(AuthFlowType::Credentials, credentials).await;
    server.push([Reply::json(200, app_reply("a1"))]);
    conn.request_token_for_client(None, false).await.unwrap();
    let sent = form(&server.requests()[0].body);
    assert_eq!(
        names(&sent),
        [
            "client_id",
            "grant_type",
            "client_info",
            "client_assertion_type",
            "client_assertion",
            "scope"
        ]
    );
    assert_eq!(
        field(&sent, "client_assertion_type"),
        Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
    );
    let jwt = field(&sent, "client_assertion").unwrap();
    let audience = format!("{}/{TENANT}/oauth2/v2.0/token", server.base);
    let key =
        jsonwebtoken::DecodingKey::from_rsa_pem(fixture("test-pubkey.pem").as_bytes()).unwrap();
    let alg = match algorithm {
        AssertionAlgorithm::Ps256 => jsonwebtoken::Algorithm::PS256,
        _ => jsonwebtoken::Algorithm::RS256,
    };
    let mut validation = jsonwebtoken::Validation::new(alg);
    validation.set_audience(&[&audience]);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let data = jsonwebtoken::decode::<AssertionClaims>(jwt, &key, &validation).unwrap();
    // A different key's signature does not verify.
    let other =
        jsonwebtoken::EncodingKey::from_rsa_pem(fixture("other-key.pem").as_bytes()).unwrap();
    let forged = jsonwebtoken::encode(&data.header, &json!({"aud": audience}), &other).unwrap();
    assert!(jsonwebtoken::decode::<serde_json::Value>(&forged, &key, &validation).is_err());
    (data.header, data.claims, audience)
}

#[tokio::test]
async fn certificate_assertion_is_rs256_with_sha1_thumbprint() {
    let (header, claims, audience) = certificate_assertion(AssertionAlgorithm::Rs256).await;
    let sha1 = URL_SAFE_NO_PAD.encode(digest::digest(
        &digest::SHA1_FOR_LEGACY_USE_ONLY,
        &cert_der(),
    ));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    assert_eq!(header.x5t.as_deref(), Some(sha1.as_str()));
    assert_eq!(header.x5t_s256, None);
    assert_eq!(claims.aud, audience);
    assert_eq!((claims.iss.as_str(), claims.sub.as_str()), (CLIENT, CLIENT));
    assert_eq!(claims.iat, START);
    assert_eq!(claims.nbf, START);
    assert_eq!(claims.exp, START + 600);
    assert_eq!(claims.jti.len(), 36);
}

#[tokio::test]
async fn certificate_assertion_can_be_ps256_with_sha256_thumbprint() {
    let (header, claims, _) = certificate_assertion(AssertionAlgorithm::Ps256).await;
    let sha256 = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, &cert_der()));
    assert_eq!(header.alg, jsonwebtoken::Algorithm::PS256);
    assert_eq!(header.x5t_s256.as_deref(), Some(sha256.as_str()));
    assert_eq!(header.x5t, None);
    assert_eq!(claims.exp - claims.iat, 600);
}

#[tokio::test]
async fn password_grant_sends_the_user_and_anchor() {
    let (clock, server) = server().await;
    let conn = password_builder(&server.base, &clock, "pa ss&word")
        .build()
        .unwrap();
    server.push([Reply::json(200, user_reply("at-1", "rt-1", None))]);
    conn.request_token_by_password(&["Mail.Read"], true)
        .await
        .unwrap();
    let req = &server.requests()[0];
    assert_eq!(
        req.header("x-anchormailbox"),
        Some(format!("upn:{USER}").as_str())
    );
    assert_eq!(
        form(&req.body),
        pairs(&[
            ("client_id", CLIENT),
            ("grant_type", "password"),
            ("client_info", "1"),
            ("username", USER),
            ("password", "pa ss&word"),
            ("scope", MAIL_READ),
        ])
    );
    assert!(!format!("{conn:?}").contains("pa ss&word"));
}

fn device_reply(interval: u64, expires_in: u64) -> Reply {
    Reply::json(
        200,
        json!({"device_code": "dev-code-1", "user_code": "ABCD-EFGH",
            "verification_uri": "https://microsoft.com/devicelogin", "expires_in": expires_in,
            "interval": interval, "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."}),
    )
}

fn pending(code: &str) -> Reply {
    Reply::json(
        400,
        oauth_error(
            code,
            "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.",
            70016,
        ),
    )
}

/// A device-code sign-in for Mail.Read (prompt ignored, cancelled by `cancel`) that must fail.
async fn device_code_failure(
    conn: &Connection,
    cancel: impl std::future::Future<Output = ()> + Send,
) -> o365::Error {
    conn.request_token_by_device_code(&["Mail.Read"], |_| {}, cancel, false)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn device_code_polls_through_pending_and_slow_down() {
    let (clock, server, conn) =
        connected(AuthFlowType::DeviceCode, Credentials::client_id(CLIENT)).await;
    server.push([
        device_reply(5, 900),
        pending("authorization_pending"),
        pending("slow_down"),
        pending("authorization_pending"),
        Reply::json(200, user_reply("at-1", "rt-1", None)),
    ]);
    let mut shown: Option<DeviceCodePrompt> = None;
    let account = conn
        .request_token_by_device_code(
            &["Mail.Read"],
            |prompt| shown = Some(prompt.clone()),
            std::future::pending(),
            false,
        )
        .await
        .unwrap();
    assert_eq!(account.unwrap().username, USER);
    let prompt = shown.unwrap();
    assert_eq!(prompt.user_code, "ABCD-EFGH");
    assert_eq!(prompt.verification_uri, "https://microsoft.com/devicelogin");
    assert!(prompt.message.contains("ABCD-EFGH"));
    let secs = |s: u64| Duration::from_secs(s);
    assert_eq!(clock.sleeps(), [secs(5), secs(5), secs(10), secs(10)]);
    let reqs = server.requests();
    assert_eq!(reqs[0].target, format!("/{TENANT}/oauth2/v2.0/devicecode"));
    assert_eq!(
        form(&reqs[0].body),
        pairs(&[("client_id", CLIENT), ("scope", MAIL_READ)])
    );
    assert_eq!(
        form(&reqs[1].body),
        pairs(&[
            ("client_id", CLIENT),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_info", "1"),
            ("device_code", "dev-code-1"),
        ])
    );
    assert_eq!(reqs.len(), 5);
    assert_eq!(
        conn.token_store().read(|c| c
            .get_account(o365::token::AccountSelector::First)
            .and_then(|a| a.account_source.clone())),
        Some("urn:ietf:params:oauth:grant-type:device_code".to_owned())
    );
}

#[tokio::test]
async fn device_code_stops_on_expiry_and_on_cancel() {
    let (_, server, conn) = connected(AuthFlowType::Public, Credentials::client_id(CLIENT)).await;
    // The server says the code expired.
    server.push([
        device_reply(5, 900),
        pending("authorization_pending"),
        Reply::json(400, oauth_error("expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired.", 70020)),
    ]);
    let err = device_code_failure(&conn, std::future::pending()).await;
    assert_eq!(err.oauth_error().unwrap().code, "expired_token");
    assert_eq!(server.requests().len(), 3);

    // The code's own lifetime runs out on the clock: no poll after the deadline.
    server.push([
        device_reply(5, 12),
        pending("authorization_pending"),
        pending("authorization_pending"),
    ]);
    let err = device_code_failure(&conn, std::future::pending()).await;
    assert_eq!(err.kind(), ErrorKind::Identity);
    assert!(err.to_string().contains("expired"), "{err}");
    assert_eq!(server.requests().len(), 6);

    // Cancellation ends the wait.
    server.push([device_reply(5, 900)]);
    server.fallback(pending("authorization_pending"));
    let err = device_code_failure(&conn, std::future::ready(())).await;
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert!(!conn.token_store().read(|c| c.has_data()));
}

async fn saved(conn: &Connection) -> String {
    let text = conn
        .token_store()
        .backend()
        .load()
        .await
        .unwrap()
        .expect("saved");
    text.expose_secret().to_owned()
}

/// A Connection against `authority` whose cache (for `env`) holds an access token that expired
/// 10 s ago and the refresh token `rt-old`.
async fn expired(authority: &str, clock: &ManualClock, env: &str) -> Connection {
    let cache = user_cache(env, "at-old", START - 3000, START - 10, Some("rt-old"));
    seeded(authority, clock, cache).await.build().unwrap()
}

#[tokio::test]
async fn refresh_sends_the_stored_scopes_and_anchor_and_saves() {
    let (clock, server) = server().await;
    let conn = expired(&server.base, &clock, &env_of(&server.base)).await;
    server.push([
        Reply::json(200, user_reply("at-new", "rt-new", None)),
        Reply::json(200, json!({"id": "me"})),
    ]);
    conn.get(&server.url("/v1.0/me"), &()).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].target, format!("/{TENANT}/oauth2/v2.0/token"));
    assert_eq!(reqs[0].header("x-anchormailbox"), Some("Oid:oid-1@tid-1"));
    assert_eq!(
        form(&reqs[0].body),
        pairs(&[
            ("client_id", CLIENT),
            ("grant_type", "refresh_token"),
            ("client_info", "1"),
            ("client_secret", SECRET),
            ("refresh_token", "rt-old"),
            (
                "scope",
                "email Mail.Read User.Read offline_access openid profile"
            ),
        ])
    );
    assert_eq!(reqs[1].header("authorization"), Some("Bearer at-new"));
    let saved = saved(&conn).await;
    assert!(saved.contains("\"rt-new\""));
    assert!(!saved.contains("\"rt-old\""));
}

/// A transient failure (503 HTML, still there after the retries) is a status error; the
/// refresh token stays.
async fn a_transient_failure_keeps_the_refresh_token(server: &ScriptedServer, conn: &Connection) {
    let before = server.requests().len();
    server.push(std::iter::repeat_n(
        Reply::new(503).body("<html>busy</html>"),
        4,
    ));
    let err = conn.refresh_token().await.unwrap_err();
    assert_eq!(server.requests().len(), before + 4, "1 attempt + 3 retries");
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.status(), Some(reqwest::StatusCode::SERVICE_UNAVAILABLE));
    assert!(
        conn.token_store()
            .read(|c| c.get_refresh_token(None).is_some())
    );
    assert!(saved(conn).await.contains("\"rt-old\""));
}

/// A wrong secret is invalid_client (the secret not shown); consent is recognised.
async fn a_wrong_secret_and_missing_consent_are_recognised(
    server: &ScriptedServer,
    conn: &Connection,
) {
    server.push([
        Reply::json(
            401,
            oauth_error(
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided.",
                7000215,
            ),
        ),
        Reply::json(
            400,
            oauth_error(
                "invalid_grant",
                "AADSTS65001: The user or administrator has not consented to use the application.",
                65001,
            ),
        ),
    ]);
    let err = conn.refresh_token().await.unwrap_err();
    assert!(err.oauth_error().unwrap().is_invalid_client());
    assert!(!err.to_string().contains(SECRET));
    let err = conn.refresh_token().await.unwrap_err();
    assert!(err.oauth_error().unwrap().is_consent_required());
}

#[tokio::test]
async fn invalid_grant_is_typed_and_keeps_the_refresh_token() {
    let (clock, server) = server().await;
    let conn = expired(&server.base, &clock, &env_of(&server.base)).await;
    server.push([Reply::json(
        400,
        oauth_error(
            "invalid_grant",
            "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-09-01 and was inactive for 90.00:00:00.\r\nTrace ID: trace-1",
            700082,
        ),
    )]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Identity);
    assert_eq!(err.status(), Some(reqwest::StatusCode::BAD_REQUEST));
    let oauth = err.oauth_error().unwrap();
    assert!(oauth.is_invalid_grant());
    assert_eq!(oauth.aadsts(), Some(700082));
    assert_eq!(oauth.correlation_id.as_deref(), Some("corr-1"));
    assert!(
        err.to_string()
            .contains("AADSTS700082: The refresh token has expired"),
        "{err}"
    );
    assert!(!err.to_string().contains("rt-old"));
    assert_eq!(server.requests().len(), 1, "no API call without a token");

    a_transient_failure_keeps_the_refresh_token(&server, &conn).await;
    a_wrong_secret_and_missing_consent_are_recognised(&server, &conn).await;

    // Unreachable identity platform: a transport error, refresh token kept.
    let dead = expired("http://127.0.0.1:9", &clock, &env_of(&server.base)).await;
    let err = dead.refresh_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert!(
        dead.token_store()
            .read(|c| c.get_refresh_token(None).is_some())
    );
}

#[tokio::test]
async fn without_a_refresh_token_nothing_is_requested() {
    let (clock, server) = server().await;
    let cache = user_cache(
        &env_of(&server.base),
        "at-old",
        START - 3600,
        START - 10,
        None,
    );
    let conn = seeded(&server.base, &clock, cache).await.build().unwrap();
    server.push([Reply::json(401, json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid."}}))]);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert!(err.is_token_expired(), "{err:?}");
    let err = conn.refresh_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAuthenticated);
    assert!(err.to_string().contains("offline_access"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

/// A builder with [`secret_app`] and a memory backend, on no particular cloud or server.
fn anywhere() -> o365::ConnectionBuilder {
    Connection::builder(secret_app()).token_backend(MemoryTokenBackend::new())
}

#[tokio::test]
async fn clouds_set_authority_and_graph_together() {
    let clock = clock();
    let conn = anywhere()
        .cloud(Cloud::China)
        .tenant_id("contoso.partner.onmschina.cn")
        .clock(clock.clone())
        .build()
        .unwrap();
    assert_eq!(
        conn.protocol().service_url(),
        "https://microsoftgraph.chinacloudapi.cn/v1.0/"
    );
    assert_eq!(
        conn.sign_in().authority().token_endpoint(),
        "https://login.chinacloudapi.cn/contoso.partner.onmschina.cn/oauth2/v2.0/token"
    );
    let (url, _) = conn.get_authorization_url(&["Mail.Read"], None).unwrap();
    assert!(url.starts_with(
        "https://login.chinacloudapi.cn/contoso.partner.onmschina.cn/oauth2/v2.0/authorize?"
    ));
    assert!(url.contains("scope=https%3A%2F%2Fmicrosoftgraph.chinacloudapi.cn%2FMail.Read+offline_access+openid+profile"), "{url}");

    let gov = anywhere().cloud(Cloud::UsGovernmentDoD).build().unwrap();
    assert_eq!(
        gov.protocol().service_url(),
        "https://dod-graph.microsoft.us/v1.0/"
    );
    assert_eq!(
        gov.sign_in().authority().authorize_endpoint(),
        "https://login.microsoftonline.us/common/oauth2/v2.0/authorize"
    );
    assert_eq!(gov.sign_in().refresh_margin(), Duration::from_secs(300));

    let err = anywhere()
        .authority("http://login.example.test")
        .build()
        .unwrap_err();
    assert!(err.is_config(), "{err}");
}

#[tokio::test]
async fn token_requests_go_through_the_proxy() {
    let (clock, proxy) = server().await;
    proxy.push([Reply::json(200, app_reply("via-proxy"))]);
    let port: u16 = proxy.base.rsplit(':').next().unwrap().parse().unwrap();
    let conn = builder(
        "http://127.0.0.2:1",
        AuthFlowType::Credentials,
        secret_app(),
        &clock,
    )
    .proxy(ProxyConfig::new("127.0.0.1").port(port))
    .build()
    .unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    let req = &proxy.requests()[0];
    assert_eq!(
        req.target,
        format!("http://127.0.0.2:1/{TENANT}/oauth2/v2.0/token")
    );
    assert_eq!(
        field(&form(&req.body), "grant_type"),
        Some("client_credentials")
    );
}

/// Console output shared with the fake user who reads it.
#[derive(Clone, Default)]
struct Screen(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Screen {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Screen {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// A user who reads the printed URL and pastes back a redirect with its state (or nothing).
struct Paster {
    screen: Screen,
    paste: bool,
    done: bool,
}

impl std::io::Read for Paster {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        self.done = true;
        let text = self.screen.text();
        let line = if self.paste {
            let state = text
                .split("state=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
                .to_owned();
            format!(
                "https://login.microsoftonline.com/common/oauth2/nativeclient?code=pasted&state={state}\n"
            )
        } else {
            "\n".to_owned()
        };
        buf[..line.len()].copy_from_slice(line.as_bytes());
        Ok(line.len())
    }
}

/// The console sign-in of a user who pastes back the redirect (`paste`) or an empty line, and
/// the screen they read.
fn pasting_user(paste: bool) -> (Screen, o365::ConsentMode) {
    let screen = Screen::default();
    let mode = o365::ConsentMode::Paste {
        output: Box::new(screen.clone()),
        input: Box::new(std::io::BufReader::new(Paster {
            screen: screen.clone(),
            paste,
            done: false,
        })),
    };
    (screen, mode)
}

#[tokio::test]
async fn console_flow_prints_the_url_and_reads_the_pasted_redirect() {
    let (_, server, conn) = connected(AuthFlowType::Public, Credentials::client_id(CLIENT)).await;
    server.push([Reply::json(200, user_reply("at-1", "rt-1", None))]);
    let (screen, mode) = pasting_user(true);
    // The id token has no nonce: the sign-in fails and python-o365's message is printed.
    assert!(
        !conn
            .authenticate_interactively(&["Mail.Read"], mode)
            .await
            .unwrap()
    );
    let text = screen.text();
    assert!(
        text.starts_with("Visit the following url to give consent:\n"),
        "{text}"
    );
    assert!(
        text.contains("Paste the authenticated url here:\n"),
        "{text}"
    );
    assert!(
        text.contains("Something go wrong. Please try again. (nonce mismatch"),
        "{text}"
    );
    assert_eq!(
        field(&form(&server.requests()[0].body), "code"),
        Some("pasted")
    );

    // An empty line aborts without any request.
    let (screen, mode) = pasting_user(false);
    assert!(
        !conn
            .authenticate_interactively(&["Mail.Read"], mode)
            .await
            .unwrap()
    );
    assert!(screen.text().ends_with("Authentication Flow aborted.\n"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn throttled_token_requests_are_retried_after_retry_after_and_errors_are_not() {
    let (clock, server, conn) = connected(AuthFlowType::Credentials, secret_app()).await;
    server.push([
        Reply::new(429).header("Retry-After", "3"),
        Reply::new(503),
        Reply::json(200, app_reply("app-at-1")),
    ]);
    conn.request_token_for_client(None, false).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        form(&reqs[0].body),
        form(&reqs[2].body),
        "the same form each time"
    );
    assert_eq!(clock.sleeps()[0], std::time::Duration::from_secs(3));

    server.push([Reply::json(
        400,
        oauth_error(
            "invalid_client",
            "AADSTS7000215: Invalid client secret provided.",
            7_000_215,
        ),
    )]);
    let err = conn
        .request_token_for_client(None, false)
        .await
        .unwrap_err();
    assert!(err.oauth_error().unwrap().is_invalid_client());
    assert_eq!(
        server.requests().len(),
        4,
        "a rejected request is not retried"
    );
}
