//! Generated calls on the wire: they go through the Connection's pipeline (bearer token, retries)
//! and reach the service in Microsoft 365's conventions.

#![cfg(all(feature = "graph-mail", feature = "business-central"))]

mod generated_support;
mod support;

use generated_support::setup;
use o365::generated::mail::Error as CallError;
use o365::generated::mail::types::MicrosoftGraphMessage;
use serde_json::json;
use support::{ACCESS_TOKEN, Reply};

#[tokio::test]
async fn list_sends_joined_select_bearer_and_no_api_version() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"value": [{"id": "m-1", "subject": "Hello"}],
               "@odata.nextLink": "https://graph.test/next"}),
    )]);
    let select = vec!["id".to_string(), "subject".to_string()];
    let mail = conn.mail();
    let page = mail
        .list_message(
            None,
            None,
            None,
            None,
            None,
            Some(&select),
            None,
            Some(5),
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.value[0].subject.as_deref(), Some("Hello"));
    assert_eq!(
        page.odata_next_link.as_deref(),
        Some("https://graph.test/next")
    );

    let sent = &server.requests()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.target,
        "/v1.0/me/messages?%24select=id%2Csubject&%24top=5"
    );
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    assert_eq!(sent.header("authorization"), Some(bearer.as_str()));
    assert_eq!(sent.header("api-version"), None);
    assert_eq!(sent.header("accept"), Some("application/json"));
}

#[tokio::test]
async fn patch_answered_204_sends_the_body_and_returns_none() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(204)]);
    let change: MicrosoftGraphMessage = serde_json::from_value(json!({"isRead": true})).unwrap();
    let reply = conn
        .mail()
        .update_message("AAMk/1=", &change)
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
    assert_eq!(reply.into_inner(), None);

    let sent = &server.requests()[0];
    assert_eq!(sent.method, "PATCH");
    assert_eq!(sent.target, "/v1.0/me/messages/AAMk%2F1=");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.body_text(), r#"{"isRead":true}"#);
}

#[tokio::test]
async fn graph_404_is_a_typed_error_response() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        404,
        json!({"error": {"code": "ErrorItemNotFound", "message": "The specified object was not found in the store.",
                         "innerError": {"request-id": "req-7", "date": "2026-01-01T00:00:00"}}}),
    )]);
    let err = conn
        .mail()
        .get_message("gone", None, None, None)
        .await
        .unwrap_err();
    let CallError::ErrorResponse(reply) = err else {
        panic!("expected an error response, got {err:?}");
    };
    assert_eq!(reply.status(), 404);
    let graph = &reply.into_inner().error;
    assert_eq!(graph.code, "ErrorItemNotFound");
    let inner = graph.inner_error.as_ref().unwrap();
    assert_eq!(inner.request_id.as_deref(), Some("req-7"));
}

#[tokio::test]
async fn header_parameter_and_empty_delete_reply() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(204)]);
    let reply = conn
        .mail()
        .delete_message("m-1", Some("W/\"1\""))
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.target, "/v1.0/me/messages/m-1");
    assert_eq!(sent.header("if-match"), Some("W/\"1\""));
}

#[tokio::test]
async fn throttled_call_is_retried_by_the_pipeline() {
    let (server, conn) = setup(true).await;
    server.push([
        Reply::new(429).header("retry-after", "2"),
        Reply::json(200, json!({"id": "m-1", "subject": "Back"})),
    ]);
    let message = conn
        .mail()
        .get_message("m-1", None, None, None)
        .await
        .unwrap();
    assert_eq!(message.subject.as_deref(), Some("Back"));
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].at - sent[0].at, std::time::Duration::from_secs(2));
}

#[tokio::test]
async fn missing_token_is_a_401_error_response_and_nothing_is_sent() {
    let (server, conn) = setup(false).await;
    let err = conn
        .mail()
        .get_message("m-1", None, None, None)
        .await
        .unwrap_err();
    let CallError::ErrorResponse(reply) = err else {
        panic!("expected an error response, got {err:?}");
    };
    assert_eq!(reply.status(), 401);
    assert_eq!(reply.into_inner().error.code, "notAuthenticated");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn business_central_path_keys() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"id": "5d115c9c-44e3-ea11-bb43-000d3a2feca1", "number": "10000"}),
    )]);
    let customer = conn
        .business_central()
        .get_customer("c0ffee", "5d115c9c-44e3-ea11-bb43-000d3a2feca1")
        .await
        .unwrap();
    assert_eq!(customer.number.as_deref(), Some("10000"));
    assert_eq!(
        server.requests()[0].target,
        "/v1.0/companies(c0ffee)/customers(5d115c9c-44e3-ea11-bb43-000d3a2feca1)"
    );
}

#[cfg(feature = "graph-drive")]
#[tokio::test]
async fn drive_upload_for_another_user() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        201,
        json!({"id": "item-9", "name": "notes.txt", "size": 5}),
    )]);
    let item = conn
        .drive()
        .user_upload_small("adele@contoso.test", "root:/notes.txt:", "hello")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(item.id.as_deref(), Some("item-9"));
    assert_eq!(item.size, Some(5));

    let sent = &server.requests()[0];
    assert_eq!(sent.method, "PUT");
    assert_eq!(
        sent.target,
        "/v1.0/users/adele@contoso.test/drive/items/root:%2Fnotes.txt:/content"
    );
    assert_eq!(
        sent.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(sent.body_text(), "hello");
}
