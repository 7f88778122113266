//! Realistic Graph payloads decode into the generated model of every workload, keep what they
//! carry (re-encoding gives the same members), and keep OData annotations (`@odata.etag`).

#![cfg(all(
    feature = "graph-users",
    feature = "graph-mail",
    feature = "graph-calendar",
    feature = "graph-contacts",
    feature = "graph-drive",
    feature = "graph-groups",
    feature = "graph-teams",
    feature = "graph-planner",
    feature = "graph-todo",
    feature = "graph-people",
    feature = "graph-onenote",
    feature = "graph-sites",
    feature = "graph-subscriptions"
))]

use o365::generated::*;
use o365::odata::ODataEntity;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes `payload` into `T`, re-encodes it, and checks that every member came back equal.
fn round_trip<T: DeserializeOwned + Serialize>(payload: Value) -> T {
    let model: T = serde_json::from_value(payload.clone())
        .unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<T>()));
    let back = serde_json::to_value(&model).unwrap();
    for (key, value) in payload.as_object().unwrap() {
        assert_eq!(
            back.get(key),
            Some(value),
            "{key} of {}",
            std::any::type_name::<T>()
        );
    }
    model
}

#[test]
fn a_message_with_recipients_body_and_etag() {
    let message: mail::types::Message = round_trip(json!({
        "@odata.etag": "W/\"CQAAABYAAAD\"", "id": "AAMkAGI2",
        "subject": "Quarterly numbers", "isRead": false, "importance": "high",
        "receivedDateTime": "2026-11-30T09:12:45Z", "hasAttachments": true,
        "body": {"contentType": "html", "content": "<p>Hi</p>"},
        "from": {"emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.com"}},
        "toRecipients": [{"emailAddress": {"name": "Alex", "address": "AlexW@contoso.com"}}],
        "categories": ["Blue category"], "flag": {"flagStatus": "notFlagged"}
    }));
    assert_eq!(message.subject.as_deref(), Some("Quarterly numbers"));
    assert_eq!(message.etag(), Some("W/\"CQAAABYAAAD\""));
    assert_eq!(message.to_recipients.len(), 1);
}

