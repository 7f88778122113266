//! Code added next to progenitor's output: paging stream methods and `ODataEntity` impls.

use o365_codegen::{Options, generate};

const SPEC: &str = r#"
openapi: 3.0.1
info: {title: T, version: v1.0}
paths:
  /users/{user-id}/events:
    get:
      operationId: user_ListEvent
      parameters:
        - {name: user-id, in: path, required: true, schema: {type: string}}
        - {name: $top, in: query, schema: {type: integer}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.eventCollectionResponse'}
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
  /me/events/delta():
    get:
      operationId: me_DeltaEvent
      parameters:
        - {name: startDateTime, in: query, required: true, schema: {type: string}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.eventCollectionResponse'}
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
components:
  schemas:
    microsoft.graph.event:
      type: object
      properties:
        subject: {type: string}
      additionalProperties: {type: object}
    microsoft.graph.eventCollectionResponse:
      type: object
      properties:
        value:
          type: array
          items: {$ref: '#/components/schemas/microsoft.graph.event'}
        '@odata.nextLink': {type: string}
"#;

/// `source` without whitespace and trailing commas, so assertions do not depend on formatting.
fn squeezed(source: &str) -> String {
    let text: String = source.split_whitespace().collect();
    text.replace(",)", ")")
}

#[test]
fn pageable_operation_gets_a_typed_stream_with_its_path_parameters() {
    let out = generate(SPEC, &Options::default()).unwrap();
    let source = squeezed(&out.source);
    let expected = squeezed(
        r#"pub fn list_event_stream<'a, Q>(&'a self, user_id: &'a str, query: &Q)
            -> crate::Result<crate::odata::ItemStream<types::MicrosoftGraphEvent>>
        where Q: ::serde::Serialize + ?Sized,
        {
            let url = format!("{}/users/{}/events", self.baseurl, encode_path(&user_id.to_string()),);
            ClientInfo::inner(self).items(&url, query, None)
        }"#,
    );
    assert!(source.contains(&expected), "{}", out.source);
}

#[test]
fn required_query_parameter_means_no_stream_and_a_note() {
    let out = generate(SPEC, &Options::default()).unwrap();
    assert!(!out.source.contains("fn delta_event_stream"));
    assert_eq!(
        out.module
            .notes
            .iter()
            .filter(|n| n.contains("stream"))
            .collect::<Vec<_>>(),
        ["delta_event: no stream method (required parameter `start_date_time` is not in the path)"]
    );
}

#[test]
fn open_types_implement_odata_entity_in_the_configured_runtime() {
    let options = Options {
        runtime: Some("o365".into()),
        ..Options::default()
    };
    let source = squeezed(&generate(SPEC, &options).unwrap().source);
    assert!(source.contains(&squeezed(
        "impl o365::odata::ODataEntity for types::MicrosoftGraphEvent {
            fn annotations(&self) -> &::serde_json::Map<::std::string::String, ::serde_json::Value> {
                &self.extra
            }
        }"
    )));
    assert!(!source.contains("ODataEntityfortypes::MicrosoftGraphEventCollectionResponse"));
}

#[test]
fn without_a_runtime_nothing_is_added() {
    let options = Options {
        runtime: None,
        ..Options::default()
    };
    let source = generate(SPEC, &options).unwrap().source;
    assert!(!source.contains("_stream"));
    assert!(!source.contains("ODataEntity"));
}
