//! Helpers shared by the identity tests: token replies with id tokens and client_info, form
//! parsing, Connections pointed at a loopback identity server, httpmock Graph endpoints,
//! concurrent requests and child test processes.

#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpmock::Method::{GET, POST};
use httpmock::{Mock, MockServer};
use o365::clock::ManualClock;
use o365::identity::AuthorizationFlow;
use o365::token::{MemoryTokenBackend, TokenBackend};
use o365::{AuthFlowType, Connection, ConnectionBuilder, Credentials};
use secrecy::SecretString;
use serde_json::{Value, json};

/// 2026-01-01T00:00:00Z, the start of every test's virtual clock.
pub const START: u64 = 1_767_225_600;
pub const TENANT: &str = "tenant-1";
pub const CLIENT: &str = "client-1";
pub const SECRET: &str = "s3cret-value";
pub const USER: &str = "adele@contoso.test";

pub fn clock() -> ManualClock {
    ManualClock::at(UNIX_EPOCH + Duration::from_secs(START))
}

/// The system clock's seconds since the epoch, for tests that run on real time.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An unsigned JWT carrying `claims` (the client never verifies id-token signatures, as MSAL).
pub fn jwt(claims: Value) -> String {
    let enc = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.sig",
        enc(&json!({"alg": "RS256", "typ": "JWT"})),
        enc(&claims)
    )
}

/// A delegated token reply for USER (oid-1 in tid-1), with `nonce` in the id token.
pub fn user_reply(access: &str, refresh: &str, nonce: Option<&str>) -> Value {
    let mut claims = json!({"oid": "oid-1", "tid": "tid-1", "sub": "sub-1",
        "preferred_username": USER, "aud": CLIENT});
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    json!({
        "token_type": "Bearer",
        "scope": "Mail.Read User.Read openid profile email",
        "expires_in": 3600,
        "ext_expires_in": 3600,
        "access_token": access,
        "refresh_token": refresh,
        "id_token": jwt(claims),
        "client_info": URL_SAFE_NO_PAD.encode(json!({"uid": "oid-1", "utid": "tid-1"}).to_string()),
    })
}

/// The token reply that completes the sign-in `flow`: [`user_reply`] with the id token carrying
/// the hash of the flow's nonce.
pub fn reply_for(flow: &AuthorizationFlow, access: &str, refresh: &str) -> Value {
    user_reply(access, refresh, Some(&sha256_hex(&flow.nonce)))
}

/// A text's SHA-256 (hex), as the authorization URL and the id token carry the nonce.
pub fn sha256_hex(text: &str) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An app-only token reply.
pub fn app_reply(access: &str) -> Value {
    json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": access})
}

/// An OAuth error reply body.
pub fn oauth_error(code: &str, description: &str, aadsts: u32) -> Value {
    json!({"error": code, "error_description": description, "error_codes": [aadsts],
        "trace_id": "trace-1", "correlation_id": "corr-1"})
}

/// A form body as ordered pairs.
pub fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Expected form fields, as [`form`] returns them.
pub fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The query fields of an authorization URL, in the order MSAL sends them.
pub const AUTHORIZE_FIELDS: [&str; 9] = [
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "client_info",
];

/// The names of a form's fields, in order.
pub fn names(form: &[(String, String)]) -> Vec<&str> {
    form.iter().map(|(k, _)| k.as_str()).collect()
}

/// The value of one form field.
pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A builder for `flow` against the identity server at `authority`, on `clock`, without pacing.
pub fn builder(
    authority: &str,
    flow: AuthFlowType,
    credentials: Credentials,
    clock: &ManualClock,
) -> ConnectionBuilder {
    Connection::builder(credentials)
        .auth_flow(flow)
        .tenant_id(TENANT)
        .authority(authority)
        .requests_delay(Duration::ZERO)
        .clock(clock.clone())
        .token_backend(o365::token::MemoryTokenBackend::new())
}

/// Client-secret credentials for CLIENT.
pub fn secret_app() -> Credentials {
    Credentials::client_secret(CLIENT, SECRET)
}

/// A builder for the authorization-code flow with [`secret_app`], whose memory backend already
/// holds `cache` (e.g. a [`user_cache`]).
pub async fn seeded(authority: &str, clock: &ManualClock, cache: String) -> ConnectionBuilder {
    let backend = MemoryTokenBackend::new();
    backend.save(SecretString::from(cache)).await.unwrap();
    builder(authority, AuthFlowType::Authorization, secret_app(), clock).token_backend(backend)
}

/// A builder for the password grant of USER with `password` (a public client).
pub fn password_builder(authority: &str, clock: &ManualClock, password: &str) -> ConnectionBuilder {
    builder(
        authority,
        AuthFlowType::Password,
        Credentials::client_id(CLIENT),
        clock,
    )
    .username(USER)
    .password(password)
}

