//! Graph's derived types decode into the generated family enums (`@odata.type` picks the
//! variant), re-encode to the same JSON, and an unknown type is kept whole. Payloads are shaped
//! like Graph's answers: attachments of a message, a mailbox page with meeting messages, a
//! group's members and a user's `memberOf`, drive items with their facets.

#![cfg(all(
    feature = "graph-mail",
    feature = "graph-groups",
    feature = "graph-users",
    feature = "graph-drive"
))]

use o365::generated::{drive, groups, mail, users};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes `payload`, re-encodes it and checks that the JSON is the same value, member order
/// aside, and with `null` members left out (the models read `null` and absent alike).
fn round_trip<T: DeserializeOwned + Serialize>(payload: &Value) -> T {
    let model: T = serde_json::from_value(payload.clone())
        .unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<T>()));
    assert_eq!(
        serde_json::to_value(&model).unwrap(),
        without_nulls(payload)
    );
    model
}

/// The `@odata.type` each item encodes with (for failure messages).
fn odata_types<T: Serialize>(items: &[T]) -> Vec<Value> {
    items
        .iter()
        .map(|item| serde_json::to_value(item).unwrap()["@odata.type"].clone())
        .collect()
}

fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[test]
fn attachments_page_decodes_file_item_reference_and_unknown_variants() {
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('adele')/messages('AAMk')/attachments",
        "value": [
            {"@odata.type": "#microsoft.graph.fileAttachment", "id": "AAMkAGI2-1",
             "lastModifiedDateTime": "2026-11-30T09:12:45Z", "name": "numbers.xlsx",
             "contentType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "size": 10240, "isInline": false, "contentId": null, "contentLocation": null,
             "contentBytes": "UEsDBBQABgAIAAAAIQ=="},
            {"@odata.type": "#microsoft.graph.itemAttachment", "id": "AAMkAGI2-2",
             "name": "Re: plan", "contentType": null, "size": 2048, "isInline": false,
             "item": {"@odata.type": "#microsoft.graph.message", "id": "AAMkAGI2-inner",
                      "subject": "Re: plan", "isRead": true}},
            {"@odata.type": "#microsoft.graph.referenceAttachment", "id": "AAMkAGI2-3",
             "name": "Budget.docx", "size": 512, "isInline": false},
            {"@odata.type": "#microsoft.graph.futureAttachment", "id": "AAMkAGI2-4",
             "name": "hologram", "size": 1, "shape": {"kind": "cube", "sides": [1, 2, 3]}}
        ]
    });
    let page: mail::types::AttachmentCollectionResponse = round_trip(&page);
    use mail::types::AnyAttachment as A;
    let [
        A::FileAttachment(file),
        A::ItemAttachment(item),
        A::ReferenceAttachment(reference),
        A::Other(other),
    ] = page.value.as_slice()
    else {
        panic!("variants: {:?}", odata_types(&page.value));
    };
    assert_eq!(file.content_bytes.as_deref(), Some("UEsDBBQABgAIAAAAIQ=="));
    assert_eq!(file.size, Some(10240));
    match item.item.as_ref() {
        Some(mail::types::AnyOutlookItem::Message(inner)) => {
            assert_eq!(inner.subject.as_deref(), Some("Re: plan"))
        }
        other => panic!("inner item: {other:?}"),
    }
    assert_eq!(reference.name.as_deref(), Some("Budget.docx"));
    assert_eq!(other["shape"]["sides"], json!([1, 2, 3]));
    // Accessors reach the shared fields without a match; `Other` has none.
    let names: Vec<Option<&String>> = page.value.iter().map(|a| a.name()).collect();
    assert_eq!(
        names[..3]
            .iter()
            .map(|n| n.unwrap().as_str())
            .collect::<Vec<_>>(),
        ["numbers.xlsx", "Re: plan", "Budget.docx"]
    );
    assert_eq!(names[3], None);
    assert_eq!(
        page.value[3].odata_type(),
        Some("#microsoft.graph.futureAttachment")
    );
}

