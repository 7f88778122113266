//! Realistic Graph payloads decode into the generated model of every workload with each member in
//! its typed field: the values are asserted field by field (nested types, enums, date-times), and
//! the catch-all `extra` map holds only what the model does not declare (OData annotations such
//! as `@odata.context`/`@odata.etag`, and the few members the trimmed descriptions leave out, named
//! exactly). Re-encoding gives the payload back.
//!
//! Each workload's tests compile with its own feature, e.g.
//! `cargo test --features graph-users,graph-groups --test generated_models`.

#![cfg(feature = "codegen")]
#![allow(unused_imports, dead_code)]

use chrono::{TimeZone, Utc};
use o365::odata::ODataEntity;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

/// Drops `null` members and empty arrays (a typed `None`/empty `Vec` is not re-encoded) and
/// writes RFC 3339 date-times in one form (Graph sends 7 fractional digits, chrono writes 9),
/// recursively.
fn normalized(value: &Value) -> Value {
    match value {
        Value::String(text) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(instant) => Value::String(instant.with_timezone(&Utc).to_rfc3339()),
            Err(_) => value.clone(),
        },
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        other => other.clone(),
    }
}

/// Decodes `payload` into `T` and checks that re-encoding gives the same JSON (up to nulls and
/// empty arrays, which a typed model does not write back).
fn decode<T: DeserializeOwned + Serialize>(payload: Value) -> T {
    let name = std::any::type_name::<T>();
    let model: T =
        serde_json::from_value(payload.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&model).unwrap();
    assert_eq!(
        normalized(&back),
        normalized(&payload),
        "re-encoding {name}"
    );
    model
}

/// The keys that landed in a model's catch-all map, sorted.
fn extra_keys(extra: &Map<String, Value>) -> Vec<&str> {
    let mut keys: Vec<&str> = extra.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// A UTC date-time, for comparing decoded `chrono` fields.
fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

#[cfg(feature = "graph-users")]
mod users {
    use super::*;
    use o365::generated::users::types::User;

    #[test]
    fn a_selected_user_puts_every_member_in_its_typed_field() {
        let user: User = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(id,displayName,accountEnabled,assignedLicenses,identities,employeeOrgData,onPremisesExtensionAttributes,createdDateTime,businessPhones,userPrincipalName,mail,jobTitle,usageLocation,userType)/$entity",
            "id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55",
            "displayName": "Adele Vance",
            "userPrincipalName": "AdeleV@contoso.onmicrosoft.com",
            "mail": "AdeleV@contoso.onmicrosoft.com",
            "jobTitle": "Retail Manager",
            "accountEnabled": true,
            "usageLocation": "US",
            "userType": "Member",
            "businessPhones": ["+1 425 555 0109"],
            "createdDateTime": "2024-03-18T16:41:07Z",
            "assignedLicenses": [{
                "disabledPlans": ["a23b959c-7ce8-4e57-9140-b90eb88a9e97"],
                "skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df"
            }],
            "identities": [{
                "signInType": "userPrincipalName",
                "issuer": "contoso.onmicrosoft.com",
                "issuerAssignedId": "AdeleV@contoso.onmicrosoft.com"
            }],
            "employeeOrgData": {"division": "Retail", "costCenter": "CC-4410"},
            "onPremisesExtensionAttributes": {"extensionAttribute1": "badge-7781", "extensionAttribute2": null}
        }));
        assert_eq!(
            user.id.as_deref(),
            Some("4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55")
        );
        assert_eq!(user.display_name.as_deref(), Some("Adele Vance"));
        assert_eq!(
            user.user_principal_name.as_deref(),
            Some("AdeleV@contoso.onmicrosoft.com")
        );
        assert_eq!(user.account_enabled, Some(true));
        assert_eq!(user.usage_location.as_deref(), Some("US"));
        assert_eq!(user.business_phones, ["+1 425 555 0109"]);
        assert_eq!(user.created_date_time, Some(utc(2024, 3, 18, 16, 41, 7)));
        license_and_identity_are_typed(&user);
        org_data_and_extension_attributes_are_typed(&user);
        assert_eq!(extra_keys(&user.extra), ["@odata.context"]);
    }

    /// The one assigned license and the sign-in identity, with nothing left over.
    fn license_and_identity_are_typed(user: &User) {
        let license = &user.assigned_licenses[0];
        assert_eq!(
            license.sku_id.map(|u| u.to_string()).as_deref(),
            Some("c7df2760-2c81-4ef7-b578-5b5392b571df")
        );
        assert_eq!(license.disabled_plans.len(), 1);
        assert!(license.extra.is_empty());
        assert_eq!(
            user.identities[0].sign_in_type.as_deref(),
            Some("userPrincipalName")
        );
        assert!(user.identities[0].extra.is_empty());
    }

    /// The employee's org data and the on-premises extension attributes.
    fn org_data_and_extension_attributes_are_typed(user: &User) {
        let org = user.employee_org_data.as_ref().unwrap();
        assert_eq!(
            (org.division.as_deref(), org.cost_center.as_deref()),
            (Some("Retail"), Some("CC-4410"))
        );
        let attributes = user.on_premises_extension_attributes.as_ref().unwrap();
        assert_eq!(
            attributes.extension_attribute1.as_deref(),
            Some("badge-7781")
        );
        assert!(attributes.extra.is_empty());
    }
}

#[cfg(feature = "graph-mail")]
mod mail {
    use super::*;
    use o365::generated::mail::types::{
        BodyType, FollowupFlagStatus, Importance, InferenceClassificationType, Message,
    };

