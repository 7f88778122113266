//! Continuous access evaluation: the `cp1` capability on token requests, a 401 claims challenge
//! answered with a token carrying the claims and one retry, and the typed challenge error when
//! only the user can satisfy it.

mod identity_common;
mod support;

use base64::Engine;
use identity_common::*;
use o365::{AuthFlowType, Credentials, ErrorKind};
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

/// A Connection declaring `cp1` on `server`, with a valid access token and `refresh` (if any).
async fn connection(server: &ScriptedServer, refresh: Option<&str>) -> o365::Connection {
    let cache = valid_cache(&env_of(&server.base), refresh);
    seeded(&server.base, &clock(), cache)
        .await
        .client_capabilities(["cp1"])
        .build()
        .unwrap()
}

/// A fresh server and a [`connection`] to it.
async fn connected(refresh: Option<&str>) -> (ScriptedServer, o365::Connection) {
    let server = ScriptedServer::start(clock()).await;
    let conn = connection(&server, refresh).await;
    (server, conn)
}

#[tokio::test]
async fn a_claims_challenge_gets_a_token_with_the_claims_and_one_retry() {
    let (server, conn) = connected(Some("rt-old")).await;
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
    let (server, conn) = connected(Some("rt-old")).await;
    server.push([Reply::json(200, user_reply("at-2", "rt-2", None))]);
    conn.sign_in().renew().await.unwrap();
    let token = form(&server.requests()[0].body);
    assert_eq!(
        field(&token, "claims"),
        Some(r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#)
    );
}

#[tokio::test]
async fn without_a_refresh_token_the_caller_gets_the_challenge() {
    let (server, conn) = connected(None).await;
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
    let (server, conn) = connected(Some("rt-old")).await;
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

/// The query pairs of a URL, in order.
fn query_of(url: &str) -> Vec<(String, String)> {
    form(url::Url::parse(url).unwrap().query().unwrap().as_bytes())
}

#[tokio::test]
async fn the_authorization_url_and_the_code_redemption_carry_the_challenge() {
    let (server, conn) = connected(None).await;
    let (url, flow) = conn
        .sign_in()
        .authorization_url_with_claims(
            &["Mail.Read"],
            Some("http://localhost:5000/cb"),
            Some(CLAIMS),
        )
        .unwrap();
    let query = query_of(&url);
    assert_eq!(names(&query), [&AUTHORIZE_FIELDS[..], &["claims"]].concat());
    // The challenge with the capability merged in, URL-encoded JSON.
    assert_eq!(field(&query, "claims"), Some(MERGED));
    let encoded: String = url::form_urlencoded::byte_serialize(MERGED.as_bytes()).collect();
    assert!(url.ends_with(&format!("&claims={encoded}")), "{url}");
    assert!(
        encoded.starts_with("%7B%22access_token%22%3A%7B%22nbf%22"),
        "{encoded}"
    );
    assert_eq!(flow.claims_challenge.as_deref(), Some(CLAIMS));
    assert_eq!(flow.auth_uri, url);

    // The flow survives a web app's session store, and the redemption sends the claims too.
    let flow: o365::identity::AuthorizationFlow =
        serde_json::from_str(&serde_json::to_string(&flow).unwrap()).unwrap();
    server.push([Reply::json(200, reply_for(&flow, "at-claims", "rt-claims"))]);
    let redirected = format!(
        "http://localhost:5000/cb?code=the-code&state={}",
        flow.state
    );
    conn.request_token(&redirected, &flow, false).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let token = form(&reqs[0].body);
    assert_eq!(field(&token, "grant_type"), Some("authorization_code"));
    assert_eq!(field(&token, "code"), Some("the-code"));
    assert_eq!(
        field(&token, "redirect_uri"),
        Some("http://localhost:5000/cb")
    );
    assert_eq!(field(&token, "claims"), Some(MERGED));
}

#[tokio::test]
async fn without_capabilities_the_challenge_goes_as_given_and_bad_claims_are_refused() {
    let clock = clock();
    let server = ScriptedServer::start(clock.clone()).await;
    let plain = builder(
        &server.base,
        AuthFlowType::Public,
        Credentials::client_id(CLIENT),
        &clock,
    )
    .build()
    .unwrap();
    let (url, _) = plain
        .sign_in()
        .authorization_url_with_claims(&["Mail.Read"], None, Some(CLAIMS))
        .unwrap();
    assert_eq!(field(&query_of(&url), "claims"), Some(CLAIMS));
    // No challenge and no capability: no `claims` parameter at all.
    let (url, flow) = plain.get_authorization_url(&["Mail.Read"], None).unwrap();
    assert_eq!(field(&query_of(&url), "claims"), None);
    assert_eq!(flow.claims_challenge, None);
    // The capability alone is declared, as on token requests.
    let capable = connection(&server, None).await;
    let (url, _) = capable.get_authorization_url(&["Mail.Read"], None).unwrap();
    assert_eq!(
        field(&query_of(&url), "claims"),
        Some(r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#)
    );
    for bad in ["not json", "[1]", r#""text""#] {
        let err = capable
            .sign_in()
            .authorization_url_with_claims(&["Mail.Read"], None, Some(bad))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
    }
    assert!(server.requests().is_empty());
}

/// End to end against the emulator: a delegated Connection whose refresh token was revoked is
/// challenged, gets the typed challenge, and answers it with an interactive sign-in carrying the
/// claims (the loopback redirect played by a task following the emulator's redirect).
#[cfg(feature = "emulator")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_that_needs_the_user_is_answered_interactively_with_its_claims() {
    use o365::emulator::{Emulator, GRAPH_PATHS, PUBLIC_CLIENT_ID};
    use o365::identity::ConsentMode;
    let em = Emulator::builder().start().await.unwrap();
    let conn = o365::Connection::builder(Credentials::client_id(PUBLIC_CLIENT_ID))
        .auth_flow(AuthFlowType::Public)
        .authority(em.authority())
        .protocol(o365::protocol::Protocol::graph_for_host(em.base_url()))
        .requests_delay(std::time::Duration::ZERO)
        .token_backend(o365::token::MemoryTokenBackend::new())
        .client_capabilities(["cp1"])
        .build()
        .unwrap();
    let browse = || -> Option<o365::identity::UrlHook> {
        Some(Box::new(|url: &str| {
            let url = url.to_owned();
            tokio::spawn(async move {
                // The emulator consents and redirects to the loopback listener.
                let _ = reqwest::get(url).await;
            });
        }))
    };
    let loopback = |on_url| ConsentMode::Loopback {
        output: Box::new(std::io::sink()),
        open_browser: false,
        on_url,
        timeout: std::time::Duration::from_secs(30),
    };
    assert!(
        conn.sign_in()
            .interactively(&["Mail.Read"], loopback(browse()))
            .await
            .unwrap()
    );
    em.script().revoke_refresh_tokens();
    em.script().claims_challenge_next(1, GRAPH_PATHS);
    let err = conn.get("me", &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ClaimsChallenge, "{err}");
    let claims = err.claims_challenge().unwrap().to_owned();

    assert!(
        conn.sign_in()
            .interactively_with_claims(&["Mail.Read"], Some(&claims), loopback(browse()))
            .await
            .unwrap()
    );
    let me: serde_json::Value = conn.get("me", &()).await.unwrap().json().await.unwrap();
    assert_eq!(me["id"], em.user().oid.as_str());
    let counters = em.counters();
    assert_eq!(counters.token_requests("authorization_code"), 2);
    let sent: serde_json::Value =
        serde_json::from_str(counters.token_claims().last().unwrap()).unwrap();
    let challenge: serde_json::Value = serde_json::from_str(&claims).unwrap();
    assert_eq!(
        sent["access_token"]["nbf"],
        challenge["access_token"]["nbf"]
    );
    assert_eq!(sent["access_token"]["xms_cc"], json!({"values": ["cp1"]}));
}
