//! `o365::typed::Request` on the wire, with hand-written models shaped like the generated ones:
//! OData options, path encoding, headers, bodies (including explicit nulls), decoding (204,
//! downloads), errors and paging all go through the Connection's one pipeline.

mod generated_support;
mod support;

use futures_util::TryStreamExt;
use std::time::Duration;

use generated_support::{setup, setup_with};
use o365::typed::{
    Collection, CollectionPage, NoContent, Patch, Plain, Request, Single, encode_path,
};
use o365::{Connection, Response};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use support::{ACCESS_TOKEN, Reply};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Message {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(rename = "isRead", skip_serializing_if = "Option::is_none")]
    is_read: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct MessagePage {
    value: Vec<Message>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

impl CollectionPage for MessagePage {
    type Item = Message;
}

fn list(conn: &Connection) -> Request<MessagePage, Collection> {
    Request::new(conn, Method::GET, "me/messages")
}

fn get(conn: &Connection, id: &str) -> Request<Message, Single> {
    Request::new(
        conn,
        Method::GET,
        &format!("me/messages/{}", encode_path(id)),
    )
}

#[tokio::test]
async fn collection_options_reach_the_wire_in_odata_form() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"value": [{"id": "m-1", "subject": "Hello"}]}),
    )]);
    let q = o365::odata::QueryBuilder::new(conn.protocol());
    let page = list(&conn)
        .top(10)
        .select(["subject", "from"])
        .filter(q.equals("isRead", false))
        .order_by(["receivedDateTime desc"])
        .send()
        .await
        .unwrap();
    assert_eq!(page.value[0].subject.as_deref(), Some("Hello"));
    assert_eq!(page.next_link, None);
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.target,
        "/v1.0/me/messages?%24filter=isRead+eq+false&%24orderby=receivedDateTime+desc\
         &%24select=subject%2Cfrom&%24top=10"
    );
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    assert_eq!(sent.header("authorization"), Some(bearer.as_str()));
    assert_eq!(sent.header("api-version"), None);
}

#[tokio::test]
async fn raw_filter_text_and_a_query_are_joined_with_and() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(200, json!({"value": []}))]);
    let q = o365::odata::QueryBuilder::new(conn.protocol());
    list(&conn)
        .filter("importance eq 'high' or flag/flagStatus eq 'flagged'")
        .filter(q.equals("isRead", false))
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/v1.0/me/messages?%24filter=%28importance+eq+%27high%27+or+flag%2FflagStatus+eq+\
         %27flagged%27%29+and+isRead+eq+false"
    );
}

#[tokio::test]
async fn path_parameters_cannot_leave_their_segment() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(200, json!({"id": "AAMk/1=", "subject": "x"}))]);
    let message = get(&conn, "AAMk/1=?#")
        .expand("attachments")
        .send()
        .await
        .unwrap();
    assert_eq!(message.id.as_deref(), Some("AAMk/1="));
    assert_eq!(
        server.requests()[0].target,
        "/v1.0/me/messages/AAMk%2F1=%3F%23?%24expand=attachments"
    );
}

#[tokio::test]
async fn a_204_decodes_as_no_content_or_none() {
    let (server, conn) = setup(true).await;
    server.push([
        Reply::new(204),
        Reply::new(204),
        Reply::json(200, json!({"id": "m"})),
    ]);
    let deleted: NoContent =
        Request::<NoContent, Plain>::new(&conn, Method::DELETE, "me/messages/m")
            .if_match("W/\"1\"")
            .send()
            .await
            .unwrap();
    assert_eq!(deleted, NoContent);
    let patched = Request::<Option<Message>, Plain>::new(&conn, Method::PATCH, "me/messages/m")
        .json(&Patch::new(Message::default()))
        .send()
        .await
        .unwrap();
    assert_eq!(patched, None);
    let patched = Request::<Option<Message>, Plain>::new(&conn, Method::PATCH, "me/messages/m")
        .send()
        .await
        .unwrap();
    assert_eq!(patched.and_then(|m| m.id).as_deref(), Some("m"));
    let sent = server.requests();
    assert_eq!(sent[0].method, "DELETE");
    assert_eq!(sent[0].header("if-match"), Some("W/\"1\""));
    assert_eq!(sent[1].body_text(), "{}");
}

