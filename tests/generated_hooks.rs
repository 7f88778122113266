//! The hooks generated clients run: request adaptation and the reply shapes they guarantee.

mod generated_support;
mod support;

use generated_support::setup;
use o365::Connection;
use reqwest::Method;
use serde_json::{Value, json};
use support::{ACCESS_TOKEN, Reply};

fn request(conn: &Connection, method: Method, url: &str) -> reqwest::Request {
    conn.http_client()
        .request(method, url)
        .header("api-version", "v1.0")
        .header("accept", "application/json")
        .build()
        .unwrap()
}

async fn json_body(reply: reqwest::Response) -> Value {
    serde_json::from_slice(&reply.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn prepared_request_has_no_api_version_and_joined_select() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(200, json!({"value": []}))]);
    let url = server.url("/v1.0/me/messages?%24select=id&%24top=2&%24select=subject");
    let mut req = request(&conn, Method::GET, &url);
    conn.prepare_generated(&mut req);
    let reply = conn.exec_generated(req).await.unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(json_body(reply).await, json!({"value": []}));

    let sent = &server.requests()[0];
    assert_eq!(
        sent.target,
        "/v1.0/me/messages?%24select=id%2Csubject&%24top=2"
    );
    assert_eq!(sent.header("api-version"), None);
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    assert_eq!(sent.header("authorization"), Some(bearer.as_str()));
}

#[tokio::test]
async fn byte_body_keeps_its_content_type_and_is_replayed_on_retry() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(503), Reply::json(201, json!({"id": "m-1"}))]);
    let req = conn
        .http_client()
        .post(server.url("/v1.0/me/messages"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(r#"{"subject":"Hi"}"#)
        .build()
        .unwrap();
    let reply = conn.exec_generated(req).await.unwrap();
    assert_eq!(reply.status(), 201);
    assert_eq!(json_body(reply).await, json!({"id": "m-1"}));
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    for attempt in &sent {
        assert_eq!(attempt.header("content-type"), Some("application/json"));
        assert_eq!(attempt.body_text(), r#"{"subject":"Hi"}"#);
    }
}

#[tokio::test]
async fn empty_success_body_becomes_null_when_json_was_accepted() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(204), Reply::new(200)]);
    let url = server.url("/v1.0/me/messages/m-1");
    let reply = conn
        .exec_generated(request(&conn, Method::PATCH, &url))
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
    assert_eq!(reply.bytes().await.unwrap().as_ref(), b"null");

    let plain = conn.http_client().get(&url).build().unwrap();
    let reply = conn.exec_generated(plain).await.unwrap();
    assert_eq!(reply.bytes().await.unwrap().as_ref(), b"");
}

#[tokio::test]
async fn non_json_error_body_is_wrapped_in_a_graph_error() {
    let (server, conn) = setup(true).await;
    let html = format!("<html>{}</html>", "x".repeat(600));
    server.push([Reply::new(404)
        .header("content-type", "text/html")
        .body(html.clone())]);
    let url = server.url("/v1.0/me/missing");
    let reply = conn
        .exec_generated(request(&conn, Method::GET, &url))
        .await
        .unwrap();
    assert_eq!(reply.status(), 404);
    assert_eq!(reply.headers()["content-type"], "application/json");
    let expected: String = html.chars().take(512).collect();
    assert_eq!(
        json_body(reply).await,
        json!({"error": {"code": "http404", "message": expected}})
    );
}

#[tokio::test]
async fn json_error_body_is_passed_through() {
    let (server, conn) = setup(true).await;
    let graph = json!({"error": {"code": "ErrorItemNotFound", "message": "Not found."}});
    server.push([Reply::json(404, graph.clone())]);
    let url = server.url("/v1.0/me/messages/gone");
    let reply = conn
        .exec_generated(request(&conn, Method::GET, &url))
        .await
        .unwrap();
    assert_eq!(reply.status(), 404);
    assert_eq!(json_body(reply).await, graph);
}

#[tokio::test]
async fn missing_token_becomes_a_401_graph_error_without_a_request() {
    let (server, conn) = setup(false).await;
    let url = server.url("/v1.0/me");
    let reply = conn
        .exec_generated(request(&conn, Method::GET, &url))
        .await
        .unwrap();
    assert_eq!(reply.status(), 401);
    let body = json_body(reply).await;
    assert_eq!(body["error"]["code"], "notAuthenticated");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("No auth token found"), "{message}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn transport_failure_is_returned_as_a_reqwest_error() {
    let (_server, conn) = setup(true).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1.0/me", closed.local_addr().unwrap());
    drop(closed);
    let err = conn
        .exec_generated(request(&conn, Method::POST, &url))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}
