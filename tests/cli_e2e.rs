//! The `o365` binary end to end against the in-process emulator (harness in `cli_support`).

#![cfg(feature = "cli")]

mod cli_support;

use std::collections::HashSet;
use std::time::Duration;

use assert_cmd::Command;
use cli_support::{CLEARED, Env};
use o365::emulator::{GRAPH_PATHS, PUBLIC_CLIENT_ID, StatusCode};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn device_login_status_token_and_logout() {
    let env = Env::start();
    env.login();
    assert!(env.token_path().is_file());

    let status = env.json(&["status"]);
    let account = &status["accounts"][0];
    assert_eq!(account["username"], "AdeleV@contoso.onmicrosoft.com");
    assert_eq!(account["client_id"], PUBLIC_CLIENT_ID);
    assert_eq!(account["flow"], "device_code");
    assert_eq!(account["expired"], false);
    assert_eq!(account["refresh_token"], true);
    let scopes: Vec<&str> = account["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(scopes.contains(&"Mail.ReadWrite"), "{scopes:?}");
    assert_eq!(status["cloud"], "Public");

    let token = env.text(&["token"]);
    let info = env.emulator.access_token_info(token.trim()).unwrap();
    assert_eq!(
        info.user_oid.as_deref(),
        Some(env.emulator.user().oid.as_str())
    );
    assert_eq!(info.client_id, PUBLIC_CLIENT_ID);

    env.cmd()
        .arg("logout")
        .assert()
        .success()
        .stderr(predicate::str::contains("signed out"));
    assert!(!env.token_path().exists());
    env.cmd()
        .arg("status")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not signed in"));
}

#[test]
fn secrets_are_not_printed_outside_token() {
    let env = Env::start();
    env.login();
    let token_cache = std::fs::read_to_string(env.token_path()).unwrap();
    let cache: Value = serde_json::from_str(&token_cache).unwrap();
    let secret = cache["AccessToken"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = env
        .cmd()
        .args(["--verbose", "status"])
        .assert()
        .success()
        .get_output()
        .clone();
    let all = [out.stdout, out.stderr].concat();
    assert!(!String::from_utf8_lossy(&all).contains(&secret));
}

#[test]
fn get_with_select_and_top() {
    let env = Env::start();
    env.login();
    let page = env.json(&[
        "get",
        "me/messages",
        "--select",
        "subject,isRead",
        "--top",
        "3",
    ]);
    let items = page["value"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for item in items {
        let keys: HashSet<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.contains("subject") && keys.contains("isRead"),
            "{keys:?}"
        );
        assert!(!keys.contains("body"), "{keys:?}");
    }
    assert!(page["@odata.nextLink"].as_str().unwrap().contains("top=3"));
    assert_eq!(
        env.emulator.counters().requests("GET", "/v1.0/me/messages"),
        1
    );
}

#[test]
fn all_streams_every_page_as_ndjson() {
    let env = Env::start();
    env.login();
    let items = env.ndjson(&[
        "get",
        "/me/messages",
        "--top",
        "4",
        "--all",
        "--select",
        "id,subject",
    ]);
    let (inbox, sent, drafts) = o365::emulator::fixtures::MESSAGE_COUNTS;
    assert_eq!(items.len(), inbox + sent + drafts);
    let ids: HashSet<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), items.len());
    let pages = (items.len() as u64).div_ceil(4);
    assert_eq!(
        env.emulator.counters().requests("GET", "/v1.0/me/messages"),
        pages
    );
}

#[test]
fn post_with_data_from_a_file_and_from_stdin() {
    let env = Env::start();
    env.login();
    let event = env.dir.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"subject": "Design review", "start": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-01T11:00:00", "timeZone": "UTC"}}"#,
    )
    .unwrap();
    let data = format!("@{}", event.display());
    let created = env.json(&["post", "me/events", "--data", &data]);
    assert_eq!(created["subject"], "Design review");
    let id = created["id"].as_str().unwrap();
    let fetched = env.json(&["get", &format!("me/events/{id}"), "--select", "subject"]);
    assert_eq!(fetched["subject"], "Design review");

    let mail = r#"{"message": {"subject": "Hello", "toRecipients": [{"emailAddress": {"address": "alex@contoso.test"}}]}}"#;
    env.cmd()
        .args(["post", "me/sendMail", "--data", "-", "-H", "X-Test: 1"])
        .write_stdin(mail)
        .assert()
        .success()
        .stdout("");
    assert_eq!(
        env.emulator
            .counters()
            .requests("POST", "/v1.0/me/sendMail"),
        1
    );
    let headers = env
        .emulator
        .counters()
        .last_request_headers()
        .cloned()
        .unwrap();
    assert_eq!(headers["x-test"], "1");
}