#[tokio::test]
async fn patch_sends_set_fields_and_explicit_nulls() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(204)]);
    let change = Message {
        is_read: Some(true),
        ..Message::default()
    };
    let body = Patch::new(change).set_null("subject");
    Request::<Option<Message>, Plain>::new(&conn, Method::PATCH, "me/messages/m")
        .json(&body)
        .send()
        .await
        .unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.body_text(), r#"{"isRead":true,"subject":null}"#);
    assert_eq!(sent.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn stream_follows_next_links_with_the_same_headers_and_stops_at_the_limit() {
    let (server, conn) = setup(true).await;
    let next = |n: u32| server.url(&format!("/v1.0/me/messages?%24skiptoken={n}"));
    server.push([
        Reply::json(
            200,
            json!({"value": [{"id": "1"}, {"id": "2"}], "@odata.nextLink": next(2)}),
        ),
        Reply::json(
            200,
            json!({"value": [{"id": "3"}, {"id": "4"}], "@odata.nextLink": next(4)}),
        ),
        Reply::json(200, json!({"value": [{"id": "5"}]})),
    ]);
    let ids: Vec<String> = list(&conn)
        .top(2)
        .header("ConsistencyLevel", "eventual")
        .limit(3)
        .stream()
        .map_ok(|m| m.id.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["1", "2", "3"]);
    let sent = server.requests();
    assert_eq!(sent.len(), 2, "the third page is never asked for");
    assert_eq!(sent[0].target, "/v1.0/me/messages?%24top=2");
    assert_eq!(sent[1].target, "/v1.0/me/messages?%24skiptoken=2");
    for request in &sent {
        assert_eq!(request.header("consistencylevel"), Some("eventual"));
    }
}

#[tokio::test]
async fn graph_and_html_errors_become_the_typed_error() {
    let (server, conn) = setup(true).await;
    server.push([
        Reply::json(
            404,
            json!({"error": {"code": "ErrorItemNotFound", "message": "The item was not found.",
                   "innerError": {"request-id": "req-1"}}}),
        ),
        Reply::new(502)
            .header("content-type", "text/html")
            .body("<html><body>Bad gateway</body></html>"),
    ]);
    let err = get(&conn, "gone").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let graph = err.graph_error().expect("Graph error body");
    assert_eq!(graph.code, "ErrorItemNotFound");
    assert_eq!(graph.message, "The item was not found.");
    assert_eq!(err.request_id(), Some("req-1"));
    // 502 on a GET is retried within the policy; the scripted server then closes.
    let err = Request::<Message, Plain>::new(&conn, Method::POST, "me/sendMail")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert!(
        err.body_excerpt()
            .unwrap_or_default()
            .contains("Bad gateway")
    );
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_and_bad_input_is_never_sent() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(200)
        .header("content-type", "application/json")
        .body("{\"id\": \"m\", ")]);
    let err = get(&conn, "m").send().await.unwrap_err();
    assert_eq!(err.kind(), o365::ErrorKind::Decode);
    let err = get(&conn, "m")
        .header("bad header", "x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), o365::ErrorKind::InvalidInput);
    let q = o365::odata::QueryBuilder::new(conn.protocol());
    let err = list(&conn).top(5).query(q.top(6)).send().await.unwrap_err();
    assert_eq!(err.kind(), o365::ErrorKind::InvalidInput);
    assert_eq!(
        server.requests().len(),
        1,
        "only the first request was sent"
    );
}

#[tokio::test]
async fn downloads_hand_back_the_unread_response() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(200)
        .header("content-type", "application/octet-stream")
        .body("file bytes")]);
    let response: Response =
        Request::<Response, Plain>::new(&conn, Method::GET, "me/drive/items/1/content")
            .send()
            .await
            .unwrap();
    assert_eq!(response.status(), 200);
    let chunks: Vec<bytes::Bytes> = response.bytes_stream().try_collect().await.unwrap();
    assert_eq!(chunks.concat(), b"file bytes");
}

/// A page of messages with `ids` and a next link to `next`.
fn linked_page(ids: &[&str], next: &str) -> Reply {
    let value: Vec<_> = ids.iter().map(|id| json!({ "id": id })).collect();
    Reply::json(200, json!({"value": value, "@odata.nextLink": next}))
}

/// The id of the next message of `stream` (`None` at its end); the stream must not fail.
async fn next_id(
    stream: &mut (impl futures_util::Stream<Item = o365::Result<Message>> + Unpin),
) -> Option<String> {
    stream.try_next().await.unwrap().and_then(|m| m.id)
}