/// A builder with [`secret_app`] against the identity server at `authority`, on the system
/// clock, pacing requests `delay` apart (no token backend chosen).
pub fn live_builder(authority: &str, delay: Duration) -> ConnectionBuilder {
    Connection::builder(secret_app())
        .tenant_id(TENANT)
        .authority(authority)
        .requests_delay(delay)
}

/// Sends `n` GETs of `url` through `conn` at once, one task each; the tasks give the statuses.
pub fn spawn_gets(
    conn: &Connection,
    url: &str,
    n: usize,
) -> Vec<tokio::task::JoinHandle<o365::Result<reqwest::StatusCode>>> {
    (0..n)
        .map(|_| {
            let (conn, url) = (conn.clone(), url.to_owned());
            tokio::spawn(async move { conn.get(&url, &()).await.map(|r| r.status()) })
        })
        .collect()
}

/// Sends `n` GETs of `url` through `conn` at once and asserts that every one gets 200.
pub async fn gets_all_ok(conn: &Connection, url: &str, n: usize) {
    for task in spawn_gets(conn, url, n) {
        assert_eq!(task.await.unwrap().unwrap(), 200);
    }
}

/// A Graph endpoint on `server`: GET `path` with `Bearer {bearer}` answers 200 with `body`.
pub async fn mock_get<'a>(
    server: &'a MockServer,
    path: &str,
    bearer: &str,
    body: Value,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(path)
                .header("authorization", format!("Bearer {bearer}"));
            then.status(200).json_body(body);
        })
        .await
}

/// The token endpoint on `server`: a POST whose form has the `fields` answers
/// `user_reply("at-new", "rt-new")`, after `delay` (if not zero).
pub async fn mock_refresh<'a>(
    server: &'a MockServer,
    fields: &[(&str, &str)],
    delay: Duration,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            let mut when = when
                .method(POST)
                .path(format!("/{TENANT}/oauth2/v2.0/token"));
            for (name, value) in fields {
                when = when.form_urlencoded_tuple(*name, *value);
            }
            let then = then
                .status(200)
                .json_body(user_reply("at-new", "rt-new", None));
            if !delay.is_zero() {
                then.delay(delay);
            }
        })
        .await
}

/// Runs the `#[ignore]`d test `name` of this test binary in one child process per entry of
/// `envs` (that process's environment variables), all at once; waits for all and asserts that
/// each passed its one test.
pub async fn run_child_tests(name: &str, envs: Vec<Vec<(&str, String)>>) {
    let children: Vec<_> = envs
        .into_iter()
        .map(|vars| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", name, "--ignored", "--nocapture"])
                .envs(vars)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "a child failed:\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A cache (python-o365 format) for USER with an access token `access` cached at `cached_at`
/// expiring at `expires_on`, and refresh token `refresh` (if any), under environment `env`.
pub fn user_cache(
    env: &str,
    access: &str,
    cached_at: u64,
    expires_on: u64,
    refresh: Option<&str>,
) -> String {
    let home = "oid-1.tid-1";
    let mut cache = json!({
        "AccessToken": {
            format!("{home}-{env}-accesstoken-{CLIENT}-{TENANT}-email mail.read user.read"): {
                "credential_type": "AccessToken", "secret": access, "home_account_id": home,
                "environment": env, "client_id": CLIENT, "target": "email Mail.Read User.Read",
                "realm": TENANT, "token_type": "Bearer", "cached_at": cached_at.to_string(),
                "expires_on": expires_on.to_string(), "extended_expires_on": expires_on.to_string()
            }
        },
        "Account": {
            format!("{home}-{env}-{TENANT}"): {
                "home_account_id": home, "environment": env, "realm": TENANT,
                "local_account_id": "oid-1", "username": USER, "authority_type": "MSSTS",
                "account_source": "authorization_code"
            }
        },
        "IdToken": {},
        "RefreshToken": {},
        "AppMetadata": {}
    });
    if let Some(rt) = refresh {
        cache["RefreshToken"] = json!({
            format!("{home}-{env}-refreshtoken-{CLIENT}--email mail.read user.read"): {
                "credential_type": "RefreshToken", "secret": rt, "home_account_id": home,
                "environment": env, "client_id": CLIENT, "target": "email Mail.Read User.Read",
                "last_modification_time": cached_at.to_string()
            }
        });
    }
    cache.to_string()
}

/// A [`user_cache`] for `env` with the access token `at-old`, cached 10 minutes before START
/// and good for 50 minutes more, and the refresh token `refresh` (if any).
pub fn valid_cache(env: &str, refresh: Option<&str>) -> String {
    user_cache(env, "at-old", START - 600, START + 3000, refresh)
}

/// A [`user_cache`] on the system clock whose access token `at-old` expired 100 s before `now`
/// (an hour after it was cached), with the refresh token `rt-old`.
pub fn expired_cache(env: &str, now: u64) -> String {
    user_cache(env, "at-old", now - 3700, now - 100, Some("rt-old"))
}

/// The host:port of a loopback base URL, as the cache's `environment`.
pub fn env_of(base: &str) -> String {
    base.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}
