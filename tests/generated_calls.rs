//! Generated calls on the wire: builder options, required arguments (ids, date-times), bodies
//! (including explicit nulls) and replies, all through the Connection's pipeline.

#![cfg(all(
    feature = "graph-mail",
    feature = "graph-calendar",
    feature = "graph-contacts"
))]

mod generated_support;
mod support;

use chrono::{TimeZone, Utc};
use futures_util::TryStreamExt;
use generated_support::setup;
use o365::typed::Patch;
use serde_json::json;
use support::{ACCESS_TOKEN, Reply};

#[tokio::test]
async fn list_messages_sends_odata_options_and_the_bearer_token() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"value": [{"id": "m-1", "subject": "Hello"}]}),
    )]);
    let page = conn
        .mail()
        .list_mail_folder_messages("inbox/x")
        .top(5)
        .select(["id", "subject"])
        .send()
        .await
        .unwrap();
    assert_eq!(page.value[0].subject().map(String::as_str), Some("Hello"));
    let sent = &server.requests()[0];
    assert_eq!(
        sent.target,
        "/v1.0/me/mailFolders/inbox%2Fx/messages?%24select=id%2Csubject&%24top=5"
    );
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(sent.header("api-version"), None);
}

#[tokio::test]
async fn calendar_view_takes_chrono_date_times_and_streams_every_page() {
    let (server, conn) = setup(true).await;
    let next = server.url("/v1.0/me/calendarView?%24skiptoken=2");
    server.push([
        Reply::json(
            200,
            json!({"value": [{"id": "e-1"}], "@odata.nextLink": next}),
        ),
        Reply::json(200, json!({"value": [{"id": "e-2"}]})),
    ]);
    let start = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
    let events: Vec<_> = conn
        .calendar()
        .list_calendar_view(start, start + chrono::Duration::days(7))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        server.requests()[0].target,
        "/v1.0/me/calendarView?startDateTime=2026-12-01T00%3A00%3A00Z&endDateTime=2026-12-08T00%3A00%3A00Z"
    );
}

#[tokio::test]
async fn update_contact_sends_set_fields_and_explicit_nulls_and_accepts_204() {
    let (server, conn) = setup(true).await;
    server.push([Reply::new(204)]);
    let change: o365::generated::contacts::types::Contact =
        serde_json::from_value(json!({"givenName": "Pavel"})).unwrap();
    let reply = conn
        .contacts()
        .update_contact("c-1", Patch::new(change).set_null("jobTitle"))
        .if_match("W/\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(reply, None);
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "PATCH");
    assert_eq!(sent.target, "/v1.0/me/contacts/c-1");
    assert_eq!(sent.header("if-match"), Some("W/\"1\""));
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body, json!({"givenName": "Pavel", "jobTitle": null}));
}

#[tokio::test]
async fn a_graph_error_is_the_typed_error() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        404,
        json!({"error": {"code": "ErrorItemNotFound", "message": "The specified object was not found in the store."}}),
    )]);
    let err = conn.mail().get_message("gone").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.graph_error().unwrap().code, "ErrorItemNotFound");
}

#[tokio::test]
async fn a_file_attachment_is_posted_with_its_type_and_decoded_back_as_that_variant() {
    use o365::generated::mail::types::{AnyAttachment, FileAttachment};
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        201,
        json!({"@odata.type": "#microsoft.graph.fileAttachment", "id": "att-1",
               "name": "notes.txt", "size": 5, "contentBytes": "aGVsbG8="}),
    )]);
    let file: FileAttachment =
        serde_json::from_value(json!({"name": "notes.txt", "contentBytes": "aGVsbG8="})).unwrap();
    let created = conn
        .mail()
        .create_attachment("m-1", file)
        .send()
        .await
        .unwrap();
    let AnyAttachment::FileAttachment(created) = created else {
        panic!("{created:?}");
    };
    assert_eq!(created.id.as_deref(), Some("att-1"));
    let sent = &server.requests()[0];
    assert_eq!(sent.target, "/v1.0/me/messages/m-1/attachments");
    assert_eq!(
        std::str::from_utf8(&sent.body).unwrap(),
        r##"{"@odata.type":"#microsoft.graph.fileAttachment","contentBytes":"aGVsbG8=","name":"notes.txt"}"##
    );
}

#[tokio::test]
async fn an_optional_declared_parameter_goes_on_the_query() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(200, json!({"value": []}))]);
    conn.mail()
        .list_mail_folders()
        .param("includeHiddenFolders", "true")
        .top(2)
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/v1.0/me/mailFolders?includeHiddenFolders=true&%24top=2"
    );
}
