//! JSON Schema of the generated models (feature `schemars`) and the emulator's body checks.

#![cfg(all(feature = "schemars", feature = "emulator", feature = "graph-mail"))]

mod emulator_support;

use emulator_support::app_token;
use o365::emulator::Emulator;
use o365::schema;
use serde_json::{Value, json};

#[test]
fn message_schema_has_the_wire_properties_and_types() {
    let schema = schema::model("Message").expect("Message is a mail model");
    let value = schema.as_value();
    let props = &value["properties"];
    // Wire names (camelCase), not the Rust field names.
    assert!(props.get("toRecipients").is_some(), "{props:#}");
    assert!(props.get("to_recipients").is_none());
    assert!(props.get("isRead").is_some());
    assert_eq!(props["isRead"]["type"], json!(["boolean", "null"]));
    assert_eq!(props["subject"]["type"], json!(["string", "null"]));
    assert_eq!(props["toRecipients"]["type"], "array");
    assert_eq!(props["receivedDateTime"]["format"], "date-time");
    assert!(
        value["$defs"].get("Recipient").is_some()
            || props["toRecipients"]["items"]["$ref"].is_string()
    );
    assert!(schema::model("NoSuchModel").is_none());
}

#[test]
fn family_enum_is_one_of_its_variants() {
    let op = schema::operation("create_message").unwrap();
    let value = op.body_schema().to_value();
    let one_of = value["oneOf"].as_array().expect("AnyMessage is oneOf");
    // Message, eventMessage, eventMessageRequest, eventMessageResponse, and any other type.
    assert_eq!(one_of.len(), 5, "{value:#}");
    assert_eq!(
        one_of[1]["allOf"][1]["properties"]["@odata.type"]["enum"][0],
        "#microsoft.graph.eventMessage"
    );
}

#[test]
fn send_mail_bodies_are_checked_naming_the_property() {
    let good = json!({"message": {"subject": "hi", "toRecipients": [{"emailAddress": {"address": "a@b.c"}}]}});
    assert_eq!(schema::check_body("POST", "me/sendMail", &good), Ok(()));
    let bad = json!({"message": {"subject": 42}});
    let err = schema::check_body("POST", "users/x/sendMail", &bad).unwrap_err();
    assert_eq!(err.property, "message.subject");
    let bad_item = json!({"message": {"toRecipients": [{"emailAddress": {"address": false}}]}});
    let err = schema::check_body("POST", "me/sendMail", &bad_item).unwrap_err();
    assert_eq!(err.property, "message.toRecipients[0].emailAddress.address");
    // An operation the table does not know is not checked.
    assert_eq!(schema::check_body("POST", "me/unknown", &bad), Ok(()));
}

#[tokio::test]
async fn emulator_answers_400_naming_the_property() {
    let emulator = Emulator::builder().start().await.unwrap();
    let bearer = app_token(&emulator).await;
    let url = format!(
        "{}users/{}/sendMail",
        emulator.graph_url(),
        emulator.user().oid
    );
    let http = reqwest::Client::new();
    let reply = http
        .post(&url)
        .bearer_auth(&bearer)
        .json(&json!({"message": {"subject": 42}}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 400);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["error"]["code"], "BadRequest");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("'message.subject'"), "{message}");

    let reply = http
        .post(&url)
        .bearer_auth(&bearer)
        .json(&json!({"message": {"subject": "ok", "toRecipients": [{"emailAddress": {"address": "a@b.c"}}]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 202, "{:?}", reply.text().await);
}

/// Outlook REST v2.0 models carry their PascalCase wire names; a workload-qualified name picks
/// the Outlook `Message` over Graph's.
#[cfg(feature = "office365-mail")]
#[test]
fn outlook_rest_schemas_use_its_pascal_case_wire_names() {
    let outlook = schema::model("office365_mail::Message").expect("the Outlook Message");
    let props = &outlook.as_value()["properties"];
    for name in ["Subject", "ToRecipients", "IsRead", "ReceivedDateTime"] {
        assert!(props.get(name).is_some(), "{name} missing: {props:#}");
    }
    assert!(props.get("subject").is_none());
    let graph = schema::model("Message").unwrap();
    assert!(graph.as_value()["properties"].get("subject").is_some());
    assert_eq!(
        schema::model("office365-mail.Message").unwrap(),
        outlook,
        "the feature name qualifies too"
    );
}

/// The body tables cover every workload, and a path picks its most specific template, with or
/// without an action's namespace.
#[test]
fn operations_are_found_by_name_and_by_the_most_specific_path() {
    let send = schema::operation_for("POST", "users/adele@contoso.com/sendMail").unwrap();
    assert_eq!((send.workload, send.name), ("mail", "user_send_mail"));
    assert_eq!(send.body_type, "SendMailBody");
    let moved = schema::operation_for("POST", "me/messages/AAMk=/move").unwrap();
    let prefixed = schema::operation_for("POST", "me/messages/AAMk=/microsoft.graph.move").unwrap();
    assert_eq!((moved.name, prefixed.name), (prefixed.name, prefixed.name));
    assert_eq!(moved.body_type, prefixed.body_type);
    // Same method, different templates: the folder's messages, not the mailbox's.
    let in_folder = schema::operation_for("POST", "me/mailFolders/inbox/messages").unwrap();
    assert_eq!(in_folder.name, "create_mail_folder_message");
    assert!(
        schema::operation_for("GET", "me/sendMail").is_none(),
        "methods must match"
    );
    assert!(schema::operation("mail::send_mail").is_some());
    assert!(schema::operation("calendar::send_mail").is_none());
    assert!(
        schema::operations().len() > 40,
        "generated, not a hand-written list"
    );
}
