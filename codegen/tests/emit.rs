//! The operation layer the generator emits over `o365::typed`: one method per operation with
//! required parameters as arguments, the OData marker, `CollectionPage` and `ODataEntity` impls.

use o365_codegen::{Options, generate};

mod support;
use support::{source, squeezed};

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

#[test]
fn a_pageable_list_takes_its_path_parameters_and_accepts_collection_options() {
    let out = generate(SPEC, &Options::default()).unwrap();
    let expected = squeezed(
        r#"pub fn user_list_events(&self, user_id: &str)
            -> Request<types::EventCollectionResponse, Collection> {
            Request::new(&self.connection, Method::GET, &format!("users/{}/events", encode_path(user_id)))
        }"#,
    );
    assert!(squeezed(&out.source).contains(&expected), "{}", out.source);
    assert!(squeezed(&out.source).contains(&squeezed(
        "impl crate::typed::CollectionPage for types::EventCollectionResponse { type Item = types::Event; }"
    )));
}

#[test]
fn a_required_date_time_query_parameter_is_a_chrono_argument() {
    let source = squeezed(&source(SPEC, &Options::default()));
    assert!(source.contains(&squeezed(
        r#"pub fn delta_events(&self, start_date_time: ::chrono::DateTime<::chrono::offset::Utc>)
            -> Request<types::EventCollectionResponse, Plain> {
            Request::new(&self.connection, Method::GET, "me/events/delta()")
                .param("startDateTime", date_time(&start_date_time))
        }"#
    )));
}

#[test]
fn every_method_is_documented_from_the_description_facts() {
    let source = source(SPEC, &Options::default());
    assert!(source.contains(
        "/// `GET /users/{user-id}/events` (pageable: `.stream()` follows `@odata.nextLink`). \
         OData: `$top`. Returns [`types::EventCollectionResponse`]. operationId `user_ListEvent`."
    ));
}

#[test]
fn open_types_implement_odata_entity_in_the_configured_runtime() {
    let options = Options {
        runtime: Some("o365".into()),
        ..Options::default()
    };
    let source = squeezed(&source(SPEC, &options));
    assert!(source.contains(&squeezed(
        "impl o365::odata::ODataEntity for types::Event {
            fn annotations(&self) -> &::serde_json::Map<::std::string::String, ::serde_json::Value> {
                &self.extra
            }
        }"
    )));
    assert!(!source.contains("ODataEntityfortypes::EventCollectionResponse"));
}

#[test]
fn without_a_runtime_only_models_are_emitted() {
    let options = Options {
        runtime: None,
        ..Options::default()
    };
    let source = source(SPEC, &options);
    assert!(!source.contains("pub struct Client"));
    assert!(!source.contains("ODataEntity"));
    assert!(source.contains("pub struct Event"));
}

const BODIES: &str = r#"
openapi: 3.0.1
info: {title: T, version: v1.0}
paths:
  /sites/microsoft.graph.add:
    post:
      operationId: sites_add
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                value:
                  type: array
                  items: {$ref: '#/components/schemas/microsoft.graph.site'}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.siteCollectionResponse'}
  /me/createdObjects/$ref:
    get:
      operationId: me_ListGraphRefCreatedObjects
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  value: {type: array, items: {type: string}}
                  '@odata.nextLink': {type: string, nullable: true}
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
  /me/memberOf/$ref:
    get:
      operationId: me_ListGraphRefMemberOf
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  value: {type: array, items: {type: string, nullable: true}}
                  '@odata.nextLink': {type: string, nullable: true}
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
components:
  schemas:
    microsoft.graph.site:
      type: object
      properties:
        name: {type: string}
    microsoft.graph.siteCollectionResponse:
      type: object
      properties:
        value:
          type: array
          items: {$ref: '#/components/schemas/microsoft.graph.site'}
        '@odata.nextLink': {type: string, nullable: true}
"#;

#[test]
fn a_body_shaped_like_a_page_is_named_after_its_operation_and_string_pages_merge() {
    let out = generate(BODIES, &Options::default()).unwrap();
    let source = squeezed(&out.source);
    assert!(
        source.contains("pubstructAddSitesBody{") || source.contains("pubstructSitesAddBody{"),
        "{}",
        out.source
    );
    assert!(
        !source.contains("SiteCollectionResponse2"),
        "{}",
        out.source
    );
    // The page of plain strings is decoded by the page of optional strings (not the reverse).
    assert!(
        !source.contains("StringCollectionResponse2"),
        "{}",
        out.source
    );
    assert!(
        source.contains("pubvalue:::std::vec::Vec<::std::option::Option<::std::string::String>>"),
        "{}",
        out.source
    );
}
