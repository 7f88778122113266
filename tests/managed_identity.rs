//! Managed identity (IMDS, App Service) and workload identity federation against httpmock: the
//! exact token requests (query, headers, form), the token cached and shared by concurrent
//! requests (one token request), renewed when due on the virtual clock, and errors typed.

mod identity_common;

use std::time::Duration;

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use identity_common::*;
use o365::identity::{ManagedIdentity, ManagedIdentitySource, SYSTEM_ASSIGNED_ID};
use o365::{AuthFlowType, Connection, Credentials, ErrorKind};
use serde_json::json;

const GRAPH: &str = "https://graph.microsoft.com";

fn mi_reply(token: &str, expires_on: u64) -> serde_json::Value {
    // IMDS sends the numbers as strings.
    json!({
        "access_token": token, "client_id": "mi-client", "expires_in": "3599",
        "expires_on": expires_on.to_string(), "ext_expires_in": "3599",
        "not_before": (expires_on - 3599).to_string(), "resource": GRAPH, "token_type": "Bearer"
    })
}

fn connection(
    server: &MockServer,
    credentials: Credentials,
    clock: &o365::clock::ManualClock,
) -> Connection {
    builder(
        &server.base_url(),
        AuthFlowType::Credentials,
        credentials,
        clock,
    )
    .build()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_token_is_requested_once_shared_and_renewed_when_due() {
    let server = MockServer::start_async().await;
    let imds = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/metadata/identity/oauth2/token")
                .query_param("api-version", "2018-02-01")
                .query_param("resource", GRAPH)
                .query_param_missing("client_id")
                .header("metadata", "true")
                .header_missing("authorization")
                .header_missing("x-identity-header");
            then.status(200)
                .json_body(mi_reply("mi-token-1", START + 3599));
        })
        .await;
    let api = mock_get(&server, "/v1.0/me", "mi-token-1", json!({"id": "app"})).await;
    let clock = clock();
    let identity = ManagedIdentity::system_assigned()
        .imds_endpoint(server.url("/metadata/identity/oauth2/token"));
    let conn = connection(&server, Credentials::managed_identity(identity), &clock);
    assert_eq!(conn.credentials().id(), SYSTEM_ASSIGNED_ID);
    let url = server.url("/v1.0/me");
    gets_all_ok(&conn, &url, 16).await;
    assert_eq!(imds.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 16);

    // Within the refresh margin of expiry: one new token request, then the new token.
    imds.delete_async().await;
    let imds2 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/metadata/identity/oauth2/token")
                .query_param("resource", GRAPH)
                .header("metadata", "true");
            then.status(200)
                .json_body(mi_reply("mi-token-2", START + 7200));
        })
        .await;
    let api2 = mock_get(&server, "/v1.0/me", "mi-token-2", json!({"id": "app"})).await;
    clock.advance(Duration::from_secs(3500));
    assert_eq!(conn.get(&url, &()).await.unwrap().status(), 200);
    assert_eq!(conn.get(&url, &()).await.unwrap().status(), 200);
    assert_eq!(imds2.calls_async().await, 1);
    assert_eq!(api2.calls_async().await, 2);
}

#[tokio::test]
async fn app_service_user_assigned_sends_its_header_and_client_id() {
    let server = MockServer::start_async().await;
    let endpoint = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/msi/token")
                .query_param("api-version", "2019-08-01")
                .query_param("resource", GRAPH)
                .query_param("client_id", "uami-client-1")
                .header("x-identity-header", "app-service-secret")
                .header_missing("metadata")
                .header_missing("authorization");
            then.status(200).json_body(json!({
                "access_token": "as-token", "expires_on": (START + 86_400).to_string(),
                "resource": GRAPH, "token_type": "Bearer", "client_id": "uami-client-1"
            }));
        })
        .await;
    let api = mock_get(
        &server,
        "/v1.0/me/messages",
        "as-token",
        json!({"value": []}),
    )
    .await;
    let vars = |name: &str| match name {
        "IDENTITY_ENDPOINT" => Some(server.url("/msi/token")),
        "IDENTITY_HEADER" => Some("app-service-secret".to_owned()),
        _ => None,
    };
    let identity = ManagedIdentity::from_vars(Some("uami-client-1"), vars);
    assert!(matches!(
        identity.source(),
        ManagedIdentitySource::AppService { .. }
    ));
    let credentials = Credentials::managed_identity(identity);
    let shown = format!("{credentials:?} {:?}", credentials);
    assert!(!shown.contains("app-service-secret"), "{shown}");
    let clock = clock();
    let conn = connection(&server, credentials, &clock);
    assert_eq!(conn.credentials().id(), "uami-client-1");
    conn.request_token_for_client(None, false).await.unwrap();
    let page: serde_json::Value = conn
        .get(&server.url("/v1.0/me/messages"), &())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page, json!({"value": []}));
    assert_eq!(endpoint.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 1);

    // Without the App Service variables: IMDS.
    let imds = ManagedIdentity::from_vars(None, |_| None);
    assert!(
        matches!(imds.source(), ManagedIdentitySource::Imds { endpoint } if endpoint == o365::identity::IMDS_ENDPOINT)
    );
}

