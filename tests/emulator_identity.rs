//! Contract tests of the emulated identity platform, with reqwest as the client.
#![cfg(feature = "emulator")]

mod emulator_support;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use emulator_support::{aadsts, claims, get, http, token};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use o365::clock::ManualClock;
use o365::emulator::{
    CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, ClientApp, Emulator, PUBLIC_CLIENT_ID,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

const REDIRECT: &str = "http://localhost";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const SCOPE: &str = "https://graph.microsoft.com/Mail.Read offline_access openid profile";

/// Runs the authorize endpoint; returns the `code` from the redirect (and checks `state`).
async fn authorize(em: &Emulator, client_id: &str) -> String {
    let response = http()
        .get(em.authorize_url("common"))
        .query(&[
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPE),
            ("state", "st4te"),
            ("nonce", "n0nce"),
            ("code_challenge", &Emulator::pkce_challenge(VERIFIER)),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(
        location.as_str().split('?').next(),
        Some("http://localhost/")
    );
    let param = |name: &str| {
        location
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("state").as_deref(), Some("st4te"));
    param("code").unwrap()
}

/// A token request of the public client with `grant_type` and the rest of the form.
async fn public_token(
    em: &Emulator,
    grant_type: &str,
    rest: &[(&str, &str)],
) -> (StatusCode, Value) {
    let form: Vec<(&str, &str)> = [("client_id", PUBLIC_CLIENT_ID), ("grant_type", grant_type)]
        .into_iter()
        .chain(rest.iter().copied())
        .collect();
    token(em, &form).await
}

async fn redeem(em: &Emulator, code: &str, verifier: &str) -> (StatusCode, Value) {
    public_token(
        em,
        "authorization_code",
        &[
            ("client_info", "1"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("scope", SCOPE),
        ],
    )
    .await
}

async fn refresh(em: &Emulator, refresh_token: &str) -> (StatusCode, Value) {
    public_token(
        em,
        "refresh_token",
        &[("refresh_token", refresh_token), ("scope", SCOPE)],
    )
    .await
}

#[tokio::test]
async fn auth_code_with_pkce_issues_tokens_once_and_rejects_a_wrong_verifier() {
    let em = Emulator::builder().start().await.unwrap();
    let code = authorize(&em, PUBLIC_CLIENT_ID).await;

    let (status, body) = redeem(&em, &code, "not-the-verifier-not-the-verifier-not-the-v").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(aadsts(&body), 501_481);
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS501481: ")
    );
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field} missing in {body}");
    }

    let (status, body) = redeem(&em, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "Mail.Read openid profile email");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["ext_expires_in"], 3600);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("0.A"));
    let user = em.user();
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], PUBLIC_CLIENT_ID);
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(id["oid"], user.oid.as_str());
    assert_eq!(id["tid"], user.tid.as_str());
    assert_eq!(id["preferred_username"], user.preferred_username.as_str());
    assert_eq!(id["name"], "Adele Vance");
    assert_eq!(id["iss"], format!("{}/{}/v2.0", em.base_url(), user.tid));
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        3600
    );
    let client_info = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        body["client_info"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&client_info).unwrap(),
        json!({"uid": user.oid, "utid": user.tid})
    );

    let access = body["access_token"].as_str().unwrap();
    let info = em.access_token_info(access).unwrap();
    assert_eq!(info.scopes, vec!["Mail.Read"]);
    assert_eq!(info.user_oid.as_deref(), Some(user.oid.as_str()));
    let (status, me) = get(&em, "me", access).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], user.oid.as_str());

    let (status, body) = redeem(&em, &code, VERIFIER).await;
    assert_eq!((status, aadsts(&body)), (StatusCode::BAD_REQUEST, 54_005));
    assert_eq!(em.counters().token_requests("authorization_code"), 3);
}

