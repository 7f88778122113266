//! Managed identity (IMDS, App Service) and workload identity federation against the emulator:
//! a Connection lists mail with the token the host endpoint issued, concurrent calls share one
//! token request, the exact query and headers reach the endpoint, and every refusal is a typed
//! `ErrorKind::Identity` error with the host's own error shape.
#![cfg(feature = "emulator")]

mod emulator_support;

use emulator_support::{Page, get_json};
use futures_util::StreamExt;
use o365::emulator::{
    CONFIDENTIAL_CLIENT_ID, Emulator, FEDERATED_AUDIENCE, FEDERATED_SUBJECT, IDENTITY_HEADER,
    SYSTEM_ASSIGNED_CLIENT_ID, USER_ASSIGNED_CLIENT_ID,
};
use o365::identity::{ManagedIdentity, UserAssignedId};
use o365::typed::{Collection, Request};
use o365::{Credentials, ErrorKind};
use reqwest::Method;
use serde_json::Value;

const GRAPH: &str = "https://graph.microsoft.com";

fn access_token(conn: &o365::Connection) -> String {
    use secrecy::ExposeSecret;
    conn.token_store()
        .read(|c| {
            c.get_access_token(None)
                .map(|t| t.secret.expose_secret().to_string())
        })
        .expect("an access token in the cache")
}

/// The error of a token request of a managed-identity Connection with `identity`.
async fn token_refused(em: &Emulator, identity: ManagedIdentity) -> o365::Error {
    em.managed_identity_connection(identity)
        .build()
        .unwrap()
        .request_token_for_client(None, false)
        .await
        .unwrap_err()
}

/// A GET of IMDS with `query` and `Metadata: true`, straight to the endpoint.
async fn imds_get(em: &Emulator, query: &[(&str, &str)]) -> reqwest::Response {
    reqwest::Client::new()
        .get(em.imds_url())
        .query(query)
        .header("Metadata", "true")
        .send()
        .await
        .unwrap()
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_token_lists_messages_and_concurrent_calls_share_one_request() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = em
        .managed_identity_connection(em.managed_identity())
        .build()
        .unwrap();
    assert_eq!(conn.credentials().id(), o365::identity::SYSTEM_ASSIGNED_ID);
    let user = format!("users/{}", em.user().oid);
    eight_concurrent_listings_share_one_imds_request(&em, &conn, &user).await;
    raw_paging_reuses_the_app_only_token(&em, &conn, &user).await;
    a_user_assigned_identity_sends_its_client_id_and_no_credential(&em).await;
}

/// Eight concurrent typed listings of the inbox each get two messages, with one IMDS token
/// request (and its exact query) between them.
async fn eight_concurrent_listings_share_one_imds_request(
    em: &Emulator,
    conn: &o365::Connection,
    user: &str,
) {
    let url = format!("{user}/mailFolders/inbox/messages");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (conn, url) = (conn.clone(), url.clone());
            tokio::spawn(async move {
                let typed: Request<Page, Collection> = Request::new(&conn, Method::GET, &url);
                typed.top(2).select(["subject"]).send().await
            })
        })
        .collect();
    for task in tasks {
        let page = task.await.unwrap().unwrap();
        assert_eq!(page.value.len(), 2);
        assert!(!page.value[0].subject.is_empty());
    }
    let counters = em.counters();
    assert_eq!(counters.managed_identity_requests("imds"), 1);
    assert_eq!(counters.managed_identity_requests("app_service"), 0);
    assert_eq!(counters.token_requests("client_credentials"), 0);
    assert_eq!(
        counters.requests("GET", "/metadata/identity/oauth2/token"),
        1
    );
    assert_eq!(
        counters.managed_identity_queries(),
        [query(&[
            ("api-version", "2018-02-01"),
            ("resource", em.base_url())
        ])]
    );
    assert_eq!(counters.requests("GET", &format!("/v1.0/{url}")), 8);
}

