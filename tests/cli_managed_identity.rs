//! `o365 login --flow managed|federated` against the emulator: the sign-in, then later commands
//! that continue it (renewing from the same source when the token expires), `status` naming the
//! flow, `logout` forgetting it, and no secret (identity header, federated token, access token)
//! on stdout or stderr.
#![cfg(all(feature = "cli", feature = "emulator"))]

mod cli_support;

use std::path::Path;

use assert_cmd::Command;
use cli_support::Env;
use o365::emulator::{
    CONFIDENTIAL_CLIENT_ID, FEDERATED_AUDIENCE, FEDERATED_SUBJECT, SYSTEM_ASSIGNED_CLIENT_ID,
    USER_ASSIGNED_CLIENT_ID,
};
use o365::identity::SYSTEM_ASSIGNED_ID;
use predicates::prelude::*;
use serde_json::Value;

/// The Azure variables a host may set; each test sets only its own.
const AZURE_VARS: [&str; 7] = [
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "MSI_ENDPOINT",
];

fn cmd(env: &Env, vars: &[(&str, &str)]) -> Command {
    let mut cmd = env.bare();
    for name in AZURE_VARS {
        cmd.env_remove(name);
    }
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd
}

fn output(cmd: &mut Command) -> (String, String) {
    let out = cmd.assert().success().get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `get users/{oid}/messages --top 2` succeeds with two messages.
fn list_messages(env: &Env, vars: &[(&str, &str)]) -> String {
    let path = format!("users/{}/messages", env.emulator.user().oid);
    let (stdout, stderr) = output(cmd(env, vars).args(["get", &path, "--top", "2"]));
    let page: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 2, "{stdout}");
    stdout + &stderr
}

fn status_account(env: &Env, vars: &[(&str, &str)]) -> Value {
    let (stdout, _) = output(cmd(env, vars).arg("status"));
    let status: Value = serde_json::from_str(&stdout).unwrap();
    status["accounts"][0].clone()
}

#[test]
fn managed_identity_through_imds_signs_in_and_later_commands_renew_from_it() {
    let env = Env::start();
    let base = env.emulator.base_url().to_owned();
    let vars = [("AZURE_POD_IDENTITY_AUTHORITY_HOST", base.as_str())];
    let (stdout, stderr) = output(cmd(&env, &vars).args(["login", "--flow", "managed"]));
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(
            "signed in as the system-assigned managed identity (app-only) with the managed identity flow"
        ),
        "{stderr}"
    );
    let counters = env.emulator.counters();
    assert_eq!(counters.managed_identity_requests("imds"), 1);
    assert_eq!(counters.token_requests("client_credentials"), 0);
    let headers = counters.last_request_headers().unwrap();
    assert_eq!(headers["metadata"], "true");
    assert!(env.token_path().with_file_name("token.json.login").exists());

    let account = status_account(&env, &vars);
    assert_eq!(account["flow"], "managed");
    assert_eq!(account["client_id"], SYSTEM_ASSIGNED_ID);
    assert_eq!(account["username"], "(app-only)");

    let shown = list_messages(&env, &vars);
    assert_eq!(env.emulator.counters().managed_identity_requests("imds"), 1);
    // The token expires: the next command asks IMDS again, without any client secret.
    env.emulator.script().expire_access_tokens();
    let shown = shown + &list_messages(&env, &vars);
    let counters = env.emulator.counters();
    assert_eq!(counters.managed_identity_requests("imds"), 2);
    assert_eq!(counters.token_requests("client_credentials"), 0);
    assert!(!shown.contains("eyJ"), "no token printed: {shown}");

    // `logout` forgets the managed sign-in too.
    output(cmd(&env, &vars).arg("logout"));
    assert!(!env.token_path().with_file_name("token.json.login").exists());
    cmd(&env, &vars).arg("status").assert().code(3);
}

