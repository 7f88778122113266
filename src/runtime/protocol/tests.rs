use super::*;
use crate::ErrorKind;
use proptest::prelude::*;

fn graph() -> Protocol {
    Protocol::graph().with_timezone("UTC").unwrap()
}

#[test]
fn graph_defaults() {
    let p = graph();
    assert_eq!(p.kind(), ProtocolKind::Graph);
    assert_eq!(p.protocol_url(), "https://graph.microsoft.com/");
    assert_eq!(p.api_version(), "v1.0");
    assert_eq!(p.service_url(), "https://graph.microsoft.com/v1.0/");
    assert_eq!(p.default_resource(), "me");
    assert_eq!(p.casing(), Casing::Camel);
    assert_eq!(p.scope_prefix(), "https://graph.microsoft.com/");
    assert_eq!(p.max_top_value(), 999);
    assert_eq!(p.timezone(), "UTC");
    assert_eq!(p.windows_timezone(), Some("UTC"));
}

#[test]
fn graph_beta_and_national_clouds() {
    assert_eq!(
        Protocol::graph_beta().service_url(),
        "https://graph.microsoft.com/beta/"
    );
    let p = Protocol::graph().with_api_version("beta");
    assert_eq!(p.api_version(), "beta");
    let us = Protocol::graph_for_host("https://graph.microsoft.us");
    assert_eq!(us.kind(), ProtocolKind::Graph);
    assert_eq!(us.service_url(), "https://graph.microsoft.us/v1.0/");
    assert_eq!(us.scope_prefix(), "https://graph.microsoft.us/");
    assert_eq!(
        us.get_scopes_for("basic"),
        ["https://graph.microsoft.us/User.Read"]
    );
}

#[test]
fn office365_protocol() {
    let p = Protocol::office365();
    assert_eq!(p.kind(), ProtocolKind::Office365);
    assert_eq!(p.service_url(), "https://outlook.office.com/api/v2.0/");
    assert_eq!(p.casing(), Casing::Pascal);
    assert_eq!(p.scope_prefix(), "https://outlook.office.com/");
    assert_eq!(p.convert_case("is_read"), "IsRead");
    assert_eq!(
        p.get_scopes_for("mailbox"),
        ["https://outlook.office.com/Mail.Read"]
    );
    let keywords = [
        ("message_type", "Microsoft.OutlookServices.Message"),
        (
            "event_message_type",
            "Microsoft.OutlookServices.EventMessage",
        ),
        (
            "file_attachment_type",
            "#Microsoft.OutlookServices.FileAttachment",
        ),
        (
            "item_attachment_type",
            "#Microsoft.OutlookServices.ItemAttachment",
        ),
    ];
    for (key, value) in keywords {
        assert_eq!(p.get_service_keyword(key), Some(value), "{key}");
    }
    let madrid = p.with_timezone("Europe/Madrid").unwrap();
    assert_eq!(
        madrid.get_service_keyword("prefer_timezone_header"),
        Some(r#"outlook.timezone="Romance Standard Time""#)
    );
}

#[test]
fn business_central_urls() {
    let p = Protocol::business_central(None);
    assert_eq!(p.kind(), ProtocolKind::BusinessCentral);
    assert_eq!(
        p.protocol_url(),
        "https://api.businesscentral.dynamics.com/v1.0/api/"
    );
    assert_eq!(
        p.service_url(),
        "https://api.businesscentral.dynamics.com/v1.0/api/v1.0/"
    );
    assert_eq!(
        p.scope_prefix(),
        "https://api.businesscentral.dynamics.com/"
    );
    assert_eq!(p.casing(), Casing::Camel);
    assert_eq!(p.max_top_value(), 999);
    let env = Protocol::business_central(Some("Production")).with_api_version("v2.0");
    assert_eq!(
        env.service_url(),
        "https://api.businesscentral.dynamics.com/v2.0/Production/api/v2.0/"
    );
    assert_eq!(
        env.get_scopes_for("basic"),
        ["https://api.businesscentral.dynamics.com/User.Read"]
    );
    assert_eq!(
        p.get_service_keyword("message_type"),
        Some("microsoft.graph.message")
    );
}

#[test]
fn custom_protocol_is_the_plain_base() {
    let p = Protocol::custom("testing", "0.0");
    assert_eq!(p.kind(), ProtocolKind::Custom);
    assert_eq!(p.service_url(), "testing0.0/");
    assert_eq!(p.casing(), Casing::Unchanged);
    assert_eq!(p.max_top_value(), 500);
    assert_eq!(p.scope_prefix(), "");
    assert_eq!(p.convert_case("is_read"), "is_read");
    assert!(p.get_scopes_for(None::<&str>).is_empty());
    assert_eq!(
        p.get_scopes_for(["mailbox", "Mail.Read"]),
        ["mailbox", "Mail.Read"]
    );
    assert_eq!(p.get_service_keyword("message_type"), None);
    assert_eq!(p.get_service_keyword("prefer_timezone_header"), None);
    // A zone without a Windows name is fine where no outlook.timezone header is sent.
    assert_eq!(
        p.with_timezone("Antarctica/Troll").unwrap().timezone(),
        "Antarctica/Troll"
    );
}

#[test]
fn graph_keywords_and_timezone_header() {
    let keywords = [
        ("message_type", "microsoft.graph.message"),
        ("event_message_type", "microsoft.graph.eventMessage"),
        ("file_attachment_type", "#microsoft.graph.fileAttachment"),
        ("item_attachment_type", "#microsoft.graph.itemAttachment"),
    ];
    let p = graph();
    for (key, value) in keywords {
        assert_eq!(p.get_service_keyword(key), Some(value), "{key}");
    }
    assert_eq!(p.get_service_keyword("nope"), None);
    let headers = [
        ("Europe/Madrid", "Romance Standard Time"),
        ("America/New_York", "Eastern Standard Time"),
        ("UTC", "UTC"),
    ];
    for (zone, windows) in headers {
        let p = graph().with_timezone(zone).unwrap();
        assert_eq!(p.timezone(), zone);
        let expected = format!("outlook.timezone=\"{windows}\"");
        assert_eq!(
            p.get_service_keyword("prefer_timezone_header"),
            Some(&*expected)
        );
    }
}

#[test]
fn bad_timezones_are_config_errors() {
    let err = graph().with_timezone("Not/AZone").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("Not/AZone"), "{err}");
    let err = graph().with_timezone("Antarctica/Troll").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("Windows"), "{err}");
}

