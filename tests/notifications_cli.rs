//! `o365 subscribe RESOURCE --change-type created --listen 0 --count 1` against the emulator: the
//! receiver answers the validation, a new inbox message is printed as one NDJSON line, and the
//! subscription is deleted on the way out.
#![cfg(feature = "cli")]

mod cli_support;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use cli_support::Env;
use serde_json::{Value, json};

/// Creates a message with `subject` in the emulator's inbox as the public client would, without
/// the CLI; returns the created message.
fn create_inbox_message(env: &Env, subject: &str) -> Value {
    let token = env
        .emulator
        .issue_user_tokens(o365::emulator::PUBLIC_CLIENT_ID, "Mail.ReadWrite")
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    env.runtime.block_on(async {
        reqwest::Client::new()
            .post(format!(
                "{}me/mailFolders/inbox/messages",
                env.emulator.graph_url()
            ))
            .bearer_auth(&token)
            .json(&json!({"subject": subject}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

#[test]
fn subscribe_prints_a_notification_and_cleans_up() {
    let env = Env::start();
    env.login();
    let mut cmd = env.std_cmd();
    cmd.args(["--client-id", o365::emulator::PUBLIC_CLIENT_ID])
        .args(["subscribe", "me/mailFolders('Inbox')/messages"])
        .args(["--change-type", "created", "--listen", "0", "--count", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("subscribed ") {
        line.clear();
        assert_ne!(
            stderr.read_line(&mut line).unwrap(),
            0,
            "no subscription made"
        );
    }
    let ids = env.emulator.subscription_ids();
    assert_eq!(ids.len(), 1);
    assert!(line.contains(&ids[0]), "{line}");

    let created = create_inbox_message(&env, "Watched");

    let status = child.wait().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{rest}");
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(lines[0]["changeType"], "created");
    assert_eq!(lines[0]["subscriptionId"], ids[0].as_str());
    assert_eq!(lines[0]["resourceData"]["id"], created["id"]);
    assert!(
        rest.contains(&format!("deleted subscription {}", ids[0])),
        "{rest}"
    );
    assert!(env.emulator.subscription_ids().is_empty());
}