#[test]
fn managed_identity_through_app_service_uses_its_header_and_a_user_assigned_id() {
    let env = Env::start();
    let endpoint = env.emulator.identity_endpoint();
    let header = env.emulator.identity_header().to_owned();
    let vars = [
        ("IDENTITY_ENDPOINT", endpoint.as_str()),
        ("IDENTITY_HEADER", header.as_str()),
    ];
    let (stdout, stderr) = output(cmd(&env, &vars).args([
        "--client-id",
        USER_ASSIGNED_CLIENT_ID,
        "--verbose",
        "login",
        "--flow",
        "managed",
    ]));
    assert!(
        stderr.contains(&format!(
            "signed in as the managed identity {USER_ASSIGNED_CLIENT_ID} (app-only)"
        )),
        "{stderr}"
    );
    let counters = env.emulator.counters();
    assert_eq!(counters.managed_identity_requests("app_service"), 1);
    assert_eq!(counters.managed_identity_requests("imds"), 0);
    let query = &counters.managed_identity_queries()[0];
    assert!(
        query.contains(&("client_id".to_owned(), USER_ASSIGNED_CLIENT_ID.to_owned())),
        "{query:?}"
    );
    assert_eq!(
        counters.last_request_headers().unwrap()["x-identity-header"],
        header.as_str()
    );

    // Later commands need no --client-id: the saved sign-in names the identity.
    env.emulator.script().expire_access_tokens();
    let shown = list_messages(&env, &vars);
    assert_eq!(
        env.emulator
            .counters()
            .managed_identity_requests("app_service"),
        2
    );
    let account = status_account(&env, &vars);
    assert_eq!(account["flow"], "managed");
    assert_eq!(account["client_id"], USER_ASSIGNED_CLIENT_ID);
    let all = stdout + &stderr + &shown;
    assert!(
        !all.contains(&header),
        "the identity header never shows: {all}"
    );
    an_identity_the_host_lacks_is_refused(&env, &vars, &header);
    assert_ne!(SYSTEM_ASSIGNED_CLIENT_ID, USER_ASSIGNED_CLIENT_ID);
}

/// Login as an identity the host does not have: refused, exit 3, the host's message, and the
/// identity `header` not shown.
fn an_identity_the_host_lacks_is_refused(env: &Env, vars: &[(&str, &str)], header: &str) {
    cmd(env, vars)
        .args([
            "--client-id",
            "not-on-this-host",
            "login",
            "--flow",
            "managed",
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "Unable to load the proper Managed Identity",
        ))
        .stderr(predicate::str::contains(header).not());
}

/// A command without Azure variables; the application and `tenant` as flags.
fn as_the_app(env: &Env, tenant: &str) -> Command {
    let mut app = cmd(env, &[]);
    app.args(["--client-id", CONFIDENTIAL_CLIENT_ID, "--tenant-id", tenant]);
    app
}

/// `--federated-token-file` with an expired token in `file` is refused with the platform's
/// code (exit 3); missing settings are usage errors (exit 2) naming what to set.
fn federated_login_refusals(env: &Env, tenant: &str, file: &Path) {
    let file_text = file.to_str().unwrap();
    std::fs::write(
        file,
        env.emulator
            .federated_token_for(FEDERATED_SUBJECT, FEDERATED_AUDIENCE, -60),
    )
    .unwrap();
    as_the_app(env, tenant)
        .args([
            "login",
            "--flow",
            "federated",
            "--federated-token-file",
            file_text,
        ])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("AADSTS700024"))
        .stderr(predicate::str::contains("eyJ").not());

    as_the_app(env, tenant)
        .args(["login", "--flow", "federated"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("AZURE_FEDERATED_TOKEN_FILE"));
    cmd(env, &[("AZURE_FEDERATED_TOKEN_FILE", file_text)])
        .args(["--tenant-id", tenant, "login", "--flow", "federated"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("AZURE_CLIENT_ID"));
}

#[test]
fn federated_login_from_the_aks_variables_and_from_the_flag() {
    let env = Env::start();
    let tenant = env.emulator.user().tid.clone();
    let file = env.dir.path().join("azure-identity-token");
    let token = env.emulator.federated_token();
    std::fs::write(&file, &token).unwrap();
    let file_text = file.to_str().unwrap().to_owned();
    let vars = [
        ("AZURE_FEDERATED_TOKEN_FILE", file_text.as_str()),
        ("AZURE_CLIENT_ID", CONFIDENTIAL_CLIENT_ID),
        ("AZURE_TENANT_ID", tenant.as_str()),
    ];
    let (stdout, stderr) = output(cmd(&env, &vars).args(["login", "--flow", "federated"]));
    assert!(
        stderr.contains(&format!(
            "signed in as the application {CONFIDENTIAL_CLIENT_ID} (app-only) with the federated (workload identity) flow"
        )),
        "{stderr}"
    );
    assert_eq!(
        env.emulator.counters().token_requests("client_credentials"),
        1
    );
    let account = status_account(&env, &vars);
    assert_eq!(account["flow"], "federated");
    assert_eq!(account["client_id"], CONFIDENTIAL_CLIENT_ID);

    // The file rotates; a later command, without the variables, renews with the new token
    // read from the saved path.
    std::fs::write(&file, env.emulator.federated_token()).unwrap();
    env.emulator.script().expire_access_tokens();
    let shown = list_messages(&env, &[]);
    assert_eq!(
        env.emulator.counters().token_requests("client_credentials"),
        2
    );
    let all = stdout + &stderr + &shown;
    assert!(!all.contains(&token), "the federated token never shows");
    federated_login_refusals(&env, &tenant, &file);
}