    #[test]
    fn a_received_message_puts_recipients_body_flag_and_enums_in_typed_fields() {
        let message: Message = decode(json!({
            "@odata.etag": "W/\"CQAAABYAAABqNUd3Q9wQRokZxZ1nq8UmAAE8sN5z\"",
            "id": "AAMkADNkNmQ3YjM4LTBhNzgtNDY0Mi1hYjQ0LTQzZTdmNmZiNDMyNQBGAAAAAAC7Qq2lZAAA=",
            "createdDateTime": "2026-11-30T09:12:47Z",
            "lastModifiedDateTime": "2026-11-30T09:13:02Z",
            "changeKey": "CQAAABYAAABqNUd3Q9wQRokZxZ1nq8UmAAE8sN5z",
            "categories": ["Blue category"],
            "receivedDateTime": "2026-11-30T09:12:45Z",
            "sentDateTime": "2026-11-30T09:12:41Z",
            "hasAttachments": true,
            "internetMessageId": "<BY5PR11MB4114.namprd11.prod.outlook.com>",
            "subject": "Quarterly numbers",
            "bodyPreview": "Hi Alex, the figures are attached.",
            "importance": "high",
            "parentFolderId": "AQMkADNkNmQ3YjM4AC4AAAMvqnaQAAAA",
            "conversationId": "AAQkADNkNmQ3YjM4LTBhNzgtNDY0Mi1hYjQ0LTQzZTdmNmZiNDMyNQAQAHv0",
            "isDeliveryReceiptRequested": false,
            "isReadReceiptRequested": false,
            "isRead": false,
            "isDraft": false,
            "webLink": "https://outlook.office365.com/owa/?ItemID=AAMkADNk&exvsurl=1&viewmodel=ReadMessageItem",
            "inferenceClassification": "focused",
            "body": {"contentType": "html", "content": "<html><body><p>Hi Alex, the figures are attached.</p></body></html>"},
            "sender": {"emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.com"}},
            "from": {"emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.com"}},
            "toRecipients": [{"emailAddress": {"name": "Alex Wilber", "address": "AlexW@contoso.com"}}],
            "ccRecipients": [{"emailAddress": {"name": "Megan Bowen", "address": "MeganB@contoso.com"}}],
            "bccRecipients": [],
            "replyTo": [],
            "flag": {
                "flagStatus": "flagged",
                "dueDateTime": {"dateTime": "2026-12-04T17:00:00.0000000", "timeZone": "UTC"}
            }
        }));
        assert_eq!(
            message.etag(),
            Some("W/\"CQAAABYAAABqNUd3Q9wQRokZxZ1nq8UmAAE8sN5z\"")
        );
        assert_eq!(message.subject.as_deref(), Some("Quarterly numbers"));
        assert_eq!(message.importance, Some(Importance::High));
        assert_eq!(
            message.inference_classification,
            Some(InferenceClassificationType::Focused)
        );
        assert_eq!(
            message.received_date_time,
            Some(utc(2026, 11, 30, 9, 12, 45))
        );
        assert_eq!(message.is_read, Some(false));
        assert_eq!(message.has_attachments, Some(true));
        body_and_recipients_are_typed(&message);
        follow_up_flag_is_typed(&message);
        assert_eq!(extra_keys(&message.extra), ["@odata.etag"]);
    }

    /// The HTML body, and the sender's, the first addressee's and the copied recipient's email
    /// addresses.
    fn body_and_recipients_are_typed(message: &Message) {
        let body = message.body.as_ref().unwrap();
        assert_eq!(body.content_type, Some(BodyType::Html));
        assert!(
            body.content
                .as_deref()
                .unwrap()
                .contains("figures are attached")
        );
        let from = message
            .from
            .as_ref()
            .unwrap()
            .email_address
            .as_ref()
            .unwrap();
        assert_eq!(from.address.as_deref(), Some("AdeleV@contoso.com"));
        assert!(from.extra.is_empty());
        let to = message.to_recipients[0].email_address.as_ref().unwrap();
        assert_eq!(to.name.as_deref(), Some("Alex Wilber"));
        assert_eq!(message.cc_recipients.len(), 1);
    }

    /// The follow-up flag's status and its due date-time with its zone.
    fn follow_up_flag_is_typed(message: &Message) {
        let flag = message.flag.as_ref().unwrap();
        assert_eq!(flag.flag_status, Some(FollowupFlagStatus::Flagged));
        let due = flag.due_date_time.as_ref().unwrap();
        assert_eq!(
            due.date_time.as_deref(),
            Some("2026-12-04T17:00:00.0000000")
        );
        assert_eq!(due.time_zone.as_deref(), Some("UTC"));
    }
}

#[cfg(feature = "graph-calendar")]
mod calendar {
    use super::*;
    use o365::generated::calendar::types::{
        AttendeeType, Event, EventType, FreeBusyStatus, LocationType, OnlineMeetingProviderType,
        ResponseType, Sensitivity,
    };

    #[test]
    fn an_event_puts_times_attendees_location_and_enums_in_typed_fields() {
        let event: Event = decode(json!({
            "@odata.etag": "W/\"ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==\"",
            "id": "AAMkAGI1AAAt9AHjAAA=",
            "createdDateTime": "2026-11-20T08:01:44Z",
            "lastModifiedDateTime": "2026-11-20T08:05:10Z",
            "changeKey": "ZlnW4RIAV06KYYwlrfNZvQAALfZeRQ==",
            "iCalUId": "040000008200E00074C5B7101A82E00800000000B8A4D1D0",
            "subject": "Design review",
            "bodyPreview": "Agenda: the new onboarding flow",
            "importance": "normal",
            "sensitivity": "normal",
            "isAllDay": false,
            "isCancelled": false,
            "isOrganizer": false,
            "responseRequested": true,
            "showAs": "busy",
            "type": "singleInstance",
            "isOnlineMeeting": true,
            "onlineMeetingProvider": "teamsForBusiness",
            "reminderMinutesBeforeStart": 15,
            "isReminderOn": true,
            "responseStatus": {"response": "accepted", "time": "2026-11-20T09:30:00Z"},
            "body": {"contentType": "html", "content": "<p>Agenda: the new onboarding flow</p>"},
            "start": {"dateTime": "2026-12-01T10:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-01T11:00:00.0000000", "timeZone": "UTC"},
            "location": {
                "displayName": "Conf Room Rainier",
                "locationType": "conferenceRoom",
                "uniqueId": "Rainier@contoso.com",
                "uniqueIdType": "directory"
            },
            "attendees": [{
                "type": "required",
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": "Alex Wilber", "address": "AlexW@contoso.com"}
            }],
            "organizer": {"emailAddress": {"name": "Megan Bowen", "address": "MeganB@contoso.com"}}
        }));
        assert_eq!(event.subject.as_deref(), Some("Design review"));
        assert_eq!(event.show_as, Some(FreeBusyStatus::Busy));
        assert_eq!(event.type_, Some(EventType::SingleInstance));
        assert_eq!(event.sensitivity, Some(Sensitivity::Normal));
        assert_eq!(
            event.online_meeting_provider,
            Some(OnlineMeetingProviderType::TeamsForBusiness)
        );
        assert_eq!(event.reminder_minutes_before_start, Some(15));
        assert_eq!(
            event.i_cal_u_id.as_deref(),
            Some("040000008200E00074C5B7101A82E00800000000B8A4D1D0")
        );
        response_status_and_start_are_typed(&event);
        location_is_typed(&event);
        attendee_is_typed(&event);
        assert_eq!(extra_keys(&event.extra), ["@odata.etag"]);
    }