#[test]
fn an_event_with_date_times_and_attendees() {
    round_trip::<calendar::types::Event>(json!({
        "id": "AAMkAGE1", "subject": "Design review", "isAllDay": false,
        "start": {"dateTime": "2026-12-01T10:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T11:00:00.0000000", "timeZone": "UTC"},
        "location": {"displayName": "Room 1"}, "showAs": "busy",
        "attendees": [{"type": "required", "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                       "emailAddress": {"name": "Alex", "address": "AlexW@contoso.com"}}],
        "organizer": {"emailAddress": {"name": "Adele", "address": "AdeleV@contoso.com"}}
    }));
}

#[test]
fn a_contact_a_user_and_a_drive_item() {
    round_trip::<contacts::types::Contact>(json!({
        "id": "AAMkADh", "givenName": "Pavel", "surname": "Bansky", "displayName": "Pavel Bansky",
        "emailAddresses": [{"address": "pavelb@contoso.com", "name": "Pavel Bansky"}],
        "businessPhones": ["+1 732 555 0102"], "birthday": "1974-07-22T00:00:00Z"
    }));
    round_trip::<users::types::User>(json!({
        "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "displayName": "Adele Vance",
        "userPrincipalName": "AdeleV@contoso.com", "mail": "AdeleV@contoso.com",
        "businessPhones": ["+1 425 555 0109"], "jobTitle": "Retail Manager", "accountEnabled": true
    }));
    round_trip::<drive::types::DriveItem>(json!({
        "id": "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", "name": "Report.docx", "size": 35212,
        "createdDateTime": "2026-11-02T17:22:09Z", "webUrl": "https://contoso-my.sharepoint.com/Report.docx",
        "file": {"mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    }));
}

#[test]
fn groups_teams_planner_and_todo() {
    round_trip::<groups::types::Group>(json!({
        "id": "02bd9fd6-8f93-4758-87c3-1fb73740a315", "displayName": "HR Taskforce",
        "mailNickname": "HRTaskforce", "groupTypes": ["Unified"], "mailEnabled": true,
        "securityEnabled": false, "visibility": "Private"
    }));
    round_trip::<teams::types::Team>(json!({
        "id": "893075dd-2487-4122-925f-022c42e20265", "displayName": "Contoso Team",
        "description": "A team", "isArchived": false,
        "memberSettings": {"allowCreateUpdateChannels": true}
    }));
    round_trip::<planner::types::PlannerTask>(json!({
        "id": "01gzSlKkIUSUl6DF_EilrmQAKDhh", "planId": "xqQg5FS2LkCp935s-FIFm2QAFkHM",
        "bucketId": "gcrYAaAkgU2EQUvpkNNXLGQAGTtu", "title": "Update client list",
        "percentComplete": 0, "priority": 5, "dueDateTime": "2026-12-10T10:00:00Z"
    }));
    round_trip::<todo::types::TodoTask>(json!({
        "id": "AlMKXwbQAAAJws6wcAAAA=", "title": "Pay the bill", "status": "notStarted",
        "importance": "normal", "body": {"content": "", "contentType": "text"},
        "dueDateTime": {"dateTime": "2026-12-10T00:00:00.0000000", "timeZone": "UTC"}
    }));
}

#[test]
fn people_onenote_sites_and_subscriptions() {
    round_trip::<people::types::Person>(json!({
        "id": "8CE6E1DE-CB84-4BF5-971D-D3ECF452E2B5", "displayName": "Lorrie Frye",
        "givenName": "Lorrie", "surname": "Frye", "jobTitle": "Paralegal",
        "scoredEmailAddresses": [{"address": "LorrieF@contoso.com", "relevanceScore": 8.0}]
    }));
    round_trip::<onenote::types::Notebook>(json!({
        "id": "1-fb22b2f1-379f-4da4-bf7b-be5dcca7b99a", "displayName": "Work Notebook",
        "isDefault": true, "isShared": false, "userRole": "Owner",
        "createdDateTime": "2026-10-05T10:57:00Z"
    }));
    round_trip::<sites::types::Site>(json!({
        "id": "contoso.sharepoint.com,2C712604-1370-44E7-A1F5-426573FDA80A,2D2244C3-251A-49EA-93A8-39E1C3A060FE",
        "displayName": "OneDrive Team Site", "name": "1drvteam",
        "webUrl": "https://contoso.sharepoint.com/teams/1drvteam"
    }));
    round_trip::<subscriptions::types::Subscription>(json!({
        "id": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07", "resource": "me/mailFolders('Inbox')/messages",
        "changeType": "created,updated", "clientState": "secretClientValue",
        "notificationUrl": "https://webhook.contoso.com/api", "expirationDateTime": "2026-12-08T18:23:45Z"
    }));
}

#[test]
fn a_common_type_is_one_type_in_every_workload_that_uses_it() {
    use o365::generated::common::types as common;
    use std::any::TypeId;
    macro_rules! same {
        ($name:ident in $($workload:ident),+) => {
            $(assert_eq!(
                TypeId::of::<$workload::types::$name>(),
                TypeId::of::<common::$name>(),
                concat!(stringify!($workload), "::types::", stringify!($name))
            );)+
        };
    }
    same!(ItemBody in calendar, groups, mail, teams, todo);
    same!(DateTimeTimeZone in calendar, groups, mail, todo, users);
    same!(EmailAddress in calendar, contacts, groups, mail, users);
    same!(Recipient in calendar, groups, mail, users);
    same!(FileAttachment in calendar, groups, mail);
    // so a value moves between workloads without conversion
    let body: calendar::types::ItemBody =
        serde_json::from_value(json!({"contentType": "text", "content": "agenda"})).unwrap();
    let in_mail: mail::types::ItemBody = body;
    assert_eq!(in_mail.content.as_deref(), Some("agenda"));
}
