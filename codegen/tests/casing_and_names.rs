//! Wire casing, operation naming and determinism.

use std::collections::BTreeMap;

use o365_codegen::{Casing, Error, Options, generate, normalise};

mod support;
use support::{has, keys, methods, source};

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

/// The property keys of component `schema`.
fn properties(doc: &serde_json::Value, schema: &str) -> Vec<String> {
    keys(&doc["components"]["schemas"][schema]["properties"])
}

#[test]
fn pascal_casing_rewrites_keys_but_not_annotations_or_envelopes() {
    let opts = Options {
        casing: Casing::Pascal,
        ..Options::default()
    };
    let (doc, _) = normalise(SPEC, &opts).unwrap();
    assert_eq!(
        properties(&doc, "event"),
        [
            "ICalUId",
            "AzureADDeviceId",
            "SnakeName",
            "@odata.etag",
            "Importance"
        ]
    );
    let event = &doc["components"]["schemas"]["event"];
    assert_eq!(event["required"], serde_json::json!(["ICalUId"]));
    assert_eq!(
        event["properties"]["Importance"]["enum"],
        serde_json::json!(["Low", "Normal", "remote_Control_Software"])
    );
    assert_eq!(
        properties(&doc, "eventCollectionResponse"),
        ["value", "@odata.nextLink"]
    );
    let mut errors = serde_json::json!({"components": {"schemas": {
        "microsoft.graph.ODataErrors.MainError": {"properties": {"code": {}, "innerError": {}}}
    }}});
    o365_codegen::casing::wire_case(&mut errors, Casing::Pascal, &BTreeMap::new());
    assert_eq!(
        properties(&errors, "microsoft.graph.ODataErrors.MainError"),
        ["code", "innerError"]
    );
}