    /// The organizer's accepted response with its time, and the start's wall-clock date-time.
    fn response_status_and_start_are_typed(event: &Event) {
        let status = event.response_status.as_ref().unwrap();
        assert_eq!(status.response, Some(ResponseType::Accepted));
        assert_eq!(status.time, Some(utc(2026, 11, 20, 9, 30, 0)));
        let start = event.start.as_ref().unwrap();
        assert_eq!(
            start.date_time.as_deref(),
            Some("2026-12-01T10:00:00.0000000")
        );
    }

    /// The conference room, with nothing left over.
    fn location_is_typed(event: &Event) {
        let location = event.location.as_ref().unwrap();
        assert_eq!(location.display_name.as_deref(), Some("Conf Room Rainier"));
        assert_eq!(location.location_type, Some(LocationType::ConferenceRoom));
        assert!(location.unique_id_type.is_some());
        assert!(location.extra.is_empty());
    }

    /// The required attendee's type, response and address, with nothing left over.
    fn attendee_is_typed(event: &Event) {
        let attendee = &event.attendees[0];
        assert_eq!(attendee.type_, Some(AttendeeType::Required));
        assert_eq!(
            attendee.status.as_ref().unwrap().response,
            Some(ResponseType::None)
        );
        assert_eq!(
            attendee.email_address.as_ref().unwrap().address.as_deref(),
            Some("AlexW@contoso.com")
        );
        assert!(attendee.extra.is_empty());
    }
}

#[cfg(feature = "graph-contacts")]
mod contacts {
    use super::*;
    use o365::generated::contacts::types::Contact;

    #[test]
    fn a_contact_puts_addresses_phones_and_birthday_in_typed_fields() {
        let contact: Contact = decode(json!({
            "@odata.etag": "W/\"EQAAABYAAAAfnxeUXKTpQ6Ws8V0LRmhkAADx0gPK\"",
            "id": "AAMkADh6v5AACz2ZgyAAA=",
            "createdDateTime": "2025-05-14T12:20:31Z",
            "lastModifiedDateTime": "2026-02-01T07:02:19Z",
            "changeKey": "EQAAABYAAAAfnxeUXKTpQ6Ws8V0LRmhkAADx0gPK",
            "categories": [],
            "parentFolderId": "AAMkADh6v5AAAAAEOAAA=",
            "birthday": "1974-07-22T11:59:00Z",
            "fileAs": "Bansky, Pavel",
            "displayName": "Pavel Bansky",
            "givenName": "Pavel",
            "surname": "Bansky",
            "jobTitle": "Product Manager",
            "companyName": "Fabrikam",
            "imAddresses": ["sip:pavelb@fabrikam.com"],
            "businessPhones": ["+1 732 555 0102"],
            "homePhones": [],
            "mobilePhone": null,
            "emailAddresses": [{"name": "Pavel Bansky", "address": "pavelb@fabrikam.com"}],
            "businessAddress": {
                "street": "1 Microsoft Way", "city": "Redmond", "state": "WA",
                "countryOrRegion": "United States", "postalCode": "98052"
            },
            "homeAddress": {},
            "otherAddress": {}
        }));
        assert_eq!(contact.display_name.as_deref(), Some("Pavel Bansky"));
        assert_eq!(contact.file_as.as_deref(), Some("Bansky, Pavel"));
        assert_eq!(contact.birthday, Some(utc(1974, 7, 22, 11, 59, 0)));
        assert_eq!(
            contact.business_phones,
            [Some("+1 732 555 0102".to_owned())]
        );
        assert_eq!(
            contact.im_addresses,
            [Some("sip:pavelb@fabrikam.com".to_owned())]
        );
        assert_eq!(
            contact.email_addresses[0].address.as_deref(),
            Some("pavelb@fabrikam.com")
        );
        let address = contact.business_address.as_ref().unwrap();
        assert_eq!(address.city.as_deref(), Some("Redmond"));
        assert_eq!(address.country_or_region.as_deref(), Some("United States"));
        assert_eq!(address.postal_code.as_deref(), Some("98052"));
        assert!(address.extra.is_empty());
        assert_eq!(extra_keys(&contact.extra), ["@odata.etag"]);
    }
}

#[cfg(feature = "graph-drive")]
mod drive {
    use super::*;
    use o365::generated::drive::types::DriveItem;

    #[test]
    fn a_file_item_puts_hashes_parent_and_identities_in_typed_fields() {
        let item: DriveItem = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('adele%40contoso.com')/drive/items/$entity",
            "@microsoft.graph.downloadUrl": "https://contoso-my.sharepoint.com/personal/adelev/_layouts/15/download.aspx?UniqueId=3a3e",
            "createdDateTime": "2026-11-02T17:22:09Z",
            "eTag": "\"{3A3E0C8B-5C3C-4A9B-8B8F-8C5D2C1E4F60},2\"",
            "id": "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K",
            "lastModifiedDateTime": "2026-11-03T08:00:41Z",
            "name": "Report.docx",
            "webUrl": "https://contoso-my.sharepoint.com/personal/adelev/Documents/Report.docx",
            "cTag": "\"c:{3A3E0C8B-5C3C-4A9B-8B8F-8C5D2C1E4F60},3\"",
            "size": 35212,
            "createdBy": {"user": {"email": "AdeleV@contoso.com", "id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55", "displayName": "Adele Vance"}},
            "lastModifiedBy": {"user": {"id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55", "displayName": "Adele Vance"}},
            "parentReference": {
                "driveType": "business",
                "driveId": "b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd",
                "id": "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ",
                "name": "Documents",
                "path": "/drive/root:",
                "siteId": "d823a2f9-b23b-4cbc-95d5-3e0d94e68c1e"
            },
            "file": {
                "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "hashes": {"quickXorHash": "s8YH8ZK2S0m1nH+C0f6vP8fDXXo="}
            },
            "fileSystemInfo": {"createdDateTime": "2026-11-02T17:22:09Z", "lastModifiedDateTime": "2026-11-03T08:00:41Z"},
            "shared": {"scope": "users"}
        }));
        assert_eq!(item.name.as_deref(), Some("Report.docx"));
        assert_eq!(item.size, Some(35212));
        assert_eq!(
            item.c_tag.as_deref(),
            Some("\"c:{3A3E0C8B-5C3C-4A9B-8B8F-8C5D2C1E4F60},3\"")
        );
        assert!(
            item.microsoft_graph_download_url
                .as_deref()
                .unwrap()
                .contains("download.aspx")
        );
        assert_eq!(
            item.last_modified_date_time,
            Some(utc(2026, 11, 3, 8, 0, 41))
        );
        file_hashes_and_parent_are_typed(&item);
        let created_by = item.created_by.as_ref().unwrap().user.as_ref().unwrap();
        assert_eq!(created_by.display_name.as_deref(), Some("Adele Vance"));
        // `identity` declares id and displayName; OneDrive adds the user's email
        assert_eq!(extra_keys(&created_by.extra), ["email"]);
        assert_eq!(
            item.shared.as_ref().unwrap().scope.as_deref(),
            Some("users")
        );
        assert!(item.folder.is_none() && item.package.is_none() && item.remote_item.is_none());
        assert_eq!(extra_keys(&item.extra), ["@odata.context"]);
    }

    /// The file facet's hash and the parent reference, each with nothing left over.
    fn file_hashes_and_parent_are_typed(item: &DriveItem) {
        let file = item.file.as_ref().unwrap();
        assert_eq!(
            file.hashes.as_ref().unwrap().quick_xor_hash.as_deref(),
            Some("s8YH8ZK2S0m1nH+C0f6vP8fDXXo=")
        );
        assert!(file.extra.is_empty());
        let parent = item.parent_reference.as_ref().unwrap();
        assert_eq!(parent.drive_type.as_deref(), Some("business"));
        assert_eq!(parent.path.as_deref(), Some("/drive/root:"));
        assert!(parent.extra.is_empty());
    }
}