/// Raw paging with the same token: every message of the mailbox. The token is app-only, issued
/// to the system-assigned identity.
async fn raw_paging_reuses_the_app_only_token(em: &Emulator, conn: &o365::Connection, user: &str) {
    let subjects: Vec<Value> = conn
        .items::<Value, _>(&format!("{user}/messages"), &[("$top", "10")], None)
        .unwrap()
        .map(|m| m.unwrap())
        .collect()
        .await;
    let (inbox, sent, drafts) = o365::emulator::fixtures::MESSAGE_COUNTS;
    assert_eq!(subjects.len(), inbox + sent + drafts);
    assert_eq!(em.counters().managed_identity_requests("imds"), 1);

    let token = access_token(conn);
    let info = em.access_token_info(&token).unwrap();
    assert_eq!(info.client_id, SYSTEM_ASSIGNED_CLIENT_ID);
    assert_eq!(info.user_oid, None);
    assert_eq!(info.scopes, [format!("{}/.default", em.base_url())]);
}

/// A user-assigned identity through IMDS: its client id in the query, `Metadata: true`, no
/// credential of any kind in the headers.
async fn a_user_assigned_identity_sends_its_client_id_and_no_credential(em: &Emulator) {
    let identity =
        ManagedIdentity::user_assigned(USER_ASSIGNED_CLIENT_ID).imds_endpoint(em.imds_url());
    let user_assigned = em.managed_identity_connection(identity).build().unwrap();
    user_assigned
        .request_token_for_client(None, false)
        .await
        .unwrap();
    let counters = em.counters();
    assert_eq!(
        counters.managed_identity_queries().last().unwrap(),
        &query(&[
            ("api-version", "2018-02-01"),
            ("resource", em.base_url()),
            ("client_id", USER_ASSIGNED_CLIENT_ID)
        ])
    );
    let headers = counters.last_request_headers().unwrap();
    assert_eq!(headers["metadata"], "true");
    for absent in ["authorization", "x-identity-header", "x-anchormailbox"] {
        assert!(headers.get(absent).is_none(), "{absent}");
    }
    assert_eq!(
        em.access_token_info(&access_token(&user_assigned))
            .unwrap()
            .client_id,
        USER_ASSIGNED_CLIENT_ID
    );
}

#[tokio::test]
async fn the_imds_reply_has_numbers_as_strings_and_the_request_its_header() {
    let em = Emulator::builder().start().await.unwrap();
    let http = reqwest::Client::new();
    let reply = http
        .get(em.imds_url())
        .query(&[
            ("api-version", "2018-02-01"),
            ("resource", GRAPH),
            ("client_id", USER_ASSIGNED_CLIENT_ID),
        ])
        .header("Metadata", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.unwrap();
    for field in ["expires_in", "expires_on", "ext_expires_in", "not_before"] {
        let text = body[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {body}"));
        assert!(text.parse::<i64>().is_ok(), "{field}: {text}");
    }
    assert_eq!(body["expires_in"], "3600");
    assert_eq!(body["client_id"], USER_ASSIGNED_CLIENT_ID);
    assert_eq!(body["resource"], GRAPH);
    assert_eq!(body["token_type"], "Bearer");
    let expires_on: i64 = body["expires_on"].as_str().unwrap().parse().unwrap();
    let not_before: i64 = body["not_before"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires_on - not_before, 3600);

    // Without `Metadata: true` (or with another value): IMDS's 400.
    for header in [None, Some("True"), Some("false")] {
        let mut request = http
            .get(em.imds_url())
            .query(&[("api-version", "2018-02-01"), ("resource", GRAPH)]);
        if let Some(value) = header {
            request = request.header("Metadata", value);
        }
        let reply = request.send().await.unwrap();
        assert_eq!(reply.status(), 400, "{header:?}");
        let body: Value = reply.json().await.unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": "invalid_request",
                "error_description": "Required metadata header not specified"})
        );
    }
}

