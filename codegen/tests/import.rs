//! `import`: selection, `/me` twins, prose removal, reachability, determinism.

use o365_codegen::import::{Selection, glob_match, import, import_merged};

mod support;
use support::{imported, keys, parsed};

const SOURCE: &str = r#"
openapi: 3.0.1
info: {title: Mail, description: Long prose., version: v1.0}
paths:
  /users/{user-id}/messages:
    get:
      tags: [users.message]
      summary: Get the messages
      description: Long prose.
      operationId: user_ListMessage
      parameters:
        - {name: user-id, in: path, required: true, description: The user, schema: {type: string}}
      responses:
        2XX:
          description: Retrieved collection
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.message'}
          links: {next: {operationId: nowhere}}
  /users/{user-id}/inferenceClassification:
    get:
      operationId: user_GetInferenceClassification
      parameters:
        - {name: user-id, in: path, required: true, schema: {type: string}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.unused'}
components:
  schemas:
    microsoft.graph.message:
      title: message
      type: object
      properties:
        description: {type: string, description: A property named description stays.}
        body: {$ref: '#/components/schemas/microsoft.graph.itemBody'}
    microsoft.graph.itemBody:
      type: object
      properties:
        content: {type: string, example: hello}
    microsoft.graph.unused:
      type: object
"#;

fn cut(also_me: bool) -> serde_json::Value {
    let selection = Selection {
        patterns: vec!["/users/*/messages".into()],
        also_me,
        ..Selection::default()
    };
    imported(SOURCE, &selection)
}

#[test]
fn keeps_selected_paths_and_reachable_schemas_only() {
    let doc = cut(false);
    assert_eq!(keys(&doc["paths"]), ["/users/{user-id}/messages"]);
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        ["microsoft.graph.itemBody", "microsoft.graph.message"]
    );
}

#[test]
fn drops_prose_but_not_properties_named_like_it() {
    let doc = cut(false);
    let op = &doc["paths"]["/users/{user-id}/messages"]["get"];
    assert_eq!(op["summary"], "GET /users/{user-id}/messages");
    assert!(op.get("description").is_none() && op.get("tags").is_none());
    assert!(op["parameters"][0].get("description").is_none());
    assert_eq!(op["responses"]["2XX"]["description"], "2XX");
    assert!(op["responses"]["2XX"].get("links").is_none());
    assert!(doc["info"].get("description").is_none());
    let message = &doc["components"]["schemas"]["microsoft.graph.message"];
    assert!(message.get("title").is_none());
    assert_eq!(
        message["properties"]["description"],
        serde_json::json!({"type": "string"})
    );
    assert!(
        doc["components"]["schemas"]["microsoft.graph.itemBody"]["properties"]["content"]
            .get("example")
            .is_none()
    );
}

#[test]
fn me_twin_has_no_user_parameter_and_a_me_id() {
    let doc = cut(true);
    let op = &doc["paths"]["/me/messages"]["get"];
    assert_eq!(op["operationId"], "me_ListMessage");
    assert_eq!(op["parameters"], serde_json::json!([]));
    assert_eq!(op["summary"], "GET /me/messages");
}

#[test]
fn output_is_deterministic() {
    let selection = Selection {
        patterns: vec!["/users/*".into()],
        also_me: true,
        ..Selection::default()
    };
    assert_eq!(
        import(SOURCE, None, &selection).unwrap(),
        import(SOURCE, None, &selection).unwrap()
    );
}

#[test]
fn glob_stars_match_any_run() {
    assert!(glob_match("/users/*/messages", "/users/{user-id}/messages"));
    assert!(glob_match(
        "/users/*",
        "/users/{user-id}/messages/{message-id}"
    ));
    assert!(!glob_match(
        "/users/*/messages",
        "/users/{user-id}/messages/{message-id}"
    ));
    assert!(glob_match("/me", "/me") && !glob_match("/me", "/me/drive"));
}

#[test]
fn exclusions_and_several_merged_modules() {
    let actions = r#"
openapi: 3.0.1
info: {title: Actions, version: v1.0}
paths:
  /users/{user-id}/microsoft.graph.sendMail:
    post:
      operationId: users_sendMail
      x-ms-docs-operation-type: action
      parameters:
        - {name: user-id, in: path, required: true, schema: {type: string}}
      responses: {2XX: {description: ok}}
"#;
    let selection = Selection {
        patterns: vec![
            "/users/*".into(),
            "!/users/{user-id}/inferenceClassification".into(),
        ],
        ..Selection::default()
    };
    let doc = parsed(&import_merged(SOURCE, &[actions], &selection).unwrap());
    assert_eq!(
        keys(&doc["paths"]),
        [
            "/users/{user-id}/messages",
            "/users/{user-id}/microsoft.graph.sendMail"
        ]
    );
    // The operation kind is a fact the namer uses; it survives the prose removal.
    assert_eq!(
        doc["paths"]["/users/{user-id}/microsoft.graph.sendMail"]["post"]["x-ms-docs-operation-type"],
        "action"
    );
}