#[cfg(feature = "graph-groups")]
mod groups {
    use super::*;
    use o365::generated::groups::types::Group;

    #[test]
    fn a_unified_group_puts_its_members_in_typed_fields() {
        let group: Group = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#groups/$entity",
            "id": "02bd9fd6-8f93-4758-87c3-1fb73740a315",
            "deletedDateTime": null,
            "classification": null,
            "createdDateTime": "2025-08-11T14:02:53Z",
            "description": "Welcome to the HR Taskforce team.",
            "displayName": "HR Taskforce",
            "expirationDateTime": null,
            "groupTypes": ["Unified"],
            "isAssignableToRole": null,
            "mail": "HRTaskforce@contoso.com",
            "mailEnabled": true,
            "mailNickname": "HRTaskforce",
            "membershipRule": null,
            "onPremisesSyncEnabled": null,
            "preferredDataLocation": null,
            "proxyAddresses": ["SMTP:HRTaskforce@contoso.com", "SPO:SPO_896cf652-b200-4b74-8111-c013f64406cf"],
            "renewedDateTime": "2025-08-11T14:02:53Z",
            "resourceProvisioningOptions": ["Team"],
            "securityEnabled": false,
            "securityIdentifier": "S-1-12-1-45981654-1196986259-3072312199-363020595",
            "theme": null,
            "visibility": "Private",
            "onPremisesProvisioningErrors": []
        }));
        assert_eq!(group.display_name.as_deref(), Some("HR Taskforce"));
        assert_eq!(group.group_types, ["Unified"]);
        assert_eq!(group.mail_enabled, Some(true));
        assert_eq!(group.security_enabled, Some(false));
        assert_eq!(group.visibility.as_deref(), Some("Private"));
        assert_eq!(group.proxy_addresses.len(), 2);
        assert_eq!(group.renewed_date_time, Some(utc(2025, 8, 11, 14, 2, 53)));
        assert_eq!(
            group.security_identifier.as_deref(),
            Some("S-1-12-1-45981654-1196986259-3072312199-363020595")
        );
        // the imported description has no `resourceProvisioningOptions` member
        assert_eq!(
            extra_keys(&group.extra),
            ["@odata.context", "resourceProvisioningOptions"]
        );
    }
}

#[cfg(feature = "graph-teams")]
mod teams {
    use super::*;
    use o365::generated::teams::types::{
        BodyType, Chat, ChatMessage, ChatMessageImportance, ChatMessageType, ChatType, Team,
        TeamSpecialization, TeamVisibilityType,
    };