#[tokio::test]
async fn app_service_user_assigned_sends_its_header_and_lists_messages() {
    let em = Emulator::builder()
        .identity_header("my-identity-header")
        .user_assigned_identity("uami-1")
        .start()
        .await
        .unwrap();
    assert_eq!(em.identity_header(), "my-identity-header");
    let vars = |name: &str| match name {
        "IDENTITY_ENDPOINT" => Some(em.identity_endpoint()),
        "IDENTITY_HEADER" => Some(em.identity_header().to_owned()),
        _ => None,
    };
    let identity = ManagedIdentity::from_vars(Some("uami-1"), vars);
    let conn = em.managed_identity_connection(identity).build().unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    let counters = em.counters();
    assert_eq!(counters.managed_identity_requests("app_service"), 1);
    assert_eq!(
        counters.managed_identity_queries(),
        [query(&[
            ("api-version", "2019-08-01"),
            ("resource", em.base_url()),
            ("client_id", "uami-1")
        ])]
    );
    let headers = counters.last_request_headers().unwrap();
    assert_eq!(headers["x-identity-header"], "my-identity-header");
    assert!(headers.get("metadata").is_none());
    assert!(headers.get("authorization").is_none());

    let user = format!("users/{}", em.user().oid);
    let page: Value = get_json(
        &conn,
        &format!("{user}/mailFolders/inbox/messages"),
        &[("$top", "3")],
    )
    .await;
    assert_eq!(page["value"].as_array().unwrap().len(), 3);
    let token = access_token(&conn);
    assert_eq!(em.access_token_info(&token).unwrap().client_id, "uami-1");

    // The emulator's helper: the system-assigned identity through App Service.
    let system = em
        .managed_identity_connection(em.app_service_identity())
        .build()
        .unwrap();
    system.request_token_for_client(None, false).await.unwrap();
    let token = access_token(&system);
    assert_eq!(
        em.access_token_info(&token).unwrap().client_id,
        SYSTEM_ASSIGNED_CLIENT_ID
    );
}

#[tokio::test]
async fn refusals_are_typed_identity_errors_in_the_hosts_shapes() {
    let em = Emulator::builder().start().await.unwrap();
    imds_refuses_an_unknown_identity_a_foreign_resource_and_none(&em).await;
    app_service_refuses_a_wrong_header_and_an_unknown_identity(&em).await;

    // No system-assigned identity on the host.
    let bare = Emulator::builder()
        .system_assigned_identity(None)
        .start()
        .await
        .unwrap();
    let err = token_refused(&bare, bare.managed_identity()).await;
    assert_eq!(
        err.oauth_error().unwrap().description.as_deref(),
        Some("Identity not found")
    );
    assert_eq!(bare.counters().managed_identity_requests("imds"), 1);
}

