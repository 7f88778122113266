//! Leave-one-out tests: each tiny description reproduces one failure, and each test shows the
//! failure with that pass switched off and its absence with every pass on.

use o365_codegen::{Error, Options, generate};

/// Wraps `paths` and `schemas` (YAML, already indented for their place) into a document.
fn spec(paths: &str, schemas: &str) -> String {
    format!(
        "openapi: 3.0.1\ninfo:\n  title: T\n  version: v1.0\npaths:\n{paths}components:\n  schemas:\n{schemas}    \
         microsoft.graph.ODataErrors.ODataError:\n      type: object\n      properties:\n        error:\n          \
         $ref: '#/components/schemas/microsoft.graph.ODataErrors.MainError'\n    microsoft.graph.ODataErrors.MainError:\n      \
         type: object\n      properties:\n        code:\n          type: string\n"
    )
}

/// A GET of `/things/{id}` returning `schema` (a component name), with a Graph error response.
fn get_one(schema: &str) -> String {
    format!(
        "  /things/{{id}}:\n    get:\n      operationId: thing_Get\n      parameters:\n        - name: id\n          \
         in: path\n          required: true\n          schema:\n            type: string\n      responses:\n        \
         2XX:\n          description: ok\n          content:\n            application/json:\n              schema:\n                \
         $ref: '#/components/schemas/{schema}'\n        default:\n          description: error\n          content:\n            \
         application/json:\n              schema:\n                $ref: '#/components/schemas/microsoft.graph.ODataErrors.ODataError'\n"
    )
}

/// Generates `text` without the passes `without`; `type_names` is always off here so the
/// assertions can name types by their full keys (it has its own test below).
fn generated(text: &str, without: &[&str]) -> Result<String, Error> {
    let opts = Options {
        disabled_passes: without
            .iter()
            .chain(&["type_names"])
            .map(|s| s.to_string())
            .collect(),
        ..Options::default()
    };
    generate(text, &opts).map(|out| out.source)
}

fn ok(text: &str, without: &[&str]) -> String {
    generated(text, without).unwrap_or_else(|e| panic!("generation failed: {e}"))
}

/// The generated item `pub struct|enum <name>` up to its closing brace, whitespace removed.
fn item(source: &str, kind: &str, name: &str) -> String {
    let start = source
        .find(&format!("pub {kind} {name} "))
        .unwrap_or_else(|| panic!("no {kind} {name}"));
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let close = format!("\n{}}}", &source[line_start..start]);
    let end = source[start..]
        .find(&close)
        .map_or(source.len(), |e| start + e + close.len());
    squash(&source[start..end])
}

/// `text` without whitespace, so assertions do not depend on line breaking.
fn squash(text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    text.replace(",>", ">").replace(",)", ")")
}

/// Whether `source` contains `needle`, ignoring whitespace.
fn has(source: &str, needle: &str) -> bool {
    squash(source).contains(&squash(needle))
}

const ENTITY: &str = "    microsoft.graph.entity:\n      type: object\n      properties:\n        id:\n          type: string\n      \
                      additionalProperties:\n        type: object\n";

const CONTACT: &str = "    microsoft.graph.contact:\n      allOf:\n        - $ref: '#/components/schemas/microsoft.graph.entity'\n        \
                       - type: object\n          properties:\n            displayName:\n              type: string\n          \
                       additionalProperties:\n            type: object\n";