/// A POST action whose reply is a page, shaped like the generated `get_by_ids_users`.
fn get_by_ids(conn: &Connection, ids: &[&str]) -> Request<MessagePage, Plain> {
    Request::new(conn, Method::POST, "users/getByIds").json(&json!({"ids": ids}))
}

#[tokio::test]
async fn stream_of_a_post_action_posts_its_body_then_gets_the_next_link() {
    let (server, conn) = setup(true).await;
    let next = server.url("/v1.0/users/getByIds?%24skiptoken=p2");
    server.push([
        linked_page(&["a"], &next),
        Reply::json(200, json!({"value": [{"id": "b"}]})),
    ]);
    let ids: Vec<String> = get_by_ids(&conn, &["a", "b"])
        .header("ConsistencyLevel", "eventual")
        .stream()
        .map_ok(|m| m.id.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b"]);
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].target, "/v1.0/users/getByIds");
    assert_eq!(sent[0].body_text(), r#"{"ids":["a","b"]}"#);
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    assert_eq!(sent[1].method, "GET");
    assert_eq!(sent[1].target, "/v1.0/users/getByIds?%24skiptoken=p2");
    assert_eq!(sent[1].body_text(), "");
    assert_eq!(sent[1].header("content-type"), None);
    for request in &sent {
        assert_eq!(request.header("consistencylevel"), Some("eventual"));
    }
    // `.pages()` starts the same way.
    server.push([Reply::json(200, json!({"value": [{"id": "c"}]}))]);
    let pages: Vec<_> = get_by_ids(&conn, &["c"])
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    let sent = server.requests();
    assert_eq!(sent[2].method, "POST");
    assert_eq!(sent[2].body_text(), r#"{"ids":["c"]}"#);
}

#[tokio::test]
async fn stream_keeps_the_per_call_timeout_on_every_page() {
    let (server, conn) = setup_with(true, o365::RetryPolicy::none()).await;
    let next = server.url("/v1.0/users/getByIds?%24skiptoken=p2");
    server.push([linked_page(&["a"], &next)]);
    server.fallback(Reply::json(200, json!({"value": []})).delay(Duration::from_secs(10)));
    let mut stream = get_by_ids(&conn, &["a"])
        .timeout(Duration::from_millis(200))
        .stream();
    assert_eq!(next_id(&mut stream).await.as_deref(), Some("a"));
    let err = stream.try_next().await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // The first request keeps the timeout too.
    let err = get_by_ids(&conn, &["a"])
        .timeout(Duration::from_millis(200))
        .stream()
        .try_next()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(server.requests()[2].method, "POST");
}

/// The error `send` gives when the service answers `reply`, and the one a stream yields when
/// `reply` answers its second page (same retry policy both times).
async fn send_and_mid_stream_errors(
    retries: o365::RetryPolicy,
    reply: Reply,
) -> (o365::Error, o365::Error) {
    let (server, conn) = setup_with(true, retries.clone()).await;
    server.fallback(reply.clone());
    let from_send = list(&conn).send().await.unwrap_err();

    let (server, conn) = setup_with(true, retries).await;
    let next = server.url("/v1.0/me/messages?%24skiptoken=2");
    server.push([linked_page(&["1"], &next)]);
    server.fallback(reply);
    let mut stream = list(&conn).stream();
    assert_eq!(next_id(&mut stream).await.as_deref(), Some("1"));
    let from_stream = stream.try_next().await.unwrap_err();
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "the stream ends after its error"
    );
    (from_send, from_stream)
}

fn assert_same_error(a: &o365::Error, b: &o365::Error) {
    assert_eq!(a.kind(), b.kind());
    assert_eq!(a.status(), b.status());
    assert_eq!(a.graph_error(), b.graph_error());
    assert_eq!(a.retry_after(), b.retry_after());
    // The two servers differ only in their port.
    let without_port = |e: &o365::Error| {
        let text = e.to_string();
        let (head, tail) = text
            .split_once("127.0.0.1:")
            .expect("the URL is in the message");
        format!(
            "{head}{}",
            tail.trim_start_matches(|c: char| c.is_ascii_digit())
        )
    };
    assert_eq!(without_port(a), without_port(b));
}