    #[test]
    fn a_team_puts_its_settings_and_enums_in_typed_fields() {
        let team: Team = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#teams/$entity",
            "id": "893075dd-2487-4122-925f-022c42e20265",
            "createdDateTime": "2025-08-11T14:05:12Z",
            "displayName": "HR Taskforce",
            "description": "Welcome to the HR Taskforce team.",
            "internalId": "19:09fc54a3141a45d0bc769cf506d2e079@thread.tacv2",
            "classification": null,
            "specialization": "none",
            "visibility": "private",
            "webUrl": "https://teams.microsoft.com/l/team/19:09fc54a3141a45d0bc769cf506d2e079%40thread.tacv2/conversations?groupId=893075dd&tenantId=dcd219dd",
            "isArchived": false,
            "memberSettings": {
                "allowCreateUpdateChannels": true, "allowDeleteChannels": true,
                "allowAddRemoveApps": true, "allowCreateUpdateRemoveTabs": true,
                "allowCreateUpdateRemoveConnectors": true, "allowCreatePrivateChannels": false
            },
            "guestSettings": {"allowCreateUpdateChannels": false, "allowDeleteChannels": false},
            "messagingSettings": {
                "allowUserEditMessages": true, "allowUserDeleteMessages": true,
                "allowOwnerDeleteMessages": true, "allowTeamMentions": true, "allowChannelMentions": true
            },
            "funSettings": {
                "allowGiphy": true, "giphyContentRating": "moderate",
                "allowStickersAndMemes": true, "allowCustomMemes": true
            }
        }));
        assert_eq!(team.display_name.as_deref(), Some("HR Taskforce"));
        assert_eq!(team.visibility, Some(TeamVisibilityType::Private));
        assert_eq!(team.specialization, Some(TeamSpecialization::None));
        assert_eq!(team.is_archived, Some(false));
        assert_eq!(team.created_date_time, Some(utc(2025, 8, 11, 14, 5, 12)));
        let members = team.member_settings.as_ref().unwrap();
        assert_eq!(members.allow_create_private_channels, Some(false));
        assert_eq!(members.allow_delete_channels, Some(true));
        assert!(members.extra.is_empty());
        assert!(team.guest_settings.as_ref().unwrap().extra.is_empty());
        let messaging = team.messaging_settings.as_ref().unwrap();
        assert_eq!(messaging.allow_team_mentions, Some(true));
        assert!(messaging.extra.is_empty());
        let fun = team.fun_settings.as_ref().unwrap();
        assert_eq!(fun.allow_giphy, Some(true));
        assert!(fun.giphy_content_rating.is_some());
        assert!(fun.extra.is_empty());
        assert_eq!(extra_keys(&team.extra), ["@odata.context"]);
    }

    #[test]
    fn a_group_chat_puts_type_topic_and_times_in_typed_fields() {
        let chat: Chat = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#chats/$entity",
            "id": "19:8b0c2f2e7c3a4b5f9c7c1b1f5e0d8a2b@thread.v2",
            "topic": "Launch planning",
            "createdDateTime": "2026-10-14T09:27:31.146Z",
            "lastUpdatedDateTime": "2026-11-29T16:45:02.338Z",
            "chatType": "group",
            "webUrl": "https://teams.microsoft.com/l/chat/19%3A8b0c2f2e7c3a4b5f9c7c1b1f5e0d8a2b%40thread.v2/0?tenantId=dcd219dd-bc68-4b9b-bf0b-4a33a796be35",
            "tenantId": "dcd219dd-bc68-4b9b-bf0b-4a33a796be35",
            "onlineMeetingInfo": null,
            "viewpoint": {"isHidden": false, "lastMessageReadDateTime": "2026-11-29T16:45:02.338Z"}
        }));
        assert_eq!(chat.chat_type, Some(ChatType::Group));
        assert_eq!(chat.topic.as_deref(), Some("Launch planning"));
        assert_eq!(
            chat.created_date_time,
            Some(utc(2026, 10, 14, 9, 27, 31) + chrono::Duration::milliseconds(146))
        );
        assert!(
            chat.web_url
                .as_deref()
                .unwrap()
                .starts_with("https://teams.microsoft.com/l/chat/")
        );
        // the imported teams description declares neither `tenantId`, `onlineMeetingInfo` nor `viewpoint` on chat
        assert_eq!(
            extra_keys(&chat.extra),
            [
                "@odata.context",
                "onlineMeetingInfo",
                "tenantId",
                "viewpoint"
            ]
        );
    }

    #[test]
    fn a_channel_message_puts_sender_body_mentions_and_reactions_in_typed_fields() {
        let message: ChatMessage = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#teams('893075dd-2487-4122-925f-022c42e20265')/channels('19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2')/messages/$entity",
            "id": "1701258913512",
            "replyToId": null,
            "etag": "1701258913512",
            "messageType": "message",
            "createdDateTime": "2026-11-29T11:55:13.512Z",
            "lastModifiedDateTime": "2026-11-29T11:55:13.512Z",
            "lastEditedDateTime": null,
            "deletedDateTime": null,
            "subject": "Release train",
            "summary": null,
            "chatId": null,
            "importance": "high",
            "locale": "en-us",
            "webUrl": "https://teams.microsoft.com/l/message/19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/1701258913512?groupId=893075dd",
            "policyViolation": null,
            "eventDetail": null,
            "from": {
                "application": null,
                "device": null,
                "user": {
                    "@odata.type": "#microsoft.graph.teamworkUserIdentity",
                    "id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55",
                    "displayName": "Adele Vance",
                    "userIdentityType": "aadUser",
                    "tenantId": "dcd219dd-bc68-4b9b-bf0b-4a33a796be35"
                }
            },
            "body": {"contentType": "html", "content": "<div><at id=\"0\">Alex</at> the build is green.</div>"},
            "channelIdentity": {
                "teamId": "893075dd-2487-4122-925f-022c42e20265",
                "channelId": "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
            },
            "attachments": [],
            "mentions": [{
                "id": 0,
                "mentionText": "Alex",
                "mentioned": {
                    "application": null, "device": null, "conversation": null,
                    "user": {"id": "0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22", "displayName": "Alex Wilber"}
                }
            }],
            "reactions": [{
                "reactionType": "like",
                "createdDateTime": "2026-11-29T12:01:40.014Z",
                "user": {"application": null, "device": null,
                         "user": {"id": "0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22", "displayName": null}}
            }]
        }));
        assert_eq!(message.message_type, Some(ChatMessageType::Message));
        assert_eq!(message.importance, Some(ChatMessageImportance::High));
        assert_eq!(message.etag.as_deref(), Some("1701258913512"));
        assert_eq!(message.subject.as_deref(), Some("Release train"));
        assert_eq!(message.locale.as_deref(), Some("en-us"));
        body_channel_and_sender_are_typed(&message);
        mention_and_reaction_are_typed(&message);
        assert_eq!(extra_keys(&message.extra), ["@odata.context"]);
    }

    /// The HTML body, the team and channel ids, and the sender, whose subtype's members land in
    /// `extra`.
    fn body_channel_and_sender_are_typed(message: &ChatMessage) {
        let body = message.body.as_ref().unwrap();
        assert_eq!(body.content_type, Some(BodyType::Html));
        let channel = message.channel_identity.as_ref().unwrap();
        assert_eq!(
            channel.team_id.as_deref(),
            Some("893075dd-2487-4122-925f-022c42e20265")
        );
        assert_eq!(
            channel.channel_id.as_deref(),
            Some("19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2")
        );
        let sender = message.from.as_ref().unwrap().user.as_ref().unwrap();
        assert_eq!(sender.display_name.as_deref(), Some("Adele Vance"));
        // a sender is a teamworkUserIdentity; the model types it as the base `identity`
        assert_eq!(
            extra_keys(&sender.extra),
            ["@odata.type", "tenantId", "userIdentityType"]
        );
    }

    /// The mention of Alex and the like reaction, each with nothing left over.
    fn mention_and_reaction_are_typed(message: &ChatMessage) {
        let mention = &message.mentions[0];
        assert_eq!(mention.id, Some(0));
        assert_eq!(mention.mention_text.as_deref(), Some("Alex"));
        let mentioned = mention.mentioned.as_ref().unwrap().user.as_ref().unwrap();
        assert_eq!(mentioned.display_name.as_deref(), Some("Alex Wilber"));
        assert!(mention.extra.is_empty());
        let reaction = &message.reactions[0];
        assert_eq!(reaction.reaction_type.as_deref(), Some("like"));
        assert!(reaction.user.as_ref().unwrap().user.is_some());
        assert!(reaction.extra.is_empty());
    }
}

#[cfg(feature = "graph-planner")]
mod planner {
    use super::*;
    use o365::generated::planner::types::{PlannerPreviewType, PlannerTask};