#[test]
fn flatten_allof_turns_inheritance_into_one_plain_struct() {
    let text = spec(
        &get_one("microsoft.graph.contact"),
        &format!("{ENTITY}{CONTACT}"),
    );
    let with = ok(&text, &[]);
    let contact = item(&with, "struct", "MicrosoftGraphContact");
    assert!(
        has(
            &contact,
            "pub display_name: ::std::option::Option<::std::string::String>"
        ),
        "{contact}"
    );
    assert!(
        has(
            &contact,
            "pub id: ::std::option::Option<::std::string::String>"
        ),
        "{contact}"
    );
    assert!(!has(&contact, "subtype"), "{contact}");
    // Without it (and without the open-type widening that hides the problem) typify
    // intersects `string` with the `{type: object}` marker: uninhabited types.
    let raw = ok(&text, &["flatten_allof", "odata_open"]);
    assert_eq!(
        uninhabited(&raw),
        [
            "MicrosoftGraphContactDisplayName",
            "MicrosoftGraphContactId"
        ]
    );
    assert!(uninhabited(&with).is_empty(), "{with}");
    // Note: with the marker widened (`odata_open`), typify's own allOf merge reaches the same
    // struct here, so this pass is only observable together with that one.
}

/// Names of `pub enum X {}` (uninhabited) types in the source.
fn uninhabited(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub enum ")?.strip_suffix(" {}"))
        .collect()
}

#[test]
fn odata_open_keeps_annotations_in_extra() {
    let text = spec(&get_one("microsoft.graph.entity"), ENTITY);
    let with = ok(&text, &[]);
    let entity = item(&with, "struct", "MicrosoftGraphEntity");
    assert!(has(&entity, "#[serde(flatten)]"), "{entity}");
    assert!(
        has(
            &entity,
            "pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>"
        ),
        "{entity}"
    );
    // Without it, only object values are accepted in `extra`: `"@odata.etag": "W/\"1\""`
    // (a string) fails to deserialise.
    let without = ok(&text, &["odata_open"]);
    let entity = item(&without, "struct", "MicrosoftGraphEntity");
    assert!(
        has(
            &entity,
            "pub extra: ::std::collections::HashMap<::std::string::String, \
             ::serde_json::Map<::std::string::String, ::serde_json::Value>>"
        ),
        "{entity}"
    );
}

#[test]
fn odata_numeric_makes_doubles_plain_numbers() {
    let schemas = "    microsoft.graph.geo:\n      type: object\n      properties:\n        altitude:\n          anyOf:\n            \
                   - type: number\n              format: double\n            - type: string\n            \
                   - $ref: '#/components/schemas/ReferenceNumeric'\n    ReferenceNumeric:\n      type: string\n      \
                   enum:\n        - '-INF'\n        - INF\n        - NaN\n";
    let text = spec(&get_one("microsoft.graph.geo"), schemas);
    let with = ok(&text, &[]);
    assert!(has(
        &item(&with, "struct", "MicrosoftGraphGeo"),
        "pub altitude: ::std::option::Option<f64>"
    ));
    let without = ok(&text, &["odata_numeric"]);
    assert!(!has(
        &item(&without, "struct", "MicrosoftGraphGeo"),
        "pub altitude: ::std::option::Option<f64>"
    ));
    assert!(
        has(
            &without,
            "pub altitude: ::std::option::Option<MicrosoftGraphGeoAltitude>"
        ),
        "{without}"
    );
}

const FOLDER: &str = "    microsoft.graph.mailFolder:\n      type: object\n      properties:\n        id:\n          type: string\n        \
                      parentFolder:\n          anyOf:\n            - $ref: '#/components/schemas/microsoft.graph.mailFolder'\n            \
                      - type: object\n              nullable: true\n";

#[test]
fn nullable_anyof_gives_an_optional_reference() {
    let text = spec(&get_one("microsoft.graph.mailFolder"), FOLDER);
    let with = ok(&text, &[]);
    let folder = item(&with, "struct", "MicrosoftGraphMailFolder");
    assert!(
        has(
            &folder,
            "pub parent_folder: ::std::option::Option<::std::boxed::Box<MicrosoftGraphMailFolder>>"
        ),
        "{folder}"
    );
    let without = ok(&text, &["nullable_anyof"]);
    assert!(
        has(&without, "pub enum MicrosoftGraphMailFolderParentFolder")
            || has(&without, "subtype_1")
    );
}

