//! Contract tests of the emulated Graph v1.0 subset, with reqwest as the client.
#![cfg(feature = "emulator")]

mod emulator_support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use emulator_support::{app_token, get, http, send, user_token};
use o365::clock::ManualClock;
use o365::emulator::Emulator;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn values(body: &Value) -> &Vec<Value> {
    body["value"].as_array().unwrap()
}

fn strings(body: &Value, field: &str) -> Vec<String> {
    values(body)
        .iter()
        .map(|v| v[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn messages_page_across_three_pages_with_absolute_next_links() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (status, first) = get(
        &em,
        "me/messages?$top=10&$select=subject,receivedDateTime",
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert_eq!(
        next,
        format!(
            "{}me/messages?$top=10&$select=subject%2CreceivedDateTime&$skip=10",
            em.graph_url()
        )
    );
    let (_, second) = get(&em, next, &token).await;
    let (_, third) = get(&em, second["@odata.nextLink"].as_str().unwrap(), &token).await;
    assert_eq!(
        [
            values(&first).len(),
            values(&second).len(),
            values(&third).len()
        ],
        [10, 10, 5]
    );
    assert!(third.get("@odata.nextLink").is_none());
    let received: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|p| strings(p, "receivedDateTime"))
        .collect();
    let mut newest_first = received.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(received, newest_first);
    let ids: BTreeSet<String> = [&first, &second, &third]
        .iter()
        .flat_map(|p| strings(p, "id"))
        .collect();
    assert_eq!(ids.len(), 25);
    assert!(ids.iter().all(|id| id.starts_with("AAMkA")));
}

#[tokio::test]
async fn select_orderby_filter_and_count() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (_, body) = get(&em, "me/messages?$select=subject&$top=1", &token).await;
    let keys: BTreeSet<&str> = values(&body)[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["@odata.etag", "id", "subject"]));

    let (_, body) = get(
        &em,
        "me/mailFolders/inbox/messages?$orderby=receivedDateTime asc&$top=3&$select=subject",
        &token,
    )
    .await;
    assert_eq!(
        strings(&body, "subject"),
        [
            "Quarterly report draft",
            "Team offsite logistics",
            "Re: Budget approval"
        ]
    );

    let (_, body) = get(
        &em,
        "me/messages?$filter=isRead eq false&$count=true&$top=50",
        &token,
    )
    .await;
    assert_eq!(body["@odata.count"], 6);
    assert!(values(&body).iter().all(|m| m["isRead"] == false));

    let filter = "isRead eq true and importance ne 'normal'";
    let (_, body) = get(
        &em,
        &format!("me/mailFolders/inbox/messages?$filter={filter}&$orderby=subject&$select=subject"),
        &token,
    )
    .await;
    assert_eq!(
        strings(&body, "subject"),
        ["Hiring update", "Security training reminder"]
    );

    let (status, body) = get(&em, "me/messages?$filter=isRead eq", &token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("BadRequest"))
    );
    let (status, _) = get(&em, "me/messages?$top=1001", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn folders_count_their_items_and_resolve_well_known_names() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (_, inbox) = get(&em, "me/mailFolders/inbox", &token).await;
    assert_eq!(
        (
            inbox["displayName"].as_str(),
            inbox["totalItemCount"].as_u64(),
            inbox["unreadItemCount"].as_u64()
        ),
        (Some("Inbox"), Some(16), Some(6))
    );
    let (_, folders) = get(&em, "me/mailFolders", &token).await;
    assert_eq!(
        strings(&folders, "displayName"),
        ["Inbox", "Sent Items", "Drafts", "Deleted Items", "Archive"]
    );
    let (_, by_id) = get(
        &em,
        &format!("me/mailFolders/{}/messages", inbox["id"].as_str().unwrap()),
        &token,
    )
    .await;
    assert_eq!(values(&by_id).len(), 10);
}

