//! The remaining `o365` subcommands end to end against the emulator: `drive ls|get|put`,
//! `calendar list --all`, `contacts list --all`, the credentials, password and browser
//! (loopback) sign-ins, and that only `o365 token` prints a token.

#![cfg(feature = "cli")]

mod cli_support;

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use cli_support::Env;
use o365::emulator::drive::SEEDED_ITEMS;
use o365::emulator::{CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, PUBLIC_CLIENT_ID};
use predicates::prelude::*;
use serde_json::Value;

const ADELE: &str = "AdeleV@contoso.onmicrosoft.com";
const PASSWORD: &str = "Emulator-P@ssw0rd";

fn names(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

#[test]
fn drive_ls_get_and_put_round_trip() {
    let env = Env::start();
    env.login();
    let (docs, notes) = (SEEDED_ITEMS[0].0, SEEDED_ITEMS[1].0);

    let root = env.json(&["drive", "ls"]);
    assert_eq!(names(&root), ["Documents", "notes.txt"]);
    assert_eq!(root[1]["file"]["mimeType"], "text/plain");

    // `ls` follows every page: two pages of one item each.
    let documents = env.json(&["drive", "ls", docs, "--top", "1"]);
    assert_eq!(
        names(&documents),
        ["Budget 2025.xlsx", "Quarterly report.docx"]
    );
    let children = format!("/v1.0/me/drive/items/{docs}/children");
    assert_eq!(env.emulator.counters().requests("GET", &children), 2);

    let meta = env.json(&["drive", "get", notes]);
    assert_eq!(meta["name"], "notes.txt");
    assert_eq!(meta["size"], SEEDED_ITEMS[1].4.len());

    let out = env
        .cmd()
        .args(["drive", "get", notes, "--out", "-"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(out.stdout, SEEDED_ITEMS[1].4);

    let local = env.dir.path().join("upload.bin");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    std::fs::write(&local, &bytes).unwrap();
    let updated = env.json(&["drive", "put", local.to_str().unwrap(), notes]);
    assert_eq!(updated["id"], notes);
    assert_eq!(updated["size"], 1000);

    let downloaded = env.dir.path().join("download.bin");
    env.cmd()
        .args(["drive", "get", notes, "--out"])
        .arg(&downloaded)
        .assert()
        .success()
        .stderr(predicate::str::contains("saved 1000 bytes"));
    assert_eq!(std::fs::read(&downloaded).unwrap(), bytes);

    env.cmd()
        .args(["drive", "get", "no-such-item"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("404"));
}

/// Downloads item `id` through `o365 drive get --out` and returns the bytes.
fn download(env: &Env, id: &str) -> Vec<u8> {
    let downloaded = env.dir.path().join(format!("{id}.download"));
    env.cmd()
        .args(["drive", "get", id, "--out"])
        .arg(&downloaded)
        .assert()
        .success();
    std::fs::read(&downloaded).unwrap()
}

#[test]
fn drive_put_by_path_simple_and_through_an_upload_session() {
    let env = Env::start();
    env.login();
    let write = |name: &str, len: usize| {
        let local = env.dir.path().join(name);
        let bytes: Vec<u8> = (0..=250u8).cycle().take(len).collect();
        std::fs::write(&local, &bytes).unwrap();
        (local.to_str().unwrap().to_owned(), bytes)
    };

    let (small, small_bytes) = write("small.bin", 1000);
    let created = env.json(&["drive", "put", &small, "/Documents/New folder/small.bin"]);
    assert_eq!(created["name"], "small.bin");
    assert_eq!(created["size"], 1000);
    let counters = env.emulator.counters();
    let simple = "/v1.0/me/drive/root:/Documents/New folder/small.bin:/content";
    assert_eq!(counters.requests("PUT", simple), 1);
    assert_eq!(download(&env, created["id"].as_str().unwrap()), small_bytes);

    // `--session` forces an upload session: 3.5 MiB is two chunks of the 3.125 MiB default.
    let (big, big_bytes) = write("big.bin", 3584 * 1024);
    let uploaded = env.json(&["drive", "put", &big, "/Documents/big.bin", "--session"]);
    assert_eq!(uploaded["name"], "big.bin");
    assert_eq!(uploaded["size"], big_bytes.len());
    let counters = env.emulator.counters();
    let create = "/v1.0/me/drive/root:/Documents/big.bin:/createUploadSession";
    assert_eq!(counters.requests("POST", create), 1);
    let chunk_puts: u64 = counters
        .all_requests()
        .iter()
        .filter(|(k, _)| k.starts_with("PUT /upload/"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(chunk_puts, 2);
    assert_eq!(download(&env, uploaded["id"].as_str().unwrap()), big_bytes);

    // Over 4 MiB by item id: an upload session on the item, which keeps its id.
    let notes = SEEDED_ITEMS[1].0;
    let (huge, huge_bytes) = write("huge.bin", 4 * 1024 * 1024 + 1);
    let replaced = env.json(&["drive", "put", &huge, notes]);
    assert_eq!(replaced["id"], notes);
    let create = format!("/v1.0/me/drive/items/{notes}/createUploadSession");
    assert_eq!(env.emulator.counters().requests("POST", &create), 1);
    assert_eq!(download(&env, notes), huge_bytes);
}

#[test]
fn calendar_and_contacts_list_all_follow_every_page() {
    let env = Env::start();
    env.login();
    let events = env.json(&["get", "me/events", "--top", "50"]);
    let event_count = events["value"].as_array().unwrap().len();
    assert!(event_count > 2, "{event_count}");
    let listed = env.ndjson(&["calendar", "list", "--all", "--top", "2"]);
    assert_eq!(listed.len(), event_count);
    assert_eq!(
        env.emulator.counters().requests("GET", "/v1.0/me/events"),
        1 + (event_count as u64).div_ceil(2)
    );
    // Without --all only the first page is printed.
    let first = env.json(&["calendar", "list", "--top", "2"]);
    assert_eq!(first.as_array().unwrap().len(), 2);

    let contacts = env.ndjson(&["contacts", "list", "--all", "--top", "3"]);
    let all = env.json(&["get", "me/contacts", "--top", "50"]);
    assert_eq!(contacts.len(), all["value"].as_array().unwrap().len());
    assert!(contacts.len() > 3);
    assert_eq!(
        env.emulator.counters().requests("GET", "/v1.0/me/contacts"),
        1 + (contacts.len() as u64).div_ceil(3)
    );
}

#[test]
fn credentials_login_is_app_only() {
    let env = Env::start();
    let tenant = env.emulator.user().tid.clone();
    let app = || {
        let mut cmd = env.bare();
        cmd.env("O365_CLIENT_SECRET", CONFIDENTIAL_CLIENT_SECRET)
            .args([
                "--client-id",
                CONFIDENTIAL_CLIENT_ID,
                "--tenant-id",
                &tenant,
            ]);
        cmd
    };
    app()
        .args(["login", "--flow", "credentials"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "signed in as the application (app-only) with the credentials flow",
        ));
    let out = app().arg("status").assert().success().get_output().clone();
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    let account = &status["accounts"][0];
    assert_eq!(account["username"], "(app-only)");
    assert_eq!(account["flow"], "credentials");
    assert_eq!(account["client_id"], CONFIDENTIAL_CLIENT_ID);
    assert_eq!(account["refresh_token"], false);

    let path = format!("users/{}/messages", env.emulator.user().oid);
    let out = app()
        .args(["get", &path, "--top", "2"])
        .assert()
        .success()
        .get_output()
        .clone();
    let page: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
    // `/me` needs a user.
    app().args(["get", "me"]).assert().code(4);
    // A wrong secret is refused at sign-in.
    env.bare()
        .env("O365_CLIENT_SECRET", "wrong")
        .args([
            "--client-id",
            CONFIDENTIAL_CLIENT_ID,
            "--tenant-id",
            &tenant,
        ])
        .args(["login", "--flow", "credentials"])
        .assert()
        .code(3);
}

#[test]
fn password_login_reads_the_password_from_stdin() {
    let env = Env::start();
    let login = |password: &str| {
        let mut cmd = env.cmd();
        cmd.args([
            "--username",
            ADELE,
            "--tenant-id",
            "contoso.onmicrosoft.com",
        ])
        .args(["login", "--flow", "password", "--password-stdin"])
        .write_stdin(format!("{password}\n"));
        cmd
    };
    login("not-the-password").assert().code(3);
    assert!(!env.token_path().exists());
    login(PASSWORD)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "signed in as {ADELE} with the password flow"
        )));
    let status = env.json(&["status"]);
    assert_eq!(status["accounts"][0]["username"], ADELE);
    assert_eq!(status["accounts"][0]["flow"], "password");
    let me = env.json(&["get", "me"]);
    assert_eq!(me["userPrincipalName"], ADELE);
}

/// Runs `o365 login --flow {flow}` and plays the browser: reads the URL the CLI prints on
/// stderr, GETs it on the emulator (which consents and redirects to the CLI's loopback
/// listener), follows that redirect, and checks that the CLI signs in.
fn browser_login(env: &Env, flow: &str, client: &[&str]) {
    let mut child = env
        .std_cmd()
        .args(client)
        .args(["login", "--flow", flow])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.starts_with("Visit the following url to give consent:") {
        line.clear();
        assert_ne!(stderr.read_line(&mut line).unwrap(), 0, "no URL printed");
    }
    line.clear();
    stderr.read_line(&mut line).unwrap();
    let url = line.trim().to_owned();
    assert!(
        url.starts_with(&env.emulator.authorize_url("common")),
        "{url}"
    );

    let page = env.runtime.block_on(async {
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let consent = browser.get(&url).send().await.unwrap();
        assert_eq!(consent.status(), 302);
        let location = consent.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("http://localhost:"), "{location}");
        assert!(
            location.contains("code=") && location.contains("state="),
            "{location}"
        );
        let redirected = browser.get(&location).send().await.unwrap();
        assert_eq!(redirected.status(), 200);
        redirected.text().await.unwrap()
    });
    assert!(page.contains("Authentication complete"), "{page}");

    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    assert!(
        rest.contains(&format!("signed in as {ADELE} with the {flow} flow")),
        "{rest}"
    );
}

#[test]
fn public_browser_login_with_loopback_capture() {
    let env = Env::start();
    browser_login(&env, "public", &["--client-id", PUBLIC_CLIENT_ID]);
    let status = env.json(&["status"]);
    let account = &status["accounts"][0];
    assert_eq!(account["username"], ADELE);
    assert_eq!(account["flow"], "public");
    assert_eq!(account["refresh_token"], true);
    assert_eq!(env.json(&["get", "me"])["userPrincipalName"], ADELE);
}

#[test]
fn authorization_browser_login_with_loopback_capture() {
    let env = Env::start();
    let client = [
        "--client-id",
        CONFIDENTIAL_CLIENT_ID,
        "--client-secret",
        CONFIDENTIAL_CLIENT_SECRET,
    ];
    browser_login(&env, "authorization", &client);
    let out = env
        .bare()
        .args(client)
        .arg("status")
        .assert()
        .success()
        .get_output()
        .clone();
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    let account = &status["accounts"][0];
    assert_eq!(account["username"], ADELE);
    assert_eq!(account["client_id"], CONFIDENTIAL_CLIENT_ID);
    assert_eq!(account["flow"], "authorization");
}

/// The access and refresh tokens in the token cache.
fn cached_secrets(env: &Env) -> Vec<String> {
    let cache: Value =
        serde_json::from_str(&std::fs::read_to_string(env.token_path()).unwrap()).unwrap();
    ["AccessToken", "RefreshToken"]
        .iter()
        .flat_map(|kind| cache[kind].as_object().unwrap().values())
        .map(|entry| entry["secret"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn only_token_prints_the_issued_access_token() {
    let env = Env::start();
    env.login();
    let secrets = cached_secrets(&env);
    assert_eq!(secrets.len(), 2);

    let printed = env.text(&["token"]);
    let printed = printed.trim();
    assert_eq!(printed, secrets[0]);
    let info = env.emulator.access_token_info(printed).unwrap();
    assert_eq!(info.client_id, PUBLIC_CLIENT_ID);
    assert_eq!(
        info.user_oid.as_deref(),
        Some(env.emulator.user().oid.as_str())
    );

    let notes = SEEDED_ITEMS[1].0;
    let commands: [&[&str]; 12] = [
        &["status"],
        &["-o", "table", "status"],
        &["get", "me"],
        &["get", "me/messages", "--top", "10", "--all"],
        &["mail", "list", "--top", "2"],
        &["calendar", "list", "--all"],
        &["contacts", "list", "--all"],
        &["drive", "ls"],
        &["drive", "get", notes],
        &["drive", "get", notes, "--out", "-"],
        &["get", "me/no-such-thing"],
        &["mail", "get", "no-such-message"],
    ];
    for args in commands {
        let out = env
            .cmd()
            .arg("--verbose")
            .args(args)
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
        for secret in &secrets {
            assert!(!all.contains(secret.as_str()), "{args:?} printed a token");
        }
    }
}
