//! Derived types end to end in the generator: `import` keeps (or takes) the types derived from
//! the entity types the paths use, spares collection responses when dropping navigation
//! properties, and generation turns entity families (not complex ones) into enums with
//! accessors, pages named after their items, and bodies that take any variant.

use o365_codegen::import::{Selection, import_merged};
use o365_codegen::{Options, generate};

const SOURCE: &str = r#"
openapi: 3.0.1
info: {title: t, version: v1.0}
paths:
  /me/attachments:
    get:
      operationId: me_ListAttachments
      responses:
        2XX:
          content:
            application/json:
              schema:
                type: object
                properties:
                  value: {type: array, items: {$ref: '#/components/schemas/microsoft.graph.attachment'}}
                  '@odata.nextLink': {type: string, nullable: true}
    post:
      operationId: me_CreateAttachments
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/microsoft.graph.attachment'}
      responses:
        2XX:
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.attachment'}
  /me/tasks:
    get:
      operationId: me_ListTasks
      responses:
        2XX: {$ref: '#/components/responses/microsoft.graph.taskCollectionResponse'}
components:
  responses:
    microsoft.graph.taskCollectionResponse:
      description: page
      content:
        application/json:
          schema: {$ref: '#/components/schemas/microsoft.graph.taskCollectionResponse'}
  schemas:
    microsoft.graph.entity:
      type: object
      properties:
        id: {type: string}
    microsoft.graph.attachment:
      allOf:
      - $ref: '#/components/schemas/microsoft.graph.entity'
      - type: object
        properties:
          name: {type: string, nullable: true}
          size: {type: integer, format: int32}
          from: {$ref: '#/components/schemas/microsoft.graph.recipient'}
    microsoft.graph.fileAttachment:
      allOf:
      - $ref: '#/components/schemas/microsoft.graph.attachment'
      - type: object
        properties:
          contentBytes: {type: string, nullable: true}
    microsoft.graph.unusedDerivedThing:
      allOf:
      - $ref: '#/components/schemas/microsoft.graph.entity'
      - type: object
    microsoft.graph.recipient:
      type: object
      properties:
        address: {type: string, nullable: true}
    microsoft.graph.attendee:
      allOf:
      - $ref: '#/components/schemas/microsoft.graph.recipient'
      - type: object
        properties:
          status: {type: string, nullable: true}
    microsoft.graph.task:
      allOf:
      - $ref: '#/components/schemas/microsoft.graph.entity'
      - type: object
        properties:
          title: {type: string, nullable: true}
    microsoft.graph.taskCollectionResponse:
      type: object
      properties:
        value: {type: array, items: {$ref: '#/components/schemas/microsoft.graph.task'}}
        '@odata.nextLink': {type: string, nullable: true}
"#;

const OTHER: &str = r#"
openapi: 3.0.1
info: {title: other, version: v1.0}
paths: {}
components:
  schemas:
    microsoft.graph.entity: {type: object, properties: {id: {type: string}}}
    microsoft.graph.attachment: {type: object}
    microsoft.graph.referenceAttachment:
      allOf:
      - $ref: '#/components/schemas/microsoft.graph.attachment'
      - type: object
        properties:
          link: {$ref: '#/components/schemas/microsoft.graph.linkInfo'}
    microsoft.graph.linkInfo: {type: object, properties: {href: {type: string}}}
"#;

fn schemas(yaml: &str) -> Vec<String> {
    let doc: serde_json::Value = yaml_serde::from_str(yaml).unwrap();
    doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

fn selection() -> Selection {
    Selection {
        patterns: vec!["*".into()],
        drop_navigation: true,
        ..Selection::default()
    }
}

#[test]
fn import_keeps_entity_derived_types_and_takes_named_ones_from_another_description() {
    let mut selection = selection();
    selection
        .take
        .push((OTHER.to_string(), vec!["referenceAttachment".into()]));
    let yaml = import_merged(SOURCE, &[], &selection).unwrap();
    let kept = schemas(&yaml);
    for key in ["fileAttachment", "referenceAttachment", "linkInfo"] {
        assert!(
            kept.contains(&format!("microsoft.graph.{key}")),
            "{key} in {kept:?}"
        );
    }
    // not derived from a used base; complex-type derivations are not pulled in either
    assert!(!kept.contains(&"microsoft.graph.unusedDerivedThing".to_string()));
    assert!(!kept.contains(&"microsoft.graph.attendee".to_string()));
    // the source's own `attachment` wins over the other description's
    assert!(yaml.contains("contentBytes"));
    let doc: serde_json::Value = yaml_serde::from_str(&yaml).unwrap();
    let base = &doc["components"]["schemas"]["microsoft.graph.attachment"];
    assert!(base.get("allOf").is_some(), "{base}");
}

#[test]
fn dropping_navigation_spares_the_value_of_collection_responses() {
    let yaml = import_merged(SOURCE, &[], &selection()).unwrap();
    let doc: serde_json::Value = yaml_serde::from_str(&yaml).unwrap();
    let page = &doc["components"]["schemas"]["microsoft.graph.taskCollectionResponse"];
    assert_eq!(
        page["properties"]["value"]["items"]["$ref"],
        "#/components/schemas/microsoft.graph.task"
    );
}

#[test]
fn a_cut_that_lost_its_collection_value_gets_it_back() {
    let lost = SOURCE.replace(
        "        value: {type: array, items: {$ref: '#/components/schemas/microsoft.graph.task'}}\n",
        "",
    );
    assert_ne!(lost, SOURCE);
    let yaml = import_merged(
        &lost,
        &[],
        &Selection {
            patterns: vec!["*".into()],
            ..Selection::default()
        },
    )
    .unwrap();
    let doc: serde_json::Value = yaml_serde::from_str(&yaml).unwrap();
    let page = &doc["components"]["schemas"]["microsoft.graph.taskCollectionResponse"];
    assert_eq!(page["properties"]["value"]["type"], "array");
}

#[test]
fn entity_families_become_enums_with_accessors_pages_and_variant_bodies() {
    let out = generate(SOURCE, &Options::default()).unwrap();
    let source = out.source;
    assert!(source.contains("pub enum AnyAttachment"), "{source}");
    assert!(
        !source.contains("pub enum AnyRecipient"),
        "complex types stay structs"
    );
    // shared fields of every variant, as references; `Other` gives None
    assert!(source.contains("pub fn name(&self) -> ::std::option::Option<&::std::string::String>"));
    assert!(
        source.contains("pub fn size(&self) -> ::std::option::Option<&i32>"),
        "{source}"
    );
    assert!(
        !source.contains("pub fn content_bytes(&self)"),
        "not on every variant"
    );
    // the inline page is named after its item type (the family's base)
    assert!(source.contains("pub struct AttachmentCollectionResponse"));
    assert!(source.contains("pub value: ::std::vec::Vec<AnyAttachment>"));
    // POST takes any variant
    assert!(
        source.contains("body: impl Into<types::AnyAttachment>"),
        "{source}"
    );
}
