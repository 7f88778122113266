//! The `polymorphic` pass and emitter on a small synthetic description.

use o365_codegen::passes::polymorphic;
use serde_json::{Value, json};

fn doc() -> Value {
    let r = |k: &str| json!({"$ref": format!("#/components/schemas/microsoft.graph.{k}")});
    json!({
        "openapi": "3.0.1",
        "paths": {
            "/me/messages/{id}/attachments": {
                "get": {"responses": {"2XX": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"value": {"type": "array", "items": r("attachment")}}}}}}}},
                "patch": {"requestBody": {"content": {"application/json": {"schema": r("attachment")}}},
                    "responses": {"204": {"description": "none"}}}
            },
            "/me": {"get": {"responses": {"2XX": {"content": {"application/json": {"schema": r("user")}}}}}}
        },
        "components": {"schemas": {
            "microsoft.graph.entity": {"type": "object", "properties": {"id": {"type": "string"}}},
            "microsoft.graph.attachment": {"allOf": [r("entity"), {"type": "object", "properties": {"name": {"type": "string"}}}]},
            "microsoft.graph.fileAttachment": {"allOf": [r("attachment"), {"type": "object", "properties": {"contentBytes": {"type": "string"}}}]},
            "microsoft.graph.itemAttachment": {"allOf": [r("attachment"), {"type": "object", "properties": {"item": r("entity")}}]},
            "microsoft.graph.directoryObject": {"allOf": [r("entity"), {"type": "object"}]},
            "microsoft.graph.user": {"allOf": [r("directoryObject"), {"type": "object", "properties": {"manager": r("directoryObject")}}]},
            "microsoft.graph.group": {"allOf": [r("directoryObject"), {"type": "object"}]}
        }}
    })
}

#[test]
fn families_are_found_entity_excluded_uses_rewritten() {
    let mut doc = doc();
    let mut notes = Vec::new();
    assert_eq!(polymorphic::run(&mut doc, &mut notes), 2, "{notes:?}");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("microsoft.graph.anyAttachment"));
    assert!(schemas.contains_key("microsoft.graph.anyDirectoryObject"));
    assert!(!schemas.contains_key("microsoft.graph.anyEntity"));
    let items = &doc["paths"]["/me/messages/{id}/attachments"]["get"]["responses"]["2XX"]["content"]
        ["application/json"]["schema"]["properties"]["value"]["items"]["$ref"];
    assert_eq!(items, "#/components/schemas/microsoft.graph.anyAttachment");
    let patch = &doc["paths"]["/me/messages/{id}/attachments"]["patch"]["requestBody"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(patch, "#/components/schemas/microsoft.graph.attachment");
    // inheritance parents stay, property uses move
    let file = &schemas["microsoft.graph.fileAttachment"]["allOf"][0]["$ref"];
    assert_eq!(file, "#/components/schemas/microsoft.graph.attachment");
    let manager = &schemas["microsoft.graph.user"]["allOf"][1]["properties"]["manager"]["$ref"];
    assert_eq!(
        manager,
        "#/components/schemas/microsoft.graph.anyDirectoryObject"
    );
}

/// [`doc`] after the `polymorphic` pass.
fn rewritten() -> Value {
    let mut doc = doc();
    polymorphic::run(&mut doc, &mut Vec::new());
    doc
}

/// The emitter's items for `doc`, as source text.
fn emitted(doc: &Value) -> String {
    let runtime: syn::Path = syn::parse_quote!(o365);
    let items = polymorphic::emit(doc, &runtime);
    prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: vec![],
        items,
    })
}

#[test]
fn emitter_output_is_deterministic_and_boxes_cycles() {
    let first = rewritten();
    let second = rewritten();
    assert_eq!(first, second);
    let families = polymorphic::families(&first);
    let names: Vec<&str> = families.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "MicrosoftGraphAnyAttachment",
            "MicrosoftGraphAnyDirectoryObject"
        ]
    );
    let attachment: Vec<(&str, &str, bool)> = families[0]
        .variants
        .iter()
        .map(|v| (v.type_name.as_str(), v.odata_type.as_str(), v.boxed))
        .collect();
    assert_eq!(
        attachment,
        [
            (
                "MicrosoftGraphAttachment",
                "#microsoft.graph.attachment",
                false
            ),
            (
                "MicrosoftGraphFileAttachment",
                "#microsoft.graph.fileAttachment",
                false
            ),
            (
                "MicrosoftGraphItemAttachment",
                "#microsoft.graph.itemAttachment",
                false
            ),
        ]
    );
    // user.manager holds the directoryObject family by value: the user variant is boxed
    let user = families[1]
        .variants
        .iter()
        .find(|v| v.type_name == "MicrosoftGraphUser")
        .unwrap();
    assert!(user.boxed);
    let text = emitted(&first);
    assert!(
        text.contains("pub enum MicrosoftGraphAnyAttachment"),
        "{text}"
    );
    assert!(text.contains("Other(::serde_json::Value)"), "{text}");
    assert_eq!(
        polymorphic::replacements(&first)[0],
        (
            "MicrosoftGraphAnyAttachment".to_string(),
            "MicrosoftGraphAnyAttachment".to_string()
        )
    );
}