#[tokio::test]
async fn get_patch_delete_and_unknown_ids() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (_, list) = get(
        &em,
        "me/messages?$filter=hasAttachments eq true&$orderby=receivedDateTime",
        &token,
    )
    .await;
    let id = strings(&list, "id")[0].clone();
    let (status, message) = get(&em, &format!("me/messages/{id}"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(message["subject"], "Invoice #4821");
    assert_eq!(
        message["from"]["emailAddress"]["address"],
        "patti@fabrikam.example"
    );
    let (_, attachments) = get(&em, &format!("me/messages/{id}/attachments"), &token).await;
    assert_eq!(strings(&attachments, "name"), ["invoice-4821.pdf"]);

    let (status, patched) = send(
        &em,
        Method::PATCH,
        &format!("me/messages/{id}"),
        &token,
        Some(json!({"isRead": false, "id": "ignored"})),
    )
    .await;
    assert_eq!(
        (status, patched["isRead"].as_bool(), patched["id"].as_str()),
        (StatusCode::OK, Some(false), Some(id.as_str()))
    );
    assert_ne!(patched["@odata.etag"], message["@odata.etag"]);
    assert!(patched["@odata.etag"].as_str().unwrap().starts_with("W/\""));

    let (status, body) = send(
        &em,
        Method::DELETE,
        &format!("me/messages/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, body) = get(&em, &format!("me/messages/{id}"), &token).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("ErrorItemNotFound"))
    );
    assert!(body["error"]["innerError"]["request-id"].is_string());
}

#[tokio::test]
async fn send_mail_lands_in_sent_items_and_in_a_colleagues_inbox() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let mail = json!({"message": {"subject": "Emulated hello", "body": {"contentType": "text", "content": "Hi Megan"},
        "toRecipients": [{"emailAddress": {"address": "MeganB@contoso.onmicrosoft.com"}}]}});
    let (status, body) = send(&em, Method::POST, "me/sendMail", &token, Some(mail)).await;
    assert_eq!((status, body), (StatusCode::ACCEPTED, Value::Null));
    let (_, sent) = get(&em, "me/mailFolders/sentitems/messages?$top=1", &token).await;
    assert_eq!(values(&sent)[0]["subject"], "Emulated hello");
    assert_eq!(
        values(&sent)[0]["from"]["emailAddress"]["address"],
        em.user().preferred_username.as_str()
    );

    let app = app_token(&em).await;
    let (_, inbox) = get(
        &em,
        "users/MeganB@contoso.onmicrosoft.com/mailFolders/inbox/messages?$filter=isRead eq false",
        &app,
    )
    .await;
    assert_eq!(strings(&inbox, "subject"), ["Emulated hello"]);

    let (status, body) = send(
        &em,
        Method::POST,
        "me/sendMail",
        &token,
        Some(json!({"message": {"subject": "nobody"}})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ErrorInvalidRecipients"))
    );
}

#[tokio::test]
async fn move_gives_the_message_a_new_id_in_the_destination() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (_, inbox) = get(&em, "me/mailFolders/inbox/messages?$top=1", &token).await;
    let id = strings(&inbox, "id")[0].clone();
    let (status, moved) = send(
        &em,
        Method::POST,
        &format!("me/messages/{id}/move"),
        &token,
        Some(json!({"destinationId": "archive"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(moved["id"], id.as_str());
    let (_, archive) = get(&em, "me/mailFolders/archive/messages", &token).await;
    assert_eq!(strings(&archive, "id"), [moved["id"].as_str().unwrap()]);
    assert_eq!(
        get(&em, &format!("me/messages/{id}"), &token).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn events_calendar_view_and_contacts() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (_, events) = get(&em, "me/events", &token).await;
    assert_eq!(values(&events).len(), 5);
    let (_, view) = get(
        &em,
        "me/calendarView?startDateTime=2025-03-01T00:00:00Z&endDateTime=2025-04-01T00:00:00Z",
        &token,
    )
    .await;
    assert_eq!(
        strings(&view, "subject"),
        [
            "Weekly sync",
            "Project review",
            "Lunch with Megan",
            "Weekly sync",
            "Quarterly planning",
            "Weekly sync",
            "Dentist",
            "Weekly sync",
            "Weekly sync"
        ]
    );
    assert_eq!(
        values(&view)[3]["start"],
        json!({"dateTime": "2025-03-10T09:00:00.0000000", "timeZone": "UTC"})
    );
    assert_eq!(values(&view)[3]["type"], "occurrence");
    let (status, _) = get(&em, "me/calendarView", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let event = json!({"subject": "Emulated", "start": {"dateTime": "2025-03-04T15:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2025-03-04T15:30:00", "timeZone": "UTC"}});
    let (status, created) = send(&em, Method::POST, "me/events", &token, Some(event)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, fetched) = get(
        &em,
        &format!("me/events/{}", created["id"].as_str().unwrap()),
        &token,
    )
    .await;
    assert_eq!(fetched["subject"], "Emulated");

    let (_, contacts) = get(&em, "me/contacts?$orderby=displayName", &token).await;
    assert_eq!(
        strings(&contacts, "displayName"),
        ["Lee Gu", "Lynne Robbins", "Megan Bowen", "Patti Fernandez"]
    );
    assert_eq!(
        values(&contacts)[0]["emailAddresses"][0]["address"],
        "lee.gu@northwind.example"
    );
}

#[tokio::test]
async fn users_by_id_or_upn_and_app_only_me() {
    let em = Emulator::builder().start().await.unwrap();
    let app = app_token(&em).await;
    let (_, users) = get(&em, "users?$top=2&$skiptoken=RFNwdAIAAQAAAZW11OjA", &app).await;
    assert_eq!(
        strings(&users, "displayName"),
        ["Adele Vance", "Megan Bowen"]
    );
    let (_, rest) = get(&em, users["@odata.nextLink"].as_str().unwrap(), &app).await;
    assert_eq!(strings(&rest, "displayName"), ["Alex Wilber"]);
    let (status, user) = get(&em, "users/alexw@contoso.onmicrosoft.com", &app).await;
    assert_eq!(
        (status, user["jobTitle"].as_str()),
        (StatusCode::OK, Some("Marketing Assistant"))
    );
    let (status, body) = get(&em, "users/nobody@contoso.onmicrosoft.com", &app).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("Request_ResourceNotFound"))
    );
    let (status, body) = get(&em, "me", &app).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("BadRequest"))
    );
    let (status, body) = get(
        &em,
        &format!("users/{}/messages?$top=1", em.user().oid),
        &app,
    )
    .await;
    assert_eq!((status, values(&body).len()), (StatusCode::OK, 1));
}

#[tokio::test]
async fn missing_unknown_and_expired_tokens_get_401_with_a_graph_body() {
    let clock = ManualClock::new();
    let em = Emulator::builder()
        .clock(Arc::new(clock.clone()))
        .access_token_lifetime(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let token = user_token(&em);
    let response = http()
        .get(format!("{}me", em.graph_url()))
        .header("client-request-id", "my-correlation")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["client-request-id"], "my-correlation");
    let request_id = response.headers()["request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer ")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(body["error"]["message"], "Access token is empty.");
    assert_eq!(
        body["error"]["innerError"]["request-id"],
        request_id.as_str()
    );
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "my-correlation"
    );
    assert!(
        body["error"]["innerError"]["date"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    assert_eq!(get(&em, "me", "forged").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(get(&em, "me", &token).await.0, StatusCode::OK);
    clock.advance(Duration::from_secs(600));
    let (status, body) = get(&em, "me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        body["error"]["message"],
        "Lifetime validation failed, the token is expired."
    );

    let fresh = user_token(&em);
    assert_eq!(get(&em, "me", &fresh).await.0, StatusCode::OK);
    em.script().expire_access_tokens();
    assert_eq!(get(&em, "me", &fresh).await.0, StatusCode::UNAUTHORIZED);
}