    #[test]
    fn a_planner_task_puts_assignments_dates_and_preview_in_typed_fields() {
        let task: PlannerTask = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#planner/tasks/$entity",
            "@odata.etag": "W/\"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc=\"",
            "planId": "xqQg5FS2LkCp935s-FIFm2QAFkHM",
            "bucketId": "gcrYAaAkgU2EQUvpkNNXLGQAGTtu",
            "title": "Update client list",
            "orderHint": "8585269241124027581",
            "assigneePriority": "",
            "percentComplete": 50,
            "priority": 3,
            "startDateTime": "2026-12-01T08:00:00Z",
            "createdDateTime": "2026-11-25T16:17:43.6403566Z",
            "dueDateTime": "2026-12-10T10:00:00Z",
            "hasDescription": true,
            "previewType": "checklist",
            "completedDateTime": null,
            "completedBy": null,
            "referenceCount": 1,
            "checklistItemCount": 4,
            "activeChecklistItemCount": 2,
            "conversationThreadId": null,
            "id": "01gzSlKkIUSUl6DF_EilrmQAKDhh",
            "createdBy": {"user": {"displayName": null, "id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55"}},
            "appliedCategories": {"category3": true},
            "assignments": {
                "0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22": {
                    "@odata.type": "#microsoft.graph.plannerAssignment",
                    "assignedDateTime": "2026-11-25T16:17:43.6403566Z",
                    "orderHint": "8585269241124027581P<",
                    "assignedBy": {"user": {"displayName": null, "id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55"}}
                }
            }
        }));
        assert_eq!(
            task.etag(),
            Some("W/\"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAWCc=\"")
        );
        assert_eq!(task.title.as_deref(), Some("Update client list"));
        assert_eq!(
            task.plan_id.as_deref(),
            Some("xqQg5FS2LkCp935s-FIFm2QAFkHM")
        );
        assert_eq!(task.percent_complete, Some(50));
        assert_eq!(task.priority, Some(3));
        assert_eq!(task.preview_type, Some(PlannerPreviewType::Checklist));
        assert_eq!(task.due_date_time, Some(utc(2026, 12, 10, 10, 0, 0)));
        assert_eq!(task.checklist_item_count, Some(4));
        creator_assignments_and_categories_are_typed(&task);
        assert_eq!(extra_keys(&task.extra), ["@odata.context", "@odata.etag"]);
    }

    /// The creator's user id, and the open-typed assignments and applied categories.
    fn creator_assignments_and_categories_are_typed(task: &PlannerTask) {
        assert_eq!(
            task.created_by
                .as_ref()
                .unwrap()
                .user
                .as_ref()
                .unwrap()
                .id
                .as_deref(),
            Some("4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55")
        );
        // open types: a map keyed by user id / category name
        let assignments = task.assignments.as_ref().unwrap();
        assert!(assignments.contains_key("0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22"));
        assert_eq!(
            task.applied_categories.as_ref().unwrap().get("category3"),
            Some(&json!(true))
        );
    }
}

#[cfg(feature = "graph-todo")]
mod todo {
    use super::*;
    use o365::generated::todo::types::{BodyType, Importance, TaskStatus, TodoTask};

    #[test]
    fn a_todo_task_puts_status_reminder_and_recurrence_in_typed_fields() {
        let task: TodoTask = decode(json!({
            "@odata.etag": "W/\"xzyPKP0BiUGgld+lMKXwbQAAgdhkVw==\"",
            "importance": "high",
            "isReminderOn": true,
            "status": "inProgress",
            "title": "Pay the electricity bill",
            "createdDateTime": "2026-11-28T20:31:55.6404582Z",
            "lastModifiedDateTime": "2026-11-29T07:12:03.1134927Z",
            "bodyLastModifiedDateTime": "2026-11-28T20:31:55.6566874Z",
            "id": "AlMKXwbQAAAJws6wcAAAA=",
            "body": {"content": "Account 4471-22", "contentType": "text"},
            "dueDateTime": {"dateTime": "2026-12-10T00:00:00.0000000", "timeZone": "UTC"},
            "reminderDateTime": {"dateTime": "2026-12-09T17:00:00.0000000", "timeZone": "UTC"},
            "recurrence": {
                "pattern": {"type": "absoluteMonthly", "interval": 1, "month": 0, "dayOfMonth": 10,
                            "firstDayOfWeek": "sunday", "index": "first"},
                "range": {"type": "noEnd", "startDate": "2026-12-10", "endDate": "0001-01-01",
                          "recurrenceTimeZone": "UTC", "numberOfOccurrences": 0}
            }
        }));
        assert_eq!(task.status, Some(TaskStatus::InProgress));
        assert_eq!(task.importance, Some(Importance::High));
        assert_eq!(task.is_reminder_on, Some(true));
        assert_eq!(task.title.as_deref(), Some("Pay the electricity bill"));
        assert_eq!(
            task.body.as_ref().unwrap().content_type,
            Some(BodyType::Text)
        );
        assert_eq!(
            task.reminder_date_time
                .as_ref()
                .unwrap()
                .date_time
                .as_deref(),
            Some("2026-12-09T17:00:00.0000000")
        );
        let recurrence = task.recurrence.as_ref().unwrap();
        let pattern = recurrence.pattern.as_ref().unwrap();
        assert_eq!(pattern.day_of_month, Some(10));
        assert_eq!(pattern.interval, Some(1));
        assert!(pattern.extra.is_empty());
        let range = recurrence.range.as_ref().unwrap();
        assert_eq!(
            range.start_date.map(|d| d.to_string()).as_deref(),
            Some("2026-12-10")
        );
        assert!(range.extra.is_empty());
        assert_eq!(extra_keys(&task.extra), ["@odata.etag"]);
    }
}

#[cfg(feature = "graph-people")]
mod people {
    use super::*;
    use o365::generated::people::types::Person;