#[test]
fn discriminator_unrequires_odata_type() {
    let schemas = "    microsoft.graph.attachment:\n      type: object\n      required:\n        - '@odata.type'\n      \
                   properties:\n        name:\n          type: string\n        '@odata.type':\n          type: string\n      \
                   discriminator:\n        propertyName: '@odata.type'\n        mapping:\n          \
                   '#microsoft.graph.fileAttachment': '#/components/schemas/microsoft.graph.attachment'\n";
    let text = spec(&get_one("microsoft.graph.attachment"), schemas);
    let with = ok(&text, &[]);
    assert!(has(
        &item(&with, "struct", "MicrosoftGraphAttachment"),
        "pub odata_type: ::std::option::Option<::std::string::String>"
    ));
    let without = ok(&text, &["discriminator"]);
    assert!(has(
        &item(&without, "struct", "MicrosoftGraphAttachment"),
        "pub odata_type: ::std::string::String"
    ));
}

#[test]
fn prop_collision_keeps_one_field() {
    let schemas = "    microsoft.graph.thing:\n      type: object\n      properties:\n        value:\n          type: string\n        \
                   Value:\n          type: integer\n";
    let text = spec(&get_one("microsoft.graph.thing"), schemas);
    let fields = |s: &str| item(s, "struct", "Thing").matches("pubvalue:").count();
    let out = generate(&text, &Options::default()).unwrap();
    assert_eq!(fields(&out.source), 1);
    assert!(
        out.module
            .notes
            .iter()
            .any(|n| n.contains("dropped property `Value`")),
        "{:?}",
        out.module.notes
    );
    // (With casing `Keep`: the camel casing pass would otherwise fold `Value` into `value`.)
    let opts = Options {
        casing: o365_codegen::Casing::Keep,
        disabled_passes: ["prop_collision".to_string()].into(),
        ..Options::default()
    };
    let without = generate(&text, &opts).unwrap().source;
    assert_eq!(
        fields(&without),
        2,
        "E0124 field declared twice: {}",
        item(&without, "struct", "Thing")
    );
}

#[test]
fn drop_patterns_avoids_regress() {
    let schemas = "    microsoft.graph.slot:\n      type: object\n      properties:\n        start:\n          type: string\n          \
                   format: time\n          pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$'\n";
    let text = spec(&get_one("microsoft.graph.slot"), schemas);
    assert!(!has(&ok(&text, &[]), "regress"));
    assert!(has(&ok(&text, &["drop_patterns"]), "::regress::"));
}

fn list_with_orderby() -> String {
    "  /things:\n    get:\n      operationId: thing_List\n      parameters:\n        - name: $orderby\n          in: query\n          \
     style: form\n          explode: false\n          schema:\n            type: array\n            items:\n              \
     enum:\n                - id\n                - id desc\n              type: string\n      responses:\n        \
     2XX:\n          description: ok\n"
        .to_string()
}

#[test]
fn odata_query_options_are_builder_setters_not_arguments() {
    // The operation layer never turns `$orderby` & co. into arguments: the list gets the
    // `Collection` marker and its setters.
    let with = ok(&spec(&list_with_orderby(), ""), &[]);
    assert!(
        has(
            &with,
            "pub fn get_things(&self) -> Request<NoContent, Collection>"
        ),
        "{with}"
    );
    assert!(!has(&with, "OrderbyItem"));
}