#[test]
fn with_methods_leave_the_original_untouched() {
    let base = graph();
    let changed = base
        .clone()
        .with_default_resource("user:bob@x.com")
        .with_scope_prefix("https://example.test/")
        .with_casing(Casing::Pascal);
    assert_eq!(base.default_resource(), "me");
    assert_eq!(base.casing(), Casing::Camel);
    assert_eq!(changed.default_resource(), "user:bob@x.com");
    assert_eq!(changed.scope_prefix(), "https://example.test/");
    assert_eq!(changed.convert_case("is_read"), "IsRead");
    assert_eq!(
        base.clone().with_default_resource("  ").default_resource(),
        "me"
    );
}

#[test]
fn all_scope_helpers_in_table_order() {
    let expected: Vec<String> = [
        "User.Read",
        "Mail.Read",
        "Mail.Read.Shared",
        "MailboxSettings.ReadWrite",
        "Mail.Send",
        "Mail.Send.Shared",
        "Mail.ReadWrite",
        "Mail.ReadWrite.Shared",
        "Contacts.Read",
        "Contacts.Read.Shared",
        "Contacts.ReadWrite",
        "Contacts.ReadWrite.Shared",
        "Calendars.Read",
        "Calendars.Read.Shared",
        "Calendars.ReadWrite",
        "Calendars.ReadWrite.Shared",
        "User.ReadBasic.All",
        "Files.Read.All",
        "Files.ReadWrite.All",
        "Sites.Read.All",
        "Sites.ReadWrite.All",
        "Tasks.Read",
        "Tasks.ReadWrite",
        "Presence.Read",
    ]
    .iter()
    .map(|s| format!("https://graph.microsoft.com/{s}"))
    .collect();
    assert_eq!(SCOPE_HELPERS.len(), 25);
    assert_eq!(graph().get_scopes_for(None::<&str>), expected);
    assert_eq!(graph().get_scopes_for(ScopeInput::AllHelpers), expected);
}