#[test]
fn unknown_variant_round_trips_byte_for_byte() {
    let text = r##"{"@odata.type":"#microsoft.graph.futureAttachment","zeta":1,"alpha":{"b":[true,null],"a":"x"},"id":"A-4"}"##;
    let attachment: mail::types::AnyAttachment = serde_json::from_str(text).unwrap();
    assert!(matches!(attachment, mail::types::AnyAttachment::Other(_)));
    assert_eq!(serde_json::to_string(&attachment).unwrap(), text);
}

/// A page of a mailbox as Graph sends it: a plain message (no `@odata.type`), a meeting request,
/// a meeting response and a cancellation (the base eventMessage), with a next link; decoded
/// after checking that it round-trips.
fn mailbox_page() -> mail::types::MessageCollectionResponse {
    let page = json!({
        "value": [
            {"@odata.etag": "W/\"CQAAABYAAAD1\"", "id": "AAMk-1", "subject": "Quarterly numbers",
             "isRead": false, "importance": "normal",
             "from": {"emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.com"}}},
            {"@odata.type": "#microsoft.graph.eventMessageRequest", "@odata.etag": "W/\"CQAAABYAAAD2\"",
             "id": "AAMk-2", "subject": "Design review", "isRead": false,
             "meetingMessageType": "meetingRequest", "meetingRequestType": "newMeetingRequest",
             "isAllDay": false, "isOutOfDate": false, "responseRequested": true,
             "allowNewTimeProposals": true, "type": "singleInstance",
             "startDateTime": {"dateTime": "2026-12-08T14:00:00.0000000", "timeZone": "UTC"},
             "endDateTime": {"dateTime": "2026-12-08T15:00:00.0000000", "timeZone": "UTC"},
             "location": {"displayName": "Room 12", "locationType": "default"}},
            {"@odata.type": "#microsoft.graph.eventMessageResponse", "id": "AAMk-3",
             "subject": "Accepted: Design review", "meetingMessageType": "meetingAccepted",
             "responseType": "accepted"},
            {"@odata.type": "#microsoft.graph.eventMessage", "@odata.etag": "W/\"CQAAABYAAAD4\"",
             "id": "AAMk-4", "subject": "Canceled: Design review", "isRead": true,
             "importance": "high", "meetingMessageType": "meetingCancelled",
             "isDelegated": false, "isOutOfDate": false, "isAllDay": false, "type": "singleInstance",
             "startDateTime": {"dateTime": "2026-12-08T14:00:00.0000000", "timeZone": "UTC"},
             "endDateTime": {"dateTime": "2026-12-08T15:00:00.0000000", "timeZone": "UTC"},
             "location": {"displayName": "Room 12"},
             "from": {"emailAddress": {"name": "Megan Bowen", "address": "MeganB@contoso.com"}}}
        ],
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/me/messages?$skip=3"
    });
    round_trip(&page)
}

#[test]
fn mailbox_page_tells_messages_from_meeting_requests() {
    let page = mailbox_page();
    use mail::types::AnyMessage as M;
    let [
        M::Message(plain),
        M::EventMessageRequest(request),
        M::EventMessageResponse(response),
        M::EventMessage(cancelled),
    ] = page.value.as_slice()
    else {
        panic!("variants: {:?}", odata_types(&page.value));
    };
    assert_eq!(plain.subject.as_deref(), Some("Quarterly numbers"));
    assert_eq!(
        request.meeting_message_type,
        Some(mail::types::MeetingMessageType::MeetingRequest)
    );
    assert_eq!(
        request.meeting_request_type,
        Some(mail::types::MeetingRequestType::NewMeetingRequest)
    );
    assert_eq!(
        request
            .start_date_time
            .as_ref()
            .map(|t| t.time_zone.as_deref()),
        Some(Some("UTC"))
    );
    assert_eq!(
        response.response_type,
        Some(mail::types::ResponseType::Accepted)
    );
    assert_is_the_cancellation(cancelled);
}