    #[test]
    fn a_person_puts_scored_addresses_phones_and_type_in_typed_fields() {
        let person: Person = decode(json!({
            "id": "8CE6E1DE-CB84-4BF5-971D-D3ECF452E2B5",
            "displayName": "Lorrie Frye",
            "givenName": "Lorrie",
            "surname": "Frye",
            "birthday": "",
            "personNotes": "",
            "isFavorite": false,
            "jobTitle": "Paralegal",
            "companyName": null,
            "yomiCompany": "",
            "department": "Legal",
            "officeLocation": "20/1109",
            "profession": "",
            "userPrincipalName": "LorrieF@contoso.com",
            "imAddress": "sip:lorrief@contoso.com",
            "scoredEmailAddresses": [{
                "address": "LorrieF@contoso.com",
                "relevanceScore": 8.0,
                "selectionLikelihood": "notSpecified"
            }],
            "phones": [{"type": "business", "number": "+1 954 555 0118"}],
            "postalAddresses": [],
            "websites": [],
            "personType": {"class": "Person", "subclass": "OrganizationUser"}
        }));
        assert_eq!(person.display_name.as_deref(), Some("Lorrie Frye"));
        assert_eq!(person.department.as_deref(), Some("Legal"));
        assert_eq!(
            person.im_address.as_deref(),
            Some("sip:lorrief@contoso.com")
        );
        assert_eq!(person.is_favorite, Some(false));
        let scored = &person.scored_email_addresses[0];
        assert_eq!(scored.address.as_deref(), Some("LorrieF@contoso.com"));
        assert_eq!(scored.relevance_score, Some(8.0));
        assert!(scored.selection_likelihood.is_some());
        assert!(scored.extra.is_empty());
        let phone = &person.phones[0];
        assert_eq!(phone.number.as_deref(), Some("+1 954 555 0118"));
        assert!(phone.type_.is_some());
        let kind = person.person_type.as_ref().unwrap();
        assert_eq!(kind.class.as_deref(), Some("Person"));
        assert_eq!(kind.subclass.as_deref(), Some("OrganizationUser"));
        assert!(person.extra.is_empty(), "{:?}", person.extra);
    }
}

#[cfg(feature = "graph-onenote")]
mod onenote {
    use super::*;
    use o365::generated::onenote::types::{Notebook, OnenotePage, OnenoteUserRole};

    #[test]
    fn a_notebook_puts_links_role_and_identities_in_typed_fields() {
        let notebook: Notebook = decode(json!({
            "id": "1-fb22b2f1-379f-4da4-bf7b-be5dcca7b99a",
            "self": "https://graph.microsoft.com/v1.0/users/4f3c1a5e/onenote/notebooks/1-fb22b2f1-379f-4da4-bf7b-be5dcca7b99a",
            "createdDateTime": "2025-10-05T10:57:00Z",
            "displayName": "Work Notebook",
            "lastModifiedDateTime": "2026-11-30T18:01:22Z",
            "isDefault": true,
            "userRole": "Owner",
            "isShared": false,
            "sectionsUrl": "https://graph.microsoft.com/v1.0/users/4f3c1a5e/onenote/notebooks/1-fb22b2f1/sections",
            "sectionGroupsUrl": "https://graph.microsoft.com/v1.0/users/4f3c1a5e/onenote/notebooks/1-fb22b2f1/sectionGroups",
            "createdBy": {"user": {"id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55", "displayName": "Adele Vance"}},
            "lastModifiedBy": {"user": {"id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55", "displayName": "Adele Vance"}},
            "links": {
                "oneNoteClientUrl": {"href": "onenote:https://contoso-my.sharepoint.com/personal/adelev/Documents/Notebooks/Work%20Notebook"},
                "oneNoteWebUrl": {"href": "https://contoso-my.sharepoint.com/personal/adelev/Documents/Notebooks/Work%20Notebook"}
            }
        }));
        assert_eq!(notebook.display_name.as_deref(), Some("Work Notebook"));
        assert_eq!(notebook.user_role, Some(OnenoteUserRole::Owner));
        assert_eq!(notebook.is_default, Some(true));
        assert!(
            notebook
                .self_
                .as_deref()
                .unwrap()
                .ends_with("/notebooks/1-fb22b2f1-379f-4da4-bf7b-be5dcca7b99a")
        );
        assert!(
            notebook
                .sections_url
                .as_deref()
                .unwrap()
                .ends_with("/sections")
        );
        let links = notebook.links.as_ref().unwrap();
        assert!(
            links
                .one_note_web_url
                .as_ref()
                .unwrap()
                .href
                .as_deref()
                .unwrap()
                .starts_with("https://")
        );
        assert!(
            links
                .one_note_client_url
                .as_ref()
                .unwrap()
                .href
                .as_deref()
                .unwrap()
                .starts_with("onenote:")
        );
        assert!(links.extra.is_empty());
        assert!(notebook.extra.is_empty(), "{:?}", notebook.extra);
    }

    #[test]
    fn a_page_puts_title_order_level_and_links_in_typed_fields() {
        let page: OnenotePage = decode(json!({
            "@odata.etag": "W/\"1\"",
            "id": "1-a8c4e6b1d4f9437a9e0d6c3b2a1f0e9d!41-fb22b2f1-379f-4da4-bf7b-be5dcca7b99a",
            "self": "https://graph.microsoft.com/v1.0/users/4f3c1a5e/onenote/pages/1-a8c4e6b1",
            "createdDateTime": "2026-11-30T17:58:01Z",
            "title": "Standup notes",
            "createdByAppId": "WLID-000000004C12AE6F",
            "contentUrl": "https://graph.microsoft.com/v1.0/users/4f3c1a5e/onenote/pages/1-a8c4e6b1/content",
            "lastModifiedDateTime": "2026-11-30T18:01:22Z",
            "level": 1,
            "order": 3,
            "userTags": ["Important"],
            "links": {
                "oneNoteClientUrl": {"href": "onenote:https://contoso-my.sharepoint.com/Standup%20notes.one#section-id=abc"},
                "oneNoteWebUrl": {"href": "https://contoso-my.sharepoint.com/_layouts/OneNote.aspx?id=abc"}
            }
        }));
        assert_eq!(page.title.as_deref(), Some("Standup notes"));
        assert_eq!(page.level, Some(1));
        assert_eq!(page.order, Some(3));
        assert_eq!(page.user_tags, [Some("Important".to_owned())]);
        assert_eq!(
            page.created_by_app_id.as_deref(),
            Some("WLID-000000004C12AE6F")
        );
        assert!(page.content_url.as_deref().unwrap().ends_with("/content"));
        assert!(page.links.as_ref().unwrap().one_note_web_url.is_some());
        assert_eq!(extra_keys(&page.extra), ["@odata.etag"]);
    }
}

#[cfg(feature = "graph-sites")]
mod sites {
    use super::*;
    use o365::generated::sites::types::{ListItem, Site};