/// IMDS refuses an unknown user-assigned identity, a resource the tenant does not have, and a
/// request without a resource, each in its own words.
async fn imds_refuses_an_unknown_identity_a_foreign_resource_and_none(em: &Emulator) {
    let imds =
        |identity: ManagedIdentity| em.managed_identity_connection(identity).build().unwrap();

    // An unknown user-assigned identity: IMDS's "Identity not found".
    let err = imds(ManagedIdentity::user_assigned("nobody").imds_endpoint(em.imds_url()))
        .request_token_for_client(None, false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Identity, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let oauth = err.oauth_error().unwrap();
    assert_eq!(oauth.code, "invalid_request");
    assert_eq!(oauth.description.as_deref(), Some("Identity not found"));

    // A resource the tenant does not have.
    let conn = imds(em.managed_identity());
    let err = conn
        .request_token_for_client(Some(&["https://vault.example/.default"]), false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Identity, "{err}");
    let oauth = err.oauth_error().unwrap();
    assert_eq!(oauth.code, "invalid_resource");
    assert_eq!(oauth.aadsts(), Some(500_011));
    assert_eq!(
        em.counters().managed_identity_queries().last().unwrap(),
        &query(&[
            ("api-version", "2018-02-01"),
            ("resource", "https://vault.example")
        ])
    );

    // A request without a resource, straight to the endpoint.
    let reply = imds_get(em, &[("api-version", "2018-02-01")]).await;
    assert_eq!(reply.status(), 400);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(
        body["error_description"],
        "Required audience parameter not specified"
    );
}

/// App Service refuses a wrong header (401 with its body, typed, no secret shown) and an
/// unknown user-assigned identity (400).
async fn app_service_refuses_a_wrong_header_and_an_unknown_identity(em: &Emulator) {
    let wrong = ManagedIdentity::system_assigned()
        .app_service(em.identity_endpoint(), "wrong-header-value");
    let err = token_refused(em, wrong).await;
    assert_eq!(err.kind(), ErrorKind::Identity, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let oauth = err.oauth_error().unwrap();
    assert_eq!(oauth.code, "managed_identity_request_failed");
    assert!(oauth.correlation_id.is_some());
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("wrong-header-value"), "{shown}");
    assert!(!shown.contains(IDENTITY_HEADER), "{shown}");

    let unknown = ManagedIdentity::user_assigned("nobody")
        .app_service(em.identity_endpoint(), em.identity_header());
    let err = token_refused(em, unknown).await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(
        err.oauth_error().unwrap().description.as_deref(),
        Some("Unable to load the proper Managed Identity.")
    );
}

#[tokio::test]
async fn workload_identity_federation_against_the_token_endpoint() {
    let em = Emulator::builder().start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("azure-identity-token");
    std::fs::write(&file, format!("{}\n", em.federated_token())).unwrap();
    let conn = em
        .app_connection_with(Credentials::federated_token(CONFIDENTIAL_CLIENT_ID, &file))
        .build()
        .unwrap();
    let user = format!("users/{}", em.user().oid);
    let page: Value = get_json(&conn, &format!("{user}/messages"), &[("$top", "2")]).await;
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
    assert_eq!(em.counters().token_requests("client_credentials"), 1);

    let refused = |token: String| {
        std::fs::write(&file, token).unwrap();
        let conn = em
            .app_connection_with(Credentials::federated_token(CONFIDENTIAL_CLIENT_ID, &file))
            .build()
            .unwrap();
        async move {
            conn.request_token_for_client(None, false)
                .await
                .unwrap_err()
        }
    };
    let cases = [
        ("not-a-jwt".to_owned(), 50_027),
        (
            em.federated_token_for(FEDERATED_SUBJECT, FEDERATED_AUDIENCE, -60),
            700_024,
        ),
        (
            em.federated_token_for("system:serviceaccount:other:sa", FEDERATED_AUDIENCE, 600),
            70_021,
        ),
        (
            em.federated_token_for(FEDERATED_SUBJECT, "api://other", 600),
            700_212,
        ),
    ];
    for (token, aadsts) in cases {
        let err = refused(token).await;
        assert_eq!(err.kind(), ErrorKind::Identity, "{err}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
        let oauth = err.oauth_error().unwrap();
        assert_eq!(oauth.code, "invalid_client", "{err}");
        assert_eq!(oauth.aadsts(), Some(aadsts), "{err}");
    }
    // A forged signature for the emulator's issuer.
    let good = em.federated_token();
    let (signed, _) = good.rsplit_once('.').unwrap();
    let err = refused(format!("{signed}.AAAA")).await;
    assert_eq!(err.oauth_error().unwrap().code, "invalid_client");
}

#[tokio::test]
async fn a_throttled_imds_is_retried_and_an_expired_token_renewed_from_it() {
    use o365::RetryPolicy;
    use o365::clock::ManualClock;
    use o365::emulator::{IMDS_PATH, StatusCode};
    use std::time::Duration;
    let em = Emulator::builder().start().await.unwrap();
    let clock = ManualClock::new();
    let conn = em
        .managed_identity_connection(em.managed_identity())
        .retry_policy(RetryPolicy::default().jitter(false))
        .clock(clock.clone())
        .build()
        .unwrap();
    // IMDS answers 429 and then 503 while it starts, each with Retry-After.
    let script = em.script();
    script.throttle_next(
        1,
        IMDS_PATH,
        StatusCode::TOO_MANY_REQUESTS,
        Duration::from_secs(2),
    );
    script.throttle_next(
        1,
        IMDS_PATH,
        StatusCode::SERVICE_UNAVAILABLE,
        Duration::from_secs(1),
    );
    let user = format!("users/{}", em.user().oid);
    let me: Value = get_json(&conn, &user, &()).await;
    assert_eq!(me["id"], em.user().oid.as_str());
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(2), Duration::from_secs(1)]
    );
    let counters = em.counters();
    // Three requests arrived; the script answered two, the endpoint one.
    assert_eq!(counters.requests("GET", IMDS_PATH), 3);
    assert_eq!(counters.managed_identity_requests("imds"), 1);
    assert_eq!(counters.throttled(), 2);

    // The emulator expires every token: the 401 is answered with a new IMDS token, once.
    script.expire_access_tokens();
    assert_eq!(conn.get(&user, &()).await.unwrap().status(), 200);
    let counters = em.counters();
    assert_eq!(counters.managed_identity_requests("imds"), 2);
    assert_eq!(counters.requests("GET", &format!("/v1.0/{user}")), 3);
}

