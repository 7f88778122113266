//! Entities several Graph workloads use are one type, generated once in `generated::common`.

#![cfg(all(
    feature = "graph-mail",
    feature = "graph-calendar",
    feature = "graph-contacts"
))]

use o365::generated::{calendar, common, contacts, mail};
use o365::odata::ODataEntity;
use serde_json::json;

/// Takes the calendar module's recipient: compiles only if the mail one is the same type.
fn calendar_organizer(recipient: calendar::types::MicrosoftGraphRecipient) -> Option<String> {
    recipient.email_address?.address
}

#[test]
fn mail_recipient_is_the_calendar_recipient() {
    let from: mail::types::MicrosoftGraphRecipient = serde_json::from_value(json!({
        "emailAddress": {"name": "Adele Vance", "address": "adele@contoso.test"}
    }))
    .unwrap();
    assert_eq!(
        calendar_organizer(from),
        Some("adele@contoso.test".to_string())
    );
    let same: fn(
        contacts::types::MicrosoftGraphEmailAddress,
    ) -> mail::types::MicrosoftGraphEmailAddress = std::convert::identity;
    let body: fn(mail::types::MicrosoftGraphItemBody) -> common::types::MicrosoftGraphItemBody =
        std::convert::identity;
    let _ = (same, body);
}

#[test]
fn shared_entities_round_trip() {
    let fixture = json!({
        "@odata.type": "#microsoft.graph.recipient",
        "emailAddress": {"name": "Megan Bowen", "address": "megan@contoso.test"}
    });
    let recipient: common::types::MicrosoftGraphRecipient =
        serde_json::from_value(fixture.clone()).unwrap();
    assert_eq!(
        recipient.email_address.as_ref().unwrap().name.as_deref(),
        Some("Megan Bowen")
    );
    assert_eq!(
        recipient.annotations()["@odata.type"],
        "#microsoft.graph.recipient"
    );
    assert_eq!(serde_json::to_value(&recipient).unwrap(), fixture);

    let start =
        json!({"dateTime": "2026-03-01T09:00:00.0000000", "timeZone": "Pacific Standard Time"});
    let decoded: calendar::types::MicrosoftGraphDateTimeTimeZone =
        serde_json::from_value(start.clone()).unwrap();
    assert_eq!(decoded.time_zone.as_deref(), Some("Pacific Standard Time"));
    assert_eq!(serde_json::to_value(&decoded).unwrap(), start);

    let importance: mail::types::MicrosoftGraphImportance = "high".parse().unwrap();
    assert_eq!(importance, calendar::types::MicrosoftGraphImportance::High);
}