#[test]
fn scopes_expand_in_order_without_duplicates() {
    let p = graph();
    assert_eq!(
        p.get_scopes_for("message_all"),
        [
            "https://graph.microsoft.com/Mail.ReadWrite",
            "https://graph.microsoft.com/Mail.Send"
        ]
    );
    let scopes = p.get_scopes_for(vec![
        "message_send",
        "Mail.Send",
        "https://graph.microsoft.com/Mail.Send",
        "offline_access",
        "openid",
        "profile",
        "https://x.example/Y",
        "api://1234/.default",
        ".default",
        "Custom.Permission",
    ]);
    assert_eq!(
        scopes,
        [
            "https://graph.microsoft.com/Mail.Send",
            "offline_access",
            "openid",
            "profile",
            "https://x.example/Y",
            "api://1234/.default",
            "https://graph.microsoft.com/.default",
            "https://graph.microsoft.com/Custom.Permission",
        ]
    );
    let owned = vec!["basic".to_owned(), "basic".to_owned()];
    assert_eq!(
        p.get_scopes_for(owned),
        ["https://graph.microsoft.com/User.Read"]
    );
    assert_eq!(
        p.get_scopes_for(Some("users")),
        ["https://graph.microsoft.com/User.ReadBasic.All"]
    );
}

#[test]
fn prefix_scope_rules() {
    let p = graph();
    assert_eq!(
        p.prefix_scope("Mail.Read"),
        "https://graph.microsoft.com/Mail.Read"
    );
    assert_eq!(
        p.prefix_scope("https://graph.microsoft.com/Mail.Read"),
        "https://graph.microsoft.com/Mail.Read"
    );
    assert_eq!(
        p.prefix_scope("https://other.example/Y"),
        "https://other.example/Y"
    );
    for reserved in RESERVED_SCOPES {
        assert_eq!(p.prefix_scope(reserved), *reserved);
    }
    assert_eq!(
        Protocol::custom("x", "y").prefix_scope("Mail.Read"),
        "Mail.Read"
    );
}

#[test]
fn base_urls_and_resources() {
    let p = graph();
    let cases = [
        (None, "https://graph.microsoft.com/v1.0/me"),
        (Some("me"), "https://graph.microsoft.com/v1.0/me"),
        (
            Some(" bob@x.com "),
            "https://graph.microsoft.com/v1.0/users/bob@x.com",
        ),
        (
            Some("user:bob@x.com"),
            "https://graph.microsoft.com/v1.0/users/bob@x.com",
        ),
        (
            Some("group:g1"),
            "https://graph.microsoft.com/v1.0/groups/g1",
        ),
        (
            Some("site:root"),
            "https://graph.microsoft.com/v1.0/sites/root",
        ),
        (
            Some("users/u1/"),
            "https://graph.microsoft.com/v1.0/users/u1",
        ),
        (
            Some("bob@x.com/mailFolders"),
            "https://graph.microsoft.com/v1.0/users/bob@x.com/mailFolders",
        ),
        (Some(""), "https://graph.microsoft.com/v1.0"),
    ];
    for (resource, url) in cases {
        assert_eq!(p.build_base_url(resource), url, "{resource:?}");
    }
    let shared = p.with_default_resource("shared@x.com");
    assert_eq!(
        shared.build_base_url(None),
        "https://graph.microsoft.com/v1.0/users/shared@x.com"
    );
    assert_eq!(parse_resource("drives/abc"), "drives/abc");
}

#[test]
fn casing_helpers() {
    let p = graph();
    assert_eq!(
        Protocol::to_api_case("receivedDateTime"),
        "received_date_time"
    );
    assert_eq!(p.convert_case("received_date_time"), "receivedDateTime");
    assert_eq!(p.convert_case("@odata.type"), "@odata.type");
    assert_eq!(p.convert_case("@odata.nextLink"), "@odata.nextLink");
    assert_eq!(p.convert_case("odata.type"), "odataType");
}

proptest! {
    #[test]
    fn convert_case_is_idempotent(key in "[ -~]{0,24}") {
        for p in [graph(), Protocol::office365(), Protocol::custom("x", "y")] {
            let once = p.convert_case(&key);
            prop_assert_eq!(p.convert_case(&once), once.clone());
        }
    }
}

#[test]
fn an_empty_api_version_gives_the_protocol_url_without_a_double_slash() {
    let p = Protocol::graph_for_host("http://127.0.0.1:4010").with_api_version("");
    assert_eq!(p.service_url(), "http://127.0.0.1:4010/");
}