#[tokio::test]
async fn a_user_assigned_identity_is_named_by_object_or_resource_id_in_each_hosts_words() {
    use o365::emulator::{user_assigned_object_id, user_assigned_resource_id};
    let em = Emulator::builder().start().await.unwrap();
    let object_id = user_assigned_object_id(USER_ASSIGNED_CLIENT_ID);
    let resource_id = user_assigned_resource_id(USER_ASSIGNED_CLIENT_ID);
    let cases = [
        (
            UserAssignedId::ObjectId(object_id.clone()),
            false,
            "object_id",
        ),
        (
            UserAssignedId::ResourceId(resource_id.clone()),
            false,
            "msi_res_id",
        ),
        (
            UserAssignedId::ObjectId(object_id.clone()),
            true,
            "principal_id",
        ),
        (
            UserAssignedId::ResourceId(resource_id.clone()),
            true,
            "mi_res_id",
        ),
    ];
    for (id, app_service, parameter) in cases {
        lists_mail_as_the_user_assigned_identity(&em, id, app_service, parameter).await;
    }
    two_selectors_or_an_unknown_object_id_are_refused(&em, &object_id).await;
}

/// A Connection with the identity named by `id` (through App Service or IMDS) sends it as
/// `parameter`, caches its tokens under it, and lists mail with a token of that identity.
async fn lists_mail_as_the_user_assigned_identity(
    em: &Emulator,
    id: UserAssignedId,
    app_service: bool,
    parameter: &str,
) {
    let identity = ManagedIdentity::user_assigned_by(id.clone());
    assert_eq!(identity.client_id(), None);
    let identity = match app_service {
        false => identity.imds_endpoint(em.imds_url()),
        true => identity.app_service(em.identity_endpoint(), em.identity_header()),
    };
    let conn = em.managed_identity_connection(identity).build().unwrap();
    // The tokens are cached under the id as given.
    assert_eq!(conn.credentials().id(), id.as_str());
    let user = format!("users/{}", em.user().oid);
    let page: Page = get_json(&conn, &format!("{user}/messages"), &[("$top", "2")]).await;
    assert_eq!(page.value.len(), 2, "{parameter}");
    let sent = em
        .counters()
        .managed_identity_queries()
        .last()
        .unwrap()
        .clone();
    let api_version = if app_service {
        "2019-08-01"
    } else {
        "2018-02-01"
    };
    assert_eq!(
        sent,
        query(&[
            ("api-version", api_version),
            ("resource", em.base_url()),
            (parameter, id.as_str())
        ])
    );
    let token = access_token(&conn);
    assert_eq!(
        em.access_token_info(&token).unwrap().client_id,
        USER_ASSIGNED_CLIENT_ID,
        "{parameter} names the same identity"
    );
}

/// Two selectors at once, or an object id nobody has: refused as IMDS refuses them.
async fn two_selectors_or_an_unknown_object_id_are_refused(em: &Emulator, object_id: &str) {
    let reply = imds_get(
        em,
        &[
            ("api-version", "2018-02-01"),
            ("resource", em.base_url()),
            ("client_id", USER_ASSIGNED_CLIENT_ID),
            ("object_id", object_id),
        ],
    )
    .await;
    assert_eq!(reply.status(), 400);
    let unknown = ManagedIdentity::user_assigned_by(UserAssignedId::ObjectId("nobody".into()))
        .imds_endpoint(em.imds_url());
    let err = token_refused(em, unknown).await;
    assert_eq!(err.kind(), ErrorKind::Identity);
    assert_eq!(
        err.oauth_error().unwrap().description.as_deref(),
        Some("Identity not found")
    );
}