#[tokio::test]
async fn authorize_rejects_unknown_clients_and_unregistered_redirects_with_a_page() {
    let em = Emulator::builder().start().await.unwrap();
    for (client, redirect, code) in [
        ("nobody", REDIRECT, "AADSTS700016"),
        (PUBLIC_CLIENT_ID, "http://evil.example/cb", "AADSTS50011"),
    ] {
        let response = http()
            .get(em.authorize_url("common"))
            .query(&[
                ("client_id", client),
                ("response_type", "code"),
                ("redirect_uri", redirect),
                ("scope", "User.Read"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.text().await.unwrap().contains(code));
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_old_or_revoked_ones_are_rejected() {
    let em = Emulator::builder().start().await.unwrap();
    let code = authorize(&em, PUBLIC_CLIENT_ID).await;
    let first = redeem(&em, &code, VERIFIER).await.1["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let (status, body) = refresh(&em, &first).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert!(body["id_token"].is_string());

    let (status, body) = refresh(&em, &first).await;
    assert_eq!(
        (status, body["error"].as_str(), aadsts(&body)),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"), 70_008)
    );

    let (status, body) = refresh(&em, &second).await;
    assert_eq!(status, StatusCode::OK);
    let third = body["refresh_token"].as_str().unwrap().to_owned();
    em.script().revoke_refresh_tokens();
    let (_, body) = refresh(&em, &third).await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_grant"), 50_173)
    );
    assert_eq!(em.counters().token_requests("refresh_token"), 4);
}

#[tokio::test]
async fn client_credentials_with_a_secret() {
    let em = Emulator::builder().start().await.unwrap();
    let form = |secret: &'static str, scope: &'static str| {
        [
            ("client_id", CONFIDENTIAL_CLIENT_ID),
            ("client_secret", secret),
            ("grant_type", "client_credentials"),
            ("scope", scope),
        ]
    };
    let (status, body) = token(
        &em,
        &form(
            CONFIDENTIAL_CLIENT_SECRET,
            "https://graph.microsoft.com/.default",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
    let info = em
        .access_token_info(body["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        (info.user_oid, info.scopes),
        (
            None,
            vec!["https://graph.microsoft.com/.default".to_owned()]
        )
    );

    let (status, body) = token(&em, &form("wrong", "https://graph.microsoft.com/.default")).await;
    assert_eq!(
        (status, body["error"].as_str(), aadsts(&body)),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"), 7_000_215)
    );
    assert!(!body.to_string().contains("wrong"));

    let (status, body) = token(&em, &form(CONFIDENTIAL_CLIENT_SECRET, "Mail.Read")).await;
    assert_eq!(
        (status, body["error"].as_str(), aadsts(&body)),
        (StatusCode::BAD_REQUEST, Some("invalid_scope"), 1_002_012)
    );

    let (status, body) = token(
        &em,
        &[
            ("client_id", PUBLIC_CLIENT_ID),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(
        (status, aadsts(&body)),
        (StatusCode::UNAUTHORIZED, 7_000_218)
    );
}

const CERT: &str = include_str!("fixtures/certs/test-cert.pem");
const PUBLIC_KEY: &str = include_str!("fixtures/certs/test-pubkey.pem");
const KEY: &str = include_str!("fixtures/certs/test-key.pem");
const OTHER_KEY: &str = include_str!("fixtures/certs/other-key.pem");
const CERT_CLIENT: &str = "0d3c9a51-cert-4a39-9c3e-0e365e3a1b0c";

fn assertion(key: &str, alg: Algorithm, aud: &str, exp_offset: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = json!({"aud": aud, "iss": CERT_CLIENT, "sub": CERT_CLIENT, "iat": now, "nbf": now, "exp": now + exp_offset, "jti": "5b1f"});
    jsonwebtoken::encode(
        &Header::new(alg),
        &claims,
        &EncodingKey::from_rsa_pem(key.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// A client-credentials token request form of `CERT_CLIENT` with the assertion `jwt`.
fn assertion_form(jwt: &str) -> [(&'static str, &str); 5] {
    [
        ("client_id", CERT_CLIENT),
        ("grant_type", "client_credentials"),
        ("scope", "https://graph.microsoft.com/.default"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", jwt),
    ]
}

async fn assertion_request(em: &Emulator, jwt: String) -> (StatusCode, Value) {
    token(em, &assertion_form(&jwt)).await
}

async fn poll(em: &Emulator, device_code: &str) -> (StatusCode, Value) {
    public_token(
        em,
        "urn:ietf:params:oauth:grant-type:device_code",
        &[("device_code", device_code)],
    )
    .await
}

#[tokio::test]
async fn client_credentials_with_a_certificate_assertion() {
    let em = Emulator::builder()
        .client(ClientApp::public(CERT_CLIENT).with_certificate(CERT))
        .client(ClientApp::public("pubkey-client").with_certificate(PUBLIC_KEY))
        .start()
        .await
        .unwrap();
    let aud = em.token_url("common");
    let request = |jwt: String| assertion_request(&em, jwt);
    let (status, body) = request(assertion(KEY, Algorithm::RS256, &aud, 600)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string());
    let (status, body) = request(assertion(KEY, Algorithm::PS256, &aud, 600)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = request(assertion(OTHER_KEY, Algorithm::RS256, &aud, 600)).await;
    assert_eq!((status, aadsts(&body)), (StatusCode::UNAUTHORIZED, 700_027));
    let (_, body) = request(assertion(
        KEY,
        Algorithm::RS256,
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        600,
    ))
    .await;
    assert_eq!(aadsts(&body), 700_027);
    assert!(body["error_description"].as_str().unwrap().contains("aud"));
    let (_, body) = request(assertion(KEY, Algorithm::RS256, &aud, -10)).await;
    assert_eq!(aadsts(&body), 700_024);
}

#[tokio::test]
async fn a_public_key_pem_also_verifies_assertions() {
    let em = Emulator::builder()
        .client(ClientApp::public(CERT_CLIENT).with_certificate(PUBLIC_KEY))
        .start()
        .await
        .unwrap();
    let jwt = assertion(KEY, Algorithm::RS256, &em.token_url("organizations"), 600);
    let response = http()
        .post(em.token_url("organizations"))
        .form(&assertion_form(&jwt))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn device_code_is_pending_then_slow_down_then_succeeds_and_later_expires() {
    let clock = ManualClock::new();
    let em = Emulator::builder()
        .clock(Arc::new(clock.clone()))
        .start()
        .await
        .unwrap();
    let device_code = a_device_code_grant_names_its_user_code_uri_and_interval(&em).await;
    polls_are_pending_then_slowed_down_then_answered(&em, &clock, &device_code).await;
    an_unredeemed_code_expires_after_900_seconds(&em, &clock).await;
    assert_eq!(
        em.counters()
            .token_requests("urn:ietf:params:oauth:grant-type:device_code"),
        4
    );
}

/// The device-code grant lasts 900 s with a 5 s interval, points at the emulator's device login
/// and shows its 9-character user code in the message. Returns the device code.
async fn a_device_code_grant_names_its_user_code_uri_and_interval(em: &Emulator) -> String {
    let response = http()
        .post(em.devicecode_url("common"))
        .form(&[
            ("client_id", PUBLIC_CLIENT_ID),
            ("scope", "User.Read offline_access"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let grant: Value = response.json().await.unwrap();
    assert_eq!(
        (grant["expires_in"].as_u64(), grant["interval"].as_u64()),
        (Some(900), Some(5))
    );
    assert_eq!(
        grant["verification_uri"],
        format!("{}/devicelogin", em.base_url())
    );
    assert_eq!(grant["user_code"].as_str().unwrap().len(), 9);
    assert!(
        grant["message"]
            .as_str()
            .unwrap()
            .contains(grant["user_code"].as_str().unwrap())
    );
    grant["device_code"].as_str().unwrap().to_owned()
}

/// The first poll is pending, the next too soon; once the interval has passed, the tokens for
/// User.Read (a refresh token, no id token).
async fn polls_are_pending_then_slowed_down_then_answered(
    em: &Emulator,
    clock: &ManualClock,
    device_code: &str,
) {
    let poll_once = || poll(em, device_code);

    let (status, body) = poll_once().await;
    assert_eq!(
        (status, body["error"].as_str(), aadsts(&body)),
        (
            StatusCode::BAD_REQUEST,
            Some("authorization_pending"),
            70_016
        )
    );
    let (_, body) = poll_once().await;
    assert_eq!(body["error"], "slow_down");
    clock.advance(Duration::from_secs(5));
    let (status, body) = poll_once().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "User.Read");
    assert!(body["refresh_token"].is_string() && body.get("id_token").is_none());
}

/// A second grant, never confirmed, is refused as expired 900 s later.
async fn an_unredeemed_code_expires_after_900_seconds(em: &Emulator, clock: &ManualClock) {
    let response = http()
        .post(em.devicecode_url("common"))
        .form(&[("client_id", PUBLIC_CLIENT_ID), ("scope", "User.Read")])
        .send()
        .await
        .unwrap();
    let expiring = response.json::<Value>().await.unwrap()["device_code"]
        .as_str()
        .unwrap()
        .to_owned();
    clock.advance(Duration::from_secs(900));
    let (_, body) = poll(em, &expiring).await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("expired_token"), 70_019)
    );
}

/// A password-grant token request of the public client for User.Read and the sign-in scopes.
async fn password_sign_in(em: &Emulator, username: &str, password: &str) -> (StatusCode, Value) {
    let form = [
        ("username", username),
        ("password", password),
        (
            "scope",
            "https://graph.microsoft.com/User.Read offline_access openid profile",
        ),
    ];
    public_token(em, "password", &form).await
}

#[tokio::test]
async fn password_grant_checks_the_test_users_credentials() {
    let em = Emulator::builder().start().await.unwrap();
    let user = em.user().clone();
    let password = secrecy::ExposeSecret::expose_secret(&user.password).to_owned();
    let username = user.preferred_username.to_lowercase();
    let (status, body) = password_sign_in(&em, &username, &password).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        claims(body["id_token"].as_str().unwrap())["oid"],
        user.oid.as_str()
    );
    assert!(
        claims(body["id_token"].as_str().unwrap())
            .get("nonce")
            .is_none()
    );

    let (_, body) = password_sign_in(&em, &username, "guess").await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_grant"), 50_126)
    );
}

#[tokio::test]
async fn consent_is_required_for_scopes_the_client_was_not_granted() {
    let em = Emulator::builder()
        .client(
            ClientApp::public("limited")
                .with_redirect_uri(REDIRECT)
                .with_granted_scopes(["User.Read"]),
        )
        .start()
        .await
        .unwrap();
    let password = secrecy::ExposeSecret::expose_secret(&em.user().password).to_owned();
    let username = em.user().preferred_username.clone();
    let ask = |scope: &'static str| {
        let (username, password) = (username.clone(), password.clone());
        let em = &em;
        async move {
            token(
                em,
                &[
                    ("client_id", "limited"),
                    ("grant_type", "password"),
                    ("username", &username),
                    ("password", &password),
                    ("scope", scope),
                ],
            )
            .await
        }
    };
    let (status, _) = ask("User.Read openid").await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = ask("Mail.Send openid").await;
    assert_eq!(
        (
            body["error"].as_str(),
            aadsts(&body),
            body["suberror"].as_str()
        ),
        (Some("invalid_grant"), 65_001, Some("consent_required"))
    );
}

#[tokio::test]
async fn unknown_clients_and_grants_get_oauth_errors() {
    let em = Emulator::builder().start().await.unwrap();
    let (status, body) = token(
        &em,
        &[
            ("client_id", "nobody"),
            ("grant_type", "client_credentials"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str(), aadsts(&body)),
        (
            StatusCode::BAD_REQUEST,
            Some("unauthorized_client"),
            700_016
        )
    );
    let (_, body) = public_token(&em, "implicit", &[]).await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("unsupported_grant_type"), 70_003)
    );
    let (_, body) = token(&em, &[("client_id", PUBLIC_CLIENT_ID)]).await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_request"), 900_144)
    );
    let (_, body) = token(
        &em,
        &[
            ("client_id", PUBLIC_CLIENT_ID),
            ("client_secret", "x"),
            ("grant_type", "refresh_token"),
            ("refresh_token", "y"),
        ],
    )
    .await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_client"), 700_025)
    );
}

#[tokio::test]
async fn the_openid_configuration_points_at_the_emulator() {
    let em = Emulator::builder().start().await.unwrap();
    let doc: Value = http()
        .get(format!(
            "{}/common/v2.0/.well-known/openid-configuration",
            em.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["token_endpoint"], em.token_url("common"));
    assert_eq!(doc["authorization_endpoint"], em.authorize_url("common"));
}