#[test]
fn typed_mail_list_send_and_table() {
    let env = Env::start();
    env.login();
    let messages = env.json(&["mail", "list", "--folder", "inbox", "--top", "5"]);
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 5);
    assert_eq!(messages[0]["subject"], "Server maintenance window");
    let dates: Vec<&str> = messages
        .iter()
        .map(|m| m["receivedDateTime"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");

    let unread = env.ndjson(&[
        "mail", "list", "--unread", "--all", "--top", "2", "-o", "ndjson",
    ]);
    let raw = env.ndjson(&["get", "me/messages", "--filter", "isRead eq false", "--all"]);
    assert_eq!(unread.len(), raw.len());
    assert!(!unread.is_empty());
    assert!(unread.iter().all(|m| m["isRead"] == false));

    let id = messages[0]["id"].as_str().unwrap();
    let one = env.json(&["mail", "get", id, "--select", "subject"]);
    assert_eq!(one["subject"], "Server maintenance window");

    env.cmd()
        .args([
            "mail",
            "send",
            "--to",
            "alex@contoso.test",
            "--subject",
            "Hi",
            "--body",
            "Hello",
        ])
        .assert()
        .success();
    assert_eq!(
        env.emulator
            .counters()
            .requests("POST", "/v1.0/me/sendMail"),
        1
    );

    let table = env
        .cmd()
        .args(["mail", "list", "--top", "2", "-o", "table"])
        .assert()
        .success()
        .get_output()
        .clone();
    let table = String::from_utf8(table.stdout).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].starts_with("id"), "{table}");
    assert!(lines[0].contains("subject"), "{table}");
}

#[test]
fn typed_calendar_and_contacts() {
    let env = Env::start();
    env.login();
    let created = env.json(&[
        "calendar",
        "create",
        "--subject",
        "Sync",
        "--start",
        "2026-12-01T10:00:00",
        "--end",
        "2026-12-01T10:30:00",
    ]);
    assert_eq!(created["subject"], "Sync");
    let events = env.json(&["calendar", "list", "--top", "50"]);
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["subject"] == "Sync")
    );
    let contacts = env.json(&["contacts", "list"]);
    assert!(!contacts.as_array().unwrap().is_empty());
}

#[test]
fn errors_have_exit_codes_and_hints() {
    let env = Env::start();
    env.cmd().args(["get", "me"]).assert().code(3).stderr(
        predicate::str::contains("not signed in").and(predicate::str::contains("o365 login")),
    );

    env.login();
    env.cmd()
        .args(["get", "me/messages/does-not-exist"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("404").and(predicate::str::contains("hint")));
    env.cmd()
        .args(["mail", "get", "does-not-exist"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("404"));

    env.emulator.script().throttle_next(
        5,
        GRAPH_PATHS,
        StatusCode::TOO_MANY_REQUESTS,
        Duration::from_secs(7),
    );
    env.cmd()
        .args(["--retries", "0", "get", "me"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("throttled").and(predicate::str::contains("wait 7 s")));

    env.cmd().arg("no-such-command").assert().code(2);
}

#[test]
fn flags_beat_environment_beat_config_file() {
    let env = Env::start();
    let config = env.dir.path().join("o365.toml");
    std::fs::write(
        &config,
        format!("client_id = \"{PUBLIC_CLIENT_ID}\"\nflow = \"device\"\n"),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_owned();
    // The config file alone is enough.
    env.bare()
        .args(["--config", &config, "login"])
        .assert()
        .success();
    // The environment overrides it: an unknown application is refused.
    env.bare()
        .env("O365_CLIENT_ID", "00000000-0000-0000-0000-00000000dead")
        .args(["--config", &config, "login"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("sign-in refused"));
    // A flag overrides the environment.
    env.bare()
        .env("O365_CLIENT_ID", "00000000-0000-0000-0000-00000000dead")
        .args([
            "--config",
            &config,
            "--client-id",
            PUBLIC_CLIENT_ID,
            "login",
        ])
        .assert()
        .success();
    // An unknown key in the config file is a usage error.
    std::fs::write(env.dir.path().join("bad.toml"), "client_idd = \"x\"\n").unwrap();
    env.bare()
        .arg("--config")
        .arg(env.dir.path().join("bad.toml"))
        .arg("status")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config file"));
}

#[test]
fn demo_exits_zero() {
    let mut cmd = Command::cargo_bin("o365").unwrap();
    for name in CLEARED {
        cmd.env_remove(name);
    }
    cmd.arg("demo")
        .timeout(Duration::from_secs(120))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("16 messages in 4 pages")
                .and(predicate::str::contains("after 1 refresh"))
                .and(predicate::str::contains("demo finished")),
        );
}