    #[test]
    fn a_site_puts_its_collection_ids_and_root_in_typed_fields() {
        let site: Site = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#sites/$entity",
            "createdDateTime": "2024-01-09T21:42:11.84Z",
            "description": "Marketing team site",
            "id": "contoso.sharepoint.com,2c712604-1370-44e7-a1f5-426573fda80a,2d2244c3-251a-49ea-93a8-39e1c3a060fe",
            "lastModifiedDateTime": "2026-11-30T02:10:05Z",
            "name": "marketing",
            "webUrl": "https://contoso.sharepoint.com/sites/marketing",
            "displayName": "Marketing",
            "root": {},
            "siteCollection": {"hostname": "contoso.sharepoint.com", "dataLocationCode": "NAM"}
        }));
        assert_eq!(site.display_name.as_deref(), Some("Marketing"));
        assert_eq!(site.name.as_deref(), Some("marketing"));
        assert!(
            site.id
                .as_deref()
                .unwrap()
                .starts_with("contoso.sharepoint.com,")
        );
        assert!(site.root.is_some());
        let collection = site.site_collection.as_ref().unwrap();
        assert_eq!(
            collection.hostname.as_deref(),
            Some("contoso.sharepoint.com")
        );
        assert_eq!(collection.data_location_code.as_deref(), Some("NAM"));
        assert!(collection.extra.is_empty());
        assert_eq!(
            site.last_modified_date_time,
            Some(utc(2026, 11, 30, 2, 10, 5))
        );
        assert_eq!(extra_keys(&site.extra), ["@odata.context"]);
    }

    #[test]
    fn a_list_item_puts_content_type_and_ids_in_typed_fields_and_keeps_its_fields() {
        let item: ListItem = decode(json!({
            "@odata.etag": "\"b2d6a6a1-5c38-4b2e-9a0f-6e1c3a4f2d10,3\"",
            "createdDateTime": "2026-11-12T10:14:08Z",
            "eTag": "\"b2d6a6a1-5c38-4b2e-9a0f-6e1c3a4f2d10,3\"",
            "id": "7",
            "lastModifiedDateTime": "2026-11-20T15:33:51Z",
            "webUrl": "https://contoso.sharepoint.com/sites/marketing/Lists/Campaigns/7_.000",
            "createdBy": {"user": {"email": "MeganB@contoso.com", "id": "6e7b768e-07e2-4810-8459-485f84f8f204", "displayName": "Megan Bowen"}},
            "parentReference": {"id": "b2d6a6a1-0000-0000-0000-000000000000", "siteId": "contoso.sharepoint.com,2c712604-1370-44e7-a1f5-426573fda80a,2d2244c3-251a-49ea-93a8-39e1c3a060fe"},
            "contentType": {"id": "0x0100A1B2C3D4E5F60718293A4B5C6D7E8F90", "name": "Item"},
            "fields@odata.context": "https://graph.microsoft.com/v1.0/$metadata#sites('contoso.sharepoint.com')/lists('Campaigns')/items('7')/fields/$entity",
            "fields": {"@odata.etag": "\"b2d6a6a1-5c38-4b2e-9a0f-6e1c3a4f2d10,3\"", "Title": "Winter launch", "Budget": 12000, "id": "7"}
        }));
        assert_eq!(item.id.as_deref(), Some("7"));
        assert_eq!(
            item.e_tag.as_deref(),
            Some("\"b2d6a6a1-5c38-4b2e-9a0f-6e1c3a4f2d10,3\"")
        );
        let content_type = item.content_type.as_ref().unwrap();
        assert_eq!(content_type.name.as_deref(), Some("Item"));
        assert!(content_type.extra.is_empty());
        assert!(item.parent_reference.as_ref().unwrap().site_id.is_some());
        assert_eq!(item.created_date_time, Some(utc(2026, 11, 12, 10, 14, 8)));
        // the trimmed sites description drops listItem's navigation members, so `$expand=fields`
        // lands in `extra` (whole, re-encoded unchanged)
        assert_eq!(
            extra_keys(&item.extra),
            ["@odata.etag", "fields", "fields@odata.context"]
        );
        assert_eq!(item.extra["fields"]["Title"], "Winter launch");
    }
}

#[cfg(feature = "graph-subscriptions")]
mod subscriptions {
    use super::*;
    use o365::generated::subscriptions::types::Subscription;

    #[test]
    fn a_subscription_puts_resource_urls_and_expiry_in_typed_fields() {
        let subscription: Subscription = decode(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
            "id": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
            "resource": "me/mailFolders('Inbox')/messages",
            "applicationId": "24d3b144-21ae-4080-943f-7067b395b913",
            "changeType": "created,updated",
            "clientState": "secretClientValue",
            "notificationUrl": "https://webhook.contoso.com/api/notify",
            "notificationQueryOptions": null,
            "lifecycleNotificationUrl": "https://webhook.contoso.com/api/lifecycle",
            "expirationDateTime": "2026-12-08T18:23:45.9356913Z",
            "creatorId": "8ee44408-0679-472c-bc2a-692812af3437",
            "includeResourceData": false,
            "latestSupportedTlsVersion": "v1_2",
            "encryptionCertificate": null,
            "encryptionCertificateId": null,
            "notificationUrlAppId": null
        }));
        assert_eq!(
            subscription.resource.as_deref(),
            Some("me/mailFolders('Inbox')/messages")
        );
        assert_eq!(subscription.change_type.as_deref(), Some("created,updated"));
        assert_eq!(
            subscription.client_state.as_deref(),
            Some("secretClientValue")
        );
        assert_eq!(
            subscription.notification_url.as_deref(),
            Some("https://webhook.contoso.com/api/notify")
        );
        assert_eq!(
            subscription.lifecycle_notification_url.as_deref(),
            Some("https://webhook.contoso.com/api/lifecycle")
        );
        assert_eq!(subscription.include_resource_data, Some(false));
        assert_eq!(
            subscription.latest_supported_tls_version.as_deref(),
            Some("v1_2")
        );
        let expiry = subscription.expiration_date_time.unwrap();
        assert_eq!(expiry.date_naive().to_string(), "2026-12-08");
        assert_eq!(expiry.timestamp_subsec_nanos(), 935_691_300);
        assert_eq!(extra_keys(&subscription.extra), ["@odata.context"]);
    }
}

#[cfg(all(
    feature = "graph-users",
    feature = "graph-mail",
    feature = "graph-calendar",
    feature = "graph-contacts",
    feature = "graph-groups",
    feature = "graph-teams",
    feature = "graph-todo"
))]
#[test]
fn a_common_type_is_one_type_in_every_workload_that_uses_it() {
    use o365::generated::common::types as common;
    use o365::generated::*;
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
