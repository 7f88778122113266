//! Generated calls and the crate's error: `?` turns `progenitor_client::Error<GraphErrorResponse>`
//! (the one error type of every generated module) into `o365::Error` with status, Graph body,
//! Retry-After and the right kind.

#![cfg(all(feature = "graph-mail", feature = "graph-contacts"))]

mod generated_support;
mod support;

use std::time::{Duration, UNIX_EPOCH};

use generated_support::{START, setup, setup_with};
use o365::{Connection, ErrorKind, GraphErrorResponse, RetryPolicy};
use reqwest::StatusCode;
use serde_json::json;
use support::Reply;

/// A caller's function: generated calls compose with `o365::Result` through `?`.
async fn subject_of(conn: &Connection, id: &str) -> o365::Result<Option<String>> {
    let message = conn.mail().get_message(id, None, None, None).await?;
    Ok(message.into_inner().subject)
}

#[tokio::test]
async fn every_module_returns_the_same_error_type() {
    let (server, conn) = setup(true).await;
    let missing = json!({"error": {"code": "ErrorItemNotFound", "message": "gone"}});
    server.push([Reply::json(404, missing.clone()), Reply::json(404, missing)]);
    let mail = conn.mail().get_message("m", None, None, None).await;
    let contacts = conn.contacts().get_contact("c", None, None).await;
    let errors: Vec<progenitor_client::Error<GraphErrorResponse>> =
        vec![mail.unwrap_err(), contacts.unwrap_err()];
    for err in errors {
        let progenitor_client::Error::ErrorResponse(reply) = err else {
            panic!("expected an error response");
        };
        assert_eq!(reply.into_inner().error.code, "ErrorItemNotFound");
    }
}

#[tokio::test]
async fn graph_error_reply_keeps_status_body_and_request_id() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        404,
        json!({"error": {"code": "ErrorItemNotFound", "message": "Not found.",
                         "innerError": {"request-id": "req-9"}}}),
    )]);
    let err = subject_of(&conn, "gone").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Status);
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.graph_error().unwrap().code, "ErrorItemNotFound");
    assert_eq!(err.request_id(), Some("req-9"));
    assert_eq!(
        err.to_string(),
        "HTTP 404 Not Found: ErrorItemNotFound: Not found."
    );
}

#[tokio::test]
async fn exhausted_throttling_keeps_retry_after_even_as_an_http_date() {
    let (server, conn) = setup_with(true, RetryPolicy::none()).await;
    let in_90s = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(START + 90));
    server.push([Reply::json(
        429,
        json!({"error": {"code": "TooManyRequests", "message": "Slow down"}}),
    )
    .header("retry-after", &in_90s)]);
    let err = subject_of(&conn, "m-1").await.unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(90)));
    assert_eq!(err.graph_error().unwrap().code, "TooManyRequests");
}

#[tokio::test]
async fn delta_seconds_retry_after_on_a_503() {
    let (server, conn) = setup_with(true, RetryPolicy::none()).await;
    server.push([Reply::new(503).header("retry-after", "7").body("busy")]);
    let err = subject_of(&conn, "m-1").await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(err.graph_error().unwrap().code, "http503");
    assert_eq!(err.graph_error().unwrap().message, "busy");
}

#[tokio::test]
async fn missing_token_keeps_its_kind_and_has_no_status() {
    let (server, conn) = setup(false).await;
    let err = subject_of(&conn, "m-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotAuthenticated);
    assert_eq!(err.status(), None);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn undecodable_reply_is_a_decode_error() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"id": 5, "subject": ["not", "text"]}),
    )]);
    let err = subject_of(&conn, "m-1").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn refused_connection_is_a_transport_error() {
    let (server, conn) = setup_with(true, RetryPolicy::none()).await;
    drop(server);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = o365::generated::mail::Client::new_with_client(
        &format!("{base}/v1.0"),
        conn.http_client(),
        conn.clone(),
    );
    let err: o365::Error = client
        .get_message("m-1", None, None, None)
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.kind(), ErrorKind::Transport);
}

#[tokio::test]
async fn success_passes_through_question_mark() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(200, json!({"id": "m-1", "subject": "Hi"}))]);
    assert_eq!(
        subject_of(&conn, "m-1").await.unwrap().as_deref(),
        Some("Hi")
    );
}