#[tokio::test]
async fn a_refused_managed_identity_request_is_an_identity_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/metadata/identity/oauth2/token");
            then.status(400).json_body(json!({
                "error": "invalid_request",
                "error_description": "Identity not found"
            }));
        })
        .await;
    let clock = clock();
    let identity = ManagedIdentity::user_assigned("nope")
        .imds_endpoint(server.url("/metadata/identity/oauth2/token"));
    let conn = connection(&server, Credentials::managed_identity(identity), &clock);
    let err = conn.get(&server.url("/v1.0/me"), &()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Identity, "{err}");
    let oauth = err.oauth_error().unwrap();
    assert_eq!(oauth.code, "invalid_request");
    assert_eq!(oauth.description.as_deref(), Some("Identity not found"));
}

#[tokio::test]
async fn workload_identity_sends_the_current_federated_token_as_client_assertion() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("azure-identity-token");
    std::fs::write(&file, "federated-jwt-one\n").unwrap();
    let token_path = format!("/{TENANT}/oauth2/v2.0/token");
    let first = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(&token_path)
                .form_urlencoded_tuple("client_id", CLIENT)
                .form_urlencoded_tuple("grant_type", "client_credentials")
                .form_urlencoded_tuple(
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                )
                .form_urlencoded_tuple("client_assertion", "federated-jwt-one")
                .form_urlencoded_tuple("scope", "https://graph.microsoft.com/.default")
                .form_urlencoded_tuple_missing("client_secret");
            then.status(200).json_body(app_reply("wif-token-1"));
        })
        .await;
    let api = mock_get(&server, "/v1.0/users", "wif-token-1", json!({"value": []})).await;
    let clock = clock();
    let conn = connection(&server, Credentials::federated_token(CLIENT, &file), &clock);
    let url = server.url("/v1.0/users");
    assert_eq!(conn.get(&url, &()).await.unwrap().status(), 200);
    assert_eq!(conn.get(&url, &()).await.unwrap().status(), 200);
    assert_eq!(first.calls_async().await, 1);
    assert_eq!(api.calls_async().await, 2);

    // The file rotates; the renewal an hour later sends the new one.
    std::fs::write(&file, "federated-jwt-two").unwrap();
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(&token_path)
                .form_urlencoded_tuple("client_assertion", "federated-jwt-two");
            then.status(200).json_body(app_reply("wif-token-2"));
        })
        .await;
    let api2 = mock_get(&server, "/v1.0/users", "wif-token-2", json!({"value": []})).await;
    clock.advance(Duration::from_secs(3599));
    assert_eq!(conn.get(&url, &()).await.unwrap().status(), 200);
    assert_eq!(second.calls_async().await, 1);
    assert_eq!(api2.calls_async().await, 1);
    assert_eq!(first.calls_async().await, 1);

    // A missing file is a configuration error and nothing is sent.
    let missing = connection(
        &server,
        Credentials::federated_token(CLIENT, dir.path().join("absent")),
        &clock,
    );
    let err = missing.sign_in().renew().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert!(err.to_string().contains("federated token file"), "{err}");
    assert!(!format!("{:?}", Credentials::federated_token(CLIENT, &file)).contains("jwt"));
}

#[test]
fn a_managed_identity_needs_no_tenant_a_client_secret_does() {
    let managed = Credentials::managed_identity(ManagedIdentity::system_assigned());
    let built = Connection::builder(managed)
        .auth_flow(AuthFlowType::Credentials)
        .build();
    assert!(built.is_ok(), "{:?}", built.err());
    let err = Connection::builder(Credentials::client_secret("client-1", "secret"))
        .auth_flow(AuthFlowType::Credentials)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("tenant_id must be set"), "{err}");
}
