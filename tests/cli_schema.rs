//! `o365 schema`, body checks before sending, and `o365 emulator` as a process of its own.

#![cfg(feature = "cli")]

#[path = "cli_support/mod.rs"]
mod cli_support;

use std::io::{BufRead, BufReader, Lines};
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};

use cli_support::{CLEARED, Env};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn schema_prints_a_model_and_an_operation_body() {
    let env = Env::start();
    let message = env.json(&["schema", "Message"]);
    assert_eq!(message["type"], "object");
    assert!(message["properties"]["toRecipients"].is_object());
    let body = env.json(&["schema", "--operation", "mail::send_mail"]);
    assert_eq!(body["properties"]["message"]["$ref"], "#/$defs/AnyMessage");
    assert!(body["$defs"]["AnyMessage"]["oneOf"].is_array());
    env.cmd()
        .args(["schema", "NoSuchModel"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no model `NoSuchModel`"));
}

#[test]
fn a_bad_body_file_is_refused_before_anything_is_sent() {
    let env = Env::start();
    env.login();
    let bad = env.dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"message": {"subject": 42}}"#).unwrap();
    let data = format!("@{}", bad.display());
    let before = env.emulator.counters().graph_requests();
    env.cmd()
        .args(["post", "me/sendMail", "--data", &data])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("property `message.subject`"));
    assert_eq!(
        env.emulator.counters().graph_requests(),
        before,
        "nothing sent"
    );

    // Skipping the check sends it, and the emulator answers 400 naming the property.
    env.cmd()
        .args(["post", "me/sendMail", "--no-validate", "--data", &data])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("message.subject"));
    assert_eq!(env.emulator.counters().graph_requests(), before + 1);

    let good = env.dir.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"message": {"subject": "hi", "toRecipients": [{"emailAddress": {"address": "a@b.c"}}]}}"#,
    )
    .unwrap();
    env.cmd()
        .args([
            "post",
            "me/sendMail",
            "--data",
            &format!("@{}", good.display()),
        ])
        .assert()
        .success();
    assert_eq!(env.emulator.counters().graph_requests(), before + 2);
    // The typed shortcut's body passes its own check too.
    env.cmd()
        .args(["mail", "send", "--to", "a@b.c", "--subject", "typed"])
        .assert()
        .success();
}

/// Writes `text` to the file `name` in `env`'s directory; returns the `--data` argument `@path`.
fn data_file(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    format!("@{}", path.display())
}

/// Typed `command --data @file` with `text` in the file: a usage error (exit 2).
fn refused_data_file(
    env: &Env,
    command: [&str; 2],
    file: &str,
    text: &str,
) -> assert_cmd::assert::Assert {
    env.cmd()
        .args(command)
        .arg("--data")
        .arg(data_file(env, file, text))
        .assert()
        .code(2)
}

