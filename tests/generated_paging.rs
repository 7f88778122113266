//! Generated paging and ETag helpers: `<method>_stream` follows `@odata.nextLink` through the
//! pipeline with typed items; `ODataEntity::etag` feeds the generated `If-Match` parameter.

#![cfg(all(feature = "graph-mail", feature = "graph-contacts"))]

mod generated_support;
mod support;

use futures_util::TryStreamExt;
use generated_support::setup;
use o365::generated::contacts::types::MicrosoftGraphContact;
use o365::generated::mail::types::MicrosoftGraphMessage;
use o365::odata::ODataEntity;
use serde_json::json;
use support::{ACCESS_TOKEN, Reply};

#[tokio::test]
async fn stream_follows_next_links_across_three_pages_with_typed_items() {
    let (server, conn) = setup(true).await;
    let page2 = server.url("/v1.0/users/u%201/contactFolders/f-1/contacts?$skiptoken=p2");
    let page3 = server.url("/v1.0/users/u%201/contactFolders/f-1/contacts?$skiptoken=p3");
    server.push([
        Reply::json(
            200,
            json!({"value": [{"id": "c-1", "givenName": "Ada"}, {"id": "c-2", "givenName": "Alan"}],
                   "@odata.nextLink": page2}),
        ),
        Reply::json(
            200,
            json!({"value": [{"id": "c-3", "givenName": "Grace"}], "@odata.nextLink": page3}),
        ),
        Reply::json(
            200,
            json!({"value": [{"id": "c-4", "givenName": "Edsger",
                                           "@odata.etag": "W/\"4\""}]}),
        ),
    ]);
    let contacts: Vec<MicrosoftGraphContact> = conn
        .contacts()
        .user_contact_folder_list_contact_stream(
            "u 1",
            "f-1",
            &[("$top", "2"), ("$select", "id,givenName")],
        )
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let names: Vec<&str> = contacts
        .iter()
        .map(|c| c.given_name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["Ada", "Alan", "Grace", "Edsger"]);
    assert_eq!(contacts[3].etag(), Some("W/\"4\""));

    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(
        targets,
        [
            "/v1.0/users/u%201/contactFolders/f-1/contacts?%24top=2&%24select=id%2CgivenName",
            "/v1.0/users/u%201/contactFolders/f-1/contacts?$skiptoken=p2",
            "/v1.0/users/u%201/contactFolders/f-1/contacts?$skiptoken=p3",
        ]
    );
    let bearer = format!("Bearer {ACCESS_TOKEN}");
    for request in server.requests() {
        assert_eq!(request.header("authorization"), Some(bearer.as_str()));
    }
}

#[tokio::test]
async fn stream_error_surfaces_as_the_crates_error() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        403,
        json!({"error": {"code": "ErrorAccessDenied", "message": "Access is denied."}}),
    )]);
    let err = conn
        .mail()
        .list_message_stream(&[("$top", "1")])
        .unwrap()
        .try_collect::<Vec<MicrosoftGraphMessage>>()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(reqwest::StatusCode::FORBIDDEN));
    assert_eq!(err.graph_error().unwrap().code, "ErrorAccessDenied");
}

#[tokio::test]
async fn etag_of_a_fetched_entity_is_sent_as_if_match_on_delete() {
    let (server, conn) = setup(true).await;
    server.push([
        Reply::json(
            200,
            json!({"@odata.etag": "W/\"CQAAABYAAAB\"", "@odata.type": "#microsoft.graph.eventMessage",
                   "id": "m-1", "subject": "Old"}),
        ),
        Reply::new(204),
    ]);
    let mail = conn.mail();
    let message = mail
        .get_message("m-1", None, None, None)
        .await
        .unwrap()
        .into_inner();
    assert_eq!(message.etag(), Some("W/\"CQAAABYAAAB\""));
    assert_eq!(message.odata_type(), Some("#microsoft.graph.eventMessage"));
    let reply = mail.delete_message("m-1", message.etag()).await.unwrap();
    assert_eq!(reply.status(), 204);

    let sent = &server.requests()[1];
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.target, "/v1.0/me/messages/m-1");
    assert_eq!(sent.header("if-match"), Some("W/\"CQAAABYAAAB\""));
}