/// The base eventMessage (a cancellation) is its own variant, not a plain message, with every
/// member it declares decoded.
fn assert_is_the_cancellation(cancelled: &mail::types::EventMessage) {
    assert_eq!(
        cancelled.meeting_message_type,
        Some(mail::types::MeetingMessageType::MeetingCancelled)
    );
    assert_eq!(cancelled.is_out_of_date, Some(false));
    assert_eq!(
        cancelled.type_,
        Some(mail::types::EventType::SingleInstance)
    );
    assert_eq!(
        cancelled
            .end_date_time
            .as_ref()
            .and_then(|t| t.date_time.as_deref()),
        Some("2026-12-08T15:00:00.0000000")
    );
    assert_eq!(
        cancelled
            .from
            .as_ref()
            .and_then(|f| f.email_address.as_ref())
            .and_then(|e| e.address.as_deref()),
        Some("MeganB@contoso.com")
    );
    // nothing else lands in the catch-all map (the variant keeps its `@odata.type` there)
    let mut undeclared: Vec<&String> = cancelled.extra.keys().collect();
    undeclared.sort();
    assert_eq!(undeclared, ["@odata.etag", "@odata.type"]);
}

#[test]
fn mailbox_page_variants_share_subjects_etags_and_keep_their_odata_type() {
    let page = mailbox_page();
    let subjects: Vec<&str> = page
        .value
        .iter()
        .filter_map(|m| m.subject())
        .map(String::as_str)
        .collect();
    assert_eq!(
        subjects,
        [
            "Quarterly numbers",
            "Design review",
            "Accepted: Design review",
            "Canceled: Design review"
        ]
    );
    // Annotations and the concrete type through `ODataEntity`, whatever the variant.
    use o365::odata::ODataEntity;
    let etags: Vec<Option<&str>> = page.value.iter().map(ODataEntity::etag).collect();
    assert_eq!(
        etags,
        [
            Some("W/\"CQAAABYAAAD1\""),
            Some("W/\"CQAAABYAAAD2\""),
            None,
            Some("W/\"CQAAABYAAAD4\"")
        ]
    );
    assert_eq!(
        ODataEntity::odata_type(&page.value[1]),
        Some("#microsoft.graph.eventMessageRequest")
    );
    // and re-encodes with the type it came with
    let encoded = serde_json::to_string(&page.value[3]).unwrap();
    assert!(encoded.starts_with(r##"{"@odata.type":"#microsoft.graph.eventMessage","##));
    // A plain message encodes without an `@odata.type` it did not have.
    assert!(
        serde_json::to_value(&page.value[0])
            .unwrap()
            .get("@odata.type")
            .is_none()
    );
}

#[test]
fn group_members_decode_users_groups_devices_service_principals_and_contacts() {
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
        "value": [
            {"@odata.type": "#microsoft.graph.user", "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
             "displayName": "Adele Vance", "userPrincipalName": "AdeleV@contoso.com",
             "mail": "AdeleV@contoso.com", "jobTitle": "Retail Manager", "businessPhones": ["+1 425 555 0109"]},
            {"@odata.type": "#microsoft.graph.group", "id": "02bd9fd6-8f93-4758-87c3-1fb73740a315",
             "displayName": "HR Taskforce", "mailEnabled": true, "securityEnabled": false,
             "groupTypes": ["Unified"], "mailNickname": "HRTaskforce"},
            {"@odata.type": "#microsoft.graph.device", "id": "000a2e9a-2cd9-4c68-8b8c-0b3f5d4a3c11",
             "displayName": "DESKTOP-1", "operatingSystem": "Windows", "operatingSystemVersion": "10.0.22631",
             "accountEnabled": true, "deviceId": "4c299165-6e8f-4b45-a5ba-c5d250a707ff"},
            {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "00063ffc-54e9-405d-b8f3-56124728e051",
             "appId": "00000003-0000-0000-c000-000000000000", "displayName": "Microsoft Graph",
             "servicePrincipalType": "Application", "accountEnabled": true,
             "appRoles": [{"id": "df021288-bdef-4463-88db-98f22de89214", "value": "User.Read.All",
                           "allowedMemberTypes": ["Application"], "isEnabled": true,
                           "displayName": "Read all users' full profiles", "description": "Allows the app to read user profiles."}]},
            {"@odata.type": "#microsoft.graph.orgContact", "id": "25ad4b3c-c5a5-4b55-a7a6-03e8f7e2b0a6",
             "displayName": "Contoso Supplier", "mail": "orders@fabrikam.example", "companyName": "Fabrikam"}
        ]
    });
    let page: groups::types::DirectoryObjectCollectionResponse = round_trip(&page);
    use groups::types::AnyDirectoryObject as D;
    let [
        D::User(user),
        D::Group(group),
        D::Device(device),
        D::ServicePrincipal(sp),
        D::OrgContact(contact),
    ] = page.value.as_slice()
    else {
        panic!("variants: {:?}", odata_types(&page.value));
    };
    assert_eq!(
        user.user_principal_name.as_deref(),
        Some("AdeleV@contoso.com")
    );
    assert_eq!(group.group_types, ["Unified"]);
    assert_eq!(device.operating_system.as_deref(), Some("Windows"));
    assert_eq!(sp.app_roles.len(), 1);
    assert_eq!(sp.app_roles[0].value.as_deref(), Some("User.Read.All"));
    assert_eq!(contact.company_name.as_deref(), Some("Fabrikam"));
    let ids: Vec<&str> = page
        .value
        .iter()
        .filter_map(|o| o.id())
        .map(String::as_str)
        .collect();
    assert_eq!(ids.len(), 5);
}