/// A typed mail and event body of the wrong types from a file, and an unchecked body of the
/// wrong shape, are each refused as usage errors naming the operation or property.
fn typed_bad_bodies_are_refused(env: &Env) {
    refused_data_file(
        env,
        ["mail", "send"],
        "mail.json",
        r#"{"message": {"subject": ["not", "text"]}}"#,
    )
    .stderr(
        predicate::str::contains("mail::send_mail")
            .and(predicate::str::contains("property `message.subject`")),
    );
    refused_data_file(
        env,
        ["calendar", "create"],
        "event.json",
        r#"{"subject": "x", "isAllDay": "yes"}"#,
    )
    .stderr(predicate::str::contains("property `isAllDay`"));
    // A body of the wrong shape is refused even unchecked: it does not decode into the model.
    env.cmd()
        .args([
            "--no-validate",
            "mail",
            "send",
            "--data",
            r#"{"message": 7}"#,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not fit mail::send_mail"));
}

#[test]
fn typed_commands_check_a_data_file_before_sending() {
    let env = Env::start();
    env.login();
    let before = env.emulator.counters().graph_requests();
    typed_bad_bodies_are_refused(&env);
    assert_eq!(
        env.emulator.counters().graph_requests(),
        before,
        "nothing sent"
    );

    let event = data_file(
        &env,
        "good-event.json",
        r#"{"subject": "From a file", "start": {"dateTime": "2026-12-09T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-09T11:00:00", "timeZone": "UTC"}}"#,
    );
    let created = env.json(&["calendar", "create", "--data", &event]);
    assert_eq!(created["subject"], "From a file");
    let mail = data_file(
        &env,
        "good-mail.json",
        r#"{"message": {"subject": "From a file too", "toRecipients": [{"emailAddress": {"address": "a@b.c"}}]}}"#,
    );
    env.cmd()
        .args(["mail", "send", "--data", &mail])
        .assert()
        .success();
    assert_eq!(env.emulator.counters().graph_requests(), before + 2);
}

#[test]
fn every_generated_body_operation_is_known_not_only_mail() {
    let env = Env::start();
    env.login();
    // A drive operation: the schema is the DriveItem model, and a bad body is refused.
    let body = env.json(&["schema", "--operation", "drive::create_child"]);
    assert_eq!(body["title"], "DriveItem", "{body:#}");
    let before = env.emulator.counters().graph_requests();
    env.cmd()
        .args([
            "post",
            "me/drive/items/abc/children",
            "--data",
            r#"{"name": 5}"#,
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("drive::create_child")
                .and(predicate::str::contains("property `name`")),
        );
    assert_eq!(env.emulator.counters().graph_requests(), before);
    env.cmd()
        .args(["schema", "--operation", "no_such_operation"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no typed operation `no_such_operation`",
        ));
}

/// What `o365 emulator` printed to set up a shell: its `export`ed variables, in order.
type Exports = Vec<(String, String)>;

/// Starts `o365 emulator` on a free port, seeded with one unread message `seeded one`, with a
/// script that throttles every request to /v1.0/me/events; reads its exports up to
/// `O365_CLIENT_ID`. The rest of its stdout stays open, returned beside the child.
fn spawn_emulator(dir: &Path) -> (Child, Lines<BufReader<ChildStdout>>, Exports) {
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"messages": [{"subject": "seeded one", "isRead": false}]}"#,
    )
    .unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_o365"));
    for name in CLEARED {
        cmd.env_remove(name);
    }
    // Every request to /v1.0/me/events fails with 503 more times than the retry budget allows.
    let script = dir.join("script.json");
    std::fs::write(
        &script,
        r#"[{"action": "throttle", "count": 50, "path": "/v1.0/me/events", "status": 503, "retryAfter": 0}]"#,
    )
    .unwrap();
    let mut child = cmd
        .args(["emulator", "--port", "0", "--seed"])
        .arg(&seed)
        .arg("--script")
        .arg(&script)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut env_vars = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("export ") {
            let (k, v) = rest.split_once('=').unwrap();
            env_vars.push((k.to_owned(), v.to_owned()));
            if k == "O365_CLIENT_ID" {
                break;
            }
        }
    }
    (child, lines, env_vars)
}

/// Ctrl-C (SIGINT) stops the emulator `child` cleanly, saying so on stderr.
fn stop_with_sigint(mut child: Child) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("o365 emulator stopped"), "{stderr}");
}

#[test]
fn emulator_command_serves_until_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let (child, _stdout, env_vars) = spawn_emulator(dir.path());
    let names: Vec<&str> = env_vars.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["O365_BASE_URL", "O365_AUTHORITY", "O365_CLIENT_ID"]);
    let run = |args: &[&str]| {
        let mut c = assert_cmd::Command::cargo_bin("o365").unwrap();
        for name in CLEARED {
            c.env_remove(name);
        }
        c.envs(env_vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .arg("--token-path")
            .arg(dir.path().join("token.json"))
            .args(args)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
    };
    run(&["login", "--flow", "device"]).success();
    let out = run(&["get", "me"]).success().get_output().stdout.clone();
    let me: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(me["userPrincipalName"], "AdeleV@contoso.onmicrosoft.com");
    let out = run(&["get", "me/messages", "--filter", "subject eq 'seeded one'"])
        .success()
        .get_output()
        .stdout
        .clone();
    let page: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 1, "{page:#}");
    // The script: the throttled path ends in the service's 503, not in a result.
    run(&["get", "me/events"])
        .failure()
        .stderr(predicate::str::contains("503"));

    stop_with_sigint(child);
}