#[tokio::test]
async fn a_stream_failing_mid_paging_is_the_same_typed_error_as_send() {
    let not_found = Reply::json(
        404,
        json!({"error": {"code": "ErrorItemNotFound", "message": "The folder was deleted."}}),
    );
    let retries = o365::RetryPolicy::default().jitter(false);
    let (sent, streamed) = send_and_mid_stream_errors(retries.clone(), not_found).await;
    assert_eq!(streamed.kind(), o365::ErrorKind::Status);
    assert_eq!(streamed.status().map(|s| s.as_u16()), Some(404));
    let graph = streamed.graph_error().expect("Graph error body");
    assert_eq!(graph.code, "ErrorItemNotFound");
    assert_eq!(graph.message, "The folder was deleted.");
    assert_same_error(&sent, &streamed);

    // A storm of 503s outlasts the retries on both paths alike.
    let storm = Reply::json(
        503,
        json!({"error": {"code": "serviceNotAvailable", "message": "Try later."}}),
    )
    .header("retry-after", "1");
    let (sent, streamed) = send_and_mid_stream_errors(retries.max_retries(2), storm).await;
    assert_eq!(streamed.kind(), o365::ErrorKind::Status);
    assert_eq!(streamed.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        streamed.graph_error().map(|g| g.code.as_str()),
        Some("serviceNotAvailable")
    );
    assert_same_error(&sent, &streamed);
}

#[tokio::test]
async fn limit_applies_to_every_pageable_operation_whatever_its_odata_marker() {
    let (server, conn) = setup(true).await;
    let next = server.url("/v1.0/users/getByIds?%24skiptoken=p2");
    server.push([linked_page(&["a", "b"], &next)]);
    // `Plain`: no `$top`, but a page, so `.limit` caps its stream.
    let ids: Vec<String> = get_by_ids(&conn, &["a", "b", "c"])
        .limit(1)
        .stream()
        .map_ok(|m| m.id.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a"]);
    assert_eq!(
        server.requests().len(),
        1,
        "the next link is never followed"
    );
}

/// The users workload carries `sendMail` itself (same wire as the mail workload's), so either
/// feature alone can send mail, and both enabled together compile side by side.
#[cfg(feature = "graph-users")]
#[tokio::test]
async fn the_users_workload_sends_mail() {
    use o365::generated::users::types::SendMailBody;
    let (server, conn) = setup(true).await;
    server.push([Reply::new(202), Reply::new(202)]);
    let body: SendMailBody = serde_json::from_value(json!({
        "message": {
            "subject": "Lunch",
            "body": {"contentType": "text", "content": "Noon?"},
            "toRecipients": [{"emailAddress": {"address": "adele@contoso.com"}}]
        },
        "saveToSentItems": false
    }))
    .unwrap();
    let NoContent = conn
        .users()
        .user_send_mail("megan@contoso.com", &body)
        .send()
        .await
        .unwrap();
    conn.users().send_mail(&body).send().await.unwrap();
    let sent = server.requests();
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].target, "/v1.0/users/megan@contoso.com/sendMail");
    assert_eq!(sent[1].target, "/v1.0/me/sendMail");
    let wire: serde_json::Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(
        wire,
        json!({
            "message": {
                "subject": "Lunch",
                "body": {"contentType": "text", "content": "Noon?"},
                "toRecipients": [{"emailAddress": {"address": "adele@contoso.com"}}]
            },
            "saveToSentItems": false
        })
    );
    #[cfg(feature = "graph-mail")]
    {
        // The mail workload's twin takes its own model and sends the same bytes.
        let mail_body: o365::generated::mail::types::SendMailBody =
            serde_json::from_value(wire.clone()).unwrap();
        server.push([Reply::new(202)]);
        conn.mail().send_mail(&mail_body).send().await.unwrap();
        assert_eq!(server.requests()[2].body, sent[0].body);
    }
}

/// A function's date-time parameters are chrono values, written in UTC inside the literal.
#[cfg(feature = "graph-users")]
#[tokio::test]
async fn function_date_time_parameters_are_chrono_values() {
    use chrono::TimeZone;
    let (server, conn) = setup(true).await;
    server.push([Reply::json(200, json!({"value": []}))]);
    let start = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let end = chrono::Utc
        .with_ymd_and_hms(2026, 12, 1, 17, 30, 0)
        .unwrap();
    let page = conn.users().reminder_view(start, end).send().await.unwrap();
    assert!(page.value.is_empty());
    assert_eq!(
        server.requests()[0].target,
        "/v1.0/me/microsoft.graph.reminderView(StartDateTime='2026-12-01T09:00:00Z',\
         EndDateTime='2026-12-01T17:30:00Z')"
    );
}
