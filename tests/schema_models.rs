//! JSON Schema of the generated models (feature `schemars`) and the emulator's body checks.

#![cfg(all(feature = "schemars", feature = "emulator", feature = "graph-mail"))]

use o365::emulator::{CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, Emulator};
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

async fn app_token(emulator: &Emulator) -> String {
    let token: Value = reqwest::Client::new()
        .post(emulator.token_url("common"))
        .form(&[
            ("client_id", CONFIDENTIAL_CLIENT_ID),
            ("client_secret", CONFIDENTIAL_CLIENT_SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_owned()
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