#[test]
fn member_of_decodes_groups_and_directory_roles() {
    let page = json!({"value": [
        {"@odata.type": "#microsoft.graph.group", "id": "g-1", "displayName": "Sales", "securityEnabled": true},
        {"@odata.type": "#microsoft.graph.directoryRole", "id": "r-1", "displayName": "Global Reader",
         "roleTemplateId": "f2ef992c-3afb-46b9-b7cf-a126ee74c451"}
    ]});
    let page: users::types::DirectoryObjectCollectionResponse = round_trip(&page);
    use users::types::AnyDirectoryObject as D;
    assert!(matches!(&page.value[0], D::Group(g) if g.display_name.as_deref() == Some("Sales")));
    assert!(
        matches!(&page.value[1], D::DirectoryRole(r) if r.role_template_id.as_deref() == Some("f2ef992c-3afb-46b9-b7cf-a126ee74c451"))
    );
}

#[test]
fn drive_items_decode_their_facets() {
    let page = json!({"value": [
        {"id": "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K", "name": "Reports", "size": 2048,
         "folder": {"childCount": 4},
         "parentReference": {"driveId": "b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd", "path": "/drive/root:"}},
        {"id": "01BYE5RZ2KXWOTNNU3P5B3YQDBLLKJQ6AJ", "name": "photo.jpg", "size": 348201,
         "file": {"mimeType": "image/jpeg", "hashes": {"quickXorHash": "Y2T9bKLeD4O1LJRsJcsxZQo3Tus="}},
         "image": {"width": 1920, "height": 1080},
         "photo": {"takenDateTime": "2026-06-01T10:15:00Z", "cameraMake": "Contoso"},
         "createdDateTime": "2026-06-01T10:20:00Z"}
    ]});
    let page: drive::types::DriveItemCollectionResponse = round_trip(&page);
    let folder = page.value[0].folder.as_ref().expect("folder facet");
    assert_eq!(folder.child_count, Some(4));
    assert!(page.value[0].file.is_none());
    let file = page.value[1].file.as_ref().expect("file facet");
    assert_eq!(file.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        file.hashes
            .as_ref()
            .and_then(|h| h.quick_xor_hash.as_deref()),
        Some("Y2T9bKLeD4O1LJRsJcsxZQo3Tus=")
    );
    assert_eq!(
        page.value[1].image.as_ref().and_then(|i| i.width),
        Some(1920)
    );
    let photo = page.value[1].photo.as_ref().expect("photo facet");
    assert_eq!(photo.camera_make.as_deref(), Some("Contoso"));
    assert!(photo.taken_date_time.is_some());
}

#[test]
fn a_variant_converts_into_its_family_for_a_request_body() {
    let file = mail::types::FileAttachment {
        name: Some("notes.txt".into()),
        content_bytes: Some("aGVsbG8=".into()),
        ..serde_json::from_value(json!({})).unwrap()
    };
    let any: mail::types::AnyAttachment = file.into();
    let body = serde_json::to_value(&any).unwrap();
    assert_eq!(body["@odata.type"], "#microsoft.graph.fileAttachment");
    assert_eq!(body["name"], "notes.txt");
    // `@odata.type` comes first, as Graph requires for a derived type in a request body.
    assert!(
        serde_json::to_string(&any)
            .unwrap()
            .starts_with(r##"{"@odata.type":"#microsoft.graph.fileAttachment""##)
    );
}