#[test]
fn enum_collision_widens_instead_of_panicking() {
    let schemas = "    microsoft.graph.kind:\n      type: string\n      enum:\n        - a-b\n        - a b\n";
    let text = spec(&get_one("microsoft.graph.kind"), schemas);
    assert!(has(
        &ok(&text, &[]),
        "pub struct MicrosoftGraphKind(pub ::std::string::String)"
    ));
    let err = generated(&text, &["enum_collision"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("Failed to make unique variant names"), "{err}");
}

#[test]
fn a_nullable_path_parameter_is_still_a_plain_str() {
    let paths = "  /search(q='{q}'):\n    get:\n      operationId: drive_search\n      parameters:\n        - name: q\n          \
                 in: path\n          required: true\n          schema:\n            type: string\n            nullable: true\n      \
                 responses:\n        2XX:\n          description: ok\n";
    let out = ok(&spec(paths, ""), &[]);
    assert!(
        has(
            &out,
            "pub fn search(&self, q: &str) -> Request<NoContent, Plain>"
        ),
        "{out}"
    );
    assert!(
        has(&out, "function_literal(q)") || has(&out, "encode_path(q)"),
        "{out}"
    );
}

fn patch_thing() -> String {
    "  /things/{id}:\n    patch:\n      operationId: thing_Update\n      parameters:\n        - name: id\n          in: path\n          \
     required: true\n          schema:\n            type: string\n      requestBody:\n        content:\n          \
     application/json:\n            schema:\n              $ref: '#/components/schemas/microsoft.graph.entity'\n      \
     responses:\n        2XX:\n          description: ok\n          content:\n            application/json:\n              \
     schema:\n                $ref: '#/components/schemas/microsoft.graph.entity'\n"
        .to_string()
}

#[test]
fn an_update_returns_an_option_so_204_is_accepted() {
    let out = ok(&spec(&patch_thing(), ENTITY), &[]);
    assert!(
        has(
            &out,
            "Request<::std::option::Option<types::MicrosoftGraphEntity>, Plain>"
        ),
        "{out}"
    );
    assert!(
        has(&out, "body: impl Into<Patch<types::MicrosoftGraphEntity>>"),
        "{out}"
    );
}

#[test]
fn schema_collision_renames_the_later_schema() {
    let schemas = "    microsoft.graph.mailFolder:\n      type: object\n      properties:\n        a:\n          type: string\n    \
                   microsoft.graph.mail.folder:\n      type: object\n      properties:\n        b:\n          \
                   $ref: '#/components/schemas/microsoft.graph.mailFolder'\n";
    let text = spec(&get_one("microsoft.graph.mail.folder"), schemas);
    let with = ok(&text, &[]);
    assert_eq!(
        with.matches("pub struct MicrosoftGraphMailFolder ").count(),
        1
    );
    assert_eq!(
        with.matches("pub struct MicrosoftGraphMailFolder2 ")
            .count(),
        1
    );
    let without = generated(&text, &["schema_collision"]);
    assert!(
        without.is_err()
            || without
                .unwrap()
                .matches("pub struct MicrosoftGraphMailFolder ")
                .count()
                == 2
    );
}

#[test]
fn default_resp_rekeys_default_and_keeps_one_success() {
    let paths = "  /things:\n    post:\n      operationId: thing_Create\n      responses:\n        '200':\n          \
                 description: ok\n          content:\n            application/json:\n              schema:\n                \
                 $ref: '#/components/schemas/microsoft.graph.entity'\n        '201':\n          description: created\n          \
                 content:\n            application/json:\n              schema:\n                type: string\n        \
                 '204':\n          description: none\n        default:\n          description: error\n          \
                 content:\n            application/json:\n              schema:\n                \
                 $ref: '#/components/schemas/microsoft.graph.ODataErrors.ODataError'\n";
    let text = spec(paths, ENTITY);
    let out = generate(&text, &Options::default()).unwrap();
    assert!(
        has(
            &out.source,
            "pub fn create_thing(&self) -> Request<types::Entity, Plain>"
        ),
        "{}",
        out.source
    );
    assert!(
        out.module
            .notes
            .iter()
            .any(|n| n.contains("kept success response 200, dropped 201, 204"))
    );
}

#[test]
fn type_names_drop_the_graph_namespace_unless_names_clash() {
    let schemas = "    microsoft.graph.message:\n      type: object\n      properties:\n        id:\n          type: string\n        \
                   alert:\n          $ref: '#/components/schemas/microsoft.graph.security.alert'\n        \
                   result:\n          $ref: '#/components/schemas/microsoft.graph.result'\n        \
                   a:\n          $ref: '#/components/schemas/microsoft.graph.mailbox.setting'\n        \
                   b:\n          $ref: '#/components/schemas/microsoft.graph.mailboxSetting'\n    \
                   microsoft.graph.security.alert:\n      type: object\n      properties:\n        title:\n          type: string\n    \
                   microsoft.graph.result:\n      type: object\n      properties:\n        ok:\n          type: boolean\n    \
                   microsoft.graph.mailbox.setting:\n      type: object\n      properties:\n        x:\n          type: string\n    \
                   microsoft.graph.mailboxSetting:\n      type: object\n      properties:\n        y:\n          type: string\n";
    let text = spec(&get_one("microsoft.graph.message"), schemas);
    let opts = Options::default();
    let source = generate(&text, &opts).unwrap().source;
    assert!(has(&source, "pub struct Message {"), "{source}");
    assert!(has(&source, "pub struct SecurityAlert {"));
    assert!(has(
        &source,
        "pub alert: ::std::option::Option<SecurityAlert>"
    ));
    // `Result` is used unqualified by generated code: keep the long name.
    assert!(has(&source, "pub struct MicrosoftGraphResult {"));
    // `mailbox.setting` and `mailboxSetting` both give `MailboxSetting`: schema_collision
    // already renamed one of them apart; the short names must not clash again.
    assert!(!source.contains("MicrosoftGraphMessage"));
    assert_eq!(source.matches("pub struct MailboxSetting ").count(), 1);
    // The error envelope keeps its keys (it is replaced by the configured types).
    assert!(!source.contains("pub struct ODataErrors"));
    let (doc, module) = o365_codegen::normalise(&text, &opts).unwrap();
    let keys: Vec<&String> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(
        keys.contains(&&"microsoft.graph.result".to_string()),
        "{keys:?}"
    );
    assert!(
        module
            .notes
            .iter()
            .any(|n| n.contains("kept `microsoft.graph.result` whole")),
        "{:?}",
        module.notes
    );
    let plain = generated(&text, &[]).unwrap();
    assert!(has(&plain, "pub struct MicrosoftGraphMessage {"));
}

#[test]
fn describe_documents_models_from_facts_and_drops_the_input_prose() {
    let schemas = "    microsoft.graph.note:\n      description: Copied prose about notes.\n      type: object\n      \
                   properties:\n        received:\n          description: When it arrived, in prose.\n          type: string\n          \
                   format: date-time\n          nullable: true\n        level:\n          type: string\n          enum:\n            \
                   - low\n            - high\n";
    let text = spec(&get_one("microsoft.graph.note"), schemas);
    let with = ok(&text, &[]);
    assert!(has(&with, "///Graph type `note`."), "{with}");
    assert!(
        has(&with, "///Date-time (RFC 3339), may be null."),
        "{with}"
    );
    assert!(!with.contains("prose"), "{with}");
    let without = ok(&text, &["describe"]);
    assert!(without.contains("Copied prose about notes."), "{without}");
}

#[test]
fn collection_results_wraps_a_bare_array_reply_in_an_odata_page() {
    let paths = "  /things/microsoft.graph.delta():\n    get:\n      operationId: things_delta\n      responses:\n        \
                 2XX:\n          description: ok\n          content:\n            application/json:\n              schema:\n                \
                 type: array\n                items:\n                  $ref: '#/components/schemas/microsoft.graph.entity'\n";
    let text = spec(paths, ENTITY);
    let with = ok(&text, &[]);
    assert!(
        has(
            &with,
            "pub odata_delta_link: ::std::option::Option<::std::string::String>"
        ),
        "{with}"
    );
    assert!(
        has(&with, "pub value: ::std::vec::Vec<MicrosoftGraphEntity>"),
        "{with}"
    );
    assert!(
        has(&with, "CollectionPage for types::DeltaThingsResponse"),
        "{with}"
    );
    let without = ok(&text, &["collection_results"]);
    assert!(
        has(
            &without,
            "pub struct DeltaThingsResponse(pub ::std::vec::Vec<MicrosoftGraphEntity>)"
        ),
        "{without}"
    );
}

#[test]
fn type_names_drop_whatever_namespace_the_description_uses() {
    let schemas = "    Microsoft.OutlookServices.Message:\n      type: object\n      properties:\n        Id:\n          type: string\n        \
                   Body:\n          $ref: '#/components/schemas/Microsoft.OutlookServices.ItemBody'\n        \
                   Outcome:\n          $ref: '#/components/schemas/Microsoft.OutlookServices.Result'\n        \
                   Other:\n          $ref: '#/components/schemas/microsoft.graph.thing'\n    \
                   Microsoft.OutlookServices.ItemBody:\n      type: object\n      properties:\n        Content:\n          type: string\n    \
                   Microsoft.OutlookServices.Result:\n      type: object\n      properties:\n        Ok:\n          type: boolean\n    \
                   microsoft.graph.thing:\n      type: object\n      properties:\n        x:\n          type: string\n";
    let text = spec(&get_one("Microsoft.OutlookServices.Message"), schemas);
    let source = generate(&text, &Options::default()).unwrap().source;
    assert!(has(&source, "pub struct Message {"), "{source}");
    assert!(has(&source, "pub struct ItemBody {"));
    assert!(has(&source, "pub body: ::std::option::Option<ItemBody>"));
    assert!(!source.contains("MicrosoftOutlookServicesMessage"));
    assert!(!source.contains("MicrosoftOutlookServicesItemBody"));
    // A clash with a name generated code uses keeps the whole key, as for Graph.
    assert!(has(&source, "pub struct MicrosoftOutlookServicesResult {"));
    // Only the description's own namespace (the one most keys share) is dropped.
    assert!(has(&source, "pub struct MicrosoftGraphThing {"));
    let keys = |list: &[&str]| list.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    use o365_codegen::passes::type_names::namespace;
    assert_eq!(
        namespace(&keys(&[
            "Microsoft.OutlookServices.A",
            "Microsoft.OutlookServices.B",
            "microsoft.graph.c"
        ])),
        "Microsoft.OutlookServices."
    );
    assert_eq!(
        namespace(&keys(&["microsoft.graph.security.alert", "x.y.z"])),
        "microsoft.graph."
    );
    // A tie goes to the first in key order; no namespaced key at all gives Graph's.
    assert_eq!(namespace(&keys(&["b.c.x", "a.b.y"])), "a.b.");
    assert_eq!(
        namespace(&keys(&["customer", "o365.destination"])),
        "microsoft.graph."
    );
}

#[test]
fn a_reference_to_a_missing_component_is_a_parse_error_that_names_it() {
    let schemas = "    microsoft.graph.thing:\n      type: object\n      properties:\n        owner:\n          \
                   $ref: '#/components/schemas/microsoft.graph.person'\n";
    let text = spec(&get_one("microsoft.graph.thing"), schemas);
    let err = generated(&text, &[]).unwrap_err();
    let Error::Parse(message) = &err else {
        panic!("not a parse error: {err}");
    };
    assert!(
        message.contains("#/components/schemas/microsoft.graph.person"),
        "{message}"
    );
    let text = spec(&get_one("microsoft.graph.absent"), "");
    let err = generated(&text, &[]).unwrap_err().to_string();
    assert!(
        err.contains("#/components/schemas/microsoft.graph.absent"),
        "{err}"
    );
    assert!(!err.contains("microsoft.graph.person"), "{err}");
}
