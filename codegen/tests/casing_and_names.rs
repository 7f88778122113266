//! Wire casing, operation naming and determinism.

use std::collections::BTreeMap;

use o365_codegen::{Casing, Error, Options, generate, normalise};

const SPEC: &str = r#"
openapi: 3.0.1
info: {title: T, version: v1.0}
paths:
  /users/{user-id}/events:
    get:
      operationId: user_ListEvent
      parameters:
        - {name: user-id, in: path, required: true, schema: {type: string}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.eventCollectionResponse'}
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
  /me/events:
    get:
      operationId: me_ListEvent
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.eventCollectionResponse'}
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
  /me/events/{event-id}:
    get:
      operationId: me.event_GetAttachment
      parameters:
        - {name: event-id, in: path, required: true, schema: {type: string}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.event'}
components:
  schemas:
    microsoft.graph.event:
      type: object
      required: [iCalUId]
      properties:
        iCalUId: {type: string}
        azureADDeviceId: {type: string}
        snake_name: {type: string}
        '@odata.etag': {type: string}
        importance: {type: string, enum: [low, normal, remote_Control_Software]}
    microsoft.graph.eventCollectionResponse:
      type: object
      properties:
        value:
          type: array
          items: {$ref: '#/components/schemas/microsoft.graph.event'}
        '@odata.nextLink': {type: string}
    microsoft.graph.ODataErrors.MainError:
      type: object
      properties:
        code: {type: string}
        innerError: {type: object}
"#;

/// Whether `source` contains `needle`, ignoring whitespace.
fn has(source: &str, needle: &str) -> bool {
    let squash = |t: &str| {
        t.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .replace(",)", ")")
    };
    squash(source).contains(&squash(needle))
}

fn keys(doc: &serde_json::Value, schema: &str) -> Vec<String> {
    doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn pascal_casing_rewrites_keys_but_not_annotations_or_envelopes() {
    let opts = Options {
        casing: Casing::Pascal,
        ..Options::default()
    };
    let (doc, _) = normalise(SPEC, &opts).unwrap();
    assert_eq!(
        keys(&doc, "microsoft.graph.event"),
        [
            "ICalUId",
            "AzureADDeviceId",
            "SnakeName",
            "@odata.etag",
            "Importance"
        ]
    );
    let event = &doc["components"]["schemas"]["microsoft.graph.event"];
    assert_eq!(event["required"], serde_json::json!(["ICalUId"]));
    assert_eq!(
        event["properties"]["Importance"]["enum"],
        serde_json::json!(["Low", "Normal", "remote_Control_Software"])
    );
    assert_eq!(
        keys(&doc, "microsoft.graph.eventCollectionResponse"),
        ["value", "@odata.nextLink"]
    );
    let mut errors = serde_json::json!({"components": {"schemas": {
        "microsoft.graph.ODataErrors.MainError": {"properties": {"code": {}, "innerError": {}}}
    }}});
    o365_codegen::casing::wire_case(&mut errors, Casing::Pascal, &BTreeMap::new());
    assert_eq!(
        keys(&errors, "microsoft.graph.ODataErrors.MainError"),
        ["code", "innerError"]
    );
}

#[test]
fn camel_casing_keeps_graph_names_and_values() {
    let (doc, module) = normalise(SPEC, &Options::default()).unwrap();
    assert_eq!(
        keys(&doc, "microsoft.graph.event"),
        [
            "iCalUId",
            "azureADDeviceId",
            "snakeName",
            "@odata.etag",
            "importance"
        ]
    );
    let enum_values =
        &doc["components"]["schemas"]["microsoft.graph.event"]["properties"]["importance"]["enum"];
    assert_eq!(
        enum_values,
        &serde_json::json!(["low", "normal", "remote_Control_Software"])
    );
    assert!(
        module.pass_counts.contains(&("wire_case".to_string(), 1)),
        "{:?}",
        module.pass_counts
    );
}

#[test]
fn casing_exception_table_wins() {
    let exceptions: BTreeMap<String, String> =
        [("iCalUId".to_string(), "ICalUID".to_string())].into();
    assert_eq!(Casing::Pascal.convert("iCalUId", &exceptions), "ICalUID");
    assert_eq!(
        Casing::Pascal.convert("iCalUId", &BTreeMap::new()),
        "ICalUId"
    );
    assert_eq!(
        Casing::Pascal.convert(
            "i_cal_u_id",
            &o365_codegen::casing::default_exceptions(Casing::Pascal)
        ),
        "ICalUId"
    );
    assert_eq!(
        Casing::Camel.convert("DisplayName", &BTreeMap::new()),
        "displayName"
    );
    assert_eq!(
        Casing::Pascal.convert("@odata.type", &BTreeMap::new()),
        "@odata.type"
    );
}

#[test]
fn same_rust_fields_in_both_protocols() {
    let camel = generate(SPEC, &Options::default()).unwrap().source;
    let pascal = generate(
        SPEC,
        &Options {
            casing: Casing::Pascal,
            ..Options::default()
        },
    )
    .unwrap()
    .source;
    for field in [
        "pub i_cal_u_id: ::std::string::String",
        "pub azure_ad_device_id:",
    ] {
        assert!(camel.contains(field) && pascal.contains(field), "{field}");
    }
    assert!(camel.contains(r#"rename = "iCalUId""#) && pascal.contains(r#"rename = "ICalUId""#));
}

#[test]
fn me_gets_the_short_names_and_pageable_ops_are_listed() {
    let out = generate(SPEC, &Options::default()).unwrap();
    let methods: Vec<&str> = out
        .module
        .operations
        .iter()
        .map(|o| o.method.as_str())
        .collect();
    assert_eq!(
        methods,
        ["user_list_event", "list_event", "event_get_attachment"]
    );
    assert_eq!(out.module.operations[0].operation_id, "user_ListEvent");
    let pageable: Vec<(&str, Option<&str>)> = out
        .module
        .pageable
        .iter()
        .map(|p| (p.method.as_str(), p.item_type.as_deref()))
        .collect();
    assert_eq!(
        pageable,
        [
            ("user_list_event", Some("MicrosoftGraphEvent")),
            ("list_event", Some("MicrosoftGraphEvent"))
        ]
    );
    assert!(has(
        &out.source,
        "pub async fn list_event<'a>(&'a self) -> Result<ResponseValue<types::MicrosoftGraphEventCollectionResponse>"
    ));
}

#[test]
fn renames_apply_before_generation() {
    let renames: BTreeMap<String, String> =
        [("me_ListEvent".to_string(), "list_events".to_string())].into();
    let out = generate(
        SPEC,
        &Options {
            renames,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(has(&out.source, "pub async fn list_events<'a>(&'a self)"));
    assert_eq!(
        out.module.operations[0].method, "list_event",
        "user_ListEvent may now take the short name"
    );
}

#[test]
fn colliding_names_are_a_readable_error() {
    let renames: BTreeMap<String, String> = [
        ("me_ListEvent".to_string(), "events".to_string()),
        ("user_ListEvent".to_string(), "events".to_string()),
    ]
    .into();
    let err = generate(
        SPEC,
        &Options {
            renames,
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::NameCollision(_)));
    let text = err.to_string();
    assert!(text.contains("method `events` would be generated for: GET /users/{user-id}/events (operationId `user_ListEvent`)"), "{text}");
    assert!(
        text.contains("GET /me/events (operationId `me_ListEvent`)"),
        "{text}"
    );
}

#[test]
fn repeated_operation_ids_get_distinct_names() {
    let spec = r#"
openapi: 3.0.1
info: {title: T, version: v1.0}
paths:
  /users/{user-id}/calendar/events:
    get:
      operationId: user.calendar_ListEvent
      parameters: [{name: user-id, in: path, required: true, schema: {type: string}}]
      responses: {2XX: {description: ok}}
  /users/{user-id}/calendars/{calendar-id}/events:
    get:
      operationId: user.calendar_ListEvent
      parameters:
        - {name: user-id, in: path, required: true, schema: {type: string}}
        - {name: calendar-id, in: path, required: true, schema: {type: string}}
      responses: {2XX: {description: ok}}
"#;
    let out = generate(spec, &Options::default()).unwrap();
    let methods: Vec<&str> = out
        .module
        .operations
        .iter()
        .map(|o| o.method.as_str())
        .collect();
    assert_eq!(
        methods,
        ["calendar_list_event", "calendar_list_event_by_calendar"]
    );
}

#[test]
fn output_is_deterministic() {
    let opts = Options::default();
    let first = generate(SPEC, &opts).unwrap();
    for _ in 0..3 {
        let again = generate(SPEC, &opts).unwrap();
        assert_eq!(again.source, first.source);
        assert_eq!(again.module, first.module);
    }
}

#[test]
fn error_body_is_replaced_by_the_configured_type() {
    let out = generate(
        SPEC,
        &Options {
            graph_error_type: "crate::runtime::GraphError".into(),
            ..Options::default()
        },
    )
    .unwrap();
    assert!(
        !out.source
            .contains("pub struct MicrosoftGraphODataErrorsMainError")
    );
    let err = generate(
        SPEC,
        &Options {
            inner_type: "not a path!".into(),
            ..Options::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::Option(_)), "{err}");
}