#[test]
fn camel_casing_keeps_graph_names_and_values() {
    let (doc, module) = normalise(SPEC, &Options::default()).unwrap();
    assert_eq!(
        properties(&doc, "event"),
        [
            "iCalUId",
            "azureADDeviceId",
            "snakeName",
            "@odata.etag",
            "importance"
        ]
    );
    let enum_values = &doc["components"]["schemas"]["event"]["properties"]["importance"]["enum"];
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
    let camel = source(SPEC, &Options::default());
    let pascal = source(
        SPEC,
        &Options {
            casing: Casing::Pascal,
            ..Options::default()
        },
    );
    for field in [
        "pub i_cal_u_id: ::std::string::String",
        "pub azure_ad_device_id:",
    ] {
        assert!(camel.contains(field) && pascal.contains(field), "{field}");
    }
    assert!(camel.contains(r#"rename = "iCalUId""#) && pascal.contains(r#"rename = "ICalUId""#));
}

#[test]
fn names_come_from_the_path_and_pageable_ops_are_listed() {
    let out = generate(SPEC, &Options::default()).unwrap();
    assert_eq!(
        methods(&out),
        ["user_list_events", "list_events", "get_event"]
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
            ("user_list_events", Some("Event")),
            ("list_events", Some("Event"))
        ]
    );
    assert!(has(&out.source, "pub struct EventCollectionResponse"));
    assert!(!out.source.contains("MicrosoftGraphEvent"));
}

#[test]
fn renames_apply_before_generation() {
    let renames: BTreeMap<String, String> =
        [("me_ListEvent".to_string(), "events".to_string())].into();
    let out = generate(
        SPEC,
        &Options {
            renames,
            ..Options::default()
        },
    )
    .unwrap();
    assert!(has(&out.source, "pub fn events(&self)"));
    assert_eq!(out.module.operations[0].method, "user_list_events");
}

#[test]
fn colliding_renames_are_numbered_not_an_error() {
    let renames: BTreeMap<String, String> = [
        ("me_ListEvent".to_string(), "events".to_string()),
        ("user_ListEvent".to_string(), "events".to_string()),
    ]
    .into();
    let out = generate(
        SPEC,
        &Options {
            renames,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(methods(&out), ["events", "events_2", "get_event"]);
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
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
  /users/{user-id}/calendars/{calendar-id}/events:
    get:
      operationId: user.calendar_ListEvent
      parameters:
        - {name: user-id, in: path, required: true, schema: {type: string}}
        - {name: calendar-id, in: path, required: true, schema: {type: string}}
      responses: {2XX: {description: ok}}
      x-ms-pageable: {nextLinkName: '@odata.nextLink'}
"#;
    let out = generate(spec, &Options::default()).unwrap();
    assert_eq!(
        methods(&out),
        [
            "user_list_calendar_events",
            "user_list_calendar_events_by_id"
        ]
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

/// Names `assign` gives to `(method, path, operationId)` triples; GETs listed in `pageable`
/// answer with pages.
fn names_of(ops: &[(&str, &str, &str)], renames: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
    let mut paths = serde_json::Map::new();
    for (method, path, id) in ops {
        let entry = paths
            .entry(path.to_string())
            .or_insert_with(|| serde_json::json!({}));
        let mut op =
            serde_json::json!({"operationId": id, "responses": {"2XX": {"description": "ok"}}});
        if id.contains("_List") {
            op["x-ms-pageable"] = serde_json::json!({"nextLinkName": "@odata.nextLink"});
        }
        entry[*method] = op;
    }
    let doc = serde_json::json!({"openapi": "3.0.1", "paths": paths});
    let renames: BTreeMap<String, String> = renames
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let naming = o365_codegen::names::assign(&doc, &renames);
    // `assign` answers in document (path) order; map back to the input order.
    let mut by_key = BTreeMap::new();
    let mut i = 0;
    let mut doc = doc;
    o365_codegen::passes::walk::for_each_operation(&mut doc, &mut |path, method, _| {
        by_key.insert(
            (method.to_string(), path.to_string()),
            naming.names[i].clone(),
        );
        i += 1;
    });
    let names = ops
        .iter()
        .map(|(m, p, _)| by_key[&(m.to_string(), p.to_string())].clone())
        .collect();
    (names, naming.notes)
}

/// List, create, get, update and delete operations, and the names they get.
const CRUD_NAMES: &[Named] = &[
    ("get", "/me/messages", "me_ListMessages", "list_messages"),
    (
        "post",
        "/me/messages",
        "me_CreateMessages",
        "create_message",
    ),
    (
        "get",
        "/me/messages/{message-id}",
        "me_GetMessages",
        "get_message",
    ),
    (
        "patch",
        "/me/messages/{message-id}",
        "me_UpdateMessages",
        "update_message",
    ),
    (
        "delete",
        "/me/messages/{message-id}",
        "me_DeleteMessages",
        "delete_message",
    ),
    (
        "get",
        "/me/mailFolders/{mailFolder-id}/messages",
        "me.mailFolder_ListMessages",
        "list_mail_folder_messages",
    ),
    (
        "get",
        "/me/mailFolders/{mailFolder-id}/childFolders",
        "me.mailFolder_ListChildFolders",
        "list_mail_folder_child_folders",
    ),
    (
        "get",
        "/me/contactFolders/{contactFolder-id}/childFolders",
        "me.contactFolder_ListChildFolders",
        "list_contact_folder_child_folders",
    ),
    ("get", "/me/people", "me_ListPeople", "list_people"),
    (
        "get",
        "/me/people/{person-id}",
        "me_GetPeople",
        "get_person",
    ),
    (
        "get",
        "/me/outlook/masterCategories",
        "me.outlook_ListMasterCategories",
        "list_master_categories",
    ),
    ("get", "/me/calendar", "me_GetCalendar", "get_calendar"),
    ("get", "/me", "me_GetUser", "get_me"),
    ("get", "/users", "users_ListUser", "list_users"),
    ("get", "/users/{user-id}", "users_GetUser", "get_user"),
    (
        "get",
        "/users/{user-id}/messages",
        "users_ListMessages",
        "user_list_messages",
    ),
];

/// `(method, path, operationId, the name expected)`.
type Named = (&'static str, &'static str, &'static str, &'static str);

/// The `(method, path, operationId)` triples of `table` for [`names_of`], and the names expected.
fn ops_and_expected(table: &[Named]) -> (Vec<(&str, &str, &str)>, Vec<&str>) {
    table
        .iter()
        .map(|&(m, p, id, name)| ((m, p, id), name))
        .unzip()
}

#[test]
fn crud_names_are_plural_for_lists_and_singular_for_items() {
    let (ops, expected) = ops_and_expected(CRUD_NAMES);
    let (names, notes) = names_of(&ops, &[]);
    assert_eq!(names, expected);
    assert!(notes.is_empty(), "{notes:?}");
}

/// Actions, functions, `$count`, `$ref`, casts and `$value`, and the names they get.
const ACTION_NAMES: &[Named] = &[
    (
        "post",
        "/users/{user-id}/microsoft.graph.sendMail",
        "users_sendMail",
        "user_send_mail",
    ),
    (
        "post",
        "/me/events/{event-id}/accept",
        "me.events_accept",
        "accept_event",
    ),
    (
        "post",
        "/me/messages/{message-id}/copy",
        "me.message_copy",
        "copy_message",
    ),
    (
        "post",
        "/me/messages/{message-id}/microsoft.graph.createReply",
        "me.message_createReply",
        "create_reply_message",
    ),
    (
        "get",
        "/me/messages/microsoft.graph.delta()",
        "me.messages_delta",
        "delta_messages",
    ),
    (
        "get",
        "/me/microsoft.graph.reminderView(StartDateTime='{StartDateTime}',EndDateTime='{EndDateTime}')",
        "me_reminderView",
        "reminder_view",
    ),
    (
        "post",
        "/me/microsoft.graph.getMemberGroups",
        "me_getMemberGroups",
        "get_member_groups",
    ),
    (
        "get",
        "/me/messages/$count",
        "me.messages_GetCount",
        "count_messages",
    ),
    (
        "get",
        "/groups/{group-id}/members/$ref",
        "groups_ListRefMembers",
        "list_member_refs",
    ),
    (
        "post",
        "/groups/{group-id}/members/$ref",
        "groups_CreateRefMembers",
        "add_member_ref",
    ),
    (
        "delete",
        "/groups/{group-id}/members/{directoryObject-id}/$ref",
        "groups_DeleteRefMembers",
        "delete_member_ref",
    ),
    (
        "get",
        "/groups/{group-id}/members/microsoft.graph.user",
        "groups_ListMembersAsUser",
        "list_members_as_user",
    ),
    (
        "get",
        "/me/photo/$value",
        "me_GetPhotoContent",
        "get_photo_content",
    ),
];

#[test]
fn actions_functions_counts_refs_and_casts() {
    let (ops, expected) = ops_and_expected(ACTION_NAMES);
    let (names, _) = names_of(&ops, &[]);
    assert_eq!(names, expected);
}

#[test]
fn clashing_paths_are_named_apart_by_their_segments() {
    // Two deltas that the operationIds would both call `…_category_delta`.
    let (names, notes) = names_of(
        &[
            (
                "get",
                "/education/classes/{educationClass-id}/assignmentCategories/microsoft.graph.delta()",
                "education.classes.assignmentCategories_delta",
            ),
            (
                "get",
                "/education/classes/{educationClass-id}/assignments/{educationAssignment-id}/categories/microsoft.graph.delta()",
                "education.classes.assignments.categories_delta",
            ),
            ("get", "/me/events", "me_ListEvents"),
            ("get", "/me/calendar/events", "me.calendar_ListEvents"),
            (
                "get",
                "/me/calendars/{calendar-id}/events",
                "me.calendars_ListEvents",
            ),
            (
                "get",
                "/groups/{group-id}/threads/{thread-id}/posts",
                "groups.threads_ListPosts",
            ),
            (
                "get",
                "/groups/{group-id}/conversations/{conversation-id}/threads/{thread-id}/posts",
                "groups.conversations.threads_ListPosts",
            ),
        ],
        &[],
    );
    assert_eq!(
        names,
        [
            "delta_assignment_categories",
            "delta_categories",
            "list_events",
            "list_calendar_events",
            "list_calendar_events_by_id",
            "list_group_thread_posts",
            "list_conversation_thread_posts",
        ]
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("list_calendar_events_by_id"), "{notes:?}");
}

#[test]
fn explicit_renames_win_and_push_mechanical_names_aside() {
    let (names, _) = names_of(
        &[
            (
                "get",
                "/me/drive/items/{driveItem-id}/content",
                "me.drive_GetContent",
            ),
            ("get", "/me/drive/root/content", "me.drive_GetRootContent"),
            (
                "get",
                "/me/drive/items/{driveItem-id}/children",
                "me.drive_ListChildren",
            ),
            (
                "get",
                "/users/{user-id}/drive/items/{driveItem-id}/children",
                "user.drive_ListChildren",
            ),
        ],
        &[("me.drive_GetRootContent", "get_content")],
    );
    assert_eq!(
        names,
        [
            "get_item_content",
            "get_content",
            "list_children",
            "user_list_children",
        ]
    );
}

#[test]
fn business_central_keys_in_parentheses_are_items() {
    let (names, _) = names_of(
        &[
            ("get", "/companies", "companies_List"),
            ("get", "/companies({company_id})", "companies_Get"),
            (
                "get",
                "/companies({company_id})/salesOrders",
                "companies.salesOrders_List",
            ),
            (
                "patch",
                "/companies({company_id})/salesOrders({salesOrder_id})",
                "x",
            ),
        ],
        &[],
    );
    assert_eq!(
        names,
        [
            "list_companies",
            "get_company",
            "list_sales_orders",
            "update_sales_order"
        ]
    );
}

#[test]
fn singulars() {
    use o365_codegen::names::singular;
    for (plural, one) in [
        ("messages", "message"),
        ("child_folders", "child_folder"),
        ("categories", "category"),
        ("people", "person"),
        ("addresses", "address"),
        ("mailboxes", "mailbox"),
        ("calendar_view", "calendar_view"),
        ("status", "status"),
    ] {
        assert_eq!(singular(plural), one);
    }
}
