//! What the token-file safety tests (reliability_token_*.rs) share: large MSAL-format caches
//! named after a generation, reading the generation back, the file checks, and starting this test
//! binary again as a child process.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use o365::token::TokenCache;
use secrecy::ExposeSecret;

/// A complete MSAL-format cache of generation `n`: one account, its refresh token `rt-gen-{n}`,
/// and an access token of about 8 kB named after `n` for each of `scopes` (so a save of many
/// takes a while).
pub fn cache(n: u64, scopes: impl IntoIterator<Item = String>) -> String {
    let home = "oid-1.tid-1";
    let env = "login.microsoftonline.com";
    let mut access = serde_json::Map::new();
    for (i, scope) in scopes.into_iter().enumerate() {
        access.insert(
            format!("{home}-{env}-accesstoken-client-1-tid-1-{scope}"),
            serde_json::json!({
                "credential_type": "AccessToken",
                "secret": format!("at-gen-{n}-{i}-{}", "x".repeat(8000)),
                "home_account_id": home, "environment": env, "client_id": "client-1",
                "target": scope, "realm": "tid-1", "token_type": "Bearer",
                "cached_at": "1767225600", "expires_on": (1_767_229_200 + n).to_string(),
                "extended_expires_on": "1767229200"
            }),
        );
    }
    serde_json::json!({
        "AccessToken": access,
        "RefreshToken": {
            format!("{home}-{env}-refreshtoken-client-1--"): {
                "credential_type": "RefreshToken", "secret": format!("rt-gen-{n}"),
                "home_account_id": home, "environment": env, "client_id": "client-1", "target": ""
            }
        },
        "Account": {
            format!("{home}-{env}-tid-1"): {
                "home_account_id": home, "environment": env, "realm": "tid-1",
                "local_account_id": "oid-1", "username": "adele@contoso.test",
                "authority_type": "MSSTS"
            }
        },
        "IdToken": {},
        "AppMetadata": {}
    })
    .to_string()
}

/// The generation of a parsed `cache`, from its refresh token (`what` names the read).
pub fn generation(parsed: &TokenCache, what: &str) -> u64 {
    parsed
        .get_refresh_token(None)
        .unwrap_or_else(|| panic!("{what}: no refresh token, the cache is not complete"))
        .secret
        .expose_secret()
        .strip_prefix("rt-gen-")
        .and_then(|n| n.parse().ok())
        .expect("a refresh token of ours")
}

/// Files in `dir` other than the token file (temporary files a save left behind).
pub fn leftovers(dir: &Path, token: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != token)
        .collect()
}

/// The permission bits of `path`.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A current-thread runtime for the backend's async calls.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// This test binary again, running only the ignored test `test` (a child mode) with `env` set to
/// `spec`.
pub fn child(test: &str, env: &str, spec: String) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            test,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(env, spec);
    command
}