/// A user with navigation properties of every shape: a single reference (`drive`), an array
/// (`messages`), an `anyOf` (`manager`) and one marked `x-ms-navigationProperty` (`photo`),
/// beside a plain property and a complex type (`mailboxSettings`).
const NAVIGATION_SOURCE: &str = r#"
openapi: 3.0.1
info: {title: T, version: v1.0}
paths:
  /users/{user-id}:
    get:
      operationId: users_GetUser
      parameters:
        - {name: user-id, in: path, required: true, schema: {type: string}}
      responses:
        2XX:
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/microsoft.graph.user'}
components:
  schemas:
    microsoft.graph.entity:
      type: object
      properties:
        id: {type: string}
    microsoft.graph.user:
      allOf:
        - $ref: '#/components/schemas/microsoft.graph.entity'
        - type: object
          properties:
            displayName: {type: string}
            mailboxSettings: {$ref: '#/components/schemas/microsoft.graph.mailboxSettings'}
            drive: {$ref: '#/components/schemas/microsoft.graph.drive'}
            messages:
              type: array
              items: {$ref: '#/components/schemas/microsoft.graph.message'}
            manager:
              anyOf:
                - {$ref: '#/components/schemas/microsoft.graph.directoryObject'}
            photo:
              type: object
              x-ms-navigationProperty: true
    microsoft.graph.mailboxSettings:
      type: object
      properties:
        timeZone: {type: string}
    microsoft.graph.drive:
      allOf: [{$ref: '#/components/schemas/microsoft.graph.entity'}]
    microsoft.graph.directoryObject:
      allOf: [{$ref: '#/components/schemas/microsoft.graph.entity'}]
    microsoft.graph.message:
      allOf: [{$ref: '#/components/schemas/microsoft.graph.entity'}]
"#;

#[test]
fn navigation_properties_can_be_dropped() {
    let selection = Selection {
        patterns: vec!["/users/*".into()],
        drop_navigation: true,
        ..Selection::default()
    };
    let doc = imported(NAVIGATION_SOURCE, &selection);
    let user = &doc["components"]["schemas"]["microsoft.graph.user"]["allOf"][1]["properties"];
    assert_eq!(keys(user), ["displayName", "mailboxSettings"]);
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        [
            "microsoft.graph.entity",
            "microsoft.graph.mailboxSettings",
            "microsoft.graph.user"
        ]
    );
}

#[test]
fn permissions_stated_in_prose_are_kept_when_the_prose_goes() {
    let source = SOURCE.replace(
        "      description: Long prose.\n      operationId: user_ListMessage",
        "      description: 'Needs Mail.Read or Mail.ReadWrite; apps use User.ReadWrite.All. \
         The call requires the UserActivity.ReadWrite.CreatedByApp permission.'\n      \
         operationId: user_ListMessage",
    );
    let selection = Selection {
        patterns: vec!["/users/*/messages".into()],
        also_me: true,
        ..Selection::default()
    };
    let doc = imported(&source, &selection);
    let expected = serde_json::json!([
        "Mail.Read",
        "Mail.ReadWrite",
        "User.ReadWrite.All",
        "UserActivity.ReadWrite.CreatedByApp"
    ]);
    for path in ["/users/{user-id}/messages", "/me/messages"] {
        let op = &doc["paths"][path]["get"];
        assert_eq!(op["x-ms-permissions"], expected, "{path}");
        assert!(op.get("description").is_none());
    }
    // Without a stated permission nothing is added.
    assert!(
        cut(false)["paths"]["/users/{user-id}/messages"]["get"]
            .get("x-ms-permissions")
            .is_none()
    );
}

#[test]
fn permission_names_are_told_from_other_dotted_words() {
    use o365_codegen::import::stated_permissions;
    assert_eq!(
        stated_permissions("Mail.Send, Calendars.Read.Shared and GroupMember.Read.All."),
        ["Calendars.Read.Shared", "GroupMember.Read.All", "Mail.Send"]
    );
    assert!(
        stated_permissions("See microsoft.graph.user, e.g. v1.0 or Outlook.Office.").is_empty()
    );
    assert!(stated_permissions("Read the docs. Use Mail.read").is_empty());
}
