//! Realistic payloads decode into the generated types and encode back to the same JSON.

#![cfg(all(
    feature = "graph-mail",
    feature = "graph-calendar",
    feature = "graph-contacts",
    feature = "graph-drive",
    feature = "office365-mail",
    feature = "business-central"
))]

use o365::generated::{business_central, calendar, contacts, drive, mail, office365_mail};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes `fixture` as `T` and asserts that encoding it again gives the fixture back.
fn round_trip<T: DeserializeOwned + Serialize>(fixture: Value) -> T {
    let decoded: T = serde_json::from_value(fixture.clone()).unwrap();
    assert_eq!(serde_json::to_value(&decoded).unwrap(), fixture);
    decoded
}

#[test]
fn message_with_attachments() {
    let message: mail::types::MicrosoftGraphMessage = round_trip(json!({
        "@odata.etag": "W/\"CQAAABYAAAB\"",
        "id": "AAMkAGI2TG93AAA=",
        "subject": "Quarterly report",
        "importance": "high",
        "isRead": false,
        "hasAttachments": true,
        "receivedDateTime": "2026-01-02T09:30:00Z",
        "body": {"contentType": "html", "content": "<p>See attached.</p>"},
        "from": {"emailAddress": {"name": "Adele Vance", "address": "adele@contoso.test"}},
        "toRecipients": [
            {"emailAddress": {"name": "Megan Bowen", "address": "megan@contoso.test"}}
        ],
        "categories": ["Finance"],
        "attachments": [{
            "@odata.type": "#microsoft.graph.fileAttachment",
            "id": "AAMkAGI2TG93AAABEgAQ",
            "name": "report.pdf",
            "contentType": "application/pdf",
            "size": 48213,
            "isInline": false,
            "contentBytes": "JVBERi0xLjQK"
        }]
    }));
    assert_eq!(message.subject.as_deref(), Some("Quarterly report"));
    assert_eq!(
        message.importance,
        Some(mail::types::MicrosoftGraphImportance::High)
    );
    let sender = message.from.unwrap().email_address.unwrap();
    assert_eq!(sender.address.as_deref(), Some("adele@contoso.test"));
    assert_eq!(message.extra["@odata.etag"], "W/\"CQAAABYAAAB\"");
    let attachment = &message.attachments[0];
    assert_eq!(attachment.name.as_deref(), Some("report.pdf"));
    assert_eq!(attachment.size, Some(48213));
    assert_eq!(attachment.extra["contentBytes"], "JVBERi0xLjQK");
}

#[test]
fn event_with_recurrence() {
    let event: calendar::types::MicrosoftGraphEvent = round_trip(json!({
        "id": "AAMkAGE1M2IyNGNmLTI5MTktNDUyZi1iOTVl",
        "subject": "Stand-up",
        "start": {"dateTime": "2026-01-05T09:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2026-01-05T09:15:00.0000000", "timeZone": "Pacific Standard Time"},
        "recurrence": {
            "pattern": {
                "type": "weekly",
                "interval": 1,
                "daysOfWeek": ["monday", "wednesday", "friday"],
                "firstDayOfWeek": "sunday"
            },
            "range": {
                "type": "endDate",
                "startDate": "2026-01-05",
                "endDate": "2026-06-30",
                "recurrenceTimeZone": "Pacific Standard Time"
            }
        }
    }));
    use calendar::types::{MicrosoftGraphDayOfWeek as Day, MicrosoftGraphRecurrencePatternType};
    let recurrence = event.recurrence.unwrap();
    let pattern = recurrence.pattern.unwrap();
    assert_eq!(
        pattern.type_,
        Some(MicrosoftGraphRecurrencePatternType::Weekly)
    );
    assert_eq!(
        pattern.days_of_week,
        [Day::Monday, Day::Wednesday, Day::Friday]
    );
    let range = recurrence.range.unwrap();
    assert_eq!(range.end_date.unwrap().to_string(), "2026-06-30");
    assert_eq!(
        event.start.unwrap().time_zone.as_deref(),
        Some("Pacific Standard Time")
    );
}

