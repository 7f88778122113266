//! Schemas shared between descriptions: which are chosen, the common module, and the workloads
//! generated against it.

use o365_codegen::shared::{self, SharedImpl};
use o365_codegen::{Options, generate, load};
use serde_json::{Value, json};

/// A description whose one operation returns `microsoft.graph.<entity>`, with `schemas` as its
/// components.
fn spec(entity: &str, schemas: Value) -> String {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "T", "version": "v1.0"},
        "paths": {format!("/me/{entity}"): {"get": {
            "operationId": format!("me_Get{entity}"),
            "responses": {"2XX": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": format!("#/components/schemas/microsoft.graph.{entity}")}
            }}}}
        }}},
        "components": {"schemas": schemas},
    })
    .to_string()
}

fn email_address() -> Value {
    json!({"type": "object", "properties": {
        "address": {"type": "string", "nullable": true},
        "name": {"type": "string", "nullable": true}
    }})
}

fn recipient() -> Value {
    json!({"type": "object", "properties": {
        "emailAddress": {"$ref": "#/components/schemas/microsoft.graph.emailAddress"}
    }, "additionalProperties": {"type": "object"}})
}

fn importance() -> Value {
    json!({"type": "string", "enum": ["low", "normal", "high"]})
}

fn holder(extra: Value) -> Value {
    let mut properties = json!({
        "from": {"$ref": "#/components/schemas/microsoft.graph.recipient"},
        "importance": {"$ref": "#/components/schemas/microsoft.graph.importance"}
    });
    properties
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({"type": "object", "properties": properties})
}

fn mail_spec() -> String {
    spec(
        "message",
        json!({
            "microsoft.graph.message": holder(json!({"subject": {"type": "string"}})),
            "microsoft.graph.recipient": recipient(),
            "microsoft.graph.emailAddress": email_address(),
            "microsoft.graph.importance": importance(),
        }),
    )
}

fn calendar_spec(email: Value) -> String {
    spec(
        "event",
        json!({
            "microsoft.graph.event": holder(json!({"location": {"type": "string"}})),
            "microsoft.graph.recipient": recipient(),
            "microsoft.graph.emailAddress": email,
            "microsoft.graph.importance": importance(),
        }),
    )
}

fn find(specs: &[(&str, String)]) -> shared::SharedSchemas {
    let docs: Vec<(&str, Value)> = specs
        .iter()
        .map(|(name, text)| {
            let (doc, _) = o365_codegen::normalise(text, &Options::default()).unwrap();
            (*name, doc)
        })
        .collect();
    let named: Vec<(&str, &Value)> = docs.iter().map(|(n, d)| (*n, d)).collect();
    shared::find(&named)
}

#[test]
fn identical_schemas_in_two_descriptions_are_shared() {
    let found = find(&[
        ("mail", mail_spec()),
        ("calendar", calendar_spec(email_address())),
    ]);
    let keys: Vec<&str> = found.schemas.keys().map(String::as_str).collect();
    assert_eq!(keys, ["emailAddress", "importance", "recipient"]);
    assert!(found.notes.is_empty(), "{:?}", found.notes);
}

#[test]
fn differing_schema_and_its_users_stay_per_module() {
    let other = json!({"type": "object", "properties": {"address": {"type": "string"}}});
    let found = find(&[("mail", mail_spec()), ("calendar", calendar_spec(other))]);
    let keys: Vec<&str> = found.schemas.keys().map(String::as_str).collect();
    assert_eq!(keys, ["importance"]);
    assert_eq!(
        found.notes,
        [
            "EmailAddress: definitions differ between mail, calendar",
            "Recipient: refers to EmailAddress, which is not shared",
        ]
    );
}

#[test]
fn workloads_use_and_reexport_the_common_types() {
    let found = find(&[
        ("mail", mail_spec()),
        ("calendar", calendar_spec(email_address())),
    ]);
    let common = shared::generate_common(&found, "crate::common", &Options::default()).unwrap();
    assert!(common.source.contains("pub struct Recipient {"));
    assert!(common.source.contains("pub enum Importance {"));
    assert!(
        common
            .source
            .contains("impl crate::odata::ODataEntity for types::Recipient")
    );
    assert!(!common.source.contains("pub struct Client"));
    let importance = &common.types["importance"];
    assert_eq!(importance.path, "crate::common::types::Importance");
    assert!(importance.impls.contains(&SharedImpl::Display));
    assert!(importance.impls.contains(&SharedImpl::FromStr));
    assert!(common.types["recipient"].impls.is_empty());
    assert_eq!(
        common.types["emailAddress"]
            .impls
            .iter()
            .collect::<Vec<_>>(),
        [&SharedImpl::Default]
    );

    let options = Options {
        shared_types: common.types.clone(),
        ..Options::default()
    };
    let mail = generate(&mail_spec(), &options).unwrap();
    assert_eq!(
        mail.module.shared,
        ["emailAddress", "importance", "recipient"]
    );
    assert!(mail.source.contains("pub struct Message {"));
    assert!(!mail.source.contains("pub struct Recipient {"));
    assert!(!mail.source.contains("pub enum Importance {"));
    assert!(
        mail.source
            .contains("pub use crate::common::types::Recipient;")
    );
    // Reached only through `recipient`, still re-exported under its usual name.
    assert!(
        mail.source
            .contains("pub use crate::common::types::EmailAddress;")
    );
    assert!(
        mail.source
            .contains("::std::option::Option<crate::common::types::Recipient>")
    );
    // Without the shared set the module has its own copies.
    let own = generate(&mail_spec(), &Options::default()).unwrap();
    assert!(own.source.contains("pub struct Recipient {"));
    assert!(own.module.shared.is_empty());
}

#[test]
fn schema_in_one_description_is_not_shared() {
    let found = find(&[("mail", mail_spec())]);
    assert!(found.schemas.is_empty());
    assert!(load::parse(&mail_spec()).is_ok());
}
