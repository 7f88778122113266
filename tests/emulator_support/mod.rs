//! Helpers shared by the emulator contract tests: a reqwest client and small request wrappers.
#![allow(dead_code)]

use o365::emulator::Emulator;
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::Value;

/// A message with only its subject (a `$select=subject` or looser decode).
#[derive(Debug, Deserialize)]
pub struct Message {
    pub subject: String,
}

/// A page of messages.
#[derive(Debug, Deserialize)]
pub struct Page {
    pub value: Vec<Message>,
}

/// An app-only Connection to `em` with jitter-free retries, its token already fetched.
pub async fn app_connection(em: &Emulator) -> o365::Connection {
    let conn = em
        .app_connection()
        .retry_policy(o365::RetryPolicy::default().jitter(false))
        .build()
        .unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    conn
}

/// The decoded JSON body of a successful GET of `url` with `query` through `conn`.
pub async fn get_json<T: serde::de::DeserializeOwned>(
    conn: &o365::Connection,
    url: &str,
    query: &(impl serde::Serialize + ?Sized),
) -> T {
    conn.get(url, query).await.unwrap().json().await.unwrap()
}

/// The JSON body of a successful POST of `body` to `url` through `conn`.
pub async fn post_json(conn: &o365::Connection, url: &str, body: impl Into<o365::Body>) -> Value {
    conn.post(url, body).await.unwrap().json().await.unwrap()
}

/// A client that does not follow redirects (the authorize endpoint answers 302).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// POSTs a token request; returns the status and the JSON body.
pub async fn token(em: &Emulator, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = http()
        .post(em.token_url("common"))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// An app-only access token from the default confidential client.
pub async fn app_token(em: &Emulator) -> String {
    let (status, body) = token(
        em,
        &[
            ("client_id", o365::emulator::CONFIDENTIAL_CLIENT_ID),
            ("client_secret", o365::emulator::CONFIDENTIAL_CLIENT_SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// A delegated access token for the test user, issued without a flow.
pub fn user_token(em: &Emulator) -> String {
    let tokens = em
        .issue_user_tokens(
            o365::emulator::PUBLIC_CLIENT_ID,
            "Mail.ReadWrite Calendars.ReadWrite offline_access openid",
        )
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// GETs a URL (absolute, or relative to the Graph root) with a bearer token.
pub async fn get(em: &Emulator, url: &str, bearer: &str) -> (StatusCode, Value) {
    send(em, reqwest::Method::GET, url, bearer, None).await
}

/// Sends a request with an optional JSON body; the body of the answer is `Null` when empty.
pub async fn send(
    em: &Emulator,
    method: reqwest::Method,
    url: &str,
    bearer: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        format!("{}{url}", em.graph_url())
    };
    let mut request = http().request(method, url).bearer_auth(bearer);
    if let Some(body) = body {
        request = request.json(&body);
    }
    status_and_json(request.send().await.unwrap()).await
}

/// The status and the JSON body of `response` (`Null` when the body is empty).
pub async fn status_and_json(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, value)
}

/// The claims of a JWT, without verifying it.
pub fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// The AADSTS code of an identity error body.
pub fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap()
}