#[test]
fn contact_with_email_addresses() {
    let contact: contacts::types::MicrosoftGraphContact = round_trip(json!({
        "id": "AAMkAGI2THk0AAA=",
        "displayName": "Pavel Bansky",
        "givenName": "Pavel",
        "surname": "Bansky",
        "emailAddresses": [
            {"name": "Pavel Bansky", "address": "pavelb@contoso.test"},
            {"address": "pavel@home.test"}
        ],
        "businessPhones": ["+1 732 555 0102"],
        "jobTitle": "Engineer"
    }));
    let addresses: Vec<_> = contact
        .email_addresses
        .iter()
        .map(|e| e.address.as_deref().unwrap())
        .collect();
    assert_eq!(addresses, ["pavelb@contoso.test", "pavel@home.test"]);
    assert_eq!(contact.email_addresses[1].name, None);
    assert_eq!(contact.job_title.as_deref(), Some("Engineer"));
}

#[test]
fn drive_item_file() {
    let item: drive::types::MicrosoftGraphDriveItem = round_trip(json!({
        "id": "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K",
        "name": "budget.xlsx",
        "size": 23081,
        "eTag": "\"{A9F1E6D0},2\"",
        "createdDateTime": "2026-01-03T12:00:00Z",
        "webUrl": "https://contoso-my.sharepoint.test/budget.xlsx",
        "@microsoft.graph.downloadUrl": "https://download.contoso.test/budget.xlsx",
        "file": {"mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        "parentReference": {"driveId": "b!abc", "id": "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ", "path": "/drive/root:"}
    }));
    assert_eq!(item.size, Some(23081));
    assert_eq!(
        item.microsoft_graph_download_url.as_deref(),
        Some("https://download.contoso.test/budget.xlsx")
    );
    assert!(item.folder.is_none());
    let parent = item.parent_reference.unwrap();
    assert_eq!(parent.path.as_deref(), Some("/drive/root:"));
}

#[test]
fn business_central_customer() {
    let customer: business_central::types::BcCustomer = round_trip(json!({
        "@odata.etag": "W/\"JzQ0O0pBQUFBQUE9MTswMDsn\"",
        "id": "5d115c9c-44e3-ea11-bb43-000d3a2feca1",
        "number": "10000",
        "displayName": "Adatum Corporation",
        "type": "Company",
        "email": "robert.townes@contoso.test",
        "currencyCode": "USD",
        "taxLiable": true,
        "creditLimit": 1500.5,
        "balanceDue": 0.0,
        "blocked": "_x0020_",
        "lastModifiedDateTime": "2026-01-04T08:15:00Z"
    }));
    assert_eq!(
        customer.id.unwrap().to_string(),
        "5d115c9c-44e3-ea11-bb43-000d3a2feca1"
    );
    assert_eq!(customer.type_.as_deref(), Some("Company"));
    assert_eq!(customer.credit_limit, Some(1500.5));
    assert_eq!(customer.tax_liable, Some(true));
}

#[test]
fn the_same_message_in_pascal_case_through_office365() {
    let message: office365_mail::types::MicrosoftOutlookServicesMessage = round_trip(json!({
        "@odata.id": "https://outlook.office.com/api/v2.0/Users('adele')/Messages('AAMkAGI2TG93AAA=')",
        "Id": "AAMkAGI2TG93AAA=",
        "Subject": "Quarterly report",
        "Importance": "High",
        "IsRead": false,
        "HasAttachments": true,
        "ReceivedDateTime": "2026-01-02T09:30:00Z",
        "Body": {"ContentType": "HTML", "Content": "<p>See attached.</p>"},
        "From": {"EmailAddress": {"Name": "Adele Vance", "Address": "adele@contoso.test"}},
        "ToRecipients": [
            {"EmailAddress": {"Name": "Megan Bowen", "Address": "megan@contoso.test"}}
        ]
    }));
    use office365_mail::types::{
        MicrosoftOutlookServicesImportance, MicrosoftOutlookServicesItemBodyContentType,
    };
    assert_eq!(message.subject.as_deref(), Some("Quarterly report"));
    assert_eq!(
        message.importance,
        Some(MicrosoftOutlookServicesImportance::High)
    );
    let body = message.body.unwrap();
    assert_eq!(
        body.content_type,
        Some(MicrosoftOutlookServicesItemBodyContentType::Html)
    );
    let to = message.to_recipients[0].email_address.as_ref().unwrap();
    assert_eq!(to.address.as_deref(), Some("megan@contoso.test"));
}
